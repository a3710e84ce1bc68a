/**
 * How a failed attempt of a transport is reported: the URL as it may appear in messages (no credentials,
 * query or fragment), and the mapping of what fetch threw to an `HttpTransportError` that says whether another
 * attempt may follow.
 */
import { HttpTransportError } from "./http-transport-error.js";

/** The URL as it may appear in messages and events: no credentials, query string or fragment. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? "";
  }
}

const isAbortError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";

/** The error's message, with the low-level code of its cause when there is one (`ECONNREFUSED`). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === "string" ? `${error.message} (${cause.code})` : error.message;
}

/** What the loop knows about the request when an attempt failed. */
export interface FailureContext {
  method: string;
  /** Redacted URL. */
  url: string;
  attempt: number;
  timeoutMs: number | undefined;
}

/** An attempt's failure: the error to throw, and whether another attempt may be made instead. */
export interface AttemptFailure {
  error: HttpTransportError;
  retry: boolean;
}

/** Maps what fetch threw (no response) to an error: a timeout of this attempt, an abort, or a network error. */
export function classifyFailure(error: unknown, context: FailureContext, timedOut: boolean): AttemptFailure {
  const { method, url, attempt } = context;
  if (timedOut) {
    const message = `${method} ${url} timed out after ${context.timeoutMs} ms (attempt ${attempt}).`;
    return {
      error: new HttpTransportError("timeout", message, {
        method,
        url,
        attempts: attempt,
        retryable: true,
        cause: error,
        hint: "Raise timeoutMs, or check that the server is reachable and answering.",
      }),
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
}

/** The caller aborted: nothing more is attempted. */
export function callerAborted(method: string, url: string, attempts: number, reason: unknown) {
  return new HttpTransportError("aborted", `${method} ${url} was aborted by the caller.`, {
    method,
    url,
    attempts,
    retryable: false,
    cause: reason,
  });
}

/** The whole call exceeded its deadline: nothing more is attempted. */
export function deadlineExceeded(
  method: string,
  url: string,
  attempts: number,
  deadlineMs: number,
  reason: unknown,
) {
  return new HttpTransportError("timeout", `${method} ${url} exceeded its deadline of ${deadlineMs} ms.`, {
    method,
    url,
    attempts,
    retryable: true,
    cause: reason,
    hint: "Raise deadlineMs, or check that the server is reachable and answering.",
  });
}
