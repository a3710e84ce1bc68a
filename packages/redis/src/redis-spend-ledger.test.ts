import {
  MemorySpendLedger,
  type SpendLedger,
  type SpendLimit,
  type SpendReserveRequest,
} from "@lucid-dreams/agent-auth/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient, type TestClient } from "../test/clients.js";
import { readLedgerTotal } from "../test/ledger-state.js";
import { seeded as mulberry32 } from "../test/random.js";
import { redisForFile, requireRedis } from "../test/redis-server.js";
import { spendLedgerContract } from "../test/spend-ledger-contract.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();
const db = redisForFile(run);
let prefixes = 0;

describe("spend ledger contract: MemorySpendLedger", () => {
  spendLedgerContract((now) => new MemorySpendLedger({ now }));
});

describe.runIf(run).each(CLIENT_KINDS)("spend ledger contract: RedisSpendLedger (%s)", (kind) => {
  let test: TestClient;
  beforeAll(async () => {
    test = await connectClient(kind, db.server.url);
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
    test = await connectClient(kind, db.server.url);
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
      const stats = String(await db.client.sendCommand(["INFO", "commandstats"]));
      const calls: Record<string, number> = {};
      for (const match of stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g))
        calls[match[1] as string] = Number(match[2]);
      return calls;
    };
    await db.client.sendCommand(["CONFIG", "RESETSTAT"]);
    for (let i = 0; i < 10; i += 1) {
      time += 1_000;
      expect(await reserve(`k${i}`)).toEqual({ status: "reserved" });
    }
    const calls = await counts();
    expect(calls).toMatchObject({ evalsha: 10, hmget: 10, zadd: 10, hset: 10 });
    expect(calls.zrangebyscore).toBeUndefined();
    expect(calls.time).toBeUndefined(); // the injected clock
    // "warm" leaves the hour: that reservation reads the sorted set (the leaving one, then the next oldest)
    await db.client.sendCommand(["CONFIG", "RESETSTAT"]);
    time += 3_600_000 - 10_000;
    expect(await reserve("later")).toEqual({ status: "reserved" });
    expect((await counts()).zrangebyscore).toBe(2);
    // one hash per scope and one sorted set per asset
    expect((await db.client.keys(`${p("count")}*`)).sort()).toEqual([
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
    expect(await db.client.zCard(`${p("ret")}ledger:{s}:v3:win:x`)).toBe(2);
    time += 2_000; // past the retention, and past the next clean-up (every retention / 16)
    expect(await reserve("c", 5n)).toMatchObject({ status: "exceeded", rule: "total", used: 6n });
    expect(await reserve("c", 4n)).toEqual({ status: "reserved" });
    expect(await db.client.zCard(`${p("ret")}ledger:{s}:v3:win:x`)).toBe(1);
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

  describe("forgetting committed calls after windowRetentionMs (as MemorySpendLedger)", () => {
    /** A Redis ledger and a MemorySpendLedger on one clock and retention: every answer of both is compared. */
    const pair = (name: string, windowRetentionMs: number) => {
      const clock = { time: 1_750_000_000_000 };
      const now = () => clock.time;
      const redis = new RedisSpendLedger({ client, prefix: p(name), now, windowRetentionMs });
      const memory = new MemorySpendLedger({ now, windowRetentionMs });
      const hash = `${p(name)}ledger:{s}:v3`;
      return {
        clock,
        hash,
        keysSet: `${p(name)}ledger:{s}:v3:keys`,
        async reserve(key: string, items: SpendReserveRequest["items"], fingerprint = "f") {
          const request = { scope: "s", key, fingerprint, items };
          const answer = await redis.reserve(request);
          expect(answer, key).toEqual(await memory.reserve(request));
          return answer;
        },
        async commit(key: string) {
          await Promise.all([redis.commit("s", key), memory.commit("s", key)]);
        },
        async release(key: string) {
          await Promise.all([redis.release("s", key), memory.release("s", key)]);
        },
        /** The reservation keys with an entry in Redis. */
        async entries() {
          const fields = await db.client.hKeys(hash);
          return fields.filter((field) => field.startsWith("e:")).map((field) => field.slice(2));
        },
      };
    };
    const life = (amount: bigint, windowMs?: number): SpendLimit[] => [
      { rule: "life", amount },
      ...(windowMs === undefined ? [] : [{ rule: "w", amount, windowMs }]),
    ];

    it("deletes the entries of committed calls past the retention and keeps their amounts in the lifetime total", async () => {
      const ledger = pair("gone", 1_600);
      const items = (amount: bigint) => [{ asset: "x", amount, limits: life(10n ** 6n, 1_000) }];
      // keys a model controls: separators, spaces, the name of the pass field
      const keys = ["n", "s:x", "1:2 3", ...Array.from({ length: 47 }, (_, i) => `k${i}`)];
      for (const key of keys) {
        ledger.clock.time += 10;
        expect(await ledger.reserve(key, items(3n))).toEqual({ status: "reserved" });
        await ledger.commit(key);
      }
      expect((await ledger.entries()).length).toBe(50);
      expect(await readLedgerTotal(db.client, ledger.hash, "x")).toBe(150n);
      ledger.clock.time += 1_600 + 100; // past the retention and the next clean-up
      expect(await ledger.reserve("next", items(1n))).toEqual({ status: "reserved" });
      expect(await ledger.entries()).toEqual(["next"]);
      expect(await db.client.hLen(ledger.hash)).toBe(3); // e:next, s:x, n
      expect(await db.client.zCard(`${p("gone")}ledger:{s}:v3:win:x`)).toBe(1);
      expect(await readLedgerTotal(db.client, ledger.hash, "x")).toBe(151n);
      // the lifetime limit still counts every forgotten call
      expect(await ledger.reserve("big", items(10n ** 6n - 150n))).toMatchObject({
        status: "exceeded",
        rule: "life",
        used: 151n,
      });
    });

    it("answers a replay as a new call once a later reservation forgot it, counting it again", async () => {
      const ledger = pair("again", 1_600);
      const items = [{ asset: "x", amount: 6n, limits: life(20n) }];
      expect(await ledger.reserve("a", items)).toEqual({ status: "reserved" });
      await ledger.commit("a");
      ledger.clock.time += 1_600;
      // no reservation since: still remembered, even past the retention
      expect(await ledger.reserve("a", items)).toEqual({ status: "replay", state: "committed" });
      expect(await ledger.reserve("a", items, "other body")).toEqual({ status: "conflict" });
      expect(await ledger.reserve("b", [{ asset: "x", amount: 1n, limits: life(20n) }])).toEqual({
        status: "reserved",
      });
      // forgotten by "b" (logically at once, even before the clean-up reads it): reserved and counted again
      expect(await ledger.reserve("a", items)).toEqual({ status: "reserved" });
      expect(await readLedgerTotal(db.client, ledger.hash, "x")).toBe(13n);
      expect(await ledger.reserve("a", items)).toEqual({ status: "replay", state: "reserved" });
      expect(await ledger.reserve("c", [{ asset: "x", amount: 8n, limits: life(20n) }])).toMatchObject({
        status: "exceeded",
        used: 13n,
      });
    });

    it("keeps a reservation never committed nor released, which may still be released, or committed and then forgotten", async () => {
      const ledger = pair("held", 1_600);
      const items = (amount: bigint) => [{ asset: "x", amount, limits: life(10n, 1_000) }];
      expect(await ledger.reserve("stuck", items(4n))).toEqual({ status: "reserved" });
      expect(await ledger.reserve("late", items(1n))).toEqual({ status: "reserved" });
      expect(await ledger.reserve("done", items(3n))).toEqual({ status: "reserved" });
      await ledger.commit("done");
      ledger.clock.time += 1_700;
      expect(await ledger.reserve("p1", items(1n))).toEqual({ status: "reserved" });
      expect((await ledger.entries()).sort()).toEqual(["late", "p1", "stuck"]);
      expect((await db.client.zRange(ledger.keysSet, 0, -1)).sort()).toEqual(["late", "stuck"]);
      expect(await ledger.reserve("stuck", items(4n))).toEqual({ status: "replay", state: "reserved" });
      // released past the retention: the lifetime total gives it back
      await ledger.release("stuck");
      expect(await readLedgerTotal(db.client, ledger.hash, "x")).toBe(5n);
      expect(await ledger.reserve("p2", items(5n))).toEqual({ status: "reserved" });
      // committed past the retention: remembered until the next reservation, then forgotten
      await ledger.commit("late");
      expect(await ledger.reserve("late", items(1n))).toEqual({ status: "replay", state: "committed" });
      ledger.clock.time += 1;
      expect(await ledger.reserve("p3", items(1n))).toMatchObject({ status: "exceeded", used: 10n });
      ledger.clock.time += 1_700; // and its entry is deleted when the keys set is looked at again
      expect(await ledger.reserve("late", items(1n))).toMatchObject({ status: "exceeded", used: 10n });
      expect(await ledger.reserve("p4", items(0n))).toEqual({ status: "reserved" });
      expect((await ledger.entries()).sort()).toEqual(["p1", "p2", "p4"]);
      // "stuck" (released) and "late" (forgotten) left the keys set; p1 and p2, held past the retention, joined it
      expect((await db.client.zRange(ledger.keysSet, 0, -1)).sort()).toEqual(["p1", "p2"]);
    });

    it("bounds item-less calls (signMessage, signTypedData) too, with one ZADD each into the keys set", async () => {
      const ledger = pair("bare", 1_600);
      await ledger.reserve("warm", []);
      await db.client.sendCommand(["CONFIG", "RESETSTAT"]);
      ledger.clock.time += 1;
      expect(await ledger.reserve("one", [])).toEqual({ status: "reserved" });
      const stats = String(await db.client.sendCommand(["INFO", "commandstats"]));
      const calls = Object.fromEntries(
        [...stats.matchAll(/cmdstat_([a-z|]+):calls=(\d+)/g)].map((match) => [match[1], Number(match[2])]),
      );
      expect(calls).toMatchObject({ evalsha: 1, hmget: 1, zadd: 1, hset: 1 });
      for (const name of ["zrangebyscore", "zrem", "hdel", "time"]) expect(calls[name], name).toBeUndefined();
      let most = 0;
      for (let i = 0; i < 400; i += 1) {
        ledger.clock.time += 20; // 80 calls per retention
        expect(await ledger.reserve(`m${i}`, [])).toEqual({ status: "reserved" });
        await ledger.commit(`m${i}`);
        if (i % 20 === 0) most = Math.max(most, (await ledger.entries()).length);
      }
      // at most a retention plus one clean-up period (100 ms: 5 calls) of calls
      expect(most).toBeLessThanOrEqual(86);
      expect((await ledger.entries()).length).toBeLessThanOrEqual(86);
      expect(await db.client.zCard(ledger.keysSet)).toBeLessThanOrEqual(86);
      // a replay of a remembered one is still a replay; of a forgotten one, a new call
      expect(await ledger.reserve("m399", [])).toEqual({ status: "replay", state: "committed" });
      expect(await ledger.reserve("m0", [])).toEqual({ status: "reserved" });
      await ledger.release("m0");
      expect(await ledger.entries()).not.toContain("m0");
    });

    it("forgets at most 256 entries per sorted set in one reservation, the rest in the next ones", async () => {
      const ledger = pair("batch", 1_600);
      const items = (amount: bigint) => [{ asset: "x", amount, limits: life(10n ** 9n) }];
      for (let i = 0; i < 600; i += 1) {
        expect(await ledger.reserve(`b${i}`, items(1n))).toEqual({ status: "reserved" });
        await ledger.commit(`b${i}`);
      }
      ledger.clock.time += 1_700;
      const left = [];
      for (let i = 0; i < 3; i += 1) {
        expect(await ledger.reserve(`p${i}`, items(1n))).toEqual({ status: "reserved" });
        left.push((await ledger.entries()).filter((key) => key.startsWith("b")).length);
      }
      expect(left).toEqual([600 - 256, 600 - 512, 0]);
      expect(await readLedgerTotal(db.client, ledger.hash, "x")).toBe(603n);
      // every one of them was forgotten at once all the same
      expect(await ledger.reserve("b1", items(1n))).toEqual({ status: "reserved" });
    });
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
    expect(await db.client.keys(`${p("max")}*:k2*`)).toEqual([]);
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
    await db.client.hSet(hash, "s:x", state);
    const error = await ledger.reserve(request("b", 1n)).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(error, RedisErrorCode.ReplyInvalid)).toBe(true);
    expect((error as Error).message).toMatch(/10\^90/);
    expect(await readLedgerTotal(db.client, hash, "x")).toBe(10n ** 90n - 1n);
    expect(await db.client.hExists(hash, "e:b")).toBe(0);
    // the same when a window is summed from a sorted set holding such amounts
    await db.client.zAdd(`${p("ovf")}ledger:{s}:v3:win:y`, [
      { score: 1_749_999_999_000, value: `${"9".repeat(90)}:p` },
      { score: 1_749_999_999_500, value: `${"9".repeat(90)}:q` },
    ]);
    const windowed = {
      ...request("c", 1n),
      items: [{ asset: "y", amount: 1n, limits: [{ rule: "w", amount: 5n, windowMs: 60_000 }] }],
    };
    const summed = await ledger.reserve(windowed).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(summed, RedisErrorCode.ReplyInvalid)).toBe(true);
    expect(await db.client.hExists(hash, "e:c")).toBe(0);
    expect(await db.client.hExists(hash, "s:y")).toBe(0);
  });
});
