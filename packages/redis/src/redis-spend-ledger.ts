import type { SpendLedger, SpendReserveRequest, SpendReserveResult } from "@lucid-dreams/agent-auth/tools";
import { DEFAULT_PREFIX, ledgerKeys } from "./keys.js";
import { fromLimbs, LIMBS, writeLimbs, writeThreshold } from "./ledger-limbs.js";
import { COMMIT, ENTRY_ASSETS, RELEASE_SPEND, RESERVE } from "./ledger-scripts.js";
import { checkPrefix, type RedisClientLike, type ScriptArgument, ScriptRunner } from "./redis-client.js";
import { RedisAdapterError, RedisErrorCode } from "./redis-error.js";

/** Default of `windowRetentionMs`: committed calls older than this are forgotten (no window may be longer). 31 days. */
export const DEFAULT_WINDOW_RETENTION_MS = 31 * 24 * 60 * 60 * 1000;

/** Options of `RedisSpendLedger`. */
export interface RedisSpendLedgerOptions {
  /** A connected node-redis client (`await createClient({ url }).connect()`), or an ioredis client. */
  client: RedisClientLike;
  /** Key prefix, without braces. Default `"lucid:"`. */
  prefix?: string;
  /**
   * The clock of rolling windows, in epoch ms. Default: Redis's own clock (`TIME`), so the workers of a fleet
   * agree on windows even when their clocks drift.
   */
  now?: () => number;
  /**
   * How long a committed call is remembered, as `MemorySpendLedger`'s option: for rolling windows (a limit's
   * `windowMs` may not exceed it) and to recognise a replay. Older committed calls are forgotten, so a scope's
   * keys stay bounded; their amounts stay in the lifetime totals, and a replay of one counts again (never
   * less). A reservation never committed nor released is kept. Default 31 days.
   */
  windowRetentionMs?: number;
  /** Time one Redis command may take before counting as unavailable. Default 1 000 ms. */
  commandTimeoutMs?: number;
}

const MAX_AMOUNT = 2n ** 256n;

/**
 * A `SpendLedger` in Redis, shared by every worker of a fleet: each of reserve, commit and release is one Lua
 * script, so budgets hold under any concurrency. Keys of a scope carry the hash tag `{scope}` (Cluster-safe).
 *
 * Fault model: when Redis does not answer, `reserve` throws `redis_unavailable` (retryable): the spend is
 * refused, never let through (fail closed). A reserve that reached Redis before the timeout may still be
 * recorded; retrying with the same key then answers `replay`, so nothing is counted twice. `commit` and
 * `release` throw the same error and are idempotent: retry them.
 */
export class RedisSpendLedger implements SpendLedger {
  readonly #runner: ScriptRunner;
  readonly #prefix: string;
  readonly #now: (() => number) | undefined;
  readonly #retentionMs: number;

  constructor(options: RedisSpendLedgerOptions) {
    this.#runner = new ScriptRunner(options?.client, options?.commandTimeoutMs, "RedisSpendLedger");
    this.#prefix = checkPrefix("RedisSpendLedger", options.prefix, DEFAULT_PREFIX);
    this.#now = options.now;
    const retention = options.windowRetentionMs ?? DEFAULT_WINDOW_RETENTION_MS;
    if (!(Number.isInteger(retention) && retention > 0)) {
      throw invalid("windowRetentionMs must be a positive integer (milliseconds).");
    }
    this.#retentionMs = retention;
  }

  /** Reserves every item together, or none (see `SpendLedger#reserve`). */
  reserve(request: SpendReserveRequest): Promise<SpendReserveResult> {
    let assets: AssetPlan[];
    let scriptKeys: string[];
    let args: ScriptArgument[];
    try {
      [assets, scriptKeys, args] = this.#pack(request);
    } catch (error) {
      return Promise.reject(error);
    }
    // no `await`: one promise less between Redis's answer and the caller
    return this.#runner
      .eval(RESERVE, scriptKeys, args)
      .then((reply) => reserveResult(reply, assets, request));
  }

  /** The request's assets, and the keys and arguments of `RESERVE` for it; throws on a bad request. */
  #pack(request: SpendReserveRequest): [AssetPlan[], string[], ScriptArgument[]] {
    checkScopeKey(request?.scope, request?.key);
    if (typeof request.fingerprint !== "string") throw invalid("fingerprint must be a string.");
    const assets: AssetPlan[] = [];
    let size = 16; // now, retention
    for (const item of request.items) {
      if (typeof item.asset !== "string" || item.asset === "")
        throw invalid("an item's asset must be a non-empty string.");
      checkAmount(item.amount, "an item's amount");
      let plan: AssetPlan | undefined;
      for (const known of assets) if (known.name === item.asset) plan = known;
      if (plan === undefined) {
        plan = { name: item.asset, amount: 0n, lifetime: undefined, windows: [], thresholds: [] };
        assets.push(plan);
        size += 8 * 13; // amount, lifetime threshold, number of windows
      }
      plan.amount += item.amount;
      for (const limit of item.limits) {
        checkAmount(limit.amount, "a limit's amount");
        const threshold = limit.amount - item.amount;
        const window = limit.windowMs;
        if (window === undefined) {
          if (plan.lifetime === undefined || threshold < plan.lifetime) plan.lifetime = threshold;
          continue;
        }
        if (!(Number.isInteger(window) && window > 0 && window <= this.#retentionMs)) {
          throw invalid(
            `limit "${limit.rule}": windowMs must be a positive integer of at most windowRetentionMs (${this.#retentionMs}).`,
          );
        }
        const at = plan.windows.indexOf(window);
        if (at === -1) {
          plan.windows.push(window);
          plan.thresholds.push(threshold);
          size += 8 * 7; // windowMs, threshold
        } else if (threshold < (plan.thresholds[at] as bigint)) {
          plan.thresholds[at] = threshold;
        }
      }
    }
    let now = -1;
    if (this.#now) {
      now = Math.floor(this.#now());
      if (!(Number.isSafeInteger(now) && now >= 0)) throw invalid("now() must return epoch milliseconds.");
    }
    // The numbers, packed: now, retention, then per asset its amount, thresholds and windows (see RESERVE).
    const numbers = Buffer.allocUnsafe(size);
    const view = new DataView(numbers.buffer, numbers.byteOffset, size);
    view.setFloat64(0, now, true);
    view.setFloat64(8, this.#retentionMs, true);
    let at = 16;
    const keys = ledgerKeys(this.#prefix, request.scope);
    const scriptKeys = [keys.scope, keys.keys];
    const args: ScriptArgument[] = [numbers, request.key, ""];
    let entry = "";
    for (const plan of assets) {
      checkAmount(plan.amount, `the sum of the amounts of asset "${plan.name}"`);
      const amount = plan.amount.toString();
      entry += `${entry === "" ? "" : ","}[${JSON.stringify(plan.name)},"${amount}"]`;
      scriptKeys.push(keys.window(plan.name));
      args.push(plan.name, `${amount}:${request.key}`);
      at = writeLimbs(view, at, plan.amount);
      at = writeThreshold(view, at, plan.lifetime);
      view.setFloat64(at, plan.windows.length, true);
      at += 8;
      for (let w = 0; w < plan.windows.length; w += 1) {
        view.setFloat64(at, plan.windows[w] as number, true);
        at = writeThreshold(view, at + 8, plan.thresholds[w]);
      }
    }
    // the entry's tail: what a replay compares (the fingerprint) and what release gives back
    args[2] = `${Buffer.byteLength(request.fingerprint)} ${request.fingerprint}[${entry}]`;
    return [assets, scriptKeys, args];
  }

  /** Marks the reservation committed (sent). Idempotent; unknown keys are ignored. */
  async commit(scope: string, key: string): Promise<void> {
    checkScopeKey(scope, key);
    await this.#runner.eval(COMMIT, [ledgerKeys(this.#prefix, scope).scope], [key]);
  }

  /** Gives a reserved (not committed) reservation back. Idempotent; unknown keys are ignored. */
  async release(scope: string, key: string): Promise<void> {
    checkScopeKey(scope, key);
    const keys = ledgerKeys(this.#prefix, scope);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const assets = await this.#runner.eval(ENTRY_ASSETS, [keys.scope], [key]);
      if (assets === null || assets === false || assets === undefined) return;
      if (!Array.isArray(assets)) throw badReply();
      const names = assets.map(String);
      const reply = Number(
        await this.#runner.eval(RELEASE_SPEND, [keys.scope, ...names.map(keys.window)], [key, ...names]),
      );
      if (reply !== -1) return;
    }
    throw badReply();
  }
}

/** The result of `RESERVE`'s reply for `request` (packed as `assets`); throws on a reply it cannot read. */
function reserveResult(
  reply: unknown,
  assets: AssetPlan[],
  request: SpendReserveRequest,
): SpendReserveResult {
  if (reply === "reserved") return { status: "reserved" };
  if (!Array.isArray(reply)) throw badReply();
  switch (reply[0]) {
    case "conflict":
      return { status: "conflict" };
    case "replay": {
      const state = reply[1];
      if (state === "reserved" || state === "committed") return { status: "replay", state };
      throw badReply();
    }
    case "exceeded":
      return firstExceeded(assets, request, reply);
    case "overflow":
      throw new RedisAdapterError(
        RedisErrorCode.ReplyInvalid,
        "RedisSpendLedger: a sum would pass 10^90; the reservation was refused and nothing was written.",
        {
          hint: "Amounts are at most 2^256, so only a state written by another program gets there: check what writes under this ledger's prefix.",
        },
      );
    default:
      throw badReply();
  }
}

/**
 * One asset of a reservation: its amount and the threshold of its lifetime limits and of each window its limits
 * use: the largest used sum all those checks let through, the least `limit - item amount`.
 */
interface AssetPlan {
  readonly name: string;
  amount: bigint;
  lifetime: bigint | undefined;
  readonly windows: number[];
  readonly thresholds: bigint[];
}

/**
 * The first check (in the request's order: every limit of every item) that the used sums the script returned
 * refuse: per asset the lifetime total, then the sum of each of its windows, in the order they were sent.
 */
function firstExceeded(
  assets: AssetPlan[],
  request: SpendReserveRequest,
  reply: unknown[],
): SpendReserveResult {
  const used = new Map<string, { plan: AssetPlan; sums: bigint[] }>();
  let at = 1;
  for (const plan of assets) {
    const sums: bigint[] = [];
    for (let i = 0; i <= plan.windows.length; i += 1) {
      const sum = fromLimbs(reply, at);
      if (sum === undefined) throw badReply();
      sums.push(sum);
      at += LIMBS;
    }
    used.set(plan.name, { plan, sums });
  }
  if (at !== reply.length) throw badReply();
  for (const item of request.items) {
    const asset = used.get(item.asset);
    if (asset === undefined) throw badReply();
    for (const limit of item.limits) {
      let window = 0; // the lifetime total
      if (limit.windowMs !== undefined) {
        window = asset.plan.windows.indexOf(limit.windowMs) + 1;
        if (window === 0) throw badReply();
      }
      const sum = asset.sums[window] as bigint;
      if (sum + item.amount > limit.amount) {
        return {
          status: "exceeded",
          asset: item.asset,
          rule: String(limit.rule),
          limit: limit.amount,
          used: sum,
        };
      }
    }
  }
  throw badReply();
}

function checkAmount(value: bigint, what: string): void {
  if (typeof value !== "bigint" || value < 0n) throw invalid(`${what} must be a bigint >= 0.`);
  if (value > MAX_AMOUNT) throw invalid(`${what} is larger than 2^256.`);
}
function checkScopeKey(scope: unknown, key: unknown): void {
  if (typeof scope !== "string" || scope === "") throw invalid("scope must be a non-empty string.");
  if (typeof key !== "string" || key === "") throw invalid("key must be a non-empty string.");
}

function invalid(message: string): RedisAdapterError {
  return new RedisAdapterError(RedisErrorCode.InvalidOption, `RedisSpendLedger: ${message}`, {
    hint: "This is a bug in the caller of the ledger (the policy engine); the budget was not touched.",
  });
}

function badReply(): RedisAdapterError {
  return new RedisAdapterError(
    RedisErrorCode.ReplyInvalid,
    "Redis gave an unexpected reply to a ledger script.",
    {
      hint: "Make sure no other program writes keys under this ledger's prefix.",
    },
  );
}

/** Creates a `RedisSpendLedger` (see its options). */
export const createRedisSpendLedger = (options: RedisSpendLedgerOptions): RedisSpendLedger =>
  new RedisSpendLedger(options);
