/**
 * The retry loop of the fetch transport: sends one outgoing request, once or more, and returns the response.
 *
 * - A request is sent again only when its body can be replayed and the `RetryMode` allows it; after a network
 *   failure, a timeout of one attempt, or a retryable status (capped full-jitter backoff, or `Retry-After`).
 * - Abort signals cost nothing when unused: no timeout, deadline or caller signal means no controller at all;
 *   the caller's signal alone is handed to fetch as is; a timeout makes one controller per attempt, which the
 *   caller's signal (and the deadline) abort too.
 * - The promise resolves with the response whatever its status, or rejects with `HttpTransportError` when
 *   there is none (network error, timeout, abort).
 */
import {
  type AbortTimer,
  AttemptAbort,
  isTimerDelay,
  linkAbort,
  raceAbort,
  startAbortTimer,
} from "./abort.js";
import type { Outgoing } from "./fetch-input.js";
import type { FetchExecutor, RetryMode, TransportInstrumentation } from "./http-transport.js";
import type { HttpTransportError } from "./http-transport-error.js";
import {
  canResend,
  isReplayableBody,
  isRetryableStatus,
  type ResolvedRetryPolicy,
  retryDelay,
} from "./retry.js";
import { callerAborted, classifyFailure, deadlineExceeded, redactUrl } from "./transport-failure.js";

/** What the loop needs from its transport. */
export interface RetryLoopEnv {
  policy: ResolvedRetryPolicy;
  random: () => number;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  instrumentation: TransportInstrumentation | undefined;
}

/** What a transport recorded about a response it returned. */
export interface TransportMetadata {
  /** Attempts made, 1 when the first one answered. */
  attempts: number;
  /** Time from the start of the call to the response, backoff delays included. */
  durationMs: number;
}

const metadataByResponse = new WeakMap<object, TransportMetadata>();

/** Attempts and duration behind a `Response` returned by a transport, for telemetry; undefined otherwise. */
export const getTransportMetadata = (response: Response): TransportMetadata | undefined =>
  metadataByResponse.get(response);

function emit<K extends keyof TransportInstrumentation>(
  instrumentation: TransportInstrumentation | undefined,
  name: K,
  event: Parameters<NonNullable<TransportInstrumentation[K]>>[0],
): void {
  const hook = instrumentation?.[name] as ((event: unknown) => void) | undefined;
  if (!hook) return;
  try {
    hook.call(instrumentation, event);
  } catch {
    // Instrumentation must never break a request.
  }
}

const noop = () => {};

/**
 * Combines two optional signals into one (no controller when one of them is absent); `unlink` removes the
 * listeners it put on them (a caller's signal may outlive many requests).
 */
function either(
  a: AbortSignal | undefined,
  b: AbortSignal | undefined,
): { signal: AbortSignal | undefined; unlink: () => void } {
  if (!a || !b) return { signal: a ?? b, unlink: noop };
  const controller = new AbortController();
  const unlinkA = linkAbort(a, controller);
  const unlinkB = linkAbort(b, controller);
  return {
    signal: controller.signal,
    unlink: () => {
      unlinkA();
      unlinkB();
    },
  };
}

/** Why no further attempt is made, once the caller aborted or the deadline passed; else undefined. */
function stopped(
  out: Outgoing,
  attempts: number,
  deadline: AbortTimer | undefined,
  deadlineMs: number | undefined,
): HttpTransportError | undefined {
  const callerSignal = out.signal;
  if (callerSignal?.aborted)
    return callerAborted(out.method, redactUrl(out.url), attempts, callerSignal.reason);
  if (deadline?.fired) {
    return deadlineExceeded(out.method, redactUrl(out.url), attempts, deadlineMs!, deadline.signal.reason);
  }
  return undefined;
}

/** The fetch options of one attempt. */
function attemptInit(out: Outgoing, signal: AbortSignal | undefined): RequestInit & { duplex?: "half" } {
  const init: RequestInit & { duplex?: "half" } = { ...out.extras, method: out.method, headers: out.headers };
  if (signal) init.signal = signal;
  const body = out.body;
  if (body !== undefined && body !== null) {
    init.body = body;
    if (!isReplayableBody(body)) init.duplex = "half";
  }
  return init;
}

/** Sends `out`, retrying as `retry` allows; resolves with the response (any status). */
export async function sendWithRetry(
  env: RetryLoopEnv,
  fetch: FetchExecutor,
  out: Outgoing,
  retry: RetryMode,
  timeoutMs: number | undefined,
  deadlineOption: number | undefined,
): Promise<Response> {
  const { method, signal: callerSignal } = out;
  const { policy, now, instrumentation } = env;
  // The redacted URL (no credentials, query or fragment) is for events and errors: made here only for
  // instrumentation; an error makes its own.
  const url = instrumentation ? redactUrl(out.url) : "";
  const maxAttempts =
    isReplayableBody(out.body) && canResend(retry, method, out.headers) ? policy.maxAttempts : 1;
  const startedAt = now();
  const deadlineMs = isTimerDelay(deadlineOption) ? deadlineOption : undefined;
  const deadline =
    deadlineMs === undefined
      ? undefined
      : startAbortTimer(deadlineMs, `The request exceeded ${deadlineMs} ms.`);
  // Aborts on the caller's signal or the deadline; every attempt and every backoff sleep follows it.
  const run = either(callerSignal, deadline?.signal);
  const runSignal = run.signal;
  const attemptTimeout = isTimerDelay(timeoutMs) ? timeoutMs : undefined;
  const timeoutMessage =
    attemptTimeout === undefined ? "" : `The attempt timed out after ${attemptTimeout} ms.`;

  /** The delay before another attempt, or undefined when none may follow. */
  const planRetry = (attempt: number, retryAfter: string | null | undefined) => {
    if (attempt >= maxAttempts) return undefined;
    const delayMs = retryDelay({
      retryIndex: attempt - 1,
      policy,
      random: env.random,
      retryAfter,
      nowMs: now(),
    });
    if (deadlineMs !== undefined && now() + delayMs >= startedAt + deadlineMs) return undefined;
    return delayMs;
  };

  try {
    for (let attempt = 1; ; attempt++) {
      const stop = stopped(out, attempt - 1, deadline, deadlineMs);
      if (stop) throw stop;
      // A controller only with a timeout (one per attempt, following the run's signal); without one, the
      // run's signal (if any) is handed to fetch as is.
      const abort =
        attemptTimeout !== undefined
          ? new AttemptAbort(attemptTimeout, timeoutMessage, runSignal)
          : undefined;
      const signal = abort ? abort.signal : runSignal;
      const attemptStartedAt = now();
      if (instrumentation?.onRequest) emit(instrumentation, "onRequest", { method, url, attempt });

      let response: Response | undefined;
      let delayMs: number | undefined;
      let reason = "";
      try {
        const pending = fetch(out.url, attemptInit(out, signal));
        response = await (abort ? abort.race(pending) : signal ? raceAbort(pending, signal) : pending);
      } catch (error) {
        const failure = stopped(out, attempt, deadline, deadlineMs);
        const { error: failed, retry: again } = failure
          ? { error: failure, retry: false }
          : classifyFailure(
              error,
              { method, url: url || redactUrl(out.url), attempt, timeoutMs },
              abort?.timedOut ?? false,
            );
        if (instrumentation?.onError) {
          emit(instrumentation, "onError", {
            method,
            url,
            attempt,
            error: failed,
            durationMs: now() - attemptStartedAt,
          });
        }
        delayMs = again ? planRetry(attempt, undefined) : undefined;
        if (delayMs === undefined) throw failed;
        reason = failed.code;
      } finally {
        abort?.clear();
      }

      if (response) {
        if (instrumentation?.onResponse) {
          const durationMs = now() - attemptStartedAt;
          emit(instrumentation, "onResponse", { method, url, attempt, status: response.status, durationMs });
        }
        if (isRetryableStatus(response.status, policy)) {
          delayMs = planRetry(attempt, response.headers.get("retry-after"));
          reason = `status ${response.status}`;
        }
        if (delayMs === undefined) {
          metadataByResponse.set(response, { attempts: attempt, durationMs: now() - startedAt });
          return response;
        }
        response.body?.cancel().catch(() => {});
      }

      emit(instrumentation, "onRetry", { method, url, attempt, delayMs: delayMs!, reason });
      try {
        await (runSignal ? raceAbort(env.sleep(delayMs!, runSignal), runSignal) : env.sleep(delayMs!, NEVER));
      } catch (error) {
        throw stopped(out, attempt, deadline, deadlineMs) ?? error;
      }
    }
  } finally {
    deadline?.clear();
    run.unlink();
  }
}

/** Handed to `sleep` when nothing can abort it. */
const NEVER = new AbortController().signal;
