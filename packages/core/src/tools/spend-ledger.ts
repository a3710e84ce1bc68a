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

/** Options of `MemorySpendLedger`. */
export interface MemorySpendLedgerOptions {
  /** The clock for rolling windows, in milliseconds. Default: `Date.now`. */
  now?: () => number;
}

/** A spend ledger in this process's memory: budgets are shared by every tool of every session it is given to. */
export class MemorySpendLedger implements SpendLedger {
  readonly #now: () => number;
  readonly #scopes = new Map<string, Map<string, Entry>>();

  constructor(options: MemorySpendLedgerOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async reserve(request: SpendReserveRequest): Promise<SpendReserveResult> {
    const entries = this.#entries(request.scope);
    const existing = entries.get(request.key);
    if (existing) {
      return existing.fingerprint === request.fingerprint
        ? { status: "replay", state: existing.state }
        : { status: "conflict" };
    }
    const now = this.#now();
    for (const item of request.items) {
      for (const limit of item.limits) {
        let used = 0n;
        for (const entry of entries.values()) {
          if (limit.windowMs !== undefined && entry.at <= now - limit.windowMs) continue;
          for (const other of entry.items) if (other.asset === item.asset) used += other.amount;
        }
        if (used + item.amount > limit.amount) {
          return { status: "exceeded", asset: item.asset, rule: limit.rule, limit: limit.amount, used };
        }
      }
    }
    entries.set(request.key, {
      fingerprint: request.fingerprint,
      state: "reserved",
      at: now,
      items: request.items,
    });
    return { status: "reserved" };
  }

  async commit(scope: string, key: string): Promise<void> {
    const entry = this.#scopes.get(scope)?.get(key);
    if (entry) entry.state = "committed";
  }

  async release(scope: string, key: string): Promise<void> {
    const entries = this.#scopes.get(scope);
    if (entries?.get(key)?.state === "reserved") entries.delete(key);
  }

  #entries(scope: string): Map<string, Entry> {
    let entries = this.#scopes.get(scope);
    if (!entries) {
      entries = new Map();
      this.#scopes.set(scope, entries);
    }
    return entries;
  }
}
