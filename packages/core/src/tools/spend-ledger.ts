import { ConfigurationError } from "../runtime/errors.js";

/**
 * The spend ledger: where the tools reserve, commit and release what a call may spend, so that a budget is
 * never exceeded, a replayed call never counts twice, and a reservation is given back only when the wallet says
 * nothing was sent. One interface, two stores: `MemorySpendLedger` (one process) and the Redis ledger (a fleet).
 *
 * Amounts are bigints in the asset's smallest unit (wei, or a token's base unit). Assets are named by a string
 * the caller chooses (CAIP-19 style: `eip155:8453/slip44:60`, `eip155:8453/erc20:0x...`).
 */

/** One budget that a reservation counts against. */
export interface SpendLimit {
  /** The policy rule this limit comes from, reported when it refuses (`budgetPerSession`, `budget:1h`, ...). */
  readonly rule: string;
  /** The most that reservations plus commits may add up to (within the window, if any). */
  readonly amount: bigint;
  /** A rolling window in milliseconds; omitted: the limit covers the scope's whole life. */
  readonly windowMs?: number;
}

/** What one call moves of one asset, and the budgets that amount counts against. */
export interface SpendItem {
  readonly asset: string;
  readonly amount: bigint;
  readonly limits: readonly SpendLimit[];
}

/** A reservation request: all items are reserved together, or none is. */
export interface SpendReserveRequest {
  /** Who shares the budgets: `agent:<ref>` by default, or a tenant or session scope the host chose. */
  readonly scope: string;
  /** The call's conversation-scoped idempotency key: a replay of the same call reuses it. */
  readonly key: string;
  /** A digest of the call's canonical body: the same key with another fingerprint is a conflict. */
  readonly fingerprint: string;
  readonly items: readonly SpendItem[];
}

/** The ledger's answer to a reservation. */
export type SpendReserveResult =
  /** Newly reserved: go on, then `commit` (sent) or `release` (nothing was sent). */
  | { readonly status: "reserved" }
  /** The same call (same key, same fingerprint) was reserved before: nothing counted again. */
  | { readonly status: "replay"; readonly state: "reserved" | "committed" }
  /** The key was used by a call with another body: refuse before anything reaches the wallet. */
  | { readonly status: "conflict" }
  /** A limit would be exceeded: `used` is what is already reserved or committed under it. */
  | {
      readonly status: "exceeded";
      readonly asset: string;
      readonly rule: string;
      readonly limit: bigint;
      readonly used: bigint;
    };

/** The contract of every ledger store. Each method is atomic with respect to every other caller of the store. */
export interface SpendLedger {
  reserve(request: SpendReserveRequest): Promise<SpendReserveResult>;
  /** The call was sent (or may have been): its reservation counts for good. Idempotent. */
  commit(scope: string, key: string): Promise<void>;
  /** The wallet said nothing was sent: the reservation is given back. No effect on a committed call. Idempotent. */
  release(scope: string, key: string): Promise<void>;
}

interface Entry {
  fingerprint: string;
  state: "reserved" | "committed";
  at: number;
  items: readonly SpendItem[];
}

interface Scope {
  /** Reservations and commits by key, in the order they were made (a Map keeps insertion order). */
  readonly entries: Map<string, Entry>;
  /** What every reservation and commit ever made adds up to, by asset (forgotten entries included). */
  readonly totals: Map<string, bigint>;
}

/** The default of `windowRetentionMs`: 31 days (the Redis ledger's too). */
const DEFAULT_WINDOW_RETENTION_MS = 31 * 24 * 60 * 60 * 1000;

/** Options of `MemorySpendLedger`. */
export interface MemorySpendLedgerOptions {
  /** The clock for rolling windows, in milliseconds. Default: `Date.now`. */
  now?: () => number;
  /**
   * How long a committed call is remembered: for rolling windows (a limit's `windowMs` may not exceed it) and
   * to recognise a replay. Older committed calls are forgotten, so memory stays bounded in a long-running
   * process; their amounts stay in the lifetime totals, and a replay of one counts again (never less). Default
   * 31 days.
   */
  windowRetentionMs?: number;
}

/**
 * A spend ledger in this process's memory: budgets are shared by every tool of every session it is given to.
 * Lifetime limits cost O(1) per reservation; rolling windows look at the calls of the retention period only.
 */
export class MemorySpendLedger implements SpendLedger {
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #scopes = new Map<string, Scope>();

  constructor(options: MemorySpendLedgerOptions = {}) {
    this.#now = options.now ?? Date.now;
    const retention = options.windowRetentionMs ?? DEFAULT_WINDOW_RETENTION_MS;
    if (!(Number.isSafeInteger(retention) && retention > 0)) {
      throw new ConfigurationError(
        `MemorySpendLedger: windowRetentionMs must be a positive integer, got ${String(retention)}.`,
        {
          hint: "Give it in milliseconds, at least the longest rolling window of your budgets (default 31 days).",
        },
      );
    }
    this.#retentionMs = retention;
  }

  async reserve(request: SpendReserveRequest): Promise<SpendReserveResult> {
    for (const item of request.items) {
      for (const limit of item.limits) {
        if (limit.windowMs !== undefined && !(limit.windowMs > 0 && limit.windowMs <= this.#retentionMs)) {
          throw new ConfigurationError(
            `limit "${limit.rule}": windowMs must be a positive number of at most windowRetentionMs (${this.#retentionMs}).`,
            { hint: "Use a shorter budget window, or a MemorySpendLedger with a longer windowRetentionMs." },
          );
        }
      }
    }
    const scope = this.#scope(request.scope);
    const existing = scope.entries.get(request.key);
    if (existing) {
      return existing.fingerprint === request.fingerprint
        ? { status: "replay", state: existing.state }
        : { status: "conflict" };
    }
    const now = this.#now();
    this.#forget(scope, now);
    for (const item of request.items) {
      for (const limit of item.limits) {
        const used =
          limit.windowMs === undefined
            ? (scope.totals.get(item.asset) ?? 0n)
            : windowSum(scope.entries, item.asset, now - limit.windowMs);
        if (used + item.amount > limit.amount) {
          return { status: "exceeded", asset: item.asset, rule: limit.rule, limit: limit.amount, used };
        }
      }
    }
    scope.entries.set(request.key, {
      fingerprint: request.fingerprint,
      state: "reserved",
      at: now,
      items: request.items,
    });
    for (const item of request.items) {
      scope.totals.set(item.asset, (scope.totals.get(item.asset) ?? 0n) + item.amount);
    }
    return { status: "reserved" };
  }

  async commit(scope: string, key: string): Promise<void> {
    const entry = this.#scopes.get(scope)?.entries.get(key);
    if (entry) entry.state = "committed";
  }

  async release(scope: string, key: string): Promise<void> {
    const held = this.#scopes.get(scope);
    const entry = held?.entries.get(key);
    if (!held || entry?.state !== "reserved") return;
    held.entries.delete(key);
    for (const item of entry.items) {
      held.totals.set(item.asset, (held.totals.get(item.asset) ?? 0n) - item.amount);
    }
  }

  /**
   * Forgets the committed calls that left the retention period, oldest first, up to the first one made within
   * it. A reservation never committed nor released (its process crashed mid-call) is kept: it may still be
   * released.
   */
  #forget(scope: Scope, now: number): void {
    for (const [key, entry] of scope.entries) {
      if (entry.at > now - this.#retentionMs) return;
      if (entry.state === "committed") scope.entries.delete(key);
    }
  }

  #scope(name: string): Scope {
    let scope = this.#scopes.get(name);
    if (!scope) {
      scope = { entries: new Map(), totals: new Map() };
      this.#scopes.set(name, scope);
    }
    return scope;
  }
}

/** What the calls stamped after `after` add up to for `asset`. */
function windowSum(entries: ReadonlyMap<string, Entry>, asset: string, after: number): bigint {
  let used = 0n;
  for (const entry of entries.values()) {
    if (entry.at <= after) continue;
    for (const item of entry.items) if (item.asset === asset) used += item.amount;
  }
  return used;
}
