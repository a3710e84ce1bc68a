import { OPERATIONS, type Operation } from "../operations.js";

/** Per-operation request counts: every request routed to an operation, faulted or not, replayed or not. */
export interface Counters {
  /** Requests routed to `operation` since start or the last `reset()`. */
  get(operation: Operation): number;
  /** Every operation's count. */
  snapshot(): Record<Operation, number>;
  /** Sets every count back to 0. */
  reset(): void;
}

/** The counters and the hook the request handler calls. */
export interface CountersControl extends Counters {
  increment(operation: Operation): void;
}

/** Fresh counters, all 0. */
export function createCounters(): CountersControl {
  const counts = new Map<Operation, number>();
  return {
    get: (operation) => counts.get(operation) ?? 0,
    snapshot: () =>
      Object.fromEntries(OPERATIONS.map((op) => [op, counts.get(op) ?? 0])) as Record<Operation, number>,
    reset: () => counts.clear(),
    increment: (operation) => counts.set(operation, (counts.get(operation) ?? 0) + 1),
  };
}
