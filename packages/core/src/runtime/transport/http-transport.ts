/**
 * The transport contract: how the runtime executes HTTP. Every network call of the runtime goes through the
 * generated SDK, which is handed `transport.asFetch()`, so retries, timeouts, default headers and
 * instrumentation apply to every request in one place.
 */

/** A fetch function (what the generated SDK and `asFetch()` speak). */
export type FetchExecutor = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * When a request may be sent again after a failure.
 * - `"safe"`: the request can be repeated without effect (GET/HEAD/OPTIONS, a challenge request, or a request
 *   carrying an idempotency key).
 * - `"never"`: never resent once it may have reached the server (exchange, refresh).
 * - `"auto"` (default): `"safe"` for GET/HEAD/OPTIONS and for requests with an `Idempotency-Key` header,
 *   `"never"` otherwise.
 */
export type RetryMode = "auto" | "safe" | "never";

/** How often and how long apart failed requests are retried (only requests the `RetryMode` allows). */
export interface RetryPolicy {
  /** Attempts in total, including the first. Default 3. */
  maxAttempts?: number;
  /** First backoff step in ms (full jitter: a random delay in [0, min(maxDelayMs, baseDelayMs * 2^n)]). Default 200. */
  baseDelayMs?: number;
  /** Cap on one backoff delay, and on a `Retry-After` the server asks for. Default 5000. */
  maxDelayMs?: number;
  /** HTTP statuses that are retried. Default 408, 429, 502, 503, 504. */
  retryOnStatus?: readonly number[];
}

/** Options of `asFetch()`: the retry mode applied to every request made through the returned fetch. */
export interface AsFetchOptions {
  /** Default `"auto"`: retry GET/HEAD/OPTIONS and requests carrying an `Idempotency-Key` header. */
  retry?: RetryMode;
  /** Per-attempt timeout in ms (time to the response headers). Default: the transport's `defaultTimeoutMs`. */
  timeoutMs?: number;
  /** Total deadline in ms across all attempts and backoff delays, up to the response headers. */
  deadlineMs?: number;
}

/** Executes HTTP for the runtime: a wrapped fetch handed to the generated SDK. */
export interface HttpTransport {
  /** A fetch function with this transport's behaviour, for the generated SDK (`createClient({ fetch })`). */
  asFetch(options?: AsFetchOptions): FetchExecutor;
}

/** Called around every attempt, for logging, metrics or tracing. Must not throw. */
export interface TransportInstrumentation {
  onRequest?(event: { method: string; url: string; attempt: number }): void;
  onResponse?(event: {
    method: string;
    url: string;
    attempt: number;
    status: number;
    durationMs: number;
  }): void;
  onError?(event: { method: string; url: string; attempt: number; error: unknown; durationMs: number }): void;
  onRetry?(event: { method: string; url: string; attempt: number; delayMs: number; reason: string }): void;
}
