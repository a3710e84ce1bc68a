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
