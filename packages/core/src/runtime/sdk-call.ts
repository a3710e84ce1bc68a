import { TransportError } from "./errors.js";
import { redactString } from "./redact.js";

/** Why a generated-SDK call did not produce data. */
export type SdkFailure =
  | {
      kind: "http";
      status: number;
      serverCode: string | undefined;
      serverMessage: string | undefined;
      retryAfterSeconds: number | undefined;
    }
  | { kind: "network"; cause: unknown };

interface SdkResult<T> {
  data?: T;
  error?: unknown;
  response?: Response;
}

/**
 * Runs one generated-SDK call and returns its data, or throws what `toError` makes of the failure. A
 * response that cannot be parsed, and a fetch that never answered, become `TransportError`s.
 */
export async function callSdk<T>(
  operation: string,
  run: () => Promise<SdkResult<T>>,
  toError: (failure: SdkFailure) => Error,
): Promise<T> {
  let result: SdkResult<T>;
  try {
    result = await run();
  } catch (cause) {
    // The generated client throws only for a 2xx body that is not JSON, or an aborted read.
    throw new TransportError(`${operation}: the server's answer could not be read.`, {
      hint: "Check that the base URL points at a Lucid API (not a web page or a proxy error page).",
      cause,
    });
  }
  if (result.response === undefined) {
    throw toError({ kind: "network", cause: result.error });
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  const body = (typeof result.error === "object" && result.error !== null ? result.error : {}) as Record<
    string,
    unknown
  >;
  throw toError({
    kind: "http",
    status: result.response.status,
    // The body is the server's: keep its code only when it looks like one, and redact secrets it may echo.
    serverCode: typeof body.error === "string" && SERVER_CODE.test(body.error) ? body.error : undefined,
    serverMessage: typeof body.message === "string" ? redactString(body.message.slice(0, 500)) : undefined,
    retryAfterSeconds: parseRetryAfter(result.response.headers.get("retry-after")),
  });
}

/** What an error code of the contract looks like (`insufficient_scope`). */
const SERVER_CODE = /^[\w.-]{1,64}$/;

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * The transport-level error for a failure that never got an HTTP answer: the transport's own error
 * (`HttpTransportError` with `network_error`, `timeout` or `aborted`) or whatever a plain fetch threw.
 */
export function networkError(operation: string, baseUrl: string | undefined, cause: unknown): TransportError {
  const { name, code } = (typeof cause === "object" && cause !== null ? cause : {}) as {
    name?: string;
    code?: string;
  };
  if (name === "AbortError" || code === "aborted") {
    return new TransportError(`${operation} was aborted.`, { retryable: false, cause });
  }
  const where = baseUrl ? ` at ${baseUrl}` : "";
  if (code === "timeout" || name === "TimeoutError") {
    return new TransportError(`${operation}: the Lucid server${where} did not answer in time.`, {
      hint: "Check the server's health, or raise the transport's timeout (defaultTimeoutMs).",
      cause,
    });
  }
  return new TransportError(`${operation}: could not reach the Lucid server${where}.`, {
    hint: "Check the base URL and that the server is running (LUCID_BASE_URL).",
    cause,
  });
}

/** "HTTP 401 invalid_signature: The signature does not match." */
export function describeHttpFailure(failure: Extract<SdkFailure, { kind: "http" }>): string {
  const code = failure.serverCode ? ` ${failure.serverCode}` : "";
  const message = failure.serverMessage ? `: ${failure.serverMessage.replace(/[.\s]+$/, "")}` : "";
  return `HTTP ${failure.status}${code}${message}`;
}
