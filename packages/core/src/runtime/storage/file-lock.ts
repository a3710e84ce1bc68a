/**
 * The lock file of `FileStorageAdapter` (`<path>.lock`, see its module comment): created atomically with its
 * holder's `{ pid, hostname, createdAt, token }`, kept fresh by a heartbeat, judged stale when its holder on this
 * host is dead or its mtime is older than `staleLockMs`, broken without two breakers both winning, and released
 * only by the holder of its token.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { link, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { KeyedMutex } from "../util/keyed-mutex.js";
import { ensureDir, errorCode, ioError } from "./file-io.js";
import { StorageError, StorageErrorCode } from "./storage-error.js";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  createdAt: string;
  token: string;
}

/** A lock held by an async context (`withLock`), with the writes made inside it. */
export interface HeldLock {
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
export const { held: heldLocks, inProcess } = registry;
const { ownTokens } = registry;

/** This machine's host name, as written into lock files. */
export const hostName = hostname();

/** Whether process `pid` on this host is alive (a process we may not signal counts as alive). */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
};

/** The holder info of a lock file's text, or `null` for a lock being written or garbage. */
export const parseLockInfo = (text: string): LockInfo | null => {
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

/** Options of `FileLock`. */
export interface FileLockOptions {
  /** The data file the lock guards. */
  path: string;
  lockTimeoutMs: number;
  staleLockMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Runs before every acquisition (the adapter's one-time crash clean-up). */
  beforeAcquire: () => Promise<void>;
}

/** The advisory lock file of one data file. */
export class FileLock {
  /** Absolute path of the lock file (`<path>.lock`). */
  readonly lockPath: string;
  readonly #path: string;
  readonly #dir: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #beforeAcquire: () => Promise<void>;

  constructor(options: FileLockOptions) {
    this.#path = options.path;
    this.lockPath = `${options.path}.lock`;
    this.#dir = dirname(options.path);
    this.#lockTimeoutMs = options.lockTimeoutMs;
    this.#staleLockMs = options.staleLockMs;
    this.#now = options.now;
    this.#sleep = options.sleep;
    this.#random = options.random;
    this.#beforeAcquire = options.beforeAcquire;
  }

  /** Takes the lock, breaking a stale one; resolves with its token. Throws `storage_lock_timeout`. */
  async acquire(): Promise<string> {
    await this.#beforeAcquire();
    await ensureDir(this.#dir);
    const token = randomUUID();
    ownTokens.add(token);
    // Time is counted as the sum of the waits (not the wall clock), so a slow machine does not time out sooner.
    let waited = 0;
    let attempt = 0;
    let holder: LockInfo | null = null;
    try {
      for (;;) {
        if (await this.#tryCreateLock(token)) return token;
        const observed = await this.inspect();
        if (observed !== null) {
          holder = observed.info;
          const broken = observed.stale && (await this.break(observed.ino, observed.info?.token ?? null));
          if (broken) continue;
        }
        if (waited >= this.#lockTimeoutMs) throw this.#timeoutError(holder);
        const backoff = Math.min(10 * 2 ** attempt, 250) * (0.5 + this.#random());
        attempt += 1;
        const delay = Math.max(1, Math.min(backoff, this.#lockTimeoutMs - waited));
        waited += delay;
        await this.#sleep(delay);
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
    const temp = join(this.#dir, `.${basename(this.#path)}.${process.pid}.${randomUUID()}.lock.tmp`);
    try {
      await writeFile(temp, JSON.stringify(info), { encoding: "utf8", mode: 0o600, flag: "wx" });
    } catch (error) {
      if (errorCode(error) === "ENOENT") {
        await ensureDir(this.#dir);
        return false;
      }
      throw ioError("write the lock file", temp, error);
    }
    try {
      await link(temp, this.lockPath);
      return true;
    } catch (error) {
      if (errorCode(error) === "EEXIST") return false;
      if (errorCode(error) === "ENOENT") {
        await ensureDir(this.#dir);
        return false;
      }
      throw ioError("create the lock file", this.lockPath, error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async inspect(): Promise<{ info: LockInfo | null; stale: boolean; ino: number } | null> {
    let text: string;
    let mtimeMs: number;
    let ino: number;
    try {
      const stats = await stat(this.lockPath);
      ({ mtimeMs, ino } = stats);
      text = await readFile(this.lockPath, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return null;
      throw ioError("read the lock file", this.lockPath, error);
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
  async break(ino: number, token: string | null): Promise<boolean> {
    const aside = `${this.lockPath}.stale-${randomUUID()}`;
    try {
      await rename(this.lockPath, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return true;
      throw ioError("break the stale lock file", this.lockPath, error);
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
  async release(token: string): Promise<void> {
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
  async touch(token: string): Promise<void> {
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
        hint: `Another process is using ${this.#path}. If none is running, delete ${this.lockPath}; a lock is also broken automatically once its holder dies or after ${this.#staleLockMs} ms without a heartbeat.`,
      },
    );
  }
}
