/**
 * `@lucid-dreams/agent-auth`: authenticate an agent to Lucid and give it a wallet.
 *
 * This entry uses web APIs only (fetch, crypto.subtle, TextEncoder) and runs on Node, Bun and edge runtimes.
 * Node-only parts (file storage, the undici transport) live in `@lucid-dreams/agent-auth/node`. viem, an
 * optional peer, is loaded lazily by the functions that need it.
 */

// Quick start
export {
  type CreateWalletConfig,
  type CreateWalletOptions,
  type CreateWalletServerOptions,
  createWallet,
  ENV_PRIVATE_KEY,
  type WalletClient,
} from "./create-wallet.js";
// Runtime
export {
  AgentApiClient,
  AgentApiClientError,
  type AgentApiClientOptions,
  type AgentDetail,
  type AgentListResponse,
  type AgentRequestOptions,
  type AgentScopedRequestOptions,
  type AgentWalletSendTransactionRequest,
  type AgentWalletSignedResponse,
  type AgentWalletSignedTransactionResponse,
  type AgentWalletSignMessageRequest,
  type AgentWalletSignTransactionRequest,
  type AgentWalletSignTypedDataRequest,
  type AgentWalletTransactionResponse,
  isAgentApiClientError,
  type SentTransactionResult,
  type SignedMessageResult,
  type SignedTransactionResult,
} from "./runtime/agent-api-client.js";
export {
  AgentAuthClient,
  type AgentAuthClientOptions,
  type AgentAuthRequestOptions,
  type AgentAuthSdkClient,
  type AgentChallenge,
  type AgentChallengeRequest,
  type AgentChallengeResponse,
  type AgentExchangeRequest,
  type AgentExchangeResponse,
  type AgentRefreshRequest,
  type ChallengePayload,
  type CredentialInfo,
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
  type AgentConfigFile,
  type AgentRuntimeConfig,
  type ConfigLoaderOptions,
  type ConfigSource,
  type ConfigSources,
  DEFAULT_API_BASE_URL,
  DEFAULT_CONFIG_FILENAME,
  ENV_AGENT_ID,
  ENV_AGENT_REF,
  ENV_AGENT_REF_ALT,
  ENV_BASE_URL,
  ENV_BASE_URL_ALT,
  ENV_CONFIG_PATH,
  ENV_CREDENTIAL_ID,
  ENV_CREDENTIAL_ID_ALT,
  ENV_REFRESH_TOKEN,
  ENV_SCOPES,
  type LoadedAgentRuntimeConfig,
  loadAgentRuntimeConfig,
  parseScopes,
} from "./runtime/config-loader.js";
// Errors
export {
  AgentAuthError,
  AgentAuthErrorCode,
  type AgentAuthErrorOptions,
  AgentRuntimeError,
  type AgentRuntimeErrorUnion,
  ChallengeFailedError,
  ConfigurationError,
  CoverageMismatchError,
  CredentialRevokedError,
  isChallengeFailed,
  isConfigurationError,
  isCoverageMismatch,
  isCredentialRevoked,
  isRefreshFailed,
  isTransportError,
  RefreshFailedError,
  TransportError,
} from "./runtime/errors.js";
// Events and logging
export {
  AgentAuthEvent,
  type AgentAuthEventHandlers,
  type AgentAuthEventMap,
  type AuthenticatedEvent,
  type CredentialRevokedEvent,
  type EventError,
  type EventHandler,
  type ReauthenticationRequiredEvent,
  type RefreshFailedEvent,
  type TokenRefreshedEvent,
  type TokensClearedEvent,
} from "./runtime/events.js";
export {
  type CreateLoggerOptions,
  createLogger,
  ENV_DEBUG,
  type Logger,
  type LogLevel,
  silentLogger,
  wrapLogger,
} from "./runtime/logger.js";
export { REDACTED, redact } from "./runtime/redact.js";
// The refresh decision (pure; the retry layers are described in its module)
export {
  accessTokenSkew,
  classifyRefreshFailure,
  DEFAULT_ACCESS_TOKEN_SKEW_MS,
  decideRefresh,
  MAX_RENEWAL_STEPS,
  type RefreshDecision,
  type RefreshDecisionState,
  type RefreshErrorFacts,
  type RefreshFailureKind,
  type RefreshTokenView,
} from "./runtime/refresh-decision.js";
// Storage and tokens
export { createMemoryStorageAdapter, MemoryStorageAdapter } from "./runtime/storage/memory-adapter.js";
export { isStorageError, StorageError, StorageErrorCode } from "./runtime/storage/storage-error.js";
export type { StorageAdapter, StorageFactory } from "./runtime/storage/types.js";
export {
  createTelemetry,
  SpanAttribute,
  SpanName,
  type Telemetry,
  type TelemetryOptions,
  type TelemetryTracer,
} from "./runtime/telemetry.js";
export {
  DEFAULT_REFRESH_LEAD_TIME_MS,
  DEFAULT_TOKEN_STORAGE_KEY,
  TokenManager,
  type TokenManagerOptions,
} from "./runtime/token-manager.js";
export {
  isTokenManagerError,
  TokenManagerError,
  TokenManagerErrorCode,
} from "./runtime/token-manager-error.js";
export {
  parseStoredTokens,
  type SerializeTokensOptions,
  type StoredTokensV1,
  SUPPORTED_TOKEN_FORMAT_VERSIONS,
  serializeTokens,
  TOKEN_FORMAT_VERSION,
} from "./runtime/token-serialization.js";
export type {
  CachedAccessToken,
  CancelHandle,
  TokenBundleInput,
  TokenSnapshot,
} from "./runtime/token-types.js";
// Transports
export { createFetchTransport, type FetchTransportOptions } from "./runtime/transport/fetch-transport.js";
export type {
  AsFetchOptions,
  FetchExecutor,
  HttpMethod,
  HttpRequestOptions,
  HttpResponse,
  HttpResponseType,
  HttpTransport,
  QueryParameters,
  RetryMode,
  RetryPolicy,
  TransportInstrumentation,
} from "./runtime/transport/http-transport.js";
export {
  HttpTransportError,
  HttpTransportErrorCode,
  isHttpTransportError,
} from "./runtime/transport/http-transport-error.js";
// Wallets
export type {
  ChallengeSigner,
  SignableMessage,
  TransactionInput,
  TypedDataDefinition,
  TypedDataPayload,
  WalletConnector,
  WalletMetadata,
} from "./runtime/wallet/base-connector.js";
export {
  type ChallengeMessageEncoding,
  challengeToSignable,
  detectMessageEncoding,
  extractSignature,
  extractWalletMetadata,
  type NormalizedChallenge,
  normalizeChallenge,
  stableJsonStringify,
} from "./runtime/wallet/challenge.js";
export {
  CoinbaseManagedWalletConnector,
  type CoinbaseManagedWalletConnectorOptions,
} from "./runtime/wallet/coinbase-connector.js";
export {
  type CreateLocalEoaWalletConnectorOptions,
  createLocalEoaWalletConnector,
  type LocalAccountLike,
  type LocalEoaSigner,
  LocalEoaWalletConnector,
  type LocalEoaWalletConnectorOptions,
} from "./runtime/wallet/local-key-connector.js";
export { PrivyEip191Connector, type PrivyEip191ConnectorOptions } from "./runtime/wallet/privy-connector.js";
export {
  ServerOrchestratorMissingAccessTokenError,
  ServerOrchestratorSigningError,
  ServerOrchestratorWalletConnector,
  type ServerOrchestratorWalletConnectorOptions,
} from "./runtime/wallet/server-orchestrator-connector.js";
export {
  isNotSupported,
  isWalletProviderError,
  NotSupportedError,
  WalletProviderError,
} from "./runtime/wallet/wallet-errors.js";
// LLM tools (framework-neutral descriptors; adapters live in @lucid-dreams/ai-sdk and @lucid-dreams/langchain)
export type { StandardSchemaResult, StandardSchemaV1 } from "./tools/standard-schema.js";
export type { LucidToolContext, LucidToolDescriptor, LucidToolResult } from "./tools/tool-descriptor.js";
export { toolErrorResult } from "./tools/tool-error-result.js";
// viem (loaded lazily)
export { type CreateViemAccountOptions, createViemAccount } from "./viem/create-viem-account.js";
