import type { ErrorBody, ErrorCode, ErrorDetail } from "./error-codes.js";

/** Options of an {@link HttpError} beyond status, code and message. */
export interface HttpErrorOptions {
  details?: ErrorDetail[];
  /** Seconds; sent as `retry_after` in the body and as the `Retry-After` header. */
  retryAfter?: number;
  headers?: Record<string, string>;
  /** Close the connection after answering (used when the request body was not read to its end). */
  closeConnection?: boolean;
  cause?: unknown;
}

/** An error that becomes one JSON error response: `{ error, message, details?, retry_after? }`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string>;
  readonly closeConnection: boolean;

  constructor(status: number, code: ErrorCode, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.retryAfter = options.retryAfter;
    this.headers = { ...options.headers };
    this.closeConnection = options.closeConnection ?? false;
  }

  /** The wire body of this error. */
  toBody(): ErrorBody {
    const body: ErrorBody = { error: this.code, message: this.message };
    if (this.details && this.details.length > 0) body.details = this.details;
    if (this.retryAfter !== undefined) body.retry_after = this.retryAfter;
    return body;
  }
}

/** 400 `invalid_request`. */
export function invalidRequest(message: string, details?: ErrorDetail[]): HttpError {
  return new HttpError(400, "invalid_request", message, details ? { details } : {});
}

/** 404 `not_found`. */
export function notFound(message: string): HttpError {
  return new HttpError(404, "not_found", message);
}

/** 403 `forbidden`. */
export function forbidden(message: string): HttpError {
  return new HttpError(403, "forbidden", message);
}

/** 401 with the given code (and a `WWW-Authenticate` header when it is about a bearer token). */
export function unauthorized(code: ErrorCode, message: string, bearerError?: string): HttpError {
  const headers: Record<string, string> = {};
  if (bearerError !== undefined) {
    headers["www-authenticate"] = bearerError
      ? `Bearer realm="lucid", error="${bearerError}"`
      : `Bearer realm="lucid"`;
  }
  return new HttpError(401, code, message, { headers });
}
