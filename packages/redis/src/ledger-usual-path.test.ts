/**
 * `RESERVE` runs the usual reservation on a short path (`usualPath()`, straight-line code per number of windows)
 * before its general code. Here the same random operations run on two ledgers in one Redis: one with `RESERVE`,
 * one whose reservations run the general code alone (the same script without the short path). Every answer and,
 * after every step, every key of the two ledgers (hash fields byte for byte, sorted-set members and scores) must
 * be the same. A read-only copy of the short path, run before each reservation, counts how many took it with
 * each number of windows, so the comparison is never vacuous.
 */
import type { SpendLimit } from "@lucid-dreams/agent-auth/tools";
import { RESP_TYPES } from "redis";
import { describe, expect, it } from "vitest";
import { seeded } from "../test/random.js";
import { redisForFile, requireRedis } from "../test/redis-server.js";
import { RESERVE, USUAL_WINDOWS, usualPath } from "./ledger-scripts.js";
import { type Script, type ScriptArgument, script } from "./redis-client.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();
const db = redisForFile(run);

/** `RESERVE` without its short path: the general code alone (it declares what the short path would have read). */
const GENERAL = script(RESERVE.source.replace(usualPath(), "\nlocal got, now\n"));
/** The short path, read-only: 'usual:<windows>' where it would reserve, 'general' where the general code would run. */
const PROBE = script(usualPath(true));

/**
 * A node-redis client for a ledger: `RESERVE` runs as `as` instead (after `before` saw the command); every
 * other command goes through unchanged.
 */
function rerouting(as: Script, before?: (command: ScriptArgument[]) => Promise<void>) {
  return {
    get isOpen() {
      return db.client.isOpen;
    },
    get isReady() {
      return db.client.isReady;
    },
    evalSha: () => Promise.reject(new Error("sent through sendCommand")),
    eval: () => Promise.reject(new Error("sent through sendCommand")),
    async sendCommand(command: ScriptArgument[], options: object) {
      const [name, body, ...rest] = command;
      if ((name === "EVALSHA" && body === RESERVE.sha) || (name === "EVAL" && body === RESERVE.source)) {
        await before?.(command);
        const swapped = name === "EVALSHA" ? ["EVALSHA", as.sha, ...rest] : ["EVAL", as.source, ...rest];
        return db.client.sendCommand(swapped, options);
      }
      return db.client.sendCommand(command, options);
    },
  };
}

/** Bytes as hex, so that two answers compare by value. */
const hex = (value: unknown): unknown =>
  Buffer.isBuffer(value) ? value.toString("hex") : Array.isArray(value) ? value.map(hex) : value;

/**
 * Every key under `prefix`, with the prefix cut off, and its whole content: a hash's fields sorted by name (their
 * order in Redis is not part of the ledger), a sorted set's members and scores in order.
 */
async function dump(prefix: string): Promise<Record<string, unknown>> {
  const keys = ((await db.client.sendCommand(["KEYS", `${prefix}*`])) as string[]).sort();
  const out: Record<string, unknown> = {};
  const bytes = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
  for (const key of keys) {
    const type = String(await db.client.sendCommand(["TYPE", key]));
    if (type === "hash") {
      const reply = await db.client.sendCommand(["HGETALL", key], bytes);
      const fields: [string, unknown][] = [];
      if (Array.isArray(reply)) {
        for (let i = 0; i < reply.length; i += 2) fields.push([String(reply[i]), hex(reply[i + 1])]);
      } else {
        const entries = reply instanceof Map ? [...reply.entries()] : Object.entries(reply as object);
        for (const [field, value] of entries) fields.push([String(field), hex(value)]);
      }
      expect(fields.length, `${key} has fields`).toBeGreaterThan(0);
      out[key.slice(prefix.length)] = fields.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    } else {
      out[key.slice(prefix.length)] = [
        type,
        hex(await db.client.sendCommand(["ZRANGE", key, "0", "-1", "WITHSCORES"], bytes)),
      ];
    }
  }
  return out;
}

describe.runIf(run)("the usual reservation's short path", () => {
  it("is cut off the general code exactly", () => {
    expect(RESERVE.source.startsWith(usualPath())).toBe(true);
    expect(GENERAL.source).not.toContain("'reserved'\n  end\nelseif");
    expect(GENERAL.source.length).toBeLessThan(RESERVE.source.length);
  });

  it("reaches a limit exactly on the short path, and refuses one unit more", async () => {
    // A short path that refused too much would go unnoticed by answers alone (the general code would answer
    // right after it): the probe says which path each reservation took. Loaded first, so that each reservation
    // is one EVALSHA (one probe).
    await db.client.scriptLoad(RESERVE.source);
    for (let k = 0; k <= USUAL_WINDOWS; k += 1) {
      for (const limit of [10n, 10n ** 15n + 3n, 7n * 10n ** 45n + 10n ** 30n + 1n, 2n ** 256n]) {
        const paths: string[] = [];
        const probe = async (command: ScriptArgument[]) => {
          paths.push(String(await db.client.sendCommand(["EVAL", PROBE.source, ...command.slice(2)])));
        };
        const ledger = new RedisSpendLedger({
          client: rerouting(RESERVE, probe),
          prefix: `edge${k}-${limit}:`,
          now: () => 1_750_000_000_000,
        });
        const windows = [1_000, 5_000].slice(0, k);
        const limits: SpendLimit[] = [
          { rule: "life", amount: limit },
          ...windows.map((windowMs) => ({ rule: `per ${windowMs} ms`, amount: limit, windowMs })),
        ];
        const reserve = (key: string, amount: bigint) =>
          ledger.reserve({ scope: "s", key, fingerprint: "f", items: [{ asset: "eth", amount, limits }] });
        const first = limit / 3n;
        const where = `${k} windows, limit ${limit}`;
        expect(await reserve("a", first), where).toEqual({ status: "reserved" });
        expect(await reserve("b", limit - first), where).toEqual({ status: "reserved" });
        expect(await reserve("c", 1n), where).toMatchObject({
          status: "exceeded",
          rule: "life",
          used: limit,
        });
        expect(paths, where).toEqual(["general", `usual:${k}`, "general"]);
      }
    }
  });

  it("answers and writes exactly as the general code, step by step, over random operations", async () => {
    const taken = { usual: Array.from({ length: USUAL_WINDOWS + 1 }, () => 0), general: 0 };
    // two to four seeds per policy of an asset (below), amounts of 1 to 76 digits
    for (const [seed, digits] of [
      [1, 1],
      [2, 18],
      [3, 30],
      [4, 76],
      [5, 30],
      [6, 76],
      [7, 1],
      [8, 18],
      [9, 30],
      [10, 76],
    ] as const) {
      const next = seeded(seed);
      const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
      const unit = 10n ** BigInt(digits);
      // a random amount below `bound`, at most 2^256 (the most an amount or a limit may be)
      const below = (bound: bigint): bigint =>
        (BigInt(Math.floor(next() * 1e9)) * (bound < 2n ** 256n ? bound : 2n ** 256n)) / 1_000_000_000n;
      let time = 1_750_000_000_000;
      const now = () => time;
      const options = { now, windowRetentionMs: 20_000 };
      const probe = async (command: ScriptArgument[]) => {
        const answer = String(await db.client.sendCommand(["EVAL", PROBE.source, ...command.slice(2)]));
        const windows = /^usual:(\d)$/.exec(answer)?.[1];
        if (windows !== undefined) taken.usual[Number(windows)] = (taken.usual[Number(windows)] ?? 0) + 1;
        else taken.general += 1;
      };
      const prefixes = [`usual${seed}:`, `general${seed}:`] as const;
      const usual = new RedisSpendLedger({
        ...options,
        client: rerouting(RESERVE, probe),
        prefix: prefixes[0],
      });
      const general = new RedisSpendLedger({ ...options, client: rerouting(GENERAL), prefix: prefixes[1] });
      const life = (): SpendLimit => ({ rule: "life", amount: below(unit * 400n) });
      const short = (): SpendLimit => ({ rule: "short", amount: below(unit * 40n), windowMs: 1_000 });
      const long = (): SpendLimit => ({ rule: "long", amount: below(unit * 80n), windowMs: 5_000 });
      // what a host's policy asks of an asset, the same call after call (one per asset and seed): 0, 1 or 2 windows
      const policies = [
        () => [life()],
        () => [life(), long()],
        () => [life(), short(), long()],
        () => [short(), long()],
        () => [long()],
      ];
      const policyOf = { eth: policies[seed % 5], usdc: policies[(seed + 2) % 5] } as const;
      // anything else now and then: windows first used in another order, limits the state does not know
      const anyLimits = (): SpendLimit[] => {
        const limits: SpendLimit[] = [];
        if (next() < 0.8) limits.push(life());
        if (next() < 0.7) limits.push(short());
        if (next() < 0.5) limits.push(long());
        return limits;
      };
      for (let step = 0; step < 250; step += 1) {
        const key = `k${Math.floor(next() * 150)}`;
        const roll = next();
        const where = `seed ${seed} step ${step}`;
        if (roll < 0.65) {
          const count = next() < 0.85 ? 1 : pick([0, 2]);
          const items = Array.from({ length: count }, () => {
            const asset = next() < 0.9 ? "eth" : "usdc";
            const limits =
              step > 20 && next() < 0.15 ? anyLimits() : (policyOf[asset] as () => SpendLimit[])();
            return { asset, amount: below(unit), limits };
          });
          const request = { scope: "s", key, fingerprint: pick(["f1", "f2"]), items };
          expect(await usual.reserve(request), where).toEqual(await general.reserve(request));
        } else if (roll < 0.8) {
          await usual.commit("s", key);
          await general.commit("s", key);
        } else if (roll < 0.9) {
          await usual.release("s", key);
          await general.release("s", key);
        } else {
          // mostly on, within and past the windows and the clean-up period (1 250 ms); sometimes back
          time += next() < 0.9 ? pick([1, 50, 400, 999, 1_000, 1_001, 1_300, 5_001]) : -pick([1, 700, 2_000]);
        }
        if (roll < 0.9) expect(await dump(prefixes[0]), where).toEqual(await dump(prefixes[1]));
      }
    }
    // every straight-line variant and the general code ran often: the comparison covers them and the ways out
    console.log(`short path taken: ${JSON.stringify(taken)}`);
    for (const count of taken.usual) expect(count).toBeGreaterThan(20); // seeded: the same counts every run
    expect(taken.general).toBeGreaterThan(120);
  }, 240_000); // counts steps, never times them: a loaded machine only makes it slower
});
