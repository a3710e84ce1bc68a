import type { SpendLedger, SpendReserveRequest, SpendReserveResult } from "@lucid-dreams/agent-auth/tools";
import { DEFAULT_PREFIX, ledgerKeys } from "./keys.js";
import { COMMIT, ENTRY_ASSETS, RELEASE_SPEND, RESERVE } from "./ledger-scripts.js";
import { checkPrefix, type RedisClientLike, ScriptRunner } from "./redis-client.js";
import { RedisAdapterError, RedisErrorCode } from "./redis-error.js";

/** Default: window entries older than this are dropped (a window may not be longer). 31 days. */
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
  /** Reservations older than this are forgotten by windows; a limit's `windowMs` may not exceed it. */
  windowRetentionMs?: number;
  /** Time one Redis command may take before counting as unavailable. Default 1 000 ms. */
  commandTimeoutMs?: number;
}

const MAX_DECIMAL_DIGITS = 78; // 2^256 has 78 digits

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
  async reserve(request: SpendReserveRequest): Promise<SpendReserveResult> {
    checkScopeKey(request?.scope, request?.key);
    if (typeof request.fingerprint !== "string") throw invalid("fingerprint must be a string.");
    const assets: string[] = [];
    const amounts: bigint[] = [];
    const checks: string[] = [];
    for (const item of request.items) {
      if (typeof item.asset !== "string" || item.asset === "")
        throw invalid("an item's asset must be a non-empty string.");
      const amount = decimal(item.amount, "an item's amount");
      let index = assets.indexOf(item.asset);
      if (index === -1) {
        index = assets.push(item.asset) - 1;
        amounts.push(0n);
      }
      amounts[index] = (amounts[index] as bigint) + item.amount;
      for (const limit of item.limits) {
        let window = "";
        if (limit.windowMs !== undefined) {
          if (
            !(Number.isInteger(limit.windowMs) && limit.windowMs > 0 && limit.windowMs <= this.#retentionMs)
          ) {
            throw invalid(
              `limit "${limit.rule}": windowMs must be a positive integer of at most windowRetentionMs (${this.#retentionMs}).`,
            );
          }
          window = String(limit.windowMs);
        }
        checks.push(
          String(index + 1),
          amount,
          decimal(limit.amount, "a limit's amount"),
          window,
          String(limit.rule),
        );
      }
    }
    const args = [
      this.#now ? String(Math.floor(this.#now())) : "",
      String(this.#retentionMs),
      request.key,
      request.fingerprint,
      JSON.stringify(assets.map((asset, index) => [asset, String(amounts[index])])),
      String(assets.length),
    ];
    for (const [index, asset] of assets.entries()) args.push(asset, String(amounts[index]));
    args.push(String(checks.length / 5), ...checks);
    const keys = ledgerKeys(this.#prefix, request.scope);
    const reply = await this.#runner.eval(RESERVE, [keys.scope, ...assets.map(keys.window)], args);
    if (!Array.isArray(reply)) throw badReply();
    const [status, ...rest] = reply.map((value) => (value === null ? null : String(value)));
    switch (status) {
      case "reserved":
        return { status: "reserved" };
      case "conflict":
        return { status: "conflict" };
      case "replay":
        if (rest[0] === "reserved" || rest[0] === "committed") return { status: "replay", state: rest[0] };
        throw badReply();
      case "exceeded":
        return {
          status: "exceeded",
          asset: rest[0] ?? "",
          rule: rest[1] ?? "",
          limit: BigInt(rest[2] ?? "0"),
          used: BigInt(rest[3] ?? "0"),
        };
      default:
        throw badReply();
    }
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

function decimal(value: bigint, what: string): string {
  if (typeof value !== "bigint" || value < 0n) throw invalid(`${what} must be a bigint >= 0.`);
  const text = value.toString();
  if (text.length > MAX_DECIMAL_DIGITS) throw invalid(`${what} is larger than 2^256.`);
  return text;
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
