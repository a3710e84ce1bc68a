/**
 * The fetch-based `HttpTransport` (web APIs only: runs on Node, Bun, Deno, browsers and edge runtimes).
 *
 * Every request, whether made with `request()` or through the fetch function of `asFetch()` handed to the
 * generated SDK, goes through one loop: default headers and the per-request header hook, a per-attempt
 * timeout, the caller's abort signal and a total deadline, retries with capped full-jitter backoff (or the
 * server's `Retry-After`) when the request may safely be sent again, and instrumentation events.
 */
import { ConfigurationError } from "../errors.js";
import { abortableSleep, isTimerDelay, linkAbort, raceAbort, startAbortTimer } from "./abort.js";
import type {
  AsFetchOptions,
  FetchExecutor,
  HttpRequestOptions,
  HttpResponse,
  HttpResponseType,
  HttpTransport,
  QueryParameters,
  RetryMode,
  RetryPolicy,
  TransportInstrumentation,
} from "./http-transport.js";
import { HttpTransportError, isHttpTransportError } from "./http-transport-error.js";
import { canResend, isReplayableBody, isRetryableStatus, resolveRetryPolicy, retryDelay } from "./retry.js";

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

/** What a transport recorded about a response it returned. */
export interface TransportMetadata {
  /** Attempts made, 1 when the first one answered. */
  attempts: number;
  /** Time from the start of the call to the response, backoff delays included. */
  durationMs: number;
}

const metadataByResponse = new WeakMap<object, TransportMetadata>();

/**
 * Attempts and duration behind a `Response` returned by a transport (including through `asFetch()`), for
 * telemetry; undefined for any other response.
 */
export const getTransportMetadata = (response: Response): TransportMetadata | undefined =>
  metadataByResponse.get(response);

/** A request ready to execute, whichever entry point it came from. */
interface Outgoing {
  url: string;
  method: string;
  headers: Headers;
  body: BodyInit | null | undefined;
  /** Other fetch options (redirect, credentials, ...). */
  extras: RequestInit;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  deadlineMs: number | undefined;
  retry: RetryMode;
}

type Finish<T> = (response: Response, info: TransportMetadata) => Promise<T>;

type AttemptResult<T> = { done: true; value: T } | { done: false; delayMs: number; reason: string };

const absoluteUrl = /^[a-zA-Z][a-zA-Z\d+.-]*:/;

/** The URL as it may appear in messages and events: no credentials, query string or fragment. */
const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? "";
  }
};

const isRequestLike = (input: unknown): input is Request =>
  typeof input === "object" &&
  input !== null &&
  !(input instanceof URL) &&
  typeof (input as Request).url === "string" &&
  typeof (input as Request).method === "string" &&
  typeof (input as Request).arrayBuffer === "function";

const isAbortError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";

const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === "string" ? cause.code : undefined;
  return detail ? `${error.message} (${detail})` : error.message;
};

/** Fetch options a `Request` carries beyond method/headers/body/signal, copied only when not the default. */
const requestExtras = (request: Request): RequestInit => {
  const extras: RequestInit = {};
  if (request.redirect && request.redirect !== "follow") extras.redirect = request.redirect;
  if (request.credentials && request.credentials !== "same-origin") extras.credentials = request.credentials;
  if (request.cache && request.cache !== "default") extras.cache = request.cache;
  if (request.mode && request.mode !== "cors" && request.mode !== "navigate") extras.mode = request.mode;
  if (request.integrity) extras.integrity = request.integrity;
  if (request.keepalive) extras.keepalive = true;
  if (request.referrerPolicy) extras.referrerPolicy = request.referrerPolicy;
  return extras;
};

const overlayHeaders = (target: Headers, source: HeadersInit | undefined) => {
  if (source === undefined) return;
  new Headers(source).forEach((value, key) => {
    target.set(key, value);
  });
};

const readBody = async (response: Response, parseAs: HttpResponseType): Promise<unknown> => {
  switch (parseAs) {
    case "response":
      return response;
    case "stream":
      return response.body;
    case "text":
      return response.text();
    case "arrayBuffer":
      return response.arrayBuffer();
    case "blob":
      return response.blob();
    default: {
      const text = await response.text();
      if (text.trim() === "") return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
  }
};

const serverErrorCode = (data: unknown): string | undefined => {
  const code = (data as { error?: unknown } | null)?.error;
  return typeof code === "string" && /^[\w.-]{1,64}$/.test(code) ? code : undefined;
};

const serverErrorMessage = (data: unknown): string | undefined => {
  const message = (data as { message?: unknown } | null)?.message;
  return typeof message === "string" && message.length > 0 && message.length <= 500 ? message : undefined;
};

/**
 * Creates an `HttpTransport` that executes with `fetch` (injected, or `globalThis.fetch` at call time).
 *
 * `request()` rejects with `HttpTransportError` on a non-2xx status (unless `throwOnError: false`), a network
 * failure, a timeout or an abort. `asFetch()` returns a fetch function for the generated SDK that resolves with
 * the raw response whatever its status and rejects with `HttpTransportError` only when there is no response.
 */
export function createFetchTransport(options: FetchTransportOptions = {}): HttpTransport {
  const policy = resolveRetryPolicy(options.retry);
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => Date.now());
  const sleep = options.sleep ?? abortableSleep;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const instrumentation = options.instrumentation;

  let baseUrl: string | undefined;
  if (options.baseUrl !== undefined) {
    try {
      baseUrl = new URL(options.baseUrl).href;
    } catch (cause) {
      throw new ConfigurationError(`baseUrl "${options.baseUrl}" is not an absolute URL.`, {
        hint: "Pass the server's origin, for example https://lucid.daydream.systems.",
        cause,
      });
    }
  }

  const emit = <K extends keyof TransportInstrumentation>(
    name: K,
    event: Parameters<NonNullable<TransportInstrumentation[K]>>[0],
  ) => {
    const hook = instrumentation?.[name] as ((event: unknown) => void) | undefined;
    if (!hook) return;
    try {
      hook.call(instrumentation, event);
    } catch {
      // Instrumentation must never break a request.
    }
  };

  const resolveFetch = (): FetchExecutor => {
    const candidate = options.fetch ?? (globalThis.fetch as FetchExecutor | undefined);
    if (typeof candidate !== "function") {
      throw new ConfigurationError("No fetch implementation is available.", {
        hint: "Pass `fetch` to createFetchTransport(), or run on Node >= 20, Bun, Deno or a browser.",
      });
    }
    return candidate;
  };

  const resolveUrl = (input: string | URL, query?: QueryParameters): string => {
    const text = input instanceof URL ? input.href : input;
    const isAbsolute = absoluteUrl.test(text);
    if (!isAbsolute && baseUrl === undefined) {
      throw new ConfigurationError(`The relative URL "${text}" needs a transport with a baseUrl.`, {
        hint: "Pass baseUrl to the transport factory, or use an absolute URL.",
      });
    }
    let url: URL;
    try {
      url = new URL(isAbsolute ? text : `${baseUrl?.replace(/\/+$/, "")}/${text.replace(/^\/+/, "")}`);
    } catch (cause) {
      throw new ConfigurationError(`"${text}" is not a valid URL.`, { cause });
    }
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== null && value !== undefined) url.searchParams.append(key, String(value));
    }
    return url.href;
  };

  const composeHeaders = async (method: string, url: string, own: HeadersInit | undefined) => {
    const headers = new Headers(options.defaultHeaders);
    if (options.headers) overlayHeaders(headers, await options.headers({ method, url }));
    overlayHeaders(headers, own);
    return headers;
  };

  /** The retry loop shared by `request()` and `asFetch()`. */
  const run = async <T>(out: Outgoing, finish: Finish<T>, keepCallerLink: boolean): Promise<T> => {
    const fetchImpl = resolveFetch();
    const { method } = out;
    const url = redactUrl(out.url);
    const maxAttempts =
      isReplayableBody(out.body) && canResend(out.retry, method, out.headers) ? policy.maxAttempts : 1;
    const startedAt = now();
    const deadlineAt = isTimerDelay(out.deadlineMs) ? startedAt + out.deadlineMs : undefined;
    const deadline = startAbortTimer(
      out.deadlineMs,
      `The request exceeded its deadline of ${out.deadlineMs} ms.`,
    );
    // Aborts on the caller's signal or the deadline; every attempt and every backoff sleep follows it.
    const runController = new AbortController();
    const unlinkCaller = linkAbort(out.signal, runController);
    const unlinkDeadline = linkAbort(deadline.signal, runController);
    let succeeded = false;

    /** The error that stops everything (caller abort, deadline), if one fired. */
    const stopped = (attempts: number): HttpTransportError | undefined => {
      if (out.signal?.aborted) {
        return new HttpTransportError("aborted", `${method} ${url} was aborted by the caller.`, {
          method,
          url,
          attempts,
          retryable: false,
          cause: out.signal.reason,
        });
      }
      if (deadline.fired) {
        return new HttpTransportError(
          "timeout",
          `${method} ${url} exceeded its deadline of ${out.deadlineMs} ms.`,
          {
            method,
            url,
            attempts,
            retryable: true,
            cause: deadline.signal.reason,
            hint: "Raise deadlineMs, or check that the server is reachable and answering.",
          },
        );
      }
      return undefined;
    };

    /** Maps a failure of one attempt to an error, and says whether another attempt may follow. */
    const classify = (
      error: unknown,
      attempt: number,
      timedOut: boolean,
      phase: "request" | "body",
    ): { error: HttpTransportError; retry: boolean } => {
      const stop = stopped(attempt);
      if (stop) return { error: stop, retry: false };
      if (timedOut) {
        return {
          error: new HttpTransportError(
            "timeout",
            `${method} ${url} timed out after ${out.timeoutMs} ms (attempt ${attempt}).`,
            {
              method,
              url,
              attempts: attempt,
              retryable: true,
              cause: error,
              hint: "Raise timeoutMs, or check that the server is reachable and answering.",
            },
          ),
          retry: true,
        };
      }
      if (isAbortError(error)) {
        return {
          error: new HttpTransportError("aborted", `${method} ${url} was aborted.`, {
            method,
            url,
            attempts: attempt,
            retryable: false,
            cause: error,
          }),
          retry: false,
        };
      }
      const isTypeError = error instanceof TypeError || (error as { name?: unknown })?.name === "TypeError";
      if (phase === "body" && !isTypeError) {
        return {
          error: new HttpTransportError(
            "parse_error",
            `The response body of ${method} ${url} could not be read: ${describe(error)}`,
            { method, url, attempts: attempt, retryable: false, cause: error },
          ),
          retry: false,
        };
      }
      return {
        error: new HttpTransportError("network_error", `${method} ${url} failed: ${describe(error)}`, {
          method,
          url,
          attempts: attempt,
          retryable: true,
          cause: error,
          hint: "Check the base URL and that the server is reachable.",
        }),
        retry: true,
      };
    };

    /** The delay before another attempt, or undefined when none may follow (attempts used, deadline too close). */
    const planRetry = (attempt: number, retryAfter: string | null | undefined): number | undefined => {
      if (attempt >= maxAttempts) return undefined;
      const delayMs = retryDelay({ retryIndex: attempt - 1, policy, random, retryAfter, nowMs: now() });
      if (deadlineAt !== undefined && now() + delayMs >= deadlineAt) return undefined;
      return delayMs;
    };

    const attemptOnce = async (attempt: number): Promise<AttemptResult<T>> => {
      const controller = new AbortController();
      const unlinkRun = linkAbort(runController.signal, controller);
      const timer = startAbortTimer(out.timeoutMs, `The attempt timed out after ${out.timeoutMs} ms.`);
      const unlinkTimer = linkAbort(timer.signal, controller);
      const signal = controller.signal;
      const attemptStartedAt = now();
      let keepLink = false;
      emit("onRequest", { method, url, attempt });

      const failed = (error: unknown, phase: "request" | "body"): AttemptResult<T> => {
        const failure = classify(error, attempt, timer.fired, phase);
        emit("onError", { method, url, attempt, error: failure.error, durationMs: now() - attemptStartedAt });
        const delayMs = failure.retry ? planRetry(attempt, undefined) : undefined;
        if (delayMs === undefined) throw failure.error;
        return { done: false, delayMs, reason: failure.error.code };
      };

      try {
        const init: RequestInit & { duplex?: "half" } = {
          ...out.extras,
          method,
          headers: new Headers(out.headers),
          signal,
        };
        if (out.body !== undefined && out.body !== null) init.body = out.body;
        if (!isReplayableBody(out.body)) init.duplex = "half";

        let response: Response;
        try {
          response = await raceAbort((async () => fetchImpl(out.url, init))(), signal);
        } catch (error) {
          return failed(error, "request");
        }
        emit("onResponse", {
          method,
          url,
          attempt,
          status: response.status,
          durationMs: now() - attemptStartedAt,
        });

        if (isRetryableStatus(response.status, policy)) {
          const delayMs = planRetry(attempt, response.headers.get("retry-after"));
          if (delayMs !== undefined) {
            response.body?.cancel().catch(() => {});
            return { done: false, delayMs, reason: `status ${response.status}` };
          }
        }

        try {
          const info = { attempts: attempt, durationMs: now() - startedAt };
          metadataByResponse.set(response, info);
          const value = await raceAbort(finish(response, info), signal);
          keepLink = keepCallerLink;
          return { done: true, value };
        } catch (error) {
          if (isHttpTransportError(error)) throw error;
          return failed(error, "body");
        }
      } finally {
        timer.clear();
        unlinkTimer();
        if (!keepLink) unlinkRun();
      }
    };

    try {
      for (let attempt = 1; ; attempt++) {
        const stop = stopped(attempt - 1);
        if (stop) throw stop;
        const result = await attemptOnce(attempt);
        if (result.done) {
          succeeded = true;
          return result.value;
        }
        emit("onRetry", { method, url, attempt, delayMs: result.delayMs, reason: result.reason });
        try {
          await raceAbort(sleep(result.delayMs, runController.signal), runController.signal);
        } catch (error) {
          throw stopped(attempt) ?? error;
        }
      }
    } finally {
      deadline.clear();
      unlinkDeadline();
      if (!(succeeded && keepCallerLink)) unlinkCaller();
    }
  };

  const request = async <TResponse = unknown>(
    requestOptions: HttpRequestOptions,
  ): Promise<HttpResponse<TResponse>> => {
    const method = (requestOptions.method ?? "GET").toUpperCase();
    const url = resolveUrl(requestOptions.url, requestOptions.query);
    if (
      requestOptions.json !== undefined &&
      requestOptions.body !== undefined &&
      requestOptions.body !== null
    ) {
      throw new ConfigurationError("Pass either `body` or `json` to request(), not both.");
    }
    const headers = await composeHeaders(method, url, requestOptions.headers);
    let body = requestOptions.body;
    if (requestOptions.json !== undefined) {
      body = JSON.stringify(requestOptions.json);
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    }
    if ((method === "GET" || method === "HEAD") && body !== undefined && body !== null) {
      throw new ConfigurationError(`A ${method} request cannot have a body.`, {
        hint: "Use POST, PUT or PATCH to send a body, or `query` for parameters.",
      });
    }
    const parseAs = requestOptions.parseAs ?? "json";
    const throwOnError = requestOptions.throwOnError ?? true;
    const streaming = parseAs === "stream" || parseAs === "response";

    return run<HttpResponse<TResponse>>(
      {
        url,
        method,
        headers,
        body,
        extras: {},
        signal: requestOptions.signal,
        timeoutMs: requestOptions.timeoutMs ?? defaultTimeoutMs,
        deadlineMs: requestOptions.deadlineMs,
        retry: requestOptions.retry ?? "auto",
      },
      async (response, info) => {
        if (!response.ok && throwOnError) {
          const data = await readBody(response, "json");
          const code = serverErrorCode(data);
          const safeUrl = redactUrl(url);
          throw new HttpTransportError(
            "http_error",
            `${method} ${safeUrl} responded ${response.status}${code ? ` (${code})` : ""}.`,
            {
              method,
              url: safeUrl,
              status: response.status,
              data,
              response,
              attempts: info.attempts,
              retryable: isRetryableStatus(response.status, policy),
              serverCode: code,
              hint: serverErrorMessage(data),
            },
          );
        }
        return {
          status: response.status,
          headers: response.headers,
          data: (await readBody(response, parseAs)) as TResponse,
          raw: response,
          url: response.url || url,
          attempts: info.attempts,
        };
      },
      streaming,
    );
  };

  const asFetch = (fetchOptions: AsFetchOptions = {}): FetchExecutor => {
    return async (input, init) => {
      let url: string;
      let method: string;
      let ownHeaders: HeadersInit | undefined;
      let body: BodyInit | null | undefined;
      let signal: AbortSignal | undefined;
      let extras: RequestInit;
      const {
        method: initMethod,
        headers: initHeaders,
        body: initBody,
        signal: initSignal,
        ...initExtras
      } = init ?? {};

      if (isRequestLike(input)) {
        // Read the body once into memory: each attempt gets its own copy, and no streamed body (which would
        // need `duplex: "half"` on Node) is handed to fetch.
        url = resolveUrl(input.url);
        method = (initMethod ?? input.method).toUpperCase();
        ownHeaders = initHeaders ?? input.headers;
        body =
          initBody !== undefined ? initBody : input.body === null ? undefined : await input.arrayBuffer();
        signal = initSignal ?? input.signal;
        extras = { ...requestExtras(input), ...initExtras };
      } else {
        url = resolveUrl(input instanceof URL ? input : String(input));
        method = (initMethod ?? "GET").toUpperCase();
        ownHeaders = initHeaders;
        body = initBody;
        signal = initSignal ?? undefined;
        extras = initExtras;
      }

      const headers = await composeHeaders(method, url, ownHeaders);
      return run<Response>(
        {
          url,
          method,
          headers,
          body,
          extras,
          signal,
          timeoutMs: fetchOptions.timeoutMs ?? defaultTimeoutMs,
          deadlineMs: fetchOptions.deadlineMs,
          retry: fetchOptions.retry ?? "auto",
        },
        async (response) => response,
        true,
      );
    };
  };

  return { request, asFetch };
}
