/**
 * `RESERVE` runs the usual reservation on a short path (`USUAL`) before its general code. Here the same random
 * operations run on two ledgers in one Redis: one with `RESERVE`, one whose reservations run the general code
 * alone (the same script without the short path). Every answer and, after every step, every key of the two
 * ledgers (hash fields byte for byte, sorted-set members and scores) must be the same. A read-only copy of the
 * short path, run before each reservation, counts how many took it, so the comparison is never vacuous.
 */
import type { SpendLimit } from "@lucid-dreams/agent-auth/tools";
import { RESP_TYPES } from "redis";
import { describe, expect, it } from "vitest";
import { seeded } from "../test/random.js";
import { redisForFile, requireRedis } from "../test/redis-server.js";
import { ARITH, RESERVE, USUAL } from "./ledger-scripts.js";
import { type Script, type ScriptArgument, script } from "./redis-client.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";

const run = requireRedis();
const db = redisForFile(run);

/** `RESERVE` without its short path: the general code alone (it declares what the short path would have read). */
const GENERAL = script(RESERVE.source.replace(USUAL, "\nlocal got, now\n"));
/** The short path, read-only: 'usual' where it would reserve, 'general' where the general code would run. */
const PROBE = script(
  `${ARITH}${USUAL.replace(/\n\s*local stamp = [\s\S]*?return 'reserved'\n/, "\n      return 'usual'\n")}\nreturn 'general'`,
);

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
  it("answers and writes exactly as the general code, step by step, over random operations", async () => {
    const taken = { usual: 0, general: 0 };
    for (const [seed, digits] of [
      [1, 1],
      [2, 18],
      [3, 30],
      [4, 76],
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
        if (answer === "usual") taken.usual += 1;
        else taken.general += 1;
      };
      const prefixes = [`usual${seed}:`, `general${seed}:`] as const;
      const usual = new RedisSpendLedger({
        ...options,
        client: rerouting(RESERVE, probe),
        prefix: prefixes[0],
      });
      const general = new RedisSpendLedger({ ...options, client: rerouting(GENERAL), prefix: prefixes[1] });
      const limitsOf = (): SpendLimit[] => {
        const limits: SpendLimit[] = [];
        if (next() < 0.8) limits.push({ rule: "life", amount: below(unit * 400n) });
        if (next() < 0.7) limits.push({ rule: "short", amount: below(unit * 40n), windowMs: 1_000 });
        if (next() < 0.5) limits.push({ rule: "long", amount: below(unit * 80n), windowMs: 5_000 });
        return limits;
      };
      for (let step = 0; step < 250; step += 1) {
        const key = `k${Math.floor(next() * 150)}`;
        const roll = next();
        const where = `seed ${seed} step ${step}`;
        if (roll < 0.65) {
          const count = next() < 0.85 ? 1 : pick([0, 2]);
          const items = Array.from({ length: count }, () => ({
            asset: next() < 0.9 ? "eth" : "usdc",
            amount: below(unit),
            limits: limitsOf(),
          }));
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
    // both paths ran often: the comparison covers the short path and its ways out
    expect(taken.usual).toBeGreaterThan(120);
    expect(taken.general).toBeGreaterThan(120);
  }, 240_000); // counts steps, never times them: a loaded machine only makes it slower
});
