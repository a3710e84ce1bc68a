import type { Operation } from "../operations.js";

/**
 * A fault to inject into an operation. With `status`, the server answers that status instead of handling the
 * request; with `drop`, it destroys the socket without answering; with only `latencyMs`, it waits and then
 * handles the request normally (latency also delays `status` and `drop`).
 */
export interface FaultSpec {
  /** Answer this HTTP status. The body defaults to an `Error` body matching the status. */
  status?: number;
  /** Response body: any JSON value, or a string sent as is (e.g. deliberately malformed JSON). */
  body?: unknown;
  /** Extra response headers. A 429 gets `Retry-After: 1` unless given. */
  headers?: Record<string, string>;
  /** Wait this long (ms) before acting. */
  latencyMs?: number;
  /** Destroy the connection without any response. */
  drop?: boolean;
  /**
   * Handle the request normally (its effects happen: a refresh token rotates), then destroy the connection
   * instead of answering: a lost response.
   */
  dropResponse?: boolean;
  /** Apply to the next N requests of the operation, then disappear; default: until removed. */
  times?: number;
  /** Apply to each request with this probability (0..1, drawn from the injected `random`); default 1. */
  probability?: number;
}

/** An injected fault. */
export interface FaultHandle {
  /** Removes the fault. */
  remove(): void;
  /** How many requests it was applied to. */
  readonly hits: number;
}

/** Injects faults per operation. */
export interface Faults {
  inject(operation: Operation, fault: FaultSpec): FaultHandle;
  /** Removes every fault. */
  clear(): void;
}

/** The fault to apply to one request. */
export interface AppliedFault {
  status: number | undefined;
  body: unknown;
  headers: Record<string, string>;
  latencyMs: number;
  drop: boolean;
  dropResponse: boolean;
}

/** The faults and the hook the request handler calls. */
export interface FaultsControl extends Faults {
  /** The fault to apply to this request of `operation`, if any (consumes one of its `times`). */
  take(operation: Operation): AppliedFault | undefined;
}

interface Entry {
  operation: Operation;
  spec: FaultSpec;
  remaining: number;
  hits: number;
}

function checkSpec(spec: FaultSpec): void {
  if (
    spec.status !== undefined &&
    (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
  ) {
    throw new RangeError(`fault status must be an HTTP status (100-599), got ${spec.status}`);
  }
  if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
    throw new RangeError(`fault times must be a positive integer, got ${spec.times}`);
  }
  if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
    throw new RangeError(`fault probability must be within 0..1, got ${spec.probability}`);
  }
  if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) {
    throw new RangeError(`fault latencyMs must be >= 0, got ${spec.latencyMs}`);
  }
}

/** Faults drawing probabilities from `random`. The first matching fault (in injection order) applies. */
export function createFaults(random: () => number): FaultsControl {
  const entries: Entry[] = [];
  const drop = (entry: Entry) => {
    const index = entries.indexOf(entry);
    if (index >= 0) entries.splice(index, 1);
  };
  return {
    inject(operation, spec) {
      checkSpec(spec);
      const entry: Entry = {
        operation,
        spec: { ...spec },
        remaining: spec.times ?? Number.POSITIVE_INFINITY,
        hits: 0,
      };
      entries.push(entry);
      return {
        remove: () => drop(entry),
        get hits() {
          return entry.hits;
        },
      };
    },
    clear() {
      entries.length = 0;
    },
    take(operation) {
      for (const entry of entries) {
        if (entry.operation !== operation) continue;
        const p = entry.spec.probability ?? 1;
        if (p < 1 && !(random() < p)) continue;
        entry.hits++;
        entry.remaining--;
        if (entry.remaining <= 0) drop(entry);
        const headers = { ...entry.spec.headers };
        if (
          entry.spec.status === 429 &&
          !Object.keys(headers).some((h) => h.toLowerCase() === "retry-after")
        ) {
          headers["retry-after"] = "1";
        }
        return {
          status: entry.spec.status,
          body: entry.spec.body,
          headers,
          latencyMs: entry.spec.latencyMs ?? 0,
          drop: entry.spec.drop ?? false,
          dropResponse: entry.spec.dropResponse ?? false,
        };
      }
      return undefined;
    },
  };
}
