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
  /** Records examined by expiry sweeps so far: a sweep looks at the expired records and stops at the first live one. */
  sweepVisits(): number;
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

/**
 * An in-memory {@link IdempotencyStore} with clock-based expiry (swept lazily, no timers).
 *
 * The map keeps records in the order of their first request (a `set` on an existing key keeps its place), which
 * is the order they expire in, so each sweep removes expired records from the front and stops at the first
 * stored record still alive: its cost is the number of records it removes (plus any in-flight ones it passes),
 * not the number held. A record found expired on lookup (a clock that went back) counts as absent.
 */
export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const entries = new Map<string, Entry>();
  let visits = 0;

  const expired = (entry: Entry, now: number) => entry.state === "done" && now - entry.createdAt >= ttlMs;

  const sweep = (now: number) => {
    for (const [key, entry] of entries) {
      visits++;
      // In-flight records never expire (their request is still running); they are few, bounded by concurrency.
      if (entry.state === "in_flight") continue;
      if (!expired(entry, now)) break;
      entries.delete(key);
    }
  };

  return {
    begin(key, fingerprint) {
      const now = options.now();
      sweep(now);
      let entry = entries.get(key);
      if (entry && expired(entry, now)) {
        entries.delete(key);
        entry = undefined;
      }
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
    sweepVisits() {
      return visits;
    },
  };
}
