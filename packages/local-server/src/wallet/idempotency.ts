/** A stored successful response, replayed byte for byte. */
export interface StoredResponse {
  status: number;
  text: string;
}

/** What to do with a request that carries an idempotency key. */
export type IdempotencyBegin =
  | { kind: "proceed" }
  | { kind: "replay"; response: StoredResponse }
  | { kind: "in_progress" }
  | { kind: "mismatch" };

/**
 * Idempotency records, keyed by a scope string (agent + operation + key). A record is kept for `ttlMs`
 * (24 h by default) after the first request; only successes are stored, failures release the key.
 */
export interface IdempotencyStore {
  /** Claims `key` for a request whose canonical body is `fingerprint`, or says why not. */
  begin(key: string, fingerprint: string): IdempotencyBegin;
  /** Stores the successful response of the request that claimed `key`. */
  complete(key: string, response: StoredResponse): void;
  /** Forgets `key` (the request failed), so a corrected retry can use it. */
  release(key: string): void;
  /** Number of records held (in flight or stored). */
  size(): number;
}

type Entry =
  | { state: "in_flight"; fingerprint: string; createdAt: number }
  | { state: "done"; fingerprint: string; createdAt: number; response: StoredResponse };

/** Options of {@link createIdempotencyStore}. */
export interface IdempotencyStoreOptions {
  now: () => number;
  /** How long a record is kept after the first request; default 24 h. */
  ttlMs?: number;
}

/** An in-memory {@link IdempotencyStore} with clock-based expiry (swept lazily, no timers). */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const entries = new Map<string, Entry>();

  const sweep = (now: number) => {
    for (const [key, entry] of entries) {
      if (entry.state === "done" && now - entry.createdAt >= ttlMs) entries.delete(key);
    }
  };

  return {
    begin(key, fingerprint) {
      const now = options.now();
      sweep(now);
      const entry = entries.get(key);
      if (!entry) {
        entries.set(key, { state: "in_flight", fingerprint, createdAt: now });
        return { kind: "proceed" };
      }
      if (entry.fingerprint !== fingerprint) return { kind: "mismatch" };
      if (entry.state === "in_flight") return { kind: "in_progress" };
      return { kind: "replay", response: entry.response };
    },
    complete(key, response) {
      const entry = entries.get(key);
      if (!entry) return;
      entries.set(key, {
        state: "done",
        fingerprint: entry.fingerprint,
        createdAt: entry.createdAt,
        response,
      });
    },
    release(key) {
      const entry = entries.get(key);
      if (entry?.state === "in_flight") entries.delete(key);
    },
    size() {
      return entries.size;
    },
  };
}
