/**
 * The transport contract: how the runtime executes HTTP. Every network call of the runtime goes through the
 * generated SDK, which is handed `transport.asFetch()`, so retries, timeouts, default headers and
 * instrumentation apply to every request in one place.
 */

/** HTTP methods a transport request may use. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
/**
 * How `request()` reads the response body: `json` (text when it is not JSON, null when empty), `text`,
 * `arrayBuffer`, `blob`, `stream` (the unread `ReadableStream`) or `response` (the unread `Response`).
 */
export type HttpResponseType = "json" | "text" | "arrayBuffer" | "blob" | "stream" | "response";
/** Query parameters appended to the URL; null and undefined values are left out. */
export type QueryParameters = Record<string, string | number | boolean | null | undefined>;

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

/** One request made with `HttpTransport.request()`. */
export interface HttpRequestOptions {
  /** Destination; a relative path needs a transport with a `baseUrl`. */
  url: string | URL;
  method?: HttpMethod;
  headers?: HeadersInit;
  /** Raw body. */
  body?: BodyInit | null;
  /** A value to send as JSON (sets `content-type`). */
  json?: unknown;
  query?: QueryParameters;
  /** The caller's abort signal: aborting stops the current attempt and every later one. */
  signal?: AbortSignal;
  /** How to parse the response body. Default `json` (falls back to text when the body is not JSON). */
  parseAs?: HttpResponseType;
  /** Per-attempt timeout in ms (reading the body included). Default: the transport's `defaultTimeoutMs`. */
  timeoutMs?: number;
  /** Total deadline in ms across all attempts and backoff delays. */
  deadlineMs?: number;
  /** Default true: a non-2xx response rejects with `HttpTransportError`. */
  throwOnError?: boolean;
  retry?: RetryMode;
}

/** The response of `HttpTransport.request()`, with its body parsed into `data`. */
export interface HttpResponse<TData = unknown> {
  status: number;
  headers: Headers;
  data: TData;
  raw: Response;
  url: string;
  /** Attempts made, 1 when the first one answered. */
  attempts: number;
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

/** Executes HTTP for the runtime: `request()` for direct calls, `asFetch()` for the generated SDK. */
export interface HttpTransport {
  request<TResponse = unknown>(options: HttpRequestOptions): Promise<HttpResponse<TResponse>>;
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
