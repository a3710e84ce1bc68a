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
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import {
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  stat,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { ConfigurationError } from "../errors.js";
import { KeyedMutex } from "../util/keyed-mutex.js";
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

interface LockInfo {
  pid: number;
  hostname: string;
  createdAt: string;
  token: string;
}

interface HeldLock {
  readonly token: string;
  released: boolean;
  /** Writes made inside `withLock` run one after another. */
  queue: Promise<unknown>;
}

interface LockRegistry {
  /** Locks held by the current async context, by data file path (so writes inside `withLock` do not re-lock). */
  readonly held: AsyncLocalStorage<ReadonlyMap<string, HeldLock>>;
  /** Orders the callers of one process before they compete for the lock file. */
  readonly inProcess: KeyedMutex;
  /** Tokens of the lock files this process holds or is creating. */
  readonly ownTokens: Set<string>;
}

/**
 * Per process, shared by every copy of this module (duplicate installs): otherwise one copy would judge the
 * other's lock (same pid, unknown token) abandoned and break it.
 */
const registry: LockRegistry = (() => {
  const key = Symbol.for("@lucid-dreams/agent-auth.file-storage-locks");
  const global = globalThis as { [key]?: LockRegistry };
  global[key] ??= { held: new AsyncLocalStorage(), inProcess: new KeyedMutex(), ownTokens: new Set() };
  return global[key];
})();
const { held: heldLocks, inProcess, ownTokens } = registry;

const FILE_FORMAT_VERSION = 1;
const hostName = hostname();

const errorCode = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
};

const parseLockInfo = (text: string): LockInfo | null => {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> | null;
    if (
      typeof value === "object" &&
      value !== null &&
      Number.isInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.hostname === "string" &&
      typeof value.token === "string"
    ) {
      return {
        pid: value.pid as number,
        hostname: value.hostname,
        token: value.token,
        createdAt: typeof value.createdAt === "string" ? value.createdAt : "",
      };
    }
  } catch {
    // a lock being written, or garbage: judged by its age only
  }
  return null;
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
        const observed = await this.#inspectLock().catch(() => null);
        if (observed?.stale === true && (await this.#breakLock(observed.ino, observed.info?.token ?? null))) {
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
    const entries = await this.#read();
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
    if ((await this.#read())?.has(key) !== true) return;
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
      const token = await this.#acquire();
      const held: HeldLock = { token, released: false, queue: Promise.resolve() };
      const heartbeat = this.#timers.setInterval(
        () => void this.#touch(token),
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
        await this.#release(token);
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
      const token = await this.#acquire();
      try {
        await this.#readModifyWrite(change);
      } finally {
        await this.#release(token);
      }
    });
  }

  async #readModifyWrite(change: (entries: Map<string, T>) => boolean): Promise<void> {
    const entries = (await this.#read()) ?? new Map<string, T>();
    if (!change(entries)) return;
    const contents = { version: FILE_FORMAT_VERSION, entries: Object.fromEntries(entries) };
    await this.#writeAtomic(`${JSON.stringify(contents, null, 2)}\n`);
  }

  async #read(): Promise<Map<string, T> | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return null;
      throw this.#ioError("read", this.path, error);
    }
    const corrupt = (problem: string, cause?: unknown) =>
      new StorageError(StorageErrorCode.Corrupt, `The storage file ${this.path} is corrupt: ${problem}.`, {
        path: this.path,
        hint: `It was left untouched. Restore it from a backup, or delete ${this.path} (the agent will then have to authenticate again).`,
        cause,
      });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw corrupt(text.trim() === "" ? "it is empty" : "it is not valid JSON", error);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw corrupt("not a JSON object");
    const { version, entries } = parsed as { version?: unknown; entries?: unknown };
    if (version !== FILE_FORMAT_VERSION) {
      if (typeof version === "number") {
        throw new StorageError(
          StorageErrorCode.Corrupt,
          `The storage file ${this.path} has format version ${version}; this version of @lucid-dreams/agent-auth reads version ${FILE_FORMAT_VERSION}.`,
          {
            path: this.path,
            hint: `It was probably written by a newer @lucid-dreams/agent-auth: upgrade, or move ${this.path} away and authenticate again.`,
          },
        );
      }
      throw corrupt('"version" is missing');
    }
    if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
      throw corrupt('"entries" is not a JSON object');
    }
    return new Map(Object.entries(entries) as [string, T][]);
  }

  async #ensureDir(): Promise<void> {
    try {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw this.#ioError("create the directory", this.#dir, error);
    }
  }

  async #writeAtomic(data: string): Promise<void> {
    await this.#ensureDir();
    const temp = join(this.#dir, `.${basename(this.path)}.${process.pid}.${randomUUID()}.tmp`);
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(temp, "wx", 0o600);
      await handle.writeFile(data, "utf8");
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, this.path);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw this.#ioError("write", this.path, error);
    }
    try {
      const dir = await open(this.#dir, "r");
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch {
      // best effort: some platforms cannot open or fsync a directory
    }
  }

  async #acquire(): Promise<string> {
    await this.cleanUp();
    await this.#ensureDir();
    const token = randomUUID();
    ownTokens.add(token);
    // Time is counted as the sum of the waits (not the wall clock), so a slow machine does not time out sooner.
    let waited = 0;
    let attempt = 0;
    let holder: LockInfo | null = null;
    try {
      for (;;) {
        if (await this.#tryCreateLock(token)) return token;
        const observed = await this.#inspectLock();
        if (observed !== null) {
          holder = observed.info;
          const broken =
            observed.stale && (await this.#breakLock(observed.ino, observed.info?.token ?? null));
          if (broken) continue;
        }
        if (waited >= this.#lockTimeoutMs) throw this.#timeoutError(holder);
        const backoff = Math.min(10 * 2 ** attempt, 250) * (0.5 + this.#random());
        attempt += 1;
        const delay = Math.max(1, Math.min(backoff, this.#lockTimeoutMs - waited));
        waited += delay;
        await this.#timers.sleep(delay);
      }
    } catch (error) {
      ownTokens.delete(token);
      throw error;
    }
  }

  /**
   * Creates the lock with its content in one step: the info is written to a private temporary file, which is
   * then hard-linked to the lock path (`link` fails with EEXIST when a lock exists). A lock is therefore never
   * seen empty, even when its creator is killed half-way (the temporary file is residue, removed on next start).
   */
  async #tryCreateLock(token: string): Promise<boolean> {
    const info: LockInfo = {
      pid: process.pid,
      hostname: hostName,
      createdAt: new Date().toISOString(),
      token,
    };
    const temp = join(this.#dir, `.${basename(this.path)}.${process.pid}.${randomUUID()}.lock.tmp`);
    try {
      await writeFile(temp, JSON.stringify(info), { encoding: "utf8", mode: 0o600, flag: "wx" });
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        await this.#ensureDir();
        return false;
      }
      throw this.#ioError("write the lock file", temp, error);
    }
    try {
      await link(temp, this.lockPath);
      return true;
    } catch (error) {
      if (errorCode(error) === "EEXIST") return false;
      if (errorCode(error) === "ENOENT") {
        await this.#ensureDir();
        return false;
      }
      throw this.#ioError("create the lock file", this.lockPath, error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async #inspectLock(): Promise<{ info: LockInfo | null; stale: boolean; ino: number } | null> {
    let text: string;
    let mtimeMs: number;
    let ino: number;
    try {
      const stats = await stat(this.lockPath);
      ({ mtimeMs, ino } = stats);
      text = await readFile(this.lockPath, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return null;
      throw this.#ioError("read the lock file", this.lockPath, error);
    }
    const info = parseLockInfo(text);
    let stale = this.#now() - mtimeMs > this.#staleLockMs;
    if (!stale && info !== null && info.hostname === hostName) {
      stale = info.pid === process.pid ? !ownTokens.has(info.token) : !isAlive(info.pid);
    }
    return { info, stale, ino };
  }

  /**
   * Moves the lock file aside and removes it if it is still the one judged stale (same inode, same token);
   * otherwise (it was replaced by a live lock meanwhile) puts it back. Returns whether a stale lock was removed.
   */
  async #breakLock(ino: number, token: string | null): Promise<boolean> {
    const aside = `${this.lockPath}.stale-${randomUUID()}`;
    try {
      await rename(this.lockPath, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return true;
      throw this.#ioError("break the stale lock file", this.lockPath, error);
    }
    let same = false;
    try {
      const stats = await stat(aside);
      same =
        stats.ino === ino &&
        (token === null || parseLockInfo(await readFile(aside, "utf8"))?.token === token);
    } catch {
      same = false;
    }
    if (!same) await link(aside, this.lockPath).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return same;
  }

  /** Removes the lock file if it still carries `token` (best effort: the work is already done). */
  async #release(token: string): Promise<void> {
    try {
      const current = parseLockInfo(await readFile(this.lockPath, "utf8"));
      if (current?.token !== token) return;
      const aside = `${this.lockPath}.release-${randomUUID()}`;
      await rename(this.lockPath, aside);
      const moved = parseLockInfo(await readFile(aside, "utf8").catch(() => ""));
      if (moved?.token !== token) await link(aside, this.lockPath).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    } catch {
      // the lock was broken or removed by someone else; nothing of ours is left to release
    } finally {
      ownTokens.delete(token);
    }
  }

  /** Heartbeat: refreshes the lock's mtime while it still carries `token`. */
  async #touch(token: string): Promise<void> {
    try {
      const current = parseLockInfo(await readFile(this.lockPath, "utf8"));
      if (current?.token === token) {
        const now = new Date();
        await utimes(this.lockPath, now, now);
      }
    } catch {
      // best effort
    }
  }

  #timeoutError(holder: LockInfo | null): StorageError {
    const by = holder
      ? ` held by pid ${holder.pid} on ${holder.hostname}${holder.createdAt ? ` since ${holder.createdAt}` : ""}`
      : "";
    return new StorageError(
      StorageErrorCode.LockTimeout,
      `Timed out after ${this.#lockTimeoutMs} ms waiting for the lock ${this.lockPath}${by}.`,
      {
        path: this.lockPath,
        retryable: true,
        hint: `Another process is using ${this.path}. If none is running, delete ${this.lockPath}; a lock is also broken automatically once its holder dies or after ${this.#staleLockMs} ms without a heartbeat.`,
      },
    );
  }

  #ioError(operation: string, path: string, cause: unknown): StorageError {
    const code = errorCode(cause);
    const hints: Record<string, string> = {
      EACCES: `Give the agent's user read and write access to ${this.#dir} (keep it private: 0700, files 0600).`,
      EPERM: `Give the agent's user read and write access to ${this.#dir} (keep it private: 0700, files 0600).`,
      ENOSPC: "The disk is full: free some space.",
      EROFS: "The file system is read-only: choose a writable path (option path).",
      ENOTDIR: `A parent of ${path} is not a directory: choose another path (option path).`,
      EISDIR: `${path} is a directory: choose a file path (option path).`,
      EMFILE: "Too many open files in this process: raise the limit or close files.",
    };
    return new StorageError(
      StorageErrorCode.Io,
      `Could not ${operation} ${path}${code ? ` (${code})` : ""}.`,
      {
        path,
        hint: (code && hints[code]) || `Check that ${path} is on a local, writable file system.`,
        retryable: code === "EMFILE" || code === "ENFILE" || code === "EBUSY" || code === "EAGAIN",
        cause,
      },
    );
  }
}

/** Creates a `FileStorageAdapter` (see its options). */
export const createFileStorageAdapter = <T = string>(
  options: FileStorageAdapterOptions,
): FileStorageAdapter<T> => new FileStorageAdapter<T>(options);
