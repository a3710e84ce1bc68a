import { createHash } from "node:crypto";
import { Deadlines, type Slice } from "./command-deadlines.js";
import { RedisAdapterError, RedisErrorCode } from "./redis-error.js";

/**
 * The part of a node-redis client (`createClient()` or `createCluster()` from `redis` 5.x/6.x) this package
 * uses: `eval` / `evalSha` with `{ keys, arguments }`.
 */
export interface NodeRedisClientLike {
  eval(script: string, options: { keys: string[]; arguments: ScriptArgument[] }): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: ScriptArgument[] }): Promise<unknown>;
  /** node-redis: false until `await client.connect()`. */
  readonly isOpen?: boolean;
  /** node-redis: false while (re)connecting. */
  readonly isReady?: boolean;
}

/**
 * The part of an ioredis client (`new Redis(...)` or `new Cluster(...)` from `ioredis` 5.x/6.x) this package uses:
 * `eval` / `evalsha` with a key count and flat arguments, and `status` / `options` to check its configuration.
 * It must neither queue nor resend commands: create it with `{ enableOfflineQueue: false, autoResendUnfulfilledCommands: false }`.
 */
export interface IoRedisClientLike {
  eval(script: string, numKeys: number, ...args: ScriptArgument[]): Promise<unknown>;
  evalsha(sha: string, numKeys: number, ...args: ScriptArgument[]): Promise<unknown>;
  /** ioredis: `"ready"` when commands can be sent; `"wait"` before `connect()`, `"end"` once closed. */
  readonly status: string;
  /** ioredis: the options it was created with (`keyPrefix`, `enableOfflineQueue`, `autoResendUnfulfilledCommands`). */
  readonly options?: object;
  /** ioredis: true for a `Cluster`. */
  readonly isCluster?: boolean;
}

/** node-redis's `RedisClient#sendCommand(args, options)`. */
type SendCommand = (
  args: ScriptArgument[],
  options: { abortSignal: AbortSignal; timeout: undefined },
) => Promise<unknown>;

/** An argument of a script: text, or bytes (the ledger sends its numbers packed). */
export type ScriptArgument = string | Buffer;

/** A Redis client this package accepts: node-redis (recommended) or ioredis. */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/** Default time one Redis command may take before it fails with `redis_unavailable`. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;

/** A loaded Lua script. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

/** A Lua script with its SHA-1, for EVALSHA. */
export const script = (source: string): Script => ({
  source,
  sha: createHash("sha1").update(source).digest("hex"),
});

const isNodeRedis = (client: object): client is NodeRedisClientLike =>
  typeof (client as NodeRedisClientLike).evalSha === "function" &&
  typeof (client as NodeRedisClientLike).eval === "function";

const isIoRedis = (client: object): client is IoRedisClientLike =>
  typeof (client as IoRedisClientLike).evalsha === "function" &&
  typeof (client as IoRedisClientLike).eval === "function" &&
  typeof (client as IoRedisClientLike).status === "string";

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs scripts on the user's client with EVALSHA (EVAL once on NOSCRIPT) and a per-command timeout. */
export class ScriptRunner {
  readonly #run: (
    slice: Slice,
    sha: string | null,
    source: string,
    keys: string[],
    args: ScriptArgument[],
  ) => Promise<unknown>;
  readonly #timeoutMs: number;
  readonly #deadlines: Deadlines;
  readonly #client: RedisClientLike;
  readonly #io: boolean;

  constructor(client: unknown, timeoutMs: number | undefined, owner: string) {
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new RedisAdapterError(
        RedisErrorCode.InvalidOption,
        `${owner} option commandTimeoutMs must be a positive number of milliseconds.`,
        { hint: `Leave it out for the default (${DEFAULT_COMMAND_TIMEOUT_MS} ms).` },
      );
    }
    this.#timeoutMs = timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.#deadlines = new Deadlines(this.#timeoutMs);
    if (typeof client === "function") {
      throw invalidClient(owner, "a function was given, not a client (call `createClient(...)` first)");
    }
    if (typeof client !== "object" || client === null) {
      throw invalidClient(owner, "no client was given");
    }
    if (typeof (client as { then?: unknown }).then === "function") {
      throw invalidClient(owner, "a Promise was given (await `client.connect()` first)");
    }
    this.#client = client as RedisClientLike;
    this.#io = false;
    if (isNodeRedis(client)) {
      // Each command carries the abort signal of its deadline's slice: node-redis drops a command still
      // unwritten when its signal aborts, so a command that timed out never runs late. (node-redis's own
      // `timeout` option does the same with an `AbortSignal.timeout()` per command, which cost more than the
      // rest of a ledger reservation on the client.)
      const withOptions = (
        client as {
          withCommandOptions?: (options: { abortSignal: AbortSignal; timeout: undefined }) => unknown;
        }
      ).withCommandOptions;
      const bound = (signal: AbortSignal) =>
        typeof withOptions === "function"
          ? (withOptions.call(client, { abortSignal: signal, timeout: undefined }) as NodeRedisClientLike)
          : client;
      const send = (client as { sendCommand?: SendCommand }).sendCommand;
      if (typeof send === "function" && send.length === 2 && !("masters" in client)) {
        // One node-redis client (not a cluster, whose sendCommand takes a key first): the script goes straight
        // to `sendCommand`, without the command layer of `evalSha` (its argument parser and options merge).
        this.#run = (slice, sha, source, keys, args) => {
          slice.client ??= { abortSignal: slice.signal, timeout: undefined };
          const command =
            sha === null
              ? ["EVAL", source, String(keys.length), ...keys, ...args]
              : ["EVALSHA", sha, String(keys.length), ...keys, ...args];
          return send.call(client, command, slice.client as Parameters<SendCommand>[1]);
        };
      } else {
        this.#run = (slice, sha, source, keys, args) => {
          slice.client ??= bound(slice.signal);
          const target = slice.client as NodeRedisClientLike;
          return sha === null
            ? target.eval(source, { keys, arguments: args })
            : target.evalSha(sha, { keys, arguments: args });
        };
      }
    } else if (isIoRedis(client)) {
      checkIoRedis(owner, client);
      this.#io = true;
      this.#run = (_slice, sha, source, keys, args) =>
        sha === null
          ? client.eval(source, keys.length, ...keys, ...args)
          : client.evalsha(sha, keys.length, ...keys, ...args);
    } else {
      throw invalidClient(
        owner,
        "it has neither node-redis's eval/evalSha nor ioredis's eval/evalsha/status",
      );
    }
  }

  /** Runs `s` on `keys` / `args`. Throws `redis_client_invalid` or `redis_unavailable`. */
  eval(s: Script, keys: string[], args: ScriptArgument[]): Promise<unknown> {
    const client = this.#client as { isOpen?: boolean; isReady?: boolean; status?: string };
    if (client.isOpen === false) {
      return Promise.reject(
        new RedisAdapterError(RedisErrorCode.ClientInvalid, "The Redis client is not connected.", {
          hint: "Call `await client.connect()` before handing the client over (and keep it open while in use).",
        }),
      );
    }
    if (this.#io && (client.status === "wait" || client.status === "end")) {
      return Promise.reject(
        new RedisAdapterError(
          RedisErrorCode.ClientInvalid,
          `The ioredis client is not connected (status "${client.status}").`,
          {
            hint: 'Call `await client.connect()` (with lazyConnect) or wait for its "ready" event before use, and do not `quit()` it while in use.',
          },
        ),
      );
    }
    // Never queue a command while the connection is down: it would run late, after its caller gave up on it.
    if (client.isReady === false || (this.#io && client.status !== "ready")) {
      return Promise.reject(
        new RedisAdapterError(
          RedisErrorCode.Unavailable,
          "Redis is unavailable: the client is reconnecting.",
          {
            hint: "Check that Redis is running and reachable; the call can be retried once it is back.",
            retryable: true,
          },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      // EVALSHA, then EVAL once on NOSCRIPT; each attempt has its own deadline.
      const attempt = (sha: string | null) => {
        const pending = this.#deadlines.add((error) => reject(this.#wrap(error)));
        let sent: Promise<unknown>;
        try {
          sent = this.#run(pending.slice, sha, s.source, keys, args);
        } catch (error) {
          sent = Promise.reject(error);
        }
        sent.then(
          (value) => {
            if (this.#deadlines.settle(pending)) resolve(value);
          },
          (error: unknown) => {
            if (!this.#deadlines.settle(pending)) return;
            if (sha !== null && /NOSCRIPT/.test(message(error))) attempt(null);
            else reject(this.#wrap(error));
          },
        );
      };
      attempt(s.sha);
    });
  }

  #wrap(error: unknown): RedisAdapterError {
    if (RedisAdapterError.isInstance(error)) return error as RedisAdapterError;
    const text = message(error);
    if (/WRONGTYPE|NOPERM|unknown command|ERR Error (running|compiling) script/i.test(text)) {
      return new RedisAdapterError(
        RedisErrorCode.ClientInvalid,
        `Redis refused a command: ${firstLine(text)}`,
        {
          hint: "Use a Redis >= 6.2 server, a user allowed EVAL/EVALSHA, and a key prefix no other program writes to.",
          cause: error,
        },
      );
    }
    return new RedisAdapterError(RedisErrorCode.Unavailable, `Redis is unavailable: ${firstLine(text)}`, {
      hint: "Check that Redis is running and reachable; the call can be retried once it is back.",
      retryable: true,
      cause: error,
    });
  }
}

function firstLine(text: string): string {
  const end = text.indexOf("\n");
  return (end === -1 ? text : text.slice(0, end)).slice(0, 200);
}

function invalidClient(owner: string, why: string): RedisAdapterError {
  return new RedisAdapterError(
    RedisErrorCode.ClientInvalid,
    `${owner} needs a connected node-redis or ioredis client (option client): ${why}.`,
    {
      hint: 'Pass `await createClient({ url }).connect()` from the "redis" package (5.x or 6.x), or an ioredis `Redis` created with `{ enableOfflineQueue: false, autoResendUnfulfilledCommands: false }`.',
    },
  );
}

/**
 * Refuses an ioredis client that would break this package's guarantees: a `keyPrefix` with braces (it would
 * replace the per-agent hash tags), or a client that queues commands while disconnected or resends unanswered
 * ones after a reconnect (a spend or token write refused as unavailable could then still run, late).
 */
function checkIoRedis(owner: string, client: IoRedisClientLike): void {
  const options = (client.options ?? {}) as Record<string, unknown>;
  const cluster = client.isCluster === true;
  const nodeOptions = (cluster ? (options.redisOptions ?? {}) : options) as Record<string, unknown>;
  for (const keyPrefix of [options.keyPrefix, nodeOptions.keyPrefix]) {
    if (keyPrefix === undefined || keyPrefix === null || keyPrefix === "") continue;
    if (typeof keyPrefix !== "string" || /[{}]/.test(keyPrefix)) {
      throw new RedisAdapterError(
        RedisErrorCode.ClientInvalid,
        `${owner} cannot use this ioredis client: its keyPrefix holds "{" or "}" (or is not a string), which would replace the package's per-agent hash tags.`,
        {
          hint: "Use a keyPrefix without braces, or leave keyPrefix out and pass this package's `prefix` option.",
        },
      );
    }
  }
  const queues = options.enableOfflineQueue !== false;
  const resends = nodeOptions.autoResendUnfulfilledCommands !== false;
  if (queues || resends) {
    const what = [
      queues ? "queues commands while disconnected (enableOfflineQueue)" : "",
      resends ? "resends unanswered commands after a reconnect (autoResendUnfulfilledCommands)" : "",
    ]
      .filter(Boolean)
      .join(" and ");
    throw new RedisAdapterError(
      RedisErrorCode.ClientInvalid,
      `${owner} cannot use this ioredis client: it ${what}, so a spend or token write refused as unavailable could still run later.`,
      {
        hint: cluster
          ? 'Create the Cluster with `{ enableOfflineQueue: false, redisOptions: { autoResendUnfulfilledCommands: false } }` and wait for its "ready" event.'
          : 'Create it with `{ enableOfflineQueue: false, autoResendUnfulfilledCommands: false }` (e.g. `client.duplicate({ enableOfflineQueue: false, autoResendUnfulfilledCommands: false })`) and wait for its "ready" event.',
      },
    );
  }
}

/** Checks a key prefix: no hash-tag braces (the package adds its own `{...}` tag). */
export function checkPrefix(owner: string, prefix: string | undefined, fallback: string): string {
  const value = prefix ?? fallback;
  if (typeof value !== "string" || /[{}]/.test(value)) {
    throw new RedisAdapterError(
      RedisErrorCode.InvalidOption,
      `${owner} option prefix must be a string without "{" or "}".`,
      { hint: `The package adds a hash tag itself; leave prefix out for the default "${fallback}".` },
    );
  }
  return value;
}
