export { DEFAULT_PREFIX } from "./keys.js";
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  type IoRedisClientLike,
  type NodeRedisClientLike,
  type RedisClientLike,
} from "./redis-client.js";
export { isRedisAdapterError, RedisAdapterError, RedisErrorCode } from "./redis-error.js";
export {
  createRedisSpendLedger,
  DEFAULT_WINDOW_RETENTION_MS,
  RedisSpendLedger,
  type RedisSpendLedgerOptions,
} from "./redis-spend-ledger.js";
export {
  createRedisStorageAdapter,
  DEFAULT_LEASE_TTL_MS,
  DEFAULT_LEASE_WAIT_MS,
  RedisStorageAdapter,
  type RedisStorageAdapterOptions,
  type RedisStorageTimers,
} from "./redis-storage-adapter.js";
