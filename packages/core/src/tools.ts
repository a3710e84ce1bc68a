/**
 * `@lucid-dreams/agent-auth/tools`: the framework-neutral LLM tools (one descriptor per tool: name, a
 * description written for models, a zod input schema, `preview`, `execute`), their default-deny policy engine
 * and their results. Needs `zod` and `viem` (peers). Framework adapters: `@lucid-dreams/ai-sdk`,
 * `@lucid-dreams/langchain`.
 */
export {
  AgentAuthError,
  ConfigurationError,
  CredentialRevokedError,
  isCredentialRevoked,
} from "./runtime/errors.js";
export { type AmountUnit, formatEther, toWei } from "./tools/amount.js";
export { type ApprovalStep, prepareApproval } from "./tools/approval-flow.js";
export type { LucidToolsRpc } from "./tools/chain-client.js";
export {
  conversationIdFromConfigurable,
  conversationIdFromMessages,
  toolIdempotencyKey,
} from "./tools/conversation-key.js";
export {
  createLucidToolDescriptors,
  DEFAULT_LUCID_TOOL_NAMES,
  LUCID_TOOL_NAMES,
  type LucidToolName,
  type LucidToolsOptions,
} from "./tools/create-lucid-tools.js";
export type { TokenInfo } from "./tools/erc20.js";
export type {
  FetchPaidResourceToolResult,
  PaymentReceipt,
} from "./tools/fetch-paid-resource.js";
export type { GetBalanceToolResult, TokenBalance } from "./tools/get-balance.js";
export type { AgentSummary } from "./tools/list-agents.js";
export { isPaymentError, PaymentError, PaymentErrorCode } from "./tools/payment-errors.js";
export type { LucidPaymentPolicy, PaymentPreview } from "./tools/payment-policy.js";
export { type CallEffect, type DecodedCall, decodeCalldata } from "./tools/policy/decode-calldata.js";
export { decideMessage, type MessageDecision } from "./tools/policy/message-rules.js";
export type {
  ApprovalRule,
  ContractRule,
  RollingBudget,
  TokenRule,
  TypedDataDomainRule,
} from "./tools/policy/policy-options.js";
export type { LucidBalanceChange, LucidToolPreview } from "./tools/policy/preview.js";
export { type ResolvedPolicy, resolvePolicy } from "./tools/policy/resolve-policy.js";
export {
  decideTransaction,
  type TransactionDecision,
  type TransactionRequest,
} from "./tools/policy/transaction-rules.js";
export { decideTypedData, type TypedDataDecision } from "./tools/policy/typed-data-rules.js";
export type { AssetSchema, TypedDataInput } from "./tools/policy/typed-data-schemas.js";
export { type FeeFields, worstCaseCost, worstCaseFee } from "./tools/policy/worst-case-cost.js";
export { type LucidToolPolicy, PolicyEnforcer } from "./tools/policy.js";
export { type PendingLucidToolCall, previewLucidToolCall } from "./tools/preview-call.js";
export type { SendTokenToolResult } from "./tools/send-token.js";
export type { SendTransactionToolResult } from "./tools/send-transaction.js";
export type { SignMessageToolResult } from "./tools/sign-message.js";
export type { SignTransactionToolResult } from "./tools/sign-transaction.js";
export type { SignTypedDataToolResult } from "./tools/sign-typed-data.js";
export {
  MemorySpendLedger,
  type MemorySpendLedgerOptions,
  type SpendItem,
  type SpendLedger,
  type SpendLimit,
  type SpendReserveRequest,
  type SpendReserveResult,
} from "./tools/spend-ledger.js";
export type { StandardSchemaResult, StandardSchemaV1 } from "./tools/standard-schema.js";
export { strictModeProblems } from "./tools/strict-mode.js";
export type { LucidTokenConfig, LucidTokens } from "./tools/token-policy.js";
export type { LucidTool } from "./tools/tool-context.js";
export type {
  LucidToolContext,
  LucidToolDescriptor,
  LucidToolKind,
  LucidToolResult,
} from "./tools/tool-descriptor.js";
export {
  type LucidToolErrorEvent,
  type LucidToolErrorHandler,
  type ToolErrorReport,
  toolErrorResult,
} from "./tools/tool-error-result.js";
export {
  ApprovalDeniedError,
  ApprovalRequiredError,
  ChainUnavailableError,
  isPolicyRefused,
  PolicyRefusedError,
  ToolInputError,
} from "./tools/tool-errors.js";
export { type LucidSession, toToolSession } from "./tools/tool-session.js";
export type { LucidToolTypes } from "./tools/tool-types.js";
