/**
 * The fetch-based `HttpTransport` (web APIs only: runs on Node, Bun, Deno, browsers and edge runtimes): a
 * wrapped `fetch` for the generated SDK. Every request through `asFetch()` gets the default headers and the
 * per-request header hook, then goes through the retry loop (`send-with-retry.ts`): per-attempt timeout, the
 * caller's abort signal, a total deadline, retries with backoff when the request may be sent again, and
 * instrumentation events.
 */
import { ConfigurationError } from "../errors.js";
import { abortableSleep } from "./abort.js";
import { checkBaseUrl, overlayHeaders, readFetchInput } from "./fetch-input.js";
import type {
  AsFetchOptions,
  FetchExecutor,
  HttpTransport,
  RetryPolicy,
  TransportInstrumentation,
} from "./http-transport.js";
import { resolveRetryPolicy } from "./retry.js";
import { type RetryLoopEnv, sendWithRetry } from "./send-with-retry.js";

export { getTransportMetadata, type TransportMetadata } from "./send-with-retry.js";

/** Per-attempt timeout used when neither the transport nor the request sets one: 30 seconds. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** What the per-request header hook is told about the request. */
export interface TransportHeadersContext {
  method: string;
  /** Absolute URL of the request, query string included. */
  url: string;
}

/** Options of `createFetchTransport()`. */
export interface FetchTransportOptions {
  /** Base URL that relative request URLs are appended to (its path is kept: `https://h/api` + `/v1/x`). */
  baseUrl?: string;
  /** Headers sent with every request (for example `x-lucid-sdk-version`); a request's own headers win. */
  defaultHeaders?: HeadersInit;
  /** Per-attempt timeout in ms when a request sets none. Default 30 000; 0 or Infinity turns it off. */
  defaultTimeoutMs?: number;
  /** The fetch to execute with. Default `globalThis.fetch`, looked up at call time. */
  fetch?: FetchExecutor;
  /** Attempts, backoff and retryable statuses (see `RetryPolicy`). */
  retry?: RetryPolicy;
  /** Hooks called around every attempt. */
  instrumentation?: TransportInstrumentation;
  /**
   * Called once per request (not per attempt, so retries resend the same headers) for headers computed at
   * request time, such as trace context. They override `defaultHeaders`; the request's own headers win.
   */
  headers?: (context: TransportHeadersContext) => HeadersInit | Promise<HeadersInit>;
  /** Random source in [0, 1) for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Waits between attempts; must reject when `signal` aborts. Default a cleared-on-abort `setTimeout`. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Clock in ms, for durations, deadlines and HTTP-date `Retry-After`. Default `Date.now`. */
  now?: () => number;
}

const defaultPolicy = resolveRetryPolicy();
const systemNow = () => Date.now();

function globalFetch(): FetchExecutor {
  const candidate = globalThis.fetch as FetchExecutor | undefined;
  if (typeof candidate !== "function") {
    throw new ConfigurationError("No fetch implementation is available.", {
      hint: "Pass `fetch` to createFetchTransport(), or run on Node >= 20, Bun, Deno or a browser.",
    });
  }
  return candidate;
}

/** The transport behind `createFetchTransport()`: state in fields, behaviour on the prototype. */
class FetchTransport implements HttpTransport {
  readonly #options: FetchTransportOptions;
  readonly #baseUrl: string | undefined;
  readonly #env: RetryLoopEnv;
  /** `asFetch()` results by options, made on first use. */
  #fetches: Map<string, FetchExecutor> | undefined;
  #firstFetchKey: string | undefined;
  #firstFetch: FetchExecutor | undefined;

  constructor(options: FetchTransportOptions) {
    this.#options = options;
    this.#baseUrl = options.baseUrl === undefined ? undefined : checkBaseUrl(options.baseUrl);
    this.#env = {
      policy: options.retry ? resolveRetryPolicy(options.retry) : defaultPolicy,
      random: options.random ?? Math.random,
      now: options.now ?? systemNow,
      sleep: options.sleep ?? abortableSleep,
      instrumentation: options.instrumentation,
    };
  }

  asFetch(options: AsFetchOptions = {}): FetchExecutor {
    // A retry mode alone (the common case) keys by its own interned name: no string is built per call.
    const retry = options.retry ?? "auto";
    const key =
      options.timeoutMs === undefined && options.deadlineMs === undefined
        ? retry
        : `${retry}:${options.timeoutMs}:${options.deadlineMs}`;
    // The first mode asked for is kept in two fields (most transports only ever see one or two): no Map for them.
    if (this.#firstFetchKey === key && this.#firstFetch) return this.#firstFetch;
    let fetch = this.#fetches?.get(key);
    if (!fetch) {
      fetch = (input, init) => this.#send(input, init, options);
      if (this.#firstFetch === undefined) {
        this.#firstFetchKey = key;
        this.#firstFetch = fetch;
      } else {
        this.#fetches ??= new Map();
        this.#fetches.set(key, fetch);
      }
    }
    return fetch;
  }

  async #send(input: RequestInfo | URL, init: RequestInit | undefined, options: AsFetchOptions) {
    const own = this.#options;
    const request = await readFetchInput(input, init, this.#baseUrl);
    const { ownHeaders } = request;
    let headers: Headers;
    if (own.defaultHeaders === undefined && own.headers === undefined) {
      // Nothing to merge: the call's own headers as they are (a Request's are already a `Headers`).
      headers = ownHeaders instanceof Headers ? ownHeaders : new Headers(ownHeaders);
    } else {
      headers = new Headers(own.defaultHeaders);
      if (own.headers)
        overlayHeaders(headers, await own.headers({ method: request.method, url: request.url }));
      overlayHeaders(headers, ownHeaders);
    }
    return sendWithRetry(
      this.#env,
      own.fetch ?? globalFetch(),
      {
        url: request.url,
        method: request.method,
        headers,
        body: request.body,
        extras: request.extras,
        signal: request.signal,
      },
      options.retry ?? "auto",
      options.timeoutMs ?? own.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      options.deadlineMs,
    );
  }
}

/**
 * Creates an `HttpTransport` that executes with `fetch` (injected, or `globalThis.fetch` at call time).
 * `asFetch()` returns a fetch function for the generated SDK that resolves with the raw response whatever its
 * status, and rejects with `HttpTransportError` only when there is none (network error, timeout, abort).
 */
export function createFetchTransport(options: FetchTransportOptions = {}): HttpTransport {
  return new FetchTransport(options);
}
