import type { IncomingMessage } from "node:http";
import { zSignMessageRequest } from "@lucid-dreams/sdk/zod";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import type { ChainConnection } from "../chain/chain-connection.js";
import { HttpError } from "../http/http-error.js";
import { hashSecret } from "../ids.js";
import { resolveOptions } from "../options.js";
import type { ServerContext } from "../server-context.js";
import { createStore } from "../store/store.js";
import { createIdempotencyStore } from "./idempotency.js";
import { createKeyedMutex } from "./keyed-mutex.js";
import { createWalletHandler } from "./wallet-operation.js";

function setup() {
  let now = 0;
  const store = createStore();
  store.owners.set("own_1", { id: "own_1", name: "Owner" });
  store.ownerTokens.set(hashSecret("lot_owner"), "own_1");
  const account = privateKeyToAccount(generatePrivateKey());
  store.agents.set("agt_1", {
    id: "agt_1",
    ref: "a",
    name: "A",
    description: null,
    ownerId: "own_1",
    createdAt: 0,
    wallet: { id: "wal_1", address: account.address, account },
  });
  const ctx: ServerContext = {
    options: resolveOptions({ now: () => now }),
    store,
    chain: { chainId: 31337, caip2: "eip155:31337" } as ChainConnection,
    idempotency: createIdempotencyStore({ now: () => now }),
    walletLocks: createKeyedMutex(),
    baseUrl: () => "http://127.0.0.1:1",
  };
  const gates: Array<() => void> = [];
  let executions = 0;
  let failNext = false;
  const handler = createWalletHandler(ctx, {
    operation: "signMessage",
    scope: "wallet.sign",
    schema: zSignMessageRequest,
    what: "sign-message request",
    async execute(_agent, body) {
      executions++;
      await new Promise<void>((resolve) => gates.push(resolve));
      if (failNext) {
        failNext = false;
        throw new HttpError(400, "invalid_request", "nope");
      }
      return { signed: body.message, n: executions };
    },
  });
  const call = (body: unknown) =>
    handler({
      req: { headers: { authorization: "Bearer lot_owner" } } as IncomingMessage,
      params: { agentRef: "a" },
      readJson: async () => body,
    });
  const openGates = async (count = 1) => {
    while (gates.length < count) await new Promise((r) => setImmediate(r));
    for (const open of gates.splice(0)) open();
  };
  return {
    call,
    openGates,
    executions: () => executions,
    failNext: () => {
      failNext = true;
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe("createWalletHandler idempotency", () => {
  it("refuses a duplicate while the first is in flight with 409 and Retry-After: 1, then replays", async () => {
    const t = setup();
    const body = { message: "m", idempotency_key: "k" };
    const first = t.call(body);
    await expect(t.call(body)).rejects.toMatchObject({
      status: 409,
      code: "idempotency_in_progress",
      retryAfter: 1,
    });
    await t.openGates();
    const done = await first;
    expect(done).toEqual({ status: 200, text: '{"signed":"m","n":1}' });
    const replay = await t.call({ idempotency_key: "k", message: "m" });
    expect(replay).toEqual({ status: 200, text: done.text, headers: { "idempotent-replayed": "true" } });
    expect(t.executions()).toBe(1);
  });

  it("releases the key when the operation fails", async () => {
    const t = setup();
    t.failNext();
    const failing = t.call({ message: "m", idempotency_key: "k" });
    await t.openGates();
    await expect(failing).rejects.toMatchObject({ status: 400 });
    const retry = t.call({ message: "other", idempotency_key: "k" });
    await t.openGates();
    expect((await retry).status).toBe(200);
  });

  it("forgets a key after 24 hours", async () => {
    const t = setup();
    const first = t.call({ message: "m", idempotency_key: "k" });
    await t.openGates();
    await first;
    t.advance(24 * 60 * 60 * 1000);
    const again = t.call({ message: "different", idempotency_key: "k" });
    await t.openGates();
    expect(await again).toMatchObject({ status: 200, text: '{"signed":"different","n":2}' });
  });

  it("runs without idempotency when no key is given", async () => {
    const t = setup();
    const a = t.call({ message: "m" });
    const b = t.call({ message: "m" });
    await t.openGates(2);
    expect((await a).status).toBe(200);
    expect((await b).status).toBe(200);
    expect(t.executions()).toBe(2);
  });
});
