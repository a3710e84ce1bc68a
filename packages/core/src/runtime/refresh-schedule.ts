/**
 * When to refresh an access token, and the one timer that does it. Web APIs only.
 */

/** Starts a timer; returns a handle for `ClearTimer`. Same contract as `setTimeout`. */
export type SetTimer = (callback: () => void, delayMs: number) => unknown;

/** Cancels a timer started by `SetTimer`. Same contract as `clearTimeout`. */
export type ClearTimer = (handle: unknown) => void;

/** The longest delay `setTimeout` honours (about 24.8 days); longer ones fire at once. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * How long before expiry to refresh: `min(refreshLeadTimeMs, lifetime / 2)`, where lifetime is expiry minus
 * issue time. The clamp keeps a short-lived token (say 2 s, with a 30 s lead) usable for half its life
 * instead of counting as expired the moment it arrives.
 */
export function refreshLeadMs(lifetimeMs: number, refreshLeadTimeMs: number): number {
  return Math.min(refreshLeadTimeMs, Math.max(0, lifetimeMs) / 2);
}

/** The epoch ms from which a token issued at `issuedAtMs` and expiring at `expiresAtMs` counts as due for refresh. */
export function computeRefreshAt(expiresAtMs: number, issuedAtMs: number, refreshLeadTimeMs: number): number {
  return expiresAtMs - refreshLeadMs(expiresAtMs - issuedAtMs, refreshLeadTimeMs);
}

const defaultSetTimer: SetTimer = (callback, delayMs) => setTimeout(callback, delayMs);
const defaultClearTimer: ClearTimer = (handle) => clearTimeout(handle as Parameters<typeof clearTimeout>[0]);

/** Options of `RefreshTimer`. */
export interface RefreshTimerOptions {
  now: () => number;
  setTimer?: SetTimer;
  clearTimer?: ClearTimer;
}

/**
 * A single restartable timer that fires at an absolute time. The handle is `unref()`'d when the host supports
 * it (Node, Bun), so a pending refresh never keeps the process alive. Delays beyond `MAX_TIMER_DELAY_MS` are
 * split into several timers.
 */
export class RefreshTimer {
  readonly #now: () => number;
  readonly #setTimer: SetTimer;
  readonly #clearTimer: ClearTimer;
  #handle: unknown = null;
  #pending = false;

  constructor(options: RefreshTimerOptions) {
    this.#now = options.now;
    this.#setTimer = options.setTimer ?? defaultSetTimer;
    this.#clearTimer = options.clearTimer ?? defaultClearTimer;
  }

  /** True while a timer is armed. */
  get pending(): boolean {
    return this.#pending;
  }

  /** Replaces any armed timer with one that calls `fire` at `atMs` (epoch ms), or at once if that is past. */
  schedule(atMs: number, fire: () => void): void {
    this.cancel();
    const delay = Math.max(0, atMs - this.#now());
    const clamped = delay > MAX_TIMER_DELAY_MS;
    this.#pending = true;
    const handle = this.#setTimer(
      () => {
        if (this.#handle !== handle) return;
        this.#handle = null;
        this.#pending = false;
        if (clamped && this.#now() < atMs) this.schedule(atMs, fire);
        else fire();
      },
      clamped ? MAX_TIMER_DELAY_MS : delay,
    );
    this.#handle = handle;
    (handle as { unref?: () => void } | null)?.unref?.();
  }

  /** Disarms the timer, if any. */
  cancel(): void {
    if (!this.#pending) return;
    this.#clearTimer(this.#handle);
    this.#handle = null;
    this.#pending = false;
  }
}
