/**
 * Failures of authenticated API calls: `AgentApiClientError`, whose `code` is a stable one of
 * `AgentAuthErrorCode` (a code of the contract the server sent, or one derived from the HTTP status) while
 * the server's own code stays in `serverCode`.
 */
import { AgentAuthErrorCode as Code } from "./error-codes.js";
import { AgentAuthError, type AgentAuthErrorOptions, CredentialRevokedError } from "./errors.js";
import { describeHttpFailure, networkError, type SdkFailure } from "./sdk-call.js";

/** An authenticated API call failed. `code` is stable (`AgentAuthErrorCode`); `serverCode` is the server's. */
export class AgentApiClientError extends AgentAuthError {
  /** The operation that failed, e.g. `signMessage`. */
  readonly operation: string;
  /** The agent the call was for, when it named one. */
  readonly agentRef: string | undefined;

  constructor(
    code: string,
    message: string,
    context: AgentAuthErrorOptions & { operation: string; agentRef?: string | undefined },
  ) {
    super(code, message, context);
    this.name = "AgentApiClientError";
    this.operation = context.operation;
    this.agentRef = context.agentRef;
  }
}

/** True when `error` is an `AgentApiClientError`, from any installed copy of this package. */
export const isAgentApiClientError = (error: unknown): error is AgentApiClientError =>
  AgentAuthError.isInstance(error) && error.name === "AgentApiClientError";

/** Codes of the contract kept as the stable code when the server sends them. */
const CONTRACT_CODES: ReadonlySet<string> = new Set([
  Code.Unauthorized,
  Code.Forbidden,
  Code.InsufficientScope,
  Code.NotFound,
  Code.InvalidRequest,
  Code.UnsupportedChain,
  Code.ChainRejected,
  Code.IdempotencyKeyReused,
  Code.IdempotencyInProgress,
  Code.RateLimited,
]);

/** The stable code of an HTTP failure: the server's when the contract defines it, else one from the status. */
export function stableApiCode(status: number, serverCode: string | undefined): string {
  if (serverCode !== undefined && CONTRACT_CODES.has(serverCode)) return serverCode;
  if (status === 401) return Code.Unauthorized;
  if (status === 403) return Code.Forbidden;
  if (status === 404) return Code.NotFound;
  if (status === 409) return Code.Conflict;
  if (status === 429) return Code.RateLimited;
  if (status === 400 || status === 422) return Code.InvalidRequest;
  if (status >= 500) return Code.ServerError;
  return Code.RequestRejected;
}

/** The error for a failed API call: revoked credential, transport failure, or an `AgentApiClientError`. */
export function apiError(
  operation: string,
  agentRef: string | undefined,
  failure: SdkFailure,
  baseUrl: string | undefined,
): AgentAuthError {
  if (failure.kind === "network") return networkError(operation, baseUrl, failure.cause);
  const message = `${operation}${agentRef ? ` for agent ${agentRef}` : ""} failed: ${describeHttpFailure(failure)}.`;
  const context = {
    status: failure.status,
    ...(failure.serverCode ? { serverCode: failure.serverCode } : {}),
    retryable: failure.status === 429 || failure.status === 409 || failure.status >= 500,
  };
  if (failure.serverCode === Code.CredentialRevoked) {
    return new CredentialRevokedError(message, {
      ...context,
      hint: "Authenticate again with a new challenge.",
    });
  }
  return new AgentApiClientError(stableApiCode(failure.status, failure.serverCode), message, {
    ...context,
    operation,
    agentRef,
    hint: apiHint(failure),
  });
}

function apiHint(failure: Extract<SdkFailure, { kind: "http" }>): string | undefined {
  switch (failure.serverCode) {
    case Code.InsufficientScope:
      return "Request the missing scope when authenticating (config.scopes) and make sure the credential holds it.";
    case Code.UnsupportedChain:
      return "Use a CAIP-2 chain id the wallet serves (e.g. eip155:<chain id>).";
    case Code.IdempotencyKeyReused:
      return "An idempotency key was reused with a different body; use a new key for a new operation.";
    case Code.IdempotencyInProgress:
      return "The same operation is still running; retry after a moment.";
    default:
      return failure.status === 429 ? "Rate limited; retry later." : undefined;
  }
}
