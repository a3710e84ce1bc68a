import { AgentAuthErrorCode as Code } from "../error-codes.js";
import { AgentAuthError, type AgentAuthErrorOptions } from "../errors.js";

/** Stable codes of the errors thrown by the storage adapters. Never renamed; new ones may be added. */
export const StorageErrorCode = {
  /** The stored data cannot be read back (bad JSON, wrong shape, unknown format version). Left untouched. */
  Corrupt: Code.StorageCorrupt,
  /** The file system refused an operation (permissions, disk full, read-only, ...). */
  Io: Code.StorageIo,
  /** Another holder kept the lock longer than `lockTimeoutMs`. */
  LockTimeout: Code.StorageLockTimeout,
  /** `withLock` was called again, for the same file, from inside its own callback. */
  LockReentrant: Code.StorageLockReentrant,
  /**
   * A write was refused because a newer writer (a later lease holder) already wrote: this writer lost its lock
   * (it was paused or slow past the lease) and its value is older than the stored one. Re-read the storage.
   */
  Fenced: Code.StorageFenced,
  /** The shared store cannot be reached (Redis down, network). Retryable. */
  Unavailable: Code.StorageUnavailable,
} as const;

/** One of the `StorageErrorCode` values. */
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** Options of `StorageError`: the base options plus the file the error is about. */
export interface StorageErrorOptions extends AgentAuthErrorOptions {
  /** The file (data or lock file) the error is about, when there is one. */
  path?: string;
}

/** A storage adapter could not read, write or lock its data. `path` names the file when there is one. */
export class StorageError extends AgentAuthError {
  declare readonly code: StorageErrorCode;
  /** The file the error is about, if any. */
  readonly path: string | undefined;

  constructor(code: StorageErrorCode, message: string, options: StorageErrorOptions = {}) {
    super(code, message, options);
    this.name = "StorageError";
    this.path = options.path;
  }
}

const storageCodes: ReadonlySet<string> = new Set(Object.values(StorageErrorCode));

/**
 * True when `error` is a StorageError (optionally with the given `code`), from any installed copy of this
 * package.
 */
export const isStorageError = (error: unknown, code?: StorageErrorCode): error is StorageError =>
  AgentAuthError.isInstance(error) &&
  (code === undefined ? storageCodes.has(error.code) : error.code === code);
