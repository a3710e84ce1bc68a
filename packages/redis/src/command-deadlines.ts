/**
 * Deadlines of the commands a `ScriptRunner` sends: one timer and one abort signal per slice of time, not per
 * command (see `Deadlines`).
 */

import { setMaxListeners } from "node:events";

class TimeoutError extends Error {}

/** The most a slice lasts: a command's deadline is between the timeout and the timeout plus this. */
const MAX_SLICE_MS = 50;

/**
 * The commands sent within one slice of time: one deadline (the slice's end plus the timeout), one timer and
 * one abort signal for them all.
 */
export interface Slice {
  readonly closesAt: number;
  readonly deadline: number;
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** node-redis: the client bound to `signal`, or the options carrying it, made for the slice's first command. */
  client: unknown;
  readonly pending: Pending[];
  /** Commands of the slice not yet settled. */
  open: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface Pending {
  readonly slice: Slice;
  reject: ((error: Error) => void) | undefined;
  settled: boolean;
}

/**
 * The deadlines of the commands in flight. Every command waits the same time, so the commands sent within one
 * slice (a tenth of the timeout, at most 50 ms) share a deadline: the slice's end plus the timeout, so a command
 * waits at least the timeout and at most a slice more. Per slice one timer and one `AbortController`, whose
 * signal node-redis commands carry; per command only its entry. A slice's timer is cleared once its commands
 * are all answered and it takes no more; it never keeps the process alive (a command in flight holds its
 * socket, which does).
 */
export class Deadlines {
  readonly #timeoutMs: number;
  readonly #sliceMs: number;
  #current: Slice | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#sliceMs = Math.min(MAX_SLICE_MS, timeoutMs / 10);
  }

  add(reject: (error: Error) => void): Pending {
    const now = performance.now();
    let slice = this.#current;
    if (slice === undefined || now >= slice.closesAt) {
      if (slice !== undefined && slice.open === 0) this.#drop(slice);
      const controller = new AbortController();
      // every command of the slice adds a listener to its signal (node-redis): no "possible memory leak"
      // warning past ten commands in flight
      setMaxListeners(0, controller.signal);
      const closesAt = now + this.#sliceMs;
      slice = {
        closesAt,
        deadline: closesAt + this.#timeoutMs,
        controller,
        signal: controller.signal,
        client: undefined,
        pending: [],
        open: 0,
        timer: undefined,
      };
      this.#current = slice;
    }
    if (slice.timer === undefined) {
      const target = slice;
      slice.timer = setTimeout(() => this.#expire(target), Math.max(0, Math.ceil(slice.deadline - now)));
      slice.timer.unref?.();
    }
    const pending: Pending = { slice, reject, settled: false };
    slice.pending.push(pending);
    slice.open += 1;
    return pending;
  }

  /** Marks `pending` answered (true) or already expired (false): only the first call wins. */
  settle(pending: Pending): boolean {
    if (pending.settled) return false;
    pending.settled = true;
    pending.reject = undefined;
    const slice = pending.slice;
    slice.open -= 1;
    if (slice.open === 0) {
      slice.pending.length = 0;
      if (slice !== this.#current) this.#drop(slice);
    }
    return true;
  }

  #drop(slice: Slice): void {
    if (slice.timer !== undefined) clearTimeout(slice.timer);
    slice.timer = undefined;
  }

  #expire(slice: Slice): void {
    slice.timer = undefined;
    if (slice === this.#current) this.#current = undefined;
    const error = new TimeoutError(`no answer within ${this.#timeoutMs} ms`);
    // node-redis drops the slice's commands it has not written yet: they never run
    slice.controller.abort(error);
    for (const pending of slice.pending) {
      if (pending.settled) continue;
      const reject = pending.reject;
      pending.settled = true;
      pending.reject = undefined;
      reject?.(error);
    }
    slice.pending.length = 0;
    slice.open = 0;
  }
}
