/**
 * Abort-signal plumbing of the transports (web APIs only): timers that abort a controller and can be cleared,
 * signal links that can be undone, and a sleep that stops as soon as its signal aborts.
 */

/** Largest delay `setTimeout` accepts; longer ones fire at once, so they count as "no timeout". */
const MAX_TIMER_MS = 2_147_483_647;

/** True when `ms` is a usable timer delay (finite, > 0, within the platform's limit). */
export const isTimerDelay = (ms: number | undefined): ms is number =>
  typeof ms === "number" && Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMER_MS;

/** A DOMException named `TimeoutError`, the reason the platform itself uses for timeouts. */
export const timeoutReason = (message: string): DOMException => new DOMException(message, "TimeoutError");

/** A controller aborted with a `TimeoutError` after `ms`; `clear()` stops the timer. */
export interface AbortTimer {
  /** The controller the timer aborts (other signals may be linked into it). */
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** True once the timer fired. */
  readonly fired: boolean;
  clear(): void;
}

/** Starts a timer that aborts its signal after `ms` (a usable delay: check with `isTimerDelay`). */
export function startAbortTimer(ms: number, message: string): AbortTimer {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort(timeoutReason(message));
  }, ms);
  return {
    controller,
    signal: controller.signal,
    get fired() {
      return fired;
    },
    clear: () => clearTimeout(timer),
  };
}

const noop = () => {};

/**
 * The abort of one attempt: a controller that its timeout, or the signal it follows (the caller's or the
 * run's), aborts; `race()` settles like the fetch, or rejects at once when the attempt is aborted, so a fetch
 * that ignores its signal still stops. No closure per attempt: the timer and the listener call this object.
 */
export class AttemptAbort {
  readonly controller = new AbortController();
  /** True once the attempt's own timeout fired. */
  timedOut = false;
  readonly #timeoutMessage: string;
  readonly #follow: AbortSignal | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reject: ((reason: unknown) => void) | undefined;

  /** `timeoutMs`: a usable delay (`isTimerDelay`) or undefined for none; `follow`: a signal to follow. */
  constructor(timeoutMs: number | undefined, timeoutMessage: string, follow: AbortSignal | undefined) {
    this.#timeoutMessage = timeoutMessage;
    this.#follow = follow;
    if (follow?.aborted) {
      this.controller.abort(follow.reason);
      return;
    }
    follow?.addEventListener("abort", this, { once: true });
    if (timeoutMs !== undefined) this.#timer = setTimeout(onAttemptTimeout, timeoutMs, this);
  }

  /** The signal to hand to fetch. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The followed signal aborted (EventListener interface). */
  handleEvent(): void {
    this.#abort(this.#follow?.reason);
  }

  /** The timeout fired. */
  fire(): void {
    this.timedOut = true;
    this.#abort(timeoutReason(this.#timeoutMessage));
  }

  /** Settles like `pending`, or rejects with the abort reason as soon as the attempt is aborted. */
  race<T>(pending: Promise<T>): Promise<T> {
    const signal = this.controller.signal;
    if (signal.aborted) {
      pending.catch(noop);
      return Promise.reject(signal.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.#reject = reject;
      pending.then(resolve, reject);
    });
  }

  /** Stops the timer and the listener (call when the attempt settled). */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#follow?.removeEventListener("abort", this);
    this.#reject = undefined;
  }

  #abort(reason: unknown): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.controller.abort(reason);
    this.#reject?.(reason);
  }
}

function onAttemptTimeout(attempt: AttemptAbort): void {
  attempt.fire();
}

/** Makes `controller` abort (with the same reason) when `source` aborts. Returns a function that undoes the link. */
export function linkAbort(source: AbortSignal | undefined, controller: AbortController): () => void {
  if (!source) return noop;
  if (source.aborted) {
    controller.abort(source.reason);
    return () => {};
  }
  const onAbort = () => controller.abort(source.reason);
  source.addEventListener("abort", onAbort, { once: true });
  return () => source.removeEventListener("abort", onAbort);
}

/** Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts (whichever comes first). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`, or rejects with `signal.reason` as soon as `signal` aborts; the timer is cleared either way. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, Math.min(ms, MAX_TIMER_MS)),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
