/**
 * `@lucid-dreams/agent-auth`: authenticate an agent to Lucid and give it a wallet.
 *
 * This entry uses web APIs only (fetch, crypto.subtle, TextEncoder) and runs on Node, Bun and edge runtimes.
 */
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
export type { StandardSchemaResult, StandardSchemaV1 } from "./tools/standard-schema.js";
export type { LucidToolContext, LucidToolDescriptor, LucidToolResult } from "./tools/tool-descriptor.js";
export { toolErrorResult } from "./tools/tool-error-result.js";
