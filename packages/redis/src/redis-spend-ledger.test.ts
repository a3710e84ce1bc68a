import { MemorySpendLedger, type SpendLedger } from "@lucid-dreams/agent-auth/tools";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient, type TestClient } from "../test/clients.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { spendLedgerContract } from "../test/spend-ledger-contract.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();
let server: RedisServer;
/** node-redis, to look at the keys and the server's statistics whatever client the ledgers use. */
let raw: ReturnType<typeof createClient>;
let prefixes = 0;

beforeAll(async () => {
  if (!run) return;
  server = await startRedis();
  raw = createClient({ url: server.url });
  raw.on("error", () => undefined);
  await raw.connect();
});
afterAll(async () => {
  if (!run) return;
  await raw.close();
  await server.stop();
});

describe("spend ledger contract: MemorySpendLedger", () => {
  spendLedgerContract((now) => new MemorySpendLedger({ now }));
});

describe.runIf(run).each(CLIENT_KINDS)("spend ledger contract: RedisSpendLedger (%s)", (kind) => {
  let test: TestClient;
  beforeAll(async () => {
    test = await connectClient(kind, server.url);
  });
  afterAll(async () => {
    await test?.close();
  });
  spendLedgerContract((now) => {
    const client = test.client;
    prefixes += 1;
    return new RedisSpendLedger({ client, prefix: `t${prefixes}:`, now }) as SpendLedger;
  });
});

describe.runIf(run).each(CLIENT_KINDS)("RedisSpendLedger (%s)", (kind) => {
  let test: TestClient;
  let client: TestClient["client"];
  /** A key prefix of its own per client library (both run against one server). */
  const p = (name: string) => `${kind}-${name}:`;
  beforeAll(async () => {
    test = await connectClient(kind, server.url);
    client = test.client;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("keeps amounts larger than 2^53 exact (wei)", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: p("big") });
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

  it("adds and subtracts exactly across the limb boundaries (15, 28 digits) up to 2^256", async () => {
    let time = 1_750_000_000_000;
    const ledger = new RedisSpendLedger({ client, prefix: p("limbs"), now: () => time });
    const max = 2n ** 256n - 1n;
    const amounts = [
      99_999_999_999_999n, // 14 digits
      1n,
      999_999_999_999_999n, // 15
      1n,
      10n ** 15n, // 16
      10n ** 28n - 1n, // 28
      1n,
      10n ** 28n, // 29
      123_456_789_012_345_678_901_234_567_890n,
      10n ** 50n + 99_999_999_999_999n,
      7n,
    ];
    const limits = [
      { rule: "total", amount: max },
      { rule: "w", amount: max, windowMs: 60_000 },
    ];
    const used = async () => {
      const result = await ledger.reserve({
        scope: "s",
        key: "probe",
        fingerprint: "probe",
        items: [{ asset: "x", amount: max, limits }],
      });
      expect(result.status).toBe("exceeded");
      return (result as { used: bigint }).used;
    };
    let sum = 0n;
    for (const [index, amount] of amounts.entries()) {
      time += 1;
      const items = [{ asset: "x", amount, limits }];
      expect(await ledger.reserve({ scope: "s", key: `k${index}`, fingerprint: "f", items })).toEqual({
        status: "reserved",
      });
      sum += amount;
      expect(await used()).toBe(sum);
    }
    for (const index of [5, 1, 9, 0]) {
      await ledger.release("s", `k${index}`);
      sum -= amounts[index] as bigint;
      expect(await used()).toBe(sum);
    }
    time += 60_000; // everything left the window: only the lifetime total counts
    const rest = await ledger.reserve({
      scope: "s",
      key: "after",
      fingerprint: "f",
      items: [{ asset: "x", amount: max - sum, limits }],
    });
    expect(rest).toEqual({ status: "reserved" });
  });

  it("runs HMGET, ZADD and HSET per reservation, and reads the sorted set only when one leaves a window", async () => {
    let time = 1_750_000_000_000;
    const ledger = new RedisSpendLedger({ client, prefix: p("count"), now: () => time });
    const limits = [
      { rule: "total", amount: 10n ** 30n },
      { rule: "1h", amount: 10n ** 30n, windowMs: 3_600_000 },
    ];
    const reserve = (key: string) =>
      ledger.reserve({
        scope: "s",
        key,
        fingerprint: "f",
        items: [{ asset: "eth", amount: 10n ** 18n, limits }],
      });
    await reserve("warm");
    const counts = async () => {
      const stats = String(await raw.sendCommand(["INFO", "commandstats"]));
      const calls: Record<string, number> = {};
      for (const match of stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g))
        calls[match[1] as string] = Number(match[2]);
      return calls;
    };
    await raw.sendCommand(["CONFIG", "RESETSTAT"]);
    for (let i = 0; i < 10; i += 1) {
      time += 1_000;
      expect(await reserve(`k${i}`)).toEqual({ status: "reserved" });
    }
    const calls = await counts();
    expect(calls).toMatchObject({ evalsha: 10, hmget: 10, zadd: 10, hset: 10 });
    expect(calls.zrangebyscore).toBeUndefined();
    expect(calls.time).toBeUndefined(); // the injected clock
    // "warm" leaves the hour: that reservation reads the sorted set (the leaving one, then the next oldest)
    await raw.sendCommand(["CONFIG", "RESETSTAT"]);
    time += 3_600_000 - 10_000;
    expect(await reserve("later")).toEqual({ status: "reserved" });
    expect((await counts()).zrangebyscore).toBe(2);
    // one hash per scope and one sorted set per asset
    expect((await raw.keys(`${p("count")}*`)).sort()).toEqual([
      `${p("count")}ledger:{s}:v2`,
      `${p("count")}ledger:{s}:v2:win:eth`,
    ]);
  });

  it("drops reservations older than the retention from the sorted set and keeps them in the lifetime total", async () => {
    let time = 1_750_000_000_000;
    const ledger = new RedisSpendLedger({
      client,
      prefix: p("ret"),
      now: () => time,
      windowRetentionMs: 1_600,
    });
    const limits = [
      { rule: "total", amount: 10n },
      { rule: "w", amount: 10n, windowMs: 1_000 },
    ];
    const reserve = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [{ asset: "x", amount, limits }] });
    expect(await reserve("a", 3n)).toEqual({ status: "reserved" });
    expect(await reserve("b", 3n)).toEqual({ status: "reserved" });
    expect(await raw.zCard(`${p("ret")}ledger:{s}:v2:win:x`)).toBe(2);
    time += 2_000; // past the retention, and past the next clean-up (every retention / 16)
    expect(await reserve("c", 5n)).toMatchObject({ status: "exceeded", rule: "total", used: 6n });
    expect(await reserve("c", 4n)).toEqual({ status: "reserved" });
    expect(await raw.zCard(`${p("ret")}ledger:{s}:v2:win:x`)).toBe(1);
    await ledger.release("s", "a"); // already dropped from the window: only the total gives back
    expect(await reserve("d", 3n)).toEqual({ status: "reserved" });
    expect(await reserve("e", 1n)).toMatchObject({ status: "exceeded", rule: "total", used: 10n });
  });

  it("keeps keys, assets and fingerprints with separators, spaces and binary apart", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: p("odd"), now: () => 1_750_000_000_000 });
    const limits = [{ rule: "w", amount: 10n, windowMs: 60_000 }];
    const asset = 'a b:c 5 1 2\n\u0001\u00e9"[]';
    const reserve = (key: string, fingerprint: string, amount: bigint) =>
      ledger.reserve({ scope: "s}{x", key, fingerprint, items: [{ asset, amount, limits }] });
    expect(await reserve("7:1:2", "f\n\u0000\u00ff", 4n)).toEqual({ status: "reserved" });
    expect(await reserve("7:1:2", "f\n\u0000\u00ff", 4n)).toEqual({ status: "replay", state: "reserved" });
    expect(await reserve("7:1:2", "f\n\u0000", 4n)).toEqual({ status: "conflict" });
    expect(await reserve("7", "g", 6n)).toEqual({ status: "reserved" });
    expect(await reserve("1:2", "g", 1n)).toMatchObject({ status: "exceeded", used: 10n });
    await ledger.release("s}{x", "7:1:2");
    expect(await reserve("1:2", "g", 4n)).toEqual({ status: "reserved" });
    expect(await reserve("2", "g", 1n)).toMatchObject({ status: "exceeded", used: 10n });
  });

  it("uses Redis's clock when none is injected", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: p("clock") });
    const limits = [{ rule: "1h", amount: 5n, windowMs: 3_600_000 }];
    const reserve = (key: string) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [{ asset: "x", amount: 3n, limits }] });
    expect((await reserve("a")).status).toBe("reserved");
    expect(await reserve("b")).toMatchObject({ status: "exceeded", used: 3n });
  });

  it("refuses bad input with typed errors before touching Redis", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: p("bad") });
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
});
