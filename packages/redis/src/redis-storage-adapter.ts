import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import {
  AgentAuthErrorCode,
  isAgentAuthError,
  type StorageAdapter,
  StorageError,
} from "@lucid-dreams/agent-auth";
import { DEFAULT_PREFIX, storageKeys } from "./keys.js";
import { checkPrefix, type RedisClientLike, ScriptRunner } from "./redis-client.js";
import { isRedisAdapterError, RedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { ACQUIRE, EXTEND, READ, RELEASE, WRITE } from "./storage-scripts.js";

/** Default lifetime of the refresh lease; the holder extends it every third of it while it works. */
export const DEFAULT_LEASE_TTL_MS = 10_000;
/** Default time `withLock` waits for the lease before failing with `storage_lock_timeout`. */
export const DEFAULT_LEASE_WAIT_MS = 30_000;

/** Timers the adapter uses (injectable in tests). */
export interface RedisStorageTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  sleep(ms: number): Promise<void>;
}

/** Options of `RedisStorageAdapter`. */
export interface RedisStorageAdapterOptions {
  /**
   * A connected node-redis client (`await createClient({ url }).connect()`), or an ioredis client created with
   * `{ enableOfflineQueue: false, autoResendUnfulfilledCommands: false }` (see the README, "Which client").
   */
  client: RedisClientLike;
  /** The agent whose tokens these are: the hash tag of every key (`{agentRef}`), so Redis Cluster works. */
  agentRef: string;
  /** Key prefix, without braces. Default `"lucid:"`. */
  prefix?: string;
  /** Lifetime of the refresh lease (ms). A holder that dies frees it after this long. Default 10 000. */
  leaseTtlMs?: number;
  /** How long `withLock` waits for the lease. Default 30 000 ms. */
  lockTimeoutMs?: number;
  /** Longest wait between two tries for a busy lease (ms, jittered). Default 50. */
  pollMs?: number;
  /** Time one Redis command may take before counting as unavailable. Default 1 000 ms. */
  commandTimeoutMs?: number;
  /** Timers and sleep; default the global ones (intervals are `unref()`'d). */
  timers?: RedisStorageTimers;
  /** Random numbers in [0, 1) for the poll jitter. Default `Math.random`. */
  random?: () => number;
}

interface Lease {
  readonly key: string;
  readonly fence: number;
  readonly owner: string;
  released: boolean;
}

interface Local {
  value: string | null;
  /** The etag (random id of the last write) last seen in Redis for this key. */
  etag: string | null;
  /** Written while Redis was unreachable: to be written back (if nobody wrote meanwhile). */
  pending: boolean;
}

const defaultTimers: RedisStorageTimers = {
  setInterval(fn, ms) {
    const handle = setInterval(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const positive = (name: string, value: number | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new RedisAdapterError(
      RedisErrorCode.InvalidOption,
      `RedisStorageAdapter option ${name} must be a positive number.`,
      { hint: `Leave ${name} out for the default (${fallback}).` },
    );
  }
  return value;
};

const pair = (reply: unknown): [number, number] => {
  if (Array.isArray(reply) && reply.length === 2) {
    const a = Number(reply[0]);
    const b = Number(reply[1]);
    if (Number.isFinite(a) && Number.isFinite(b)) return [a, b];
  }
  throw new RedisAdapterError(
    RedisErrorCode.ReplyInvalid,
    "Redis gave an unexpected reply to a storage script.",
    {
      hint: "Make sure no other program writes keys under this adapter's prefix.",
    },
  );
};

/**
 * A `StorageAdapter` on Redis for a fleet of workers sharing one agent.
 *
 * - Values live in one hash per key with a write counter `ver` and the fencing number `fence` of their writer.
 * - `withLock(key, fn)` takes the refresh lease: `SET lease owner NX PX leaseTtlMs`, plus a new fencing number
 *   (`INCR`) in the same script. The holder extends the lease every third of its TTL and releases it by
 *   compare-and-delete. Waiters poll with jitter. The lease only saves work; correctness comes from the fence:
 *   a `set` inside `withLock` is written only if no later lease holder (or plain `set`) wrote first, otherwise
 *   it is refused with `storage_fenced` (the holder was paused or slow past its lease).
 * - Redis unreachable: `get` answers from this process's last known value, `set` keeps the value in this
 *   process and writes it back when Redis answers again (only if nobody wrote meanwhile), and `withLock` falls
 *   back to an in-process lock. Nothing else is cached: every `get` asks Redis while it answers.
 *
 * Errors: `StorageError` (`storage_fenced`, `storage_lock_timeout`, `storage_unavailable`) and
 * `RedisAdapterError` (`redis_client_invalid`, `redis_invalid_option`).
 */
export class RedisStorageAdapter implements StorageAdapter<string> {
  readonly #runner: ScriptRunner;
  readonly #prefix: string;
  readonly #agentRef: string;
  readonly #leaseTtlMs: number;
  readonly #lockTimeoutMs: number;
  readonly #pollMs: number;
  readonly #timers: RedisStorageTimers;
  readonly #random: () => number;
  readonly #leases = new AsyncLocalStorage<Lease>();
  readonly #local = new Map<string, Local>();
  readonly #localTails = new Map<string, Promise<void>>();
  /** Counters of what happened, for tests and monitoring (no secrets). */
  readonly stats = { leasesAcquired: 0, leaseWaits: 0, fencedWrites: 0, localFallbacks: 0, writeBacks: 0 };

  constructor(options: RedisStorageAdapterOptions) {
    this.#runner = new ScriptRunner(options?.client, options?.commandTimeoutMs, "RedisStorageAdapter");
    if (typeof options.agentRef !== "string" || options.agentRef === "") {
      throw new RedisAdapterError(RedisErrorCode.InvalidOption, "RedisStorageAdapter needs an agentRef.", {
        hint: "Pass the agent's ref (e.g. config.agentRef): it keeps each agent's keys apart and in one cluster slot.",
      });
    }
    this.#agentRef = options.agentRef;
    this.#prefix = checkPrefix("RedisStorageAdapter", options.prefix, DEFAULT_PREFIX);
    this.#leaseTtlMs = positive("leaseTtlMs", options.leaseTtlMs, DEFAULT_LEASE_TTL_MS);
    this.#lockTimeoutMs = positive("lockTimeoutMs", options.lockTimeoutMs, DEFAULT_LEASE_WAIT_MS);
    this.#pollMs = positive("pollMs", options.pollMs, 50);
    this.#timers = options.timers ?? defaultTimers;
    this.#random = options.random ?? Math.random;
  }

  /** The stored value, or `null`. While Redis is unreachable: this process's last known value, if any. */
  async get(key: string): Promise<string | null> {
    const keys = this.#keys(key);
    try {
      await this.#writeBack(key);
      const [value, etag] = readReply(await this.#runner.eval(READ, [keys.store], []));
      this.#local.set(key, { value, etag, pending: false });
      return value;
    } catch (error) {
      const local = this.#local.get(key);
      if (isUnavailable(error) && local !== undefined) {
        this.stats.localFallbacks += 1;
        return local.value;
      }
      throw this.#storageError(error);
    }
  }

  /**
   * Stores `value`. Inside `withLock`: only if no later holder wrote (else `storage_fenced`). Outside: always,
   * with a new fence (so a paused lease holder can no longer overwrite it).
   */
  set(key: string, value: string): Promise<void> {
    return this.#write(key, value, false);
  }

  /** Removes the value (the fence is kept, so a late holder still cannot write). */
  clear(key: string): Promise<void> {
    return this.#write(key, null, true);
  }

  /** Alias of `clear`. */
  delete(key: string): Promise<void> {
    return this.clear(key);
  }

  /**
   * Runs `fn` while holding the refresh lease of `key` across every process sharing this Redis. Not reentrant.
   * Throws `storage_lock_timeout` after `lockTimeoutMs`; while Redis is unreachable, locks in this process only.
   */
  async withLock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    return this.#inProcess(key, async () => {
      let lease: Lease;
      try {
        lease = await this.#acquire(key);
      } catch (error) {
        if (!isUnavailable(error)) throw this.#storageError(error);
        this.stats.localFallbacks += 1;
        return fn();
      }
      const keys = this.#keys(key);
      const heartbeat = this.#timers.setInterval(
        () => {
          this.#runner
            .eval(EXTEND, [keys.lease], [lease.owner, String(this.#leaseTtlMs)])
            .catch(() => undefined);
        },
        Math.max(10, Math.floor(this.#leaseTtlMs / 3)),
      );
      try {
        return await this.#leases.run(lease, fn);
      } finally {
        lease.released = true;
        this.#timers.clearInterval(heartbeat);
        await this.#runner.eval(RELEASE, [keys.lease], [lease.owner]).catch(() => undefined);
      }
    });
  }

  async #acquire(key: string): Promise<Lease> {
    const keys = this.#keys(key);
    const owner = randomUUID();
    let waited = 0;
    let attempt = 0;
    for (;;) {
      const [ok, value] = pair(
        await this.#runner.eval(ACQUIRE, [keys.lease, keys.fence], [owner, String(this.#leaseTtlMs)]),
      );
      if (ok === 1) {
        this.stats.leasesAcquired += 1;
        return { key, fence: value, owner, released: false };
      }
      if (waited >= this.#lockTimeoutMs) {
        throw new StorageError(
          AgentAuthErrorCode.StorageLockTimeout,
          `Timed out after ${this.#lockTimeoutMs} ms waiting for the refresh lease of agent ${this.#agentRef}.`,
          {
            retryable: true,
            hint: `Another worker holds the lease; it expires by itself ${this.#leaseTtlMs} ms after its holder stops.`,
          },
        );
      }
      this.stats.leaseWaits += 1;
      const cap = Math.min(this.#pollMs * 2 ** Math.min(attempt, 3), this.#pollMs * 4);
      const delay = Math.max(1, Math.min(value > 0 ? value : cap, cap * (0.5 + this.#random() / 2)));
      attempt += 1;
      waited += delay;
      await this.#timers.sleep(delay);
    }
  }

  async #write(key: string, value: string | null, del: boolean): Promise<void> {
    const keys = this.#keys(key);
    const lease = this.#leases.getStore();
    const fenced = lease !== undefined && lease.key === key;
    try {
      await this.#writeBack(key);
      const etag = randomUUID();
      const [ok] = pair(
        await this.#runner.eval(
          WRITE,
          [keys.store, keys.fence],
          [
            fenced ? "fenced" : "plain",
            value ?? "",
            String(fenced ? lease.fence : 0),
            "",
            del ? "1" : "0",
            etag,
          ],
        ),
      );
      if (ok !== 1) {
        this.stats.fencedWrites += 1;
        throw new StorageError(
          AgentAuthErrorCode.StorageFenced,
          `A newer writer already stored agent ${this.#agentRef}'s "${key}": this write (lease fence ${lease?.fence}) was refused.`,
          {
            hint: "This worker lost its refresh lease (paused or slow past leaseTtlMs). Re-read the storage and use what is there.",
          },
        );
      }
      this.#local.set(key, { value, etag, pending: false });
    } catch (error) {
      if (!isUnavailable(error)) throw this.#storageError(error);
      const known = this.#local.get(key);
      this.#local.set(key, { value, etag: known?.etag ?? null, pending: true });
      this.stats.localFallbacks += 1;
    }
  }

  /** Writes back a value stored while Redis was unreachable, unless another writer changed the key meanwhile. */
  async #writeBack(key: string): Promise<void> {
    const local = this.#local.get(key);
    if (local === undefined || !local.pending) return;
    const keys = this.#keys(key);
    const etag = randomUUID();
    const [ok] = pair(
      await this.#runner.eval(
        WRITE,
        [keys.store, keys.fence],
        ["cas", local.value ?? "", "0", local.etag ?? "", local.value === null ? "1" : "0", etag],
      ),
    );
    this.stats.writeBacks += ok === 1 ? 1 : 0;
    // Written, or another worker wrote meanwhile (theirs is newer): either way Redis leads again.
    this.#local.set(key, { value: local.value, etag: ok === 1 ? etag : local.etag, pending: false });
  }

  async #inProcess<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const previous = this.#localTails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const tail = new Promise<void>((resolve) => {
      done = resolve;
    });
    const queued = previous.then(() => tail);
    this.#localTails.set(key, queued);
    try {
      await previous;
      return await fn();
    } finally {
      done();
      if (this.#localTails.get(key) === queued) this.#localTails.delete(key);
    }
  }

  #keys(key: string) {
    return storageKeys(this.#prefix, this.#agentRef, key);
  }

  #storageError(error: unknown): Error {
    if (
      (isAgentAuthError(error) && error.code.startsWith("storage_")) ||
      isRedisAdapterError(error, RedisErrorCode.ClientInvalid)
    ) {
      return error as Error;
    }
    if (isUnavailable(error)) {
      return new StorageError(
        AgentAuthErrorCode.StorageUnavailable,
        (error as Error).message.split("\n")[0] ?? "",
        {
          retryable: true,
          hint: "Redis is unreachable and this process has no copy of the value yet; retry once Redis is back.",
          cause: error,
        },
      );
    }
    return error as Error;
  }
}

function isUnavailable(error: unknown): boolean {
  return isRedisAdapterError(error, RedisErrorCode.Unavailable);
}

function readReply(reply: unknown): [string | null, string | null] {
  const text = (value: unknown) =>
    value === null || value === false || value === undefined ? null : String(value);
  if (Array.isArray(reply) && reply.length <= 2) {
    return [text(reply[0]), text(reply[1])];
  }
  throw new RedisAdapterError(
    RedisErrorCode.ReplyInvalid,
    "Redis gave an unexpected reply to a storage read.",
    {
      hint: "Make sure no other program writes keys under this adapter's prefix.",
    },
  );
}

/** Creates a `RedisStorageAdapter` (see its options). */
export const createRedisStorageAdapter = (options: RedisStorageAdapterOptions): RedisStorageAdapter =>
  new RedisStorageAdapter(options);
