/**
 * The retry loop of the fetch transport: sends one outgoing request, once or more, and returns the response.
 *
 * - A request is sent again only when its body can be replayed and the `RetryMode` allows it; after a network
 *   failure, a timeout of one attempt, or a retryable status (capped full-jitter backoff, or `Retry-After`).
 * - Abort signals cost nothing when unused: no timeout, deadline or caller signal means no controller at all;
 *   the caller's signal alone is handed to fetch as is; a timeout makes one controller per attempt.
 * - The promise resolves with the response whatever its status, or rejects with `HttpTransportError` when
 *   there is none (network error, timeout, abort).
 */
import { isTimerDelay, linkAbort, raceAbort, startAbortTimer } from "./abort.js";
import type { Outgoing } from "./fetch-input.js";
import type { FetchExecutor, RetryMode, TransportInstrumentation } from "./http-transport.js";
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

/** How one request is sent: its retry mode, per-attempt timeout and total deadline. */
export interface SendOptions {
  retry: RetryMode;
  timeoutMs: number | undefined;
  deadlineMs: number | undefined;
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

/** Combines two optional signals into one (no controller when one of them is absent). */
function either(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  if (!a || !b) return a ?? b;
  const controller = new AbortController();
  linkAbort(a, controller);
  linkAbort(b, controller);
  return controller.signal;
}

/** Sends `out` under `options`, retrying as allowed; resolves with the response (any status). */
export async function sendWithRetry(
  env: RetryLoopEnv,
  fetch: FetchExecutor,
  out: Outgoing,
  options: SendOptions,
): Promise<Response> {
  const { method, signal: callerSignal } = out;
  const url = redactUrl(out.url);
  const { policy, now, instrumentation } = env;
  const maxAttempts =
    isReplayableBody(out.body) && canResend(options.retry, method, out.headers) ? policy.maxAttempts : 1;
  const startedAt = now();
  const deadlineMs = isTimerDelay(options.deadlineMs) ? options.deadlineMs : undefined;
  const deadline =
    deadlineMs === undefined
      ? undefined
      : startAbortTimer(deadlineMs, `The request exceeded ${deadlineMs} ms.`);
  // Aborts on the caller's signal or the deadline; every attempt and every backoff sleep follows it.
  const runSignal = either(callerSignal, deadline?.signal);

  const stopped = (attempts: number) => {
    if (callerSignal?.aborted) return callerAborted(method, url, attempts, callerSignal.reason);
    if (deadline?.fired) return deadlineExceeded(method, url, attempts, deadlineMs!, deadline.signal.reason);
    return undefined;
  };
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
      const stop = stopped(attempt - 1);
      if (stop) throw stop;
      const timer = isTimerDelay(options.timeoutMs)
        ? startAbortTimer(options.timeoutMs, `The attempt timed out after ${options.timeoutMs} ms.`)
        : undefined;
      // The timer's controller follows the run's signal: one controller per attempt, and only with a timeout.
      if (timer && runSignal) linkAbort(runSignal, timer.controller);
      const signal = timer?.signal ?? runSignal;
      const attemptStartedAt = now();
      emit(instrumentation, "onRequest", { method, url, attempt });

      let response: Response | undefined;
      let delayMs: number | undefined;
      let reason = "";
      try {
        const init: RequestInit & { duplex?: "half" } = { ...out.extras, method, headers: out.headers };
        if (signal) init.signal = signal;
        if (out.body !== undefined && out.body !== null) init.body = out.body;
        if (!isReplayableBody(out.body)) init.duplex = "half";
        const pending = fetch(out.url, init);
        response = await (signal ? raceAbort(pending, signal) : pending);
      } catch (error) {
        const failure = stopped(attempt);
        const { error: failed, retry } = failure
          ? { error: failure, retry: false }
          : classifyFailure(
              error,
              { method, url, attempt, timeoutMs: options.timeoutMs },
              timer?.fired ?? false,
            );
        emit(instrumentation, "onError", {
          method,
          url,
          attempt,
          error: failed,
          durationMs: now() - attemptStartedAt,
        });
        delayMs = retry ? planRetry(attempt, undefined) : undefined;
        if (delayMs === undefined) throw failed;
        reason = failed.code;
      } finally {
        timer?.clear();
      }

      if (response) {
        const durationMs = now() - attemptStartedAt;
        emit(instrumentation, "onResponse", { method, url, attempt, status: response.status, durationMs });
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
        throw stopped(attempt) ?? error;
      }
    }
  } finally {
    deadline?.clear();
  }
}

/** Handed to `sleep` when nothing can abort it. */
const NEVER = new AbortController().signal;
