/**
 * Node-only (also Bun): a storage adapter backed by one JSON file, safe to share between processes.
 *
 * File: `{ "version": 1, "entries": { "<key>": <value>, ... } }`, mode 0600, in a directory created with mode
 * 0700 (an existing directory keeps its mode). Every write replaces the whole file atomically: a temporary
 * file in the same directory is written, fsync'd and renamed over the target, then the directory is fsync'd
 * (best effort). Readers therefore see the old file or the new one, never a mix, and take no lock.
 *
 * Locking: `<path>.lock`, created atomically with its content (a private temporary file hard-linked to the
 * lock path; `link` fails when a lock exists), holds `{ pid, hostname, createdAt, token }`.
 * `set`, `clear` and `withLock` take it; waiters retry with jittered backoff until `lockTimeoutMs`. While held,
 * the lock's mtime is refreshed every `staleLockMs / 4`. A lock is stale, and is broken, when its holder is
 * on this host and no longer alive (`process.kill(pid, 0)` fails with ESRCH), or when its mtime is older than
 * `staleLockMs` (default 2 s): that also recovers an empty lock (its holder died between creating and writing
 * it) and a lock naming a pid that a live, unrelated process reuses, since neither is ever refreshed.
 *
 * Crash residue: the first operation of an adapter removes what killed processes left next to the file
 * (`.<name>.<pid>.<id>.tmp` files of dead or stale writers, `<name>.lock.release-*` and `.stale-*` files, and a
 * lock whose holder on this host is dead). Breaking renames the lock to a unique name, checks it is still the lock judged stale (same
 * inode and token), and puts it back otherwise, so two processes breaking the same stale lock do not both win.
 * A holder releases only a lock carrying its own token. Advisory only: processes that do not use this adapter
 * are not stopped. On network file systems, O_EXCL and rename may not be atomic; use a local path.
 */
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigurationError } from "../errors.js";
import { FILE_FORMAT_VERSION, readEntries, writeAtomic } from "./file-io.js";
import {
  FileLock,
  type HeldLock,
  heldLocks,
  hostName,
  inProcess,
  isAlive,
  parseLockInfo,
} from "./file-lock.js";
import { StorageError, StorageErrorCode } from "./storage-error.js";
import type { StorageAdapter } from "./types.js";

/** Default time a caller waits for the file lock before failing with `storage_lock_timeout`. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

/** Default age (since the holder's last heartbeat) after which a lock counts as abandoned. */
export const DEFAULT_STALE_LOCK_MS = 2_000;

/** Timers and sleep of `FileStorageAdapter` (injectable, so tests do not depend on the machine's speed). */
export interface FileStorageTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  sleep(ms: number): Promise<void>;
}

/** Options of `FileStorageAdapter`. */
export interface FileStorageAdapterOptions {
  /** The JSON file holding every key (resolved against the working directory). */
  path: string;
  /** How long to wait for the lock (the sum of the waits between attempts) before `storage_lock_timeout`. Default 10 000 ms. */
  lockTimeoutMs?: number;
  /** A lock whose holder has not refreshed it for this long is broken. Default 2 000 ms. */
  staleLockMs?: number;
  /** Wall clock in epoch ms, used to judge the age of a lock. Default `Date.now`. */
  now?: () => number;
  /** Heartbeat timer and the sleep between lock attempts. Default the global timers (intervals `unref()`'d). */
  timers?: FileStorageTimers;
  /** Random numbers in [0, 1) for the backoff jitter. Default `Math.random`. */
  random?: () => number;
}

const defaultTimers: FileStorageTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const positive = (name: string, value: number | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`FileStorageAdapter option ${name} must be a positive number.`, {
      hint: `Pass milliseconds, or leave ${name} out for the default (${fallback}).`,
    });
  }
  return value;
};

/**
 * A `StorageAdapter` that keeps every key in one JSON file with atomic writes and an advisory lock file, so
 * several processes (or restarts) can share one agent's tokens. Values must be JSON-serialisable.
 *
 * `withLock(key, fn)` locks the whole file (every key) across processes. It is not reentrant: `fn` must not
 * call `withLock` on the same file (that throws `storage_lock_reentrant`), but `fn` may call `set`, `clear`
 * and `get` on it: they see that the lock is held by the surrounding `withLock` and do not lock again.
 *
 * Errors are `StorageError`s naming the file: `storage_corrupt` (the file is never overwritten; delete or
 * restore it), `storage_io` (with a hint for the errno), `storage_lock_timeout`.
 */
export class FileStorageAdapter<T = string> implements StorageAdapter<T> {
  /** Absolute path of the data file. */
  readonly path: string;
  /** Absolute path of the lock file (`<path>.lock`). */
  readonly lockPath: string;
  readonly #lock: FileLock;
  readonly #dir: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  readonly #now: () => number;
  readonly #timers: FileStorageTimers;
  readonly #random: () => number;
  #cleaned: Promise<void> | undefined;
  /** What the first operation removed (crash residue), for monitoring and tests. */
  readonly residueRemoved: string[] = [];

  constructor(options: FileStorageAdapterOptions) {
    if (typeof options?.path !== "string" || options.path === "") {
      throw new ConfigurationError("FileStorageAdapter needs a file path (option path).", {
        hint: 'Pass e.g. { path: join(os.homedir(), ".lucid-agent", "tokens.json") }.',
      });
    }
    this.path = resolve(options.path);
    this.lockPath = `${this.path}.lock`;
    this.#dir = dirname(this.path);
    this.#lockTimeoutMs = positive("lockTimeoutMs", options.lockTimeoutMs, DEFAULT_LOCK_TIMEOUT_MS);
    this.#staleLockMs = positive("staleLockMs", options.staleLockMs, DEFAULT_STALE_LOCK_MS);
    this.#now = options.now ?? Date.now;
    this.#timers = options.timers ?? defaultTimers;
    this.#random = options.random ?? Math.random;
    this.#lock = new FileLock({
      path: this.path,
      lockTimeoutMs: this.#lockTimeoutMs,
      staleLockMs: this.#staleLockMs,
      now: this.#now,
      sleep: (ms) => this.#timers.sleep(ms),
      random: this.#random,
      beforeAcquire: () => this.cleanUp(),
    });
  }

  /**
   * Removes crash residue of killed processes next to the file (see the module comment). Runs once, before the
   * adapter's first operation; call it to do so earlier. Never throws (best effort).
   */
  cleanUp(): Promise<void> {
    this.#cleaned ??= this.#removeResidue().catch(() => undefined);
    return this.#cleaned;
  }

  async #removeResidue(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.#dir);
    } catch {
      return;
    }
    const base = basename(this.path);
    const lockBase = basename(this.lockPath);
    const now = this.#now();
    for (const name of names) {
      const full = join(this.#dir, name);
      let remove = false;
      if (name.startsWith(`.${base}.`) && name.endsWith(".tmp")) {
        const pid = Number(name.slice(base.length + 2).split(".")[0]);
        remove =
          (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) ||
          (await this.#olderThan(full, now, this.#staleLockMs));
      } else if (name.startsWith(`${lockBase}.release-`) || name.startsWith(`${lockBase}.stale-`)) {
        const info = parseLockInfo(await readFile(full, "utf8").catch(() => ""));
        remove =
          (info !== null && info.hostname === hostName && info.pid !== process.pid && !isAlive(info.pid)) ||
          (await this.#olderThan(full, now, this.#staleLockMs));
      } else if (name === lockBase) {
        const observed = await this.#lock.inspect().catch(() => null);
        if (
          observed?.stale === true &&
          (await this.#lock.break(observed.ino, observed.info?.token ?? null))
        ) {
          this.residueRemoved.push(name);
        }
        continue;
      }
      if (remove) {
        await unlink(full).then(
          () => this.residueRemoved.push(name),
          () => undefined,
        );
      }
    }
  }

  async #olderThan(path: string, now: number, ms: number): Promise<boolean> {
    try {
      return now - (await stat(path)).mtimeMs > ms;
    } catch {
      return false;
    }
  }

  /** The value stored under `key`, or `null`. Reads take no lock (writes are atomic). */
  async get(key: string): Promise<T | null> {
    await this.cleanUp();
    const entries = await readEntries<T>(this.path);
    return entries?.get(key) ?? null;
  }

  /** Stores `value` under `key` (read-modify-write of the file, under the lock). */
  set(key: string, value: T): Promise<void> {
    return this.#mutate((entries) => {
      entries.set(key, value);
      return true;
    });
  }

  /** Removes `key`; a missing key or file is not an error (and then nothing is locked or written). */
  async clear(key: string): Promise<void> {
    await this.cleanUp();
    if ((await readEntries<T>(this.path))?.has(key) !== true) return;
    return this.#mutate((entries) => entries.delete(key));
  }

  /** Alias of `clear`. */
  delete(key: string): Promise<void> {
    return this.clear(key);
  }

  /**
   * Runs `fn` while holding the file's lock (for every key, across processes). `set`/`clear` inside `fn` reuse
   * the lock. Throws `storage_lock_timeout` after `lockTimeoutMs`, and `storage_lock_reentrant` when called
   * from inside another `withLock` on the same file.
   */
  async withLock<R>(_key: string, fn: () => Promise<R>): Promise<R> {
    const outer = heldLocks.getStore();
    if (outer?.get(this.path)?.released === false) {
      throw new StorageError(
        StorageErrorCode.LockReentrant,
        `withLock was called inside another withLock on ${this.path}; it is not reentrant.`,
        {
          path: this.path,
          hint: "Call get/set/clear directly inside the callback: they reuse the held lock.",
        },
      );
    }
    return inProcess.run(this.path, async () => {
      const token = await this.#lock.acquire();
      const held: HeldLock = { token, released: false, queue: Promise.resolve() };
      const heartbeat = this.#timers.setInterval(
        () => void this.#lock.touch(token),
        Math.max(10, this.#staleLockMs / 4),
      );
      try {
        const store = new Map(outer ?? []);
        store.set(this.path, held);
        return await heldLocks.run(store, fn);
      } finally {
        held.released = true;
        this.#timers.clearInterval(heartbeat);
        await held.queue;
        await this.#lock.release(token);
      }
    });
  }

  #mutate(change: (entries: Map<string, T>) => boolean): Promise<void> {
    const held = heldLocks.getStore()?.get(this.path);
    if (held !== undefined && !held.released) {
      const run = held.queue.then(() => this.#readModifyWrite(change));
      held.queue = run.catch(() => undefined);
      return run;
    }
    return inProcess.run(this.path, async () => {
      const token = await this.#lock.acquire();
      try {
        await this.#readModifyWrite(change);
      } finally {
        await this.#lock.release(token);
      }
    });
  }

  async #readModifyWrite(change: (entries: Map<string, T>) => boolean): Promise<void> {
    const entries = (await readEntries<T>(this.path)) ?? new Map<string, T>();
    if (!change(entries)) return;
    const contents = { version: FILE_FORMAT_VERSION, entries: Object.fromEntries(entries) };
    await writeAtomic(this.path, `${JSON.stringify(contents, null, 2)}\n`);
  }
}

/** Creates a `FileStorageAdapter` (see its options). */
export const createFileStorageAdapter = <T = string>(
  options: FileStorageAdapterOptions,
): FileStorageAdapter<T> => new FileStorageAdapter<T>(options);
