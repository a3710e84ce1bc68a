import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentChallenge } from "@lucid-dreams/sdk";
import { verifyMessage, verifyTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AgentAuthError, isChallengeFailed, isConfigurationError, isTransportError } from "../errors.js";
import type { Hex } from "./base-connector.js";
import { toTypedDataDefinition } from "./challenge.js";
import {
  ServerOrchestratorMissingAccessTokenError,
  ServerOrchestratorSigningError,
  ServerOrchestratorWalletConnector,
} from "./server-orchestrator-connector.js";

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  json: Record<string, unknown> | undefined;
}
type Reply = { status: number; body: unknown };

/** A real HTTP peer on 127.0.0.1 that records requests and answers with `handler`. */
const startPeer = async (handler: (request: Recorded) => Reply | Promise<Reply>) => {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const recorded: Recorded = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
    requests.push(recorded);
    const reply = await handler(recorded);
    res.writeHead(reply.status, { "content-type": "application/json" });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

const HASH = `0x${"ef".repeat(32)}`;
const challenge = (payload: unknown, id = "ch_1"): AgentChallenge =>
  ({
    id,
    credential_id: "cred_1",
    payload,
    payload_hash: HASH,
    nonce: "nonce12345",
    scopes: ["wallet.sign"],
    issued_at: "2025-01-01T00:00:00.000Z",
    expires_at: "2025-01-01T00:05:00.000Z",
    server_signature: null,
  }) as AgentChallenge;

const typedWire = {
  domain: { name: "Lucid", version: "1", chainId: 8453 },
  types: { Login: [{ name: "nonce", type: "string" }] },
  primary_type: "Login",
  message: { nonce: "nonce12345" },
};

const BOOTSTRAP = "lot_bootstrap_owner_token_123456";
const SESSION = "lat_session_access_token_abcdef";

describe("ServerOrchestratorWalletConnector against a fake Lucid server", () => {
  const account = privateKeyToAccount(generatePrivateKey());
  /** Status to answer the next wallet call with (200 signs for real with `account`). */
  let nextStatus = 200;
  let peer: Awaited<ReturnType<typeof startPeer>>;

  beforeAll(async () => {
    peer = await startPeer(async (request) => {
      if (nextStatus === 401)
        return { status: 401, body: { error: "unauthorized", message: "Token expired." } };
      if (nextStatus === 403) {
        return { status: 403, body: { error: "insufficient_scope", message: "Requires wallet.sign." } };
      }
      if (nextStatus === 500) return { status: 500, body: { error: "internal_error" } };
      const walletInfo = {
        account: { id: "acc_1", displayName: "Agent One" },
        wallet: {
          id: "w_1",
          address: account.address,
          chain: "base",
          caip2: "eip155:8453",
          provider: "privy",
          chainType: "ethereum",
          externalId: null,
          privyWalletId: null,
          status: "active",
        },
      };
      if (request.method === "GET" && request.url === "/v1/agents/agent%201") {
        return {
          status: 200,
          body: {
            id: "ag_1",
            ref: "agent 1",
            name: "A",
            status: "active",
            wallet: { address: account.address, caip2: "eip155:8453" },
          },
        };
      }
      const body = request.json ?? {};
      if (request.url === "/v1/agents/agent%201/wallet/sign-message") {
        const message = body.message as string;
        const signature =
          body.encoding === "hex"
            ? await account.signMessage({ message: { raw: message as Hex } })
            : await account.signMessage({ message });
        return { status: 200, body: { ...walletInfo, signed: { signature } } };
      }
      if (request.url === "/v1/agents/agent%201/wallet/sign-typed-data") {
        const definition = toTypedDataDefinition(body.typed_data);
        const signature = await account.signTypedData(definition as never);
        return { status: 200, body: { ...walletInfo, signed: { signature } } };
      }
      return { status: 404, body: { error: "not_found" } };
    });
  });
  afterAll(() => peer.close());
  beforeEach(() => {
    nextStatus = 200;
    peer.requests.length = 0;
  });

  const connector = (
    options: Partial<ConstructorParameters<typeof ServerOrchestratorWalletConnector>[0]> = {},
  ) =>
    new ServerOrchestratorWalletConnector({
      baseUrl: `${peer.url}/`,
      agentRef: "agent 1",
      accessToken: BOOTSTRAP,
      ...options,
    });

  it("signs a SIWE challenge through sign-message with the bootstrap token, idempotency key and context", async () => {
    const siwe = "lucid wants you to sign in with your Ethereum account:\nNonce: nonce12345";
    const wallet = connector({ headers: { "x-trace": "t1", authorization: "Bearer ignored" } });
    const signature = await wallet.signChallenge(challenge({ type: "message", message: siwe }));

    expect(
      await verifyMessage({ address: account.address, message: siwe, signature: signature as Hex }),
    ).toBe(true);
    const [request] = peer.requests;
    expect(request?.method).toBe("POST");
    expect(request?.url).toBe("/v1/agents/agent%201/wallet/sign-message");
    expect(request?.headers.authorization).toBe(`Bearer ${BOOTSTRAP}`);
    expect(request?.headers["x-trace"]).toBe("t1");
    expect(request?.json).toEqual({
      message: siwe,
      encoding: "utf-8",
      idempotency_key: "challenge:ch_1",
      authorization_context: { reason: "lucid.agent.auth.exchange", challenge_id: "ch_1" },
    });
    expect(await wallet.getWalletMetadata()).toMatchObject({
      id: "w_1",
      address: account.address,
      caip2: "eip155:8453",
      provider: "privy",
      accountId: "acc_1",
      label: "Agent One",
    });
    expect(await wallet.getAddress()).toBe(account.address);
    expect(peer.requests).toHaveLength(1);
  });

  it("sends hex challenges with encoding hex, and payload-less ones as the payload_hash bytes", async () => {
    const wallet = connector();
    const hexSignature = await wallet.signChallenge(
      challenge({ type: "message", message: "0xc0ffee" }, "ch_hex"),
    );
    expect(peer.requests[0]?.json).toMatchObject({
      message: "0xc0ffee",
      encoding: "hex",
      idempotency_key: "challenge:ch_hex",
    });
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: "0xc0ffee" },
        signature: hexSignature as Hex,
      }),
    ).toBe(true);

    const hashSignature = await wallet.signChallenge(challenge(undefined, "ch_hash"));
    expect(peer.requests[1]?.json).toMatchObject({ message: HASH, encoding: "hex" });
    expect(
      await verifyMessage({
        address: account.address,
        message: { raw: HASH as Hex },
        signature: hashSignature as Hex,
      }),
    ).toBe(true);
  });

  it("signs typed-data challenges through sign-typed-data in the wire shape", async () => {
    const wallet = connector({ authorizationContext: { tool: "login", reason: "custom.reason" } });
    const signature = await wallet.signChallenge(
      challenge({ type: "typed_data", typed_data: typedWire }, "ch_712"),
    );
    const [request] = peer.requests;
    expect(request?.url).toBe("/v1/agents/agent%201/wallet/sign-typed-data");
    expect(request?.json).toEqual({
      typed_data: typedWire,
      idempotency_key: "challenge:ch_712",
      authorization_context: { reason: "custom.reason", tool: "login", challenge_id: "ch_712" },
    });
    const definition = toTypedDataDefinition(typedWire);
    expect(
      await verifyTypedData({
        ...definition,
        address: account.address,
        signature: signature as Hex,
      } as never),
    ).toBe(true);
  });

  it("uses the runtime's token once set, and falls back to the bootstrap token when it is cleared", async () => {
    const wallet = connector();
    wallet.setAccessToken(`Bearer ${SESSION}`);
    await wallet.signChallenge(challenge("hello", "a"));
    wallet.setAccessToken(null);
    await wallet.signChallenge(challenge("hello", "b"));
    expect(peer.requests.map((request) => request.headers.authorization)).toEqual([
      `Bearer ${SESSION}`,
      `Bearer ${BOOTSTRAP}`,
    ]);
  });

  it("throws ServerOrchestratorMissingAccessTokenError without any token, before calling the server", async () => {
    const wallet = connector({ accessToken: null });
    expect(wallet.hasAccessToken()).toBe(false);
    const error = await wallet.signChallenge(challenge("hello")).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerOrchestratorMissingAccessTokenError);
    expect(AgentAuthError.isInstance(error) && error.code).toBe("missing_access_token");
    expect((error as Error).message).toMatch(/LUCID_SERVER_ACCESS_TOKEN/);
    expect(peer.requests).toHaveLength(0);
    expect(await wallet.getAddress()).toBeNull();
  });

  it.each([
    [401, "unauthorized", /expired or revoked/, false],
    [403, "insufficient_scope", /wallet\.sign scope/, false],
    [500, "internal_error", /server failed/, true],
  ])(
    "maps HTTP %i to a typed error with status and server code, without the token",
    async (status, code, hint, retryable) => {
      nextStatus = status;
      const wallet = connector();
      wallet.setAccessToken(SESSION);
      const error = await wallet.signChallenge(challenge("hello")).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ServerOrchestratorSigningError);
      expect(isChallengeFailed(error)).toBe(true);
      const typed = error as ServerOrchestratorSigningError;
      expect(typed.status).toBe(status);
      expect(typed.serverCode).toBe(code);
      expect(typed.retryable).toBe(retryable);
      expect(typed.message).toMatch(hint);
      expect(typed.message).not.toContain(SESSION);
      expect(typed.message).not.toContain(BOOTSTRAP);
    },
  );

  it("looks the address up with GET /v1/agents/{ref} when nothing is cached", async () => {
    const wallet = connector();
    expect(await wallet.getAddress()).toBe(account.address);
    expect(peer.requests[0]).toMatchObject({ method: "GET", url: "/v1/agents/agent%201" });
    expect(peer.requests[0]?.headers.authorization).toBe(`Bearer ${BOOTSTRAP}`);
    expect(await wallet.getWalletMetadata()).toMatchObject({
      address: account.address,
      caip2: "eip155:8453",
    });
  });

  it("goes through an injected fetch (e.g. a transport's asFetch())", async () => {
    const seen: string[] = [];
    const wallet = connector({
      fetch: async (input, init) => {
        seen.push(input instanceof Request ? input.url : String(input));
        return fetch(input, init);
      },
    });
    await wallet.signChallenge(challenge("hello"));
    expect(seen).toEqual([`${peer.url}/v1/agents/agent%201/wallet/sign-message`]);
  });

  it("supports EVM chains only", () => {
    const wallet = connector();
    expect(wallet.supportsCaip2("eip155:8453")).toBe(true);
    expect(wallet.supportsCaip2("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")).toBe(false);
  });
});

describe("ServerOrchestratorWalletConnector errors without a server", () => {
  it("turns a refused connection into a TransportError", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const wallet = new ServerOrchestratorWalletConnector({
      baseUrl: `http://127.0.0.1:${port}`,
      agentRef: "agent-1",
      accessToken: BOOTSTRAP,
    });
    const error = await wallet.signChallenge(challenge("hello")).catch((caught: unknown) => caught);
    expect(isTransportError(error)).toBe(true);
    expect((error as Error).message).not.toContain(BOOTSTRAP);
  });

  it("rejects bad options with ConfigurationError", () => {
    for (const options of [
      { baseUrl: "", agentRef: "a" },
      { baseUrl: "not a url", agentRef: "a" },
      { baseUrl: "ftp://example.com", agentRef: "a" },
      { baseUrl: "https://example.com", agentRef: "" },
    ]) {
      let thrown: unknown;
      try {
        new ServerOrchestratorWalletConnector(options);
      } catch (error) {
        thrown = error;
      }
      expect(isConfigurationError(thrown)).toBe(true);
    }
  });

  it("rejects an unsignable payload before calling the server", async () => {
    let called = false;
    const wallet = new ServerOrchestratorWalletConnector({
      baseUrl: "https://example.invalid",
      agentRef: "a",
      accessToken: BOOTSTRAP,
      fetch: async () => {
        called = true;
        return new Response("{}");
      },
    });
    await expect(wallet.signChallenge(challenge({ foo: 1 }))).rejects.toSatisfy(isChallengeFailed);
    expect(called).toBe(false);
  });

  it("rejects a 200 answer without a signature", async () => {
    const wallet = new ServerOrchestratorWalletConnector({
      baseUrl: "https://example.invalid",
      agentRef: "a",
      accessToken: BOOTSTRAP,
      fetch: async () =>
        new Response(JSON.stringify({ signed: {} }), { headers: { "content-type": "application/json" } }),
    });
    await expect(wallet.signChallenge(challenge("hi"))).rejects.toThrow(/no 0x-hex signature/);
  });
});
