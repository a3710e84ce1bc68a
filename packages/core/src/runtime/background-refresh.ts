/**
 * The background refresh of a `TokenManager`: one timer that refreshes the held tokens when they are due, through
 * the manager's single-flight refresh, re-armed after every change of the held tokens.
 */
import { AgentAuthError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { RefreshTimer } from "./refresh-schedule.js";
import type { TokenState } from "./token-state.js";
import type { CancelHandle, TokenBundleInput } from "./token-types.js";

/** After a background refresh, the timer never fires again sooner than this (guards loops on skewed clocks). */
const MIN_REFIRE_DELAY_MS = 1_000;

interface Schedule {
  readonly trigger: () => Promise<TokenBundleInput>;
  readonly onError: ((error: unknown) => void) | undefined;
  /** The state the timer last fired for; the timer is not re-armed for the same state. */
  firedFor: TokenState | null;
}

/** What the background refresh acts on: the manager's timer, clock, held state and single-flight refresh. */
export interface BackgroundRefreshDeps {
  timer: RefreshTimer;
  now: () => number;
  state: () => TokenState | null;
  refresh: (trigger: () => Promise<TokenBundleInput>) => Promise<unknown>;
  /** Receives errors of schedules without their own handler; else they go to `logger.warn`. */
  onError: ((error: unknown) => void) | undefined;
  logger: Logger | undefined;
}

/** One refresh schedule at a time (a new one replaces the old); errors never become unhandled rejections. */
export class BackgroundRefresh {
  readonly #deps: BackgroundRefreshDeps;
  #schedule: Schedule | null = null;

  constructor(deps: BackgroundRefreshDeps) {
    this.#deps = deps;
  }

  /** Starts refreshing through `trigger` when due; `cancel()` ends this schedule. */
  start(
    trigger: () => Promise<TokenBundleInput>,
    onError: ((error: unknown) => void) | undefined,
  ): CancelHandle {
    const schedule: Schedule = { trigger, onError, firedFor: null };
    this.#schedule = schedule;
    this.arm();
    return {
      cancel: () => {
        if (this.#schedule !== schedule) return;
        this.#schedule = null;
        this.#deps.timer.cancel();
      },
    };
  }

  /** Ends any schedule and disarms the timer. */
  stop(): void {
    this.#schedule = null;
    this.#deps.timer.cancel();
  }

  /** Disarms the timer and keeps the schedule (it is armed again when tokens are held again). */
  disarm(): void {
    this.#deps.timer.cancel();
  }

  /** (Re-)arms the timer for the held tokens; disarms it when there is no schedule or no tokens. */
  arm(): void {
    const schedule = this.#schedule;
    const state = this.#deps.state();
    if (schedule === null || state === null) {
      this.#deps.timer.cancel();
      return;
    }
    if (schedule.firedFor === state) return;
    let at = state.refreshAtMs;
    if (schedule.firedFor !== null) at = Math.max(at, this.#deps.now() + MIN_REFIRE_DELAY_MS);
    this.#deps.timer.schedule(at, () => this.#fire(schedule));
  }

  #fire(schedule: Schedule): void {
    if (this.#schedule !== schedule) return;
    const state = this.#deps.state();
    if (state === null) return;
    if (this.#deps.now() < state.refreshAtMs) {
      // Fired early (timer and wall clock disagree by a little): wait for the due time instead.
      this.#deps.timer.schedule(state.refreshAtMs, () => this.#fire(schedule));
      return;
    }
    schedule.firedFor = state;
    this.#deps
      .refresh(() => schedule.trigger())
      .then(
        () => this.arm(),
        (error: unknown) => {
          const onError = schedule.onError ?? this.#deps.onError;
          if (onError) {
            try {
              onError(error);
            } catch {
              // a throwing error handler must not become an unhandled rejection
            }
          } else {
            this.#deps.logger?.warn(
              {
                event: "agent_auth.token_refresh_failed",
                code: AgentAuthError.isInstance(error) ? error.code : undefined,
              },
              "background token refresh failed",
            );
          }
        },
      );
  }
}
