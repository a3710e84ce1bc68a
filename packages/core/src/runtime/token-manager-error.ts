import { AgentAuthErrorCode as Code } from "./error-codes.js";
import { AgentAuthError, type AgentAuthErrorOptions } from "./errors.js";

/**
 * Stable codes of `TokenManagerError`. The keys keep the names of the original package's codes
 * (`TokensUnavailable`, `StorageFailure`); the values are those of `AgentAuthErrorCode`.
 */
export const TokenManagerErrorCode = {
  /** No tokens are held (nothing was set or hydrated, or they were cleared). */
  TokensUnavailable: Code.TokensUnavailable,
  /** The storage adapter failed to read, write, clear or lock; `cause` has the adapter's error. */
  StorageFailure: Code.StorageFailure,
  /** The stored tokens (or the file holding them) cannot be parsed. Nothing was overwritten. */
  CorruptStorage: Code.CorruptStorage,
  /** The stored tokens use a format version this package does not read (written by a newer version). */
  UnsupportedFormat: Code.UnsupportedTokenFormat,
  /** A token bundle passed to `setTokens` (or a snapshot to serialise) is missing a field or has a bad value. */
  InvalidTokens: Code.InvalidTokens,
  /** A bundle carried a refresh token that this process already used and replaced: it is refused. */
  ReplayedRefreshToken: Code.ReplayedRefreshToken,
} as const;

/** One of the `TokenManagerErrorCode` values. */
export type TokenManagerErrorCode = (typeof TokenManagerErrorCode)[keyof typeof TokenManagerErrorCode];

/** The token manager (or the token serialisation) failed; see `code`, `hint` and `cause`. */
export class TokenManagerError extends AgentAuthError {
  declare readonly code: TokenManagerErrorCode;

  constructor(code: TokenManagerErrorCode, message: string, options: AgentAuthErrorOptions = {}) {
    super(code, message, options);
    this.name = "TokenManagerError";
  }
}

const tokenManagerCodes: ReadonlySet<string> = new Set(Object.values(TokenManagerErrorCode));

/**
 * True when `error` is a TokenManagerError (optionally with the given `code`), from any installed copy of
 * this package.
 */
export const isTokenManagerError = (
  error: unknown,
  code?: TokenManagerErrorCode,
): error is TokenManagerError =>
  AgentAuthError.isInstance(error) &&
  (code === undefined ? tokenManagerCodes.has(error.code) : error.code === code);
