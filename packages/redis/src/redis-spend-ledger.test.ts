import { MemorySpendLedger, type SpendLedger, type SpendLimit } from "@lucid-dreams/agent-auth/tools";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient, type TestClient } from "../test/clients.js";
import { readLedgerTotal } from "../test/ledger-state.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { spendLedgerContract } from "../test/spend-ledger-contract.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();

/** A deterministic generator, so a failing case can be run again from its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
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
      `${p("count")}ledger:{s}:v3`,
      `${p("count")}ledger:{s}:v3:win:eth`,
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
    expect(await raw.zCard(`${p("ret")}ledger:{s}:v3:win:x`)).toBe(2);
    time += 2_000; // past the retention, and past the next clean-up (every retention / 16)
    expect(await reserve("c", 5n)).toMatchObject({ status: "exceeded", rule: "total", used: 6n });
    expect(await reserve("c", 4n)).toEqual({ status: "reserved" });
    expect(await raw.zCard(`${p("ret")}ledger:{s}:v3:win:x`)).toBe(1);
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

  /**
   * A model-based check: the same random operations on both ledgers, every answer compared. Amounts of one run
   * share a magnitude (so limits are sometimes reached), items of two assets (or none), lifetime limits and two
   * windows, reused keys (replays, conflicts, replays of forgotten calls), and the clock moves of `move`.
   * -> how often each answer came, and `forgotten`: reservations answered anew for a key last committed.
   */
  const runModel = async (
    name: string,
    runs: readonly (readonly [number, number])[],
    options: {
      windowRetentionMs?: number;
      windows: readonly [number, number];
      move: (next: () => number) => number;
    },
  ) => {
    const seen = new Map<string, number>();
    for (const [seed, digits] of runs) {
      const next = mulberry32(seed);
      const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
      const below = (bound: bigint): bigint => {
        const limit = bound > 2n ** 256n ? 2n ** 256n + 1n : bound; // amounts and limits are at most 2^256
        let value = 0n;
        for (let i = 0; i < 80; i += 1) value = value * 10n + BigInt(Math.floor(next() * 10));
        return value % limit;
      };
      const unit = 10n ** BigInt(digits);
      let time = 1_750_000_000_000;
      const now = () => time;
      const { windowRetentionMs, windows } = options;
      const memory = new MemorySpendLedger({ now, windowRetentionMs });
      const redis = new RedisSpendLedger({ client, prefix: p(`${name}${seed}`), now, windowRetentionMs });
      const limitsOf = (): SpendLimit[] => {
        const limits: SpendLimit[] = [];
        if (next() < 0.7) limits.push({ rule: "life", amount: below(unit * 20n) });
        if (next() < 0.6) limits.push({ rule: "short", amount: below(unit * 8n), windowMs: windows[0] });
        if (next() < 0.4) limits.push({ rule: "long", amount: below(unit * 12n), windowMs: windows[1] });
        return limits;
      };
      /** What the answers so far say of each key: reserved (R) or committed (C). */
      const states = new Map<string, "R" | "C">();
      for (let step = 0; step < 250; step += 1) {
        const key = `k${Math.floor(next() * 30)}`;
        const roll = next();
        if (roll < 0.6) {
          const items = Array.from({ length: Math.floor(next() * 3) }, () => ({
            asset: pick(["eth", "usdc"]),
            amount: next() < 0.1 ? unit - 1n : below(unit),
            limits: limitsOf(),
          }));
          const request = { scope: "s", key, fingerprint: pick(["f1", "f2"]), items };
          const expected = await memory.reserve(request);
          expect(await redis.reserve(request), `${name} seed ${seed} step ${step}`).toEqual(expected);
          const outcome = expected.status === "exceeded" ? `exceeded ${expected.rule}` : expected.status;
          seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
          if (states.get(key) === "C" && (expected.status === "reserved" || expected.status === "exceeded")) {
            seen.set("forgotten", (seen.get("forgotten") ?? 0) + 1);
          }
          if (expected.status === "reserved") states.set(key, "R");
          else if (expected.status === "exceeded" && states.get(key) === "C") states.delete(key);
        } else if (roll < 0.75) {
          await memory.commit("s", key);
          await redis.commit("s", key);
          if (states.get(key) === "R") states.set(key, "C");
        } else if (roll < 0.9) {
          await memory.release("s", key);
          await redis.release("s", key);
          if (states.get(key) === "R") states.delete(key);
        } else {
          time += options.move(next);
        }
      }
    }
    return seen;
  };

  it("answers exactly as MemorySpendLedger over random reserves, commits, releases and clocks (1..77 digits)", async () => {
    const seen = await runModel(
      "model",
      [
        [1, 1],
        [2, 15],
        [3, 16],
        [4, 29],
        [5, 45],
        [6, 76],
      ],
      {
        windows: [1_000, 5_000],
        // mostly on, sometimes back
        move: (next) =>
          next() < 0.85
            ? ([1, 10, 400, 999, 1_000, 1_001, 4_000][Math.floor(next() * 7)] as number)
            : -([1, 500, 1_500][Math.floor(next() * 3)] as number),
      },
    );
    // the runs reached every answer, and every kind of limit refused at least once
    for (const outcome of [
      "reserved",
      "replay",
      "conflict",
      "exceeded life",
      "exceeded short",
      "exceeded long",
    ]) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  });

  it("answers exactly as MemorySpendLedger when committed calls are forgotten (retention 5 s, windows 1 s and 5 s)", async () => {
    const seen = await runModel(
      "forget",
      [
        [11, 1],
        [12, 16],
        [13, 30],
        [14, 76],
      ],
      {
        windowRetentionMs: 5_000,
        windows: [1_000, 5_000],
        // on only, by less than, exactly and more than the retention and its clean-up period (312 ms)
        move: (next) =>
          [1, 311, 312, 313, 999, 1_000, 2_500, 4_999, 5_000, 5_001, 9_000][
            Math.floor(next() * 11)
          ] as number,
      },
    );
    for (const outcome of ["reserved", "replay", "conflict", "exceeded life", "forgotten"]) {
      expect(seen.get(outcome) ?? 0, outcome).toBeGreaterThan(0);
    }
  });

  it("refuses amounts above 2^256 and a clock that is not epoch milliseconds, before touching Redis", async () => {
    const ledger = new RedisSpendLedger({ client, prefix: p("max") });
    const reserve = (amount: bigint, limit: bigint) =>
      ledger.reserve({
        scope: "s",
        key: "k",
        fingerprint: "f",
        items: [{ asset: "x", amount, limits: [{ rule: "r", amount: limit }] }],
      });
    expect(await reserve(2n ** 256n, 2n ** 256n)).toEqual({ status: "reserved" });
    await expect(reserve(2n ** 256n + 1n, 1n)).rejects.toMatchObject({ code: "redis_invalid_option" });
    await expect(reserve(1n, 2n ** 256n + 1n)).rejects.toMatchObject({ code: "redis_invalid_option" });
    const twoItems = [
      { asset: "x", amount: 2n ** 256n, limits: [] },
      { asset: "x", amount: 1n, limits: [] },
    ];
    await expect(
      ledger.reserve({ scope: "s", key: "k2", fingerprint: "f", items: twoItems }),
    ).rejects.toThrow(/larger than 2\^256/);
    const badClock = new RedisSpendLedger({ client, prefix: p("max"), now: () => Number.NaN });
    await expect(
      badClock.reserve({
        scope: "s",
        key: "k3",
        fingerprint: "f",
        items: [{ asset: "x", amount: 1n, limits: [] }],
      }),
    ).rejects.toMatchObject({ code: "redis_invalid_option" });
    expect(await raw.keys(`${p("max")}*:k2*`)).toEqual([]);
  });

  it("refuses to write a sum that does not fit the stored limbs (10^90), leaving the ledger as it was", async () => {
    // Amounts are at most 2^256, so only a state tampered with (or 10^13 reservations of 2^256) gets there.
    const ledger = new RedisSpendLedger({ client, prefix: p("ovf"), now: () => 1_750_000_000_000 });
    const request = (key: string, amount: bigint) => ({
      scope: "s",
      key,
      fingerprint: "f",
      items: [{ asset: "x", amount, limits: [] }],
    });
    expect(await ledger.reserve(request("a", 1n))).toEqual({ status: "reserved" });
    const hash = `${p("ovf")}ledger:{s}:v3`;
    const state = Buffer.alloc(8 * 7);
    const values = [1e18, 1e15 - 1, 1e15 - 1, 1e15 - 1, 1e15 - 1, 1e15 - 1, 1e15 - 1];
    for (const [i, value] of values.entries()) state.writeDoubleLE(value, 8 * i);
    await raw.hSet(hash, "s:x", state);
    const error = await ledger.reserve(request("b", 1n)).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(error, RedisErrorCode.ReplyInvalid)).toBe(true);
    expect((error as Error).message).toMatch(/10\^90/);
    expect(await readLedgerTotal(raw, hash, "x")).toBe(10n ** 90n - 1n);
    expect(await raw.hExists(hash, "e:b")).toBe(0);
    // the same when a window is summed from a sorted set holding such amounts
    await raw.zAdd(`${p("ovf")}ledger:{s}:v3:win:y`, [
      { score: 1_749_999_999_000, value: `${"9".repeat(90)}:p` },
      { score: 1_749_999_999_500, value: `${"9".repeat(90)}:q` },
    ]);
    const windowed = {
      ...request("c", 1n),
      items: [{ asset: "y", amount: 1n, limits: [{ rule: "w", amount: 5n, windowMs: 60_000 }] }],
    };
    const summed = await ledger.reserve(windowed).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(summed, RedisErrorCode.ReplyInvalid)).toBe(true);
    expect(await raw.hExists(hash, "e:c")).toBe(0);
    expect(await raw.hExists(hash, "s:y")).toBe(0);
  });
});
