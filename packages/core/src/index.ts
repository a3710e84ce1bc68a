/**
 * `@lucid-dreams/agent-auth`: authenticate an agent to Lucid and give it a wallet.
 *
 * This entry uses web APIs only (fetch, crypto.subtle, TextEncoder) and runs on Node, Bun and edge runtimes.
 * Node-only parts (file storage, the undici transport) live in `@lucid-dreams/agent-auth/node`; the Coinbase
 * and Privy connectors in `/coinbase` and `/privy`; the LLM tools in `/tools`. viem, an optional peer, is
 * loaded lazily by the functions that need it.
 */

// Quick start
export {
  type CreateWalletConfig,
  type CreateWalletOptions,
  type CreateWalletServerOptions,
  createWallet,
  type WalletClient,
} from "./create-wallet.js";
// Runtime
export {
  AgentApiClient,
  AgentApiClientError,
  type AgentApiClientOptions,
  type AgentDetail,
  type AgentListResponse,
  type AgentScopedRequestOptions,
  type SentTransactionResult,
  type SignedMessageResult,
  type SignedTransactionResult,
} from "./runtime/agent-api-client.js";
export {
  AgentAuthClient,
  type AgentAuthClientOptions,
  type AgentAuthRequestOptions,
} from "./runtime/agent-auth-client.js";
export {
  AgentRuntime,
  type AgentRuntimeFromConfigOptions,
  type AgentRuntimeLoadOptions,
  type AgentRuntimeLoadResult,
  type AgentRuntimeWallet,
  type AuthenticatedSession,
} from "./runtime/agent-runtime.js";
export {
  type AgentRuntimeConfig,
  type ConfigLoaderOptions,
  DEFAULT_API_BASE_URL,
  type LoadedAgentRuntimeConfig,
  loadAgentRuntimeConfig,
} from "./runtime/config-loader.js";
// Errors: one base class, one table of stable codes, one guard (plus the design's named guards)
export {
  AgentAuthError,
  AgentAuthErrorCode,
  AgentRuntimeError,
  type AgentRuntimeErrorUnion,
  ChallengeFailedError,
  ConfigurationError,
  CoverageMismatchError,
  CredentialRevokedError,
  isAgentAuthError,
  isChallengeFailed,
  isConfigurationError,
  isCoverageMismatch,
  isCredentialRevoked,
  isRefreshFailed,
  isTransportError,
  RefreshFailedError,
  TransportError,
} from "./runtime/errors.js";
// Events, logging, telemetry
export {
  AgentAuthEvent,
  type AgentAuthEventHandlers,
  type AgentAuthEventMap,
  type EventHandler,
} from "./runtime/events.js";
export { type CreateLoggerOptions, createLogger, type Logger, type LogLevel } from "./runtime/logger.js";
export { MemoryStorageAdapter } from "./runtime/storage/memory-adapter.js";
export { StorageError } from "./runtime/storage/storage-error.js";
export type { StorageAdapter } from "./runtime/storage/types.js";
export { createTelemetry, type Telemetry, type TelemetryOptions } from "./runtime/telemetry.js";
// Storage and tokens
export { TokenManager, type TokenManagerOptions } from "./runtime/token-manager.js";
export { TokenManagerError } from "./runtime/token-manager-error.js";
// Transports
export { createFetchTransport, type FetchTransportOptions } from "./runtime/transport/fetch-transport.js";
export type { FetchExecutor, HttpTransport, RetryPolicy } from "./runtime/transport/http-transport.js";
export { HttpTransportError } from "./runtime/transport/http-transport-error.js";
// Wallets
export type { ChallengeSigner, WalletConnector, WalletMetadata } from "./runtime/wallet/base-connector.js";
export {
  createLocalEoaWalletConnector,
  LocalEoaWalletConnector,
  type LocalEoaWalletConnectorOptions,
} from "./runtime/wallet/local-key-connector.js";
export {
  ServerOrchestratorWalletConnector,
  type ServerOrchestratorWalletConnectorOptions,
} from "./runtime/wallet/server-orchestrator-connector.js";
export { NotSupportedError, WalletProviderError } from "./runtime/wallet/wallet-errors.js";
// viem (loaded lazily)
export { type CreateViemAccountOptions, createViemAccount } from "./viem/create-viem-account.js";
