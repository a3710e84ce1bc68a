/**
 * Errors of the agent runtime: one base class with a stable `code`, a short human message, a hint on how to
 * fix the problem, the HTTP status where there is one, and the original `cause`.
 *
 * Checks work across duplicate installs of this package: use `AgentAuthError.isInstance(e)` or the guards
 * (`isCredentialRevoked(e)`, ...), which look at a `Symbol.for` marker and the `code`, not at `instanceof`.
 */

const marker = Symbol.for("@lucid-dreams/agent-auth.error");

/** Stable codes of the runtime errors. Never renamed; new ones may be added. */
export const AgentAuthErrorCode = {
  CredentialRevoked: "credential_revoked",
  RefreshFailed: "refresh_failed",
  ChallengeFailed: "challenge_failed",
  TransportError: "transport_error",
  ConfigurationError: "configuration_error",
  CoverageMismatch: "coverage_mismatch",
} as const;

export type AgentAuthErrorCode = (typeof AgentAuthErrorCode)[keyof typeof AgentAuthErrorCode];

export interface AgentAuthErrorOptions {
  /** How to fix it, addressed to the developer. */
  hint?: string;
  /** HTTP status of the response that caused the error, if any. */
  status?: number;
  /** Whether repeating the same call later may succeed. */
  retryable?: boolean;
  /** The server's own error code (`error` of the contract's error body), when the server answered. */
  serverCode?: string;
  cause?: unknown;
}

/** Base class of every error thrown by `@lucid-dreams/agent-auth`. */
export class AgentAuthError extends Error {
  /** Stable machine-readable code. */
  readonly code: string;
  /** How to fix it. */
  readonly hint: string | undefined;
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;
  /** The server's own error code, when the server answered. */
  readonly serverCode: string | undefined;

  constructor(code: string, message: string, options: AgentAuthErrorOptions = {}) {
    super(options.hint ? `${message}\nHint: ${options.hint}` : message, { cause: options.cause });
    this.name = "AgentAuthError";
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.serverCode = options.serverCode;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any error thrown by this package, from any installed copy of it. */
  static isInstance(error: unknown): error is AgentAuthError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

const hasCode = (error: unknown, code: string) => AgentAuthError.isInstance(error) && error.code === code;

/**
 * Base of the design's runtime union (`CredentialRevokedError`, `RefreshFailedError`, `ChallengeFailedError`,
 * `TransportError`, `ConfigurationError`, `CoverageMismatchError`), so `instanceof AgentRuntimeError` keeps
 * working for code written against the original package.
 */
export class AgentRuntimeError extends AgentAuthError {
  constructor(code: string, message: string, options: AgentAuthErrorOptions = {}) {
    super(code, message, options);
    this.name = "AgentRuntimeError";
  }
}

/** The server revoked the credential or the token family (for example after a refresh token was replayed). */
export class CredentialRevokedError extends AgentRuntimeError {
  declare readonly code: "credential_revoked";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.CredentialRevoked, message, { retryable: false, ...options });
    this.name = "CredentialRevokedError";
  }
}
/** True when `error` is a CredentialRevokedError, from any installed copy of this package. */
export const isCredentialRevoked = (error: unknown): error is CredentialRevokedError =>
  hasCode(error, AgentAuthErrorCode.CredentialRevoked);

/** Refreshing the access token failed and no fallback was possible. */
export class RefreshFailedError extends AgentRuntimeError {
  declare readonly code: "refresh_failed";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.RefreshFailed, message, { retryable: true, ...options });
    this.name = "RefreshFailedError";
  }
}
/** True when `error` is a RefreshFailedError, from any installed copy of this package. */
export const isRefreshFailed = (error: unknown): error is RefreshFailedError =>
  hasCode(error, AgentAuthErrorCode.RefreshFailed);

/** Requesting, signing or exchanging a challenge failed. */
export class ChallengeFailedError extends AgentRuntimeError {
  declare readonly code: "challenge_failed";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.ChallengeFailed, message, { retryable: false, ...options });
    this.name = "ChallengeFailedError";
  }
}
/** True when `error` is a ChallengeFailedError, from any installed copy of this package. */
export const isChallengeFailed = (error: unknown): error is ChallengeFailedError =>
  hasCode(error, AgentAuthErrorCode.ChallengeFailed);

/** The request could not be completed on the network (timeout, connection refused, aborted). */
export class TransportError extends AgentRuntimeError {
  declare readonly code: "transport_error";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.TransportError, message, { retryable: true, ...options });
    this.name = "TransportError";
  }
}
/** True when `error` is a TransportError, from any installed copy of this package. */
export const isTransportError = (error: unknown): error is TransportError =>
  hasCode(error, AgentAuthErrorCode.TransportError);

/** The configuration is missing something or has a bad value. */
export class ConfigurationError extends AgentRuntimeError {
  declare readonly code: "configuration_error";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.ConfigurationError, message, { retryable: false, ...options });
    this.name = "ConfigurationError";
  }
}
/** True when `error` is a ConfigurationError, from any installed copy of this package. */
export const isConfigurationError = (error: unknown): error is ConfigurationError =>
  hasCode(error, AgentAuthErrorCode.ConfigurationError);

/** The server's contract does not match what this runtime expects (an endpoint or field is missing). */
export class CoverageMismatchError extends AgentRuntimeError {
  declare readonly code: "coverage_mismatch";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.CoverageMismatch, message, { retryable: false, ...options });
    this.name = "CoverageMismatchError";
  }
}
/** True when `error` is a CoverageMismatchError, from any installed copy of this package. */
export const isCoverageMismatch = (error: unknown): error is CoverageMismatchError =>
  hasCode(error, AgentAuthErrorCode.CoverageMismatch);

/** Any error of the design's runtime union, as a discriminated union on `code`. */
export type AgentRuntimeErrorUnion =
  | CredentialRevokedError
  | RefreshFailedError
  | ChallengeFailedError
  | TransportError
  | ConfigurationError
  | CoverageMismatchError;
