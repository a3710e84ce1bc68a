import { MemorySpendLedger, type SpendLedger } from "@lucid-dreams/agent-auth/tools";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { spendLedgerContract } from "../test/spend-ledger-contract.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();
let server: RedisServer;
let client: ReturnType<typeof createClient>;
let prefixes = 0;

beforeAll(async () => {
  if (!run) return;
  server = await startRedis();
  client = createClient({ url: server.url });
  client.on("error", () => undefined);
  await client.connect();
});
afterAll(async () => {
  if (!run) return;
  await client.close();
  await server.stop();
});

describe("spend ledger contract: MemorySpendLedger", () => {
  spendLedgerContract((now) => new MemorySpendLedger({ now }));
});

describe.runIf(run)("spend ledger contract: RedisSpendLedger", () => {
  spendLedgerContract((now) => {
    prefixes += 1;
    return new RedisSpendLedger({ client, prefix: `t${prefixes}:`, now }) as SpendLedger;
  });
});

describe.runIf(run)("RedisSpendLedger", () => {
  it("keeps amounts larger than 2^53 exact (wei)", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: "big:" });
    const budget = 10n ** 30n + 7n;
    const limits = [{ rule: "budget", amount: budget }];
    const item = (amount: bigint) => [{ asset: "eip155:8453/slip44:60", amount, limits }];
    expect(await ledger.reserve({ scope: "s", key: "a", fingerprint: "f", items: item(10n ** 30n) })).toEqual(
      {
        status: "reserved",
      },
    );
    expect(await ledger.reserve({ scope: "s", key: "b", fingerprint: "f", items: item(7n) })).toEqual({
      status: "reserved",
    });
    expect(await ledger.reserve({ scope: "s", key: "c", fingerprint: "f", items: item(1n) })).toEqual({
      status: "exceeded",
      asset: "eip155:8453/slip44:60",
      rule: "budget",
      limit: budget,
      used: budget,
    });
    await ledger.release("s", "b");
    expect(await ledger.reserve({ scope: "s", key: "c", fingerprint: "f", items: item(7n) })).toEqual({
      status: "reserved",
    });
  });

  it("uses Redis's clock when none is injected", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: "clock:" });
    const limits = [{ rule: "1h", amount: 5n, windowMs: 3_600_000 }];
    const reserve = (key: string) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [{ asset: "x", amount: 3n, limits }] });
    expect((await reserve("a")).status).toBe("reserved");
    expect(await reserve("b")).toMatchObject({ status: "exceeded", used: 3n });
  });

  it("refuses bad input with typed errors before touching Redis", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: "bad:" });
    const items = [{ asset: "x", amount: -1n, limits: [] }];
    await expect(ledger.reserve({ scope: "s", key: "k", fingerprint: "f", items })).rejects.toMatchObject({
      code: "redis_invalid_option",
    });
    await expect(ledger.commit("", "k")).rejects.toMatchObject({ code: "redis_invalid_option" });
    const tooLong = [{ asset: "x", amount: 1n, limits: [{ rule: "r", amount: 1n, windowMs: 10 ** 12 }] }];
    await expect(ledger.reserve({ scope: "s", key: "k", fingerprint: "f", items: tooLong })).rejects.toThrow(
      /windowMs/,
    );
  });

  it("refuses a client that is not a node-redis client, or not connected", async () => {
    expect(() => new RedisSpendLedger({ client: {} as never })).toThrow(/eval/);
    const closed = createClient({ url: server.url });
    const error = await new RedisSpendLedger({ client: closed })
      .commit("s", "k")
      .catch((caught: unknown) => caught);
    expect(isRedisAdapterError(error, RedisErrorCode.ClientInvalid)).toBe(true);
    expect((error as Error).message).toMatch(/not connected/);
  });
});
