import { AgentAuthErrorCode as Code } from "./error-codes.js";
import { AgentAuthError, type AgentAuthErrorOptions } from "./errors.js";
import { isStorageError, StorageErrorCode } from "./storage/storage-error.js";

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

/**
 * A storage adapter's failure to `operation` the tokens under `storageKey`, as a `TokenManagerError`
 * (`corrupt_storage` or `storage_failure`, with the adapter's hint and retryability); one passes through.
 */
export function storageFailure(
  storageKey: string,
  operation: "read" | "write" | "clear" | "lock",
  error: unknown,
): TokenManagerError {
  if (isTokenManagerError(error)) return error;
  const where = `storage key "${storageKey}"`;
  const detail = error instanceof Error ? firstLine(error.message) : String(error);
  if (isStorageError(error, StorageErrorCode.Corrupt)) {
    return new TokenManagerError(
      TokenManagerErrorCode.CorruptStorage,
      `Could not ${operation} ${where}: ${detail}`,
      {
        hint: error.hint,
        cause: error,
      },
    );
  }
  return new TokenManagerError(
    TokenManagerErrorCode.StorageFailure,
    `Could not ${operation} ${where}: ${detail}`,
    {
      hint:
        (AgentAuthError.isInstance(error) ? error.hint : undefined) ??
        "Check the storage adapter (its error is in `cause`); the tokens held in memory were left unchanged.",
      retryable: AgentAuthError.isInstance(error) ? error.retryable : true,
      cause: error,
    },
  );
}

function firstLine(message: string): string {
  const end = message.indexOf("\n");
  return end === -1 ? message : message.slice(0, end);
}

/** The refusal of a bundle whose refresh token this process already used and replaced. */
export function replayedError(): TokenManagerError {
  return new TokenManagerError(
    TokenManagerErrorCode.ReplayedRefreshToken,
    "Refusing tokens whose refresh token was already used and replaced in this process.",
    {
      hint: "A stale token bundle was passed to setTokens (for example a late response or an old copy). Use the tokens the manager holds, or authenticate again.",
    },
  );
}
