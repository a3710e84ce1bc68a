/**
 * Errors of `@lucid-dreams/agent-auth`: one base class, `AgentAuthError`, with a stable `code` from the
 * `AgentAuthErrorCode` table, a short human message, hints on how to fix the problem, the HTTP status and the
 * server's own code where a server answered, and the original `cause` (walk the chain with `walk()`).
 *
 * Checks work across duplicate installs of this package: `isAgentAuthError(e, code?)` and the named guards
 * (`isCredentialRevoked(e)`, ...) look at a `Symbol.for` marker and the `code`, never at `instanceof`.
 * Subclasses exist only where they add fields (`HttpTransportError`, `StorageError`, ...) or where the design
 * names them (`CredentialRevokedError`, ...).
 */
import { AgentAuthErrorCode } from "./error-codes.js";

export { AgentAuthErrorCode } from "./error-codes.js";

const marker = Symbol.for("@lucid-dreams/agent-auth.error");

/** Options of every `AgentAuthError`. */
export interface AgentAuthErrorOptions {
  /** How to fix it, addressed to the developer. Appended to `message` as `Hint: ...`. */
  hint?: string;
  /** More lines of advice (shown after the hint in `message`); `hint` is the first of `metaMessages`. */
  metaMessages?: readonly string[];
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
  /** Stable machine-readable code: one of `AgentAuthErrorCode`. */
  readonly code: string;
  /** The message without hints. */
  readonly shortMessage: string;
  /** How to fix it (the first of `metaMessages`). */
  readonly hint: string | undefined;
  /** HTTP status, when the error came from a response. */
  readonly status: number | undefined;
  /** Whether repeating the same call later may succeed. */
  readonly retryable: boolean;
  /** The server's own error code, when the server answered (`code` stays the stable one). */
  readonly serverCode: string | undefined;

  constructor(code: string, message: string, options: AgentAuthErrorOptions = {}) {
    const hints = hintLines(options);
    super(
      hints.length === 0 ? message : `${message}\nHint: ${hints.join("\n")}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "AgentAuthError";
    this.code = code;
    this.shortMessage = message;
    this.hint = hints[0];
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.serverCode = options.serverCode;
  }

  /** Hints on how to fix the problem, one per line (empty when there are none). */
  get metaMessages(): readonly string[] {
    return this.message.includes("\nHint: ")
      ? this.message.slice(this.message.indexOf("\nHint: ") + 7).split("\n")
      : [];
  }

  /** The message of the innermost cause, when there is one (not part of `message`: a cause may carry secrets). */
  get details(): string | undefined {
    const root = this.walk();
    if (root === this) return undefined;
    return root instanceof Error ? root.message : typeof root === "string" ? root : undefined;
  }

  /**
   * Walks the `cause` chain from this error: returns the first error for which `predicate` is true (or null
   * when none is), or, without a predicate, the innermost cause (this error when it has none).
   */
  walk(predicate?: (error: unknown) => boolean): unknown {
    const seen = new Set<unknown>();
    let current: unknown = this;
    while (current !== null && current !== undefined && !seen.has(current)) {
      seen.add(current);
      if (predicate?.(current)) return current;
      const next = (current as { cause?: unknown }).cause;
      if (next === undefined || next === null) return predicate ? null : current;
      current = next;
    }
    return predicate ? null : current;
  }

  /** True for any error thrown by this package, from any installed copy of it. */
  static isInstance(error: unknown): error is AgentAuthError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
// On the prototype: one marker for all instances, shared by every installed copy through `Symbol.for`.
Object.defineProperty(AgentAuthError.prototype, marker, { value: true });

function hintLines(options: AgentAuthErrorOptions): string[] {
  const lines = options.hint ? [options.hint] : [];
  if (options.metaMessages) lines.push(...options.metaMessages);
  return lines;
}

/**
 * True when `error` was thrown by this package (from any installed copy), and, when `code` is given, carries
 * that stable code: `isAgentAuthError(e, AgentAuthErrorCode.InsufficientScope)`.
 */
export function isAgentAuthError(error: unknown, code?: AgentAuthErrorCode): error is AgentAuthError {
  return AgentAuthError.isInstance(error) && (code === undefined || error.code === code);
}

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

/** Refreshing the access token failed and no fallback was possible. */
export class RefreshFailedError extends AgentRuntimeError {
  declare readonly code: "refresh_failed";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.RefreshFailed, message, { retryable: true, ...options });
    this.name = "RefreshFailedError";
  }
}

/** Requesting, signing or exchanging a challenge failed. */
export class ChallengeFailedError extends AgentRuntimeError {
  declare readonly code: "challenge_failed";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.ChallengeFailed, message, { retryable: false, ...options });
    this.name = "ChallengeFailedError";
  }
}

/** The request could not be completed on the network (timeout, connection refused, aborted). */
export class TransportError extends AgentRuntimeError {
  declare readonly code: "transport_error";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.TransportError, message, { retryable: true, ...options });
    this.name = "TransportError";
  }
}

/** The configuration is missing something or has a bad value. */
export class ConfigurationError extends AgentRuntimeError {
  declare readonly code: "configuration_error";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.ConfigurationError, message, { retryable: false, ...options });
    this.name = "ConfigurationError";
  }
}

/** The server's contract does not match what this runtime expects (an endpoint or field is missing). */
export class CoverageMismatchError extends AgentRuntimeError {
  declare readonly code: "coverage_mismatch";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(AgentAuthErrorCode.CoverageMismatch, message, { retryable: false, ...options });
    this.name = "CoverageMismatchError";
  }
}

/** True when `error` is a CredentialRevokedError, from any installed copy of this package. */
export const isCredentialRevoked = (error: unknown): error is CredentialRevokedError =>
  isAgentAuthError(error, AgentAuthErrorCode.CredentialRevoked);
/** True when `error` is a RefreshFailedError, from any installed copy of this package. */
export const isRefreshFailed = (error: unknown): error is RefreshFailedError =>
  isAgentAuthError(error, AgentAuthErrorCode.RefreshFailed);
/** True when `error` is a ChallengeFailedError, from any installed copy of this package. */
export const isChallengeFailed = (error: unknown): error is ChallengeFailedError =>
  isAgentAuthError(error, AgentAuthErrorCode.ChallengeFailed);
/** True when `error` is a TransportError, from any installed copy of this package. */
export const isTransportError = (error: unknown): error is TransportError =>
  isAgentAuthError(error, AgentAuthErrorCode.TransportError);
/** True when `error` is a ConfigurationError, from any installed copy of this package. */
export const isConfigurationError = (error: unknown): error is ConfigurationError =>
  isAgentAuthError(error, AgentAuthErrorCode.ConfigurationError);
/** True when `error` is a CoverageMismatchError, from any installed copy of this package. */
export const isCoverageMismatch = (error: unknown): error is CoverageMismatchError =>
  isAgentAuthError(error, AgentAuthErrorCode.CoverageMismatch);

/** Any error of the design's runtime union, as a discriminated union on `code`. */
export type AgentRuntimeErrorUnion =
  | CredentialRevokedError
  | RefreshFailedError
  | ChallengeFailedError
  | TransportError
  | ConfigurationError
  | CoverageMismatchError;
