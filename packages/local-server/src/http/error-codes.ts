/** The stable `error` codes of the `Error` schema in openapi.yaml. */
export const ERROR_CODES = [
  "invalid_request",
  "invalid_json",
  "unauthorized",
  "invalid_token",
  "token_expired",
  "invalid_signature",
  "challenge_expired",
  "challenge_used",
  "invalid_refresh_token",
  "refresh_token_expired",
  "credential_revoked",
  "forbidden",
  "insufficient_scope",
  "not_found",
  "method_not_allowed",
  "payload_too_large",
  "idempotency_in_progress",
  "idempotency_key_reused",
  "unsupported_chain",
  "rate_limited",
  "chain_rejected",
  "chain_error",
  "internal_error",
] as const;

/** One stable error code of the wire contract. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem in a request body: a dotted path into the body and what is wrong there. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error body of every operation (`Error` in openapi.yaml). */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  retry_after?: number;
}
