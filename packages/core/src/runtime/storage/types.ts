/**
 * Persistence of the runtime's tokens. Values are opaque strings (the token manager serialises them; see
 * `token-serialization.ts` for the versioned format), so an adapter never needs to understand them.
 *
 * Writing a custom adapter (Redis, a secrets manager): implement `get`, `set` and `clear`. For several
 * processes sharing one credential, also implement `withLock` (a mutual exclusion on `key` across processes,
 * e.g. Redis `SET key token NX PX ttl` with a fencing check), so that exactly one of them refreshes while the
 * others wait and then read the rotated token.
 */
export interface StorageAdapter<T = string> {
  get(key: string): Promise<T | null>;
  /** Must be atomic: a reader sees the old value or the new one, never a mix. */
  set(key: string, value: T): Promise<void>;
  clear(key: string): Promise<void>;
  /** Alias of `clear`, for adapters written against the original package. */
  delete?(key: string): Promise<void>;
  /**
   * Runs `fn` while holding an exclusive lock on `key`, across every process sharing this storage.
   * Adapters without it get an in-process lock only.
   */
  withLock?<R>(key: string, fn: () => Promise<R>): Promise<R>;
}
