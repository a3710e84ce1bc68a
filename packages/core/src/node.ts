/**
 * `@lucid-dreams/agent-auth/node`: the parts that need Node.js (or Bun) APIs: file storage shared between
 * processes, and the undici transport with a keep-alive pool. The root entry stays free of Node-only modules
 * so it runs on edge runtimes.
 */
export {
  DEFAULT_LOCK_TIMEOUT_MS,
  DEFAULT_STALE_LOCK_MS,
  FileStorageAdapter,
  type FileStorageAdapterOptions,
  type FileStorageTimers,
} from "./runtime/storage/file-adapter.js";
export {
  createUndiciTransport,
  type UndiciTransport,
  type UndiciTransportOptions,
} from "./runtime/transport/undici-transport.js";
