import { AgentAuthErrorCode as Code } from "../error-codes.js";
import { AgentAuthError } from "../errors.js";

const marker = Symbol.for("@lucid-dreams/agent-auth.http-transport-error");

/** Stable codes of `HttpTransportError`. Never renamed; new ones may be added. */
export const HttpTransportErrorCode = {
  /** The server answered with a non-2xx status (`status` and the parsed body in `data`). */
  HttpError: Code.HttpError,
  /** The request never got a response: DNS, connection refused or reset, TLS failure. */
  NetworkError: Code.NetworkError,
  /** One attempt exceeded `timeoutMs`, or the whole call exceeded `deadlineMs`. */
  Timeout: Code.Timeout,
  /** The caller's abort signal fired. */
  Aborted: Code.Aborted,
  /** The response arrived but its body could not be read or decoded. */
  ParseError: Code.ParseError,
} as const;

/** One of the `HttpTransportErrorCode` values. */
export type HttpTransportErrorCode = (typeof HttpTransportErrorCode)[keyof typeof HttpTransportErrorCode];

/** Options of the `HttpTransportError` constructor. */
export interface HttpTransportErrorOptions<TData = unknown> {
  /** HTTP method of the failed request. */
  method: string;
  /** URL of the failed request, without credentials, query string or fragment. */
  url: string;
  hint?: string;
  status?: number;
  retryable?: boolean;
  /** The server's own error code (`error` of the error body), when the server answered. */
  serverCode?: string;
  cause?: unknown;
  /** Parsed body of an error response (JSON when it parses, text otherwise). */
  data?: TData;
  /** The error response, when there was one (its body has been read into `data`). */
  response?: Response;
  /** Attempts made before giving up. */
  attempts?: number;
}

/** A request made by an `HttpTransport` failed: a non-2xx status, a network failure, a timeout or an abort. */
export class HttpTransportError<TData = unknown> extends AgentAuthError {
  declare readonly code: HttpTransportErrorCode;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** URL of the failed request, without credentials, query string or fragment. */
  readonly url: string;
  /** Parsed body of an error response (JSON when it parses, text otherwise); undefined without a response. */
  readonly data: TData | undefined;
  /** The error response, when there was one. */
  readonly response: Response | undefined;
  /** Attempts made before giving up. */
  readonly attempts: number;

  constructor(code: HttpTransportErrorCode, message: string, options: HttpTransportErrorOptions<TData>) {
    super(code, message, {
      hint: options.hint,
      status: options.status,
      retryable: options.retryable,
      serverCode: options.serverCode,
      cause: options.cause,
    });
    this.name = "HttpTransportError";
    this.method = options.method;
    this.url = options.url;
    this.data = options.data;
    this.response = options.response;
    this.attempts = options.attempts ?? 1;
  }

  /** True for an `HttpTransportError` from any installed copy of this package. */
  static override isInstance(error: unknown): error is HttpTransportError {
    return AgentAuthError.isInstance(error) && (error as unknown as Record<symbol, unknown>)[marker] === true;
  }
}

Object.defineProperty(HttpTransportError.prototype, marker, { value: true });

/** True when `error` is an `HttpTransportError`, from any installed copy of this package. */
export const isHttpTransportError = (error: unknown): error is HttpTransportError =>
  HttpTransportError.isInstance(error);
