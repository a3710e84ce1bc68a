import { KeyedMutex } from "../util/keyed-mutex.js";
import type { StorageAdapter } from "./types.js";

const copy = <T>(value: T): T =>
  typeof value === "object" && value !== null ? structuredClone(value) : value;

/**
 * Storage in a `Map` of this process: the default of `TokenManager`. Nothing survives a restart and nothing
 * is shared with other processes; use `FileStorageAdapter` (from `@lucid-dreams/agent-auth/node`) or your own
 * adapter for that.
 *
 * Object values are copied with `structuredClone` on the way in and out, so a caller mutating what it stored
 * or read never changes the stored value. `withLock` is an in-process mutex per key and is not reentrant:
 * `fn` must not call `withLock` with the same key.
 */
export class MemoryStorageAdapter<T = string> implements StorageAdapter<T> {
  readonly #store = new Map<string, T>();
  readonly #mutex = new KeyedMutex();

  /** The value stored under `key`, or `null`. */
  async get(key: string): Promise<T | null> {
    const value = this.#store.get(key);
    return value === undefined ? null : copy(value);
  }

  /** Stores a copy of `value` under `key`. */
  async set(key: string, value: T): Promise<void> {
    this.#store.set(key, copy(value));
  }

  /** Removes `key`; a missing key is not an error. */
  async clear(key: string): Promise<void> {
    this.#store.delete(key);
  }

  /** Alias of `clear`, as in the original package. */
  async delete(key: string): Promise<void> {
    this.#store.delete(key);
  }

  /** Runs `fn` while no other `withLock` call of this adapter holds `key` (in-process only). */
  withLock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    return this.#mutex.run(key, fn);
  }
}

/** Creates an empty `MemoryStorageAdapter`. */
export const createMemoryStorageAdapter = <T = string>(): MemoryStorageAdapter<T> =>
  new MemoryStorageAdapter<T>();
