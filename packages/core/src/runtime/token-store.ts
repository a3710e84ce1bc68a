/**
 * Where a `TokenManager` persists its tokens: one key of a `StorageAdapter`, holding the serialised record. Every
 * storage failure comes out as a `TokenManagerError` naming the key (`storage_failure`, `corrupt_storage`), except
 * where a caller must tell a fenced write apart (`write`).
 */
import type { StorageAdapter } from "./storage/types.js";
import { storageFailure } from "./token-manager-error.js";
import {
  parseStoredTokenRecord,
  type SerializeTokensOptions,
  type StoredTokenRecord,
  serializeTokens,
} from "./token-serialization.js";
import type { TokenSnapshot } from "./token-types.js";

/** One storage key's token record. */
export class TokenStore {
  readonly #storage: StorageAdapter<string>;
  readonly #key: string;

  constructor(storage: StorageAdapter<string>, key: string) {
    this.#storage = storage;
    this.#key = key;
  }

  /** The stored record, or `null` when the key is empty. */
  async read(): Promise<StoredTokenRecord | null> {
    let text: string | null;
    try {
      text = await this.#storage.get(this.#key);
    } catch (error) {
      throw storageFailure(this.#key, "read", error);
    }
    return parseStoredTokenRecord(text, { source: `storage key "${this.#key}"` });
  }

  /** Stores `snapshot` issued at `issuedAt`; the adapter's error is thrown as is (see `writeOrFail`). */
  async write(snapshot: TokenSnapshot, issuedAt: number, extra?: SerializeTokensOptions): Promise<void> {
    await this.#storage.set(this.#key, serializeTokens(snapshot, issuedAt, extra));
  }

  /** `write`, with a failure as `TokenManagerError`. */
  async writeOrFail(
    snapshot: TokenSnapshot,
    issuedAt: number,
    extra?: SerializeTokensOptions,
  ): Promise<void> {
    try {
      await this.write(snapshot, issuedAt, extra);
    } catch (error) {
      throw storageFailure(this.#key, "write", error);
    }
  }

  /** Clears the key (`delete` for adapters written against the original package, which had no `clear`). */
  async clear(): Promise<void> {
    const storage = this.#storage;
    try {
      if (typeof storage.clear === "function") await storage.clear(this.#key);
      else await storage.delete?.(this.#key);
    } catch (error) {
      throw storageFailure(this.#key, "clear", error);
    }
  }

  /**
   * Runs `fn` inside `storage.withLock(key)` when the adapter has one (exclusive across processes), else directly.
   * A failure of the lock itself is a `TokenManagerError`; errors of `fn` pass through unchanged.
   */
  async runLocked<T>(fn: () => Promise<T>): Promise<T> {
    const storage = this.#storage;
    if (typeof storage.withLock !== "function") return fn();
    let fnFailed = false;
    try {
      return await storage.withLock(this.#key, async () => {
        try {
          return await fn();
        } catch (error) {
          fnFailed = true;
          throw error;
        }
      });
    } catch (error) {
      if (fnFailed) throw error;
      throw storageFailure(this.#key, "lock", error);
    }
  }
}
