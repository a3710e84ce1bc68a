import { AgentAuthError } from "@lucid-dreams/agent-auth";

type AgentAuthErrorOptions = NonNullable<ConstructorParameters<typeof AgentAuthError>[2]>;

/** Stable codes of the errors of `@lucid-dreams/agent-auth-redis`. Never renamed; new ones may be added. */
export const RedisErrorCode = {
  /** The value passed as `client` is not a node-redis (or ioredis) client, or is not connected. */
  ClientInvalid: "redis_client_invalid",
  /** Redis did not answer (down, unreachable, or slower than `commandTimeoutMs`). Retryable. */
  Unavailable: "redis_unavailable",
  /** Redis answered something the scripts never return (another program wrote the keys?). */
  ReplyInvalid: "redis_reply_invalid",
  /** An option (prefix, agentRef, scope, amount, window) is not usable. */
  InvalidOption: "redis_invalid_option",
} as const;

/** One of the `RedisErrorCode` values. */
export type RedisErrorCode = (typeof RedisErrorCode)[keyof typeof RedisErrorCode];

/** An error of the Redis storage, lease or spend ledger. Never carries a token, a key's value or a secret. */
export class RedisAdapterError extends AgentAuthError {
  declare readonly code: RedisErrorCode;

  constructor(code: RedisErrorCode, message: string, options: AgentAuthErrorOptions = {}) {
    super(code, message, options);
    this.name = "RedisAdapterError";
  }
}

const codes: ReadonlySet<string> = new Set(Object.values(RedisErrorCode));

/** True when `error` is a `RedisAdapterError` (optionally with `code`), from any installed copy. */
export const isRedisAdapterError = (error: unknown, code?: RedisErrorCode): error is RedisAdapterError =>
  AgentAuthError.isInstance(error) && (code === undefined ? codes.has(error.code) : error.code === code);
