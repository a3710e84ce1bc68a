/**
 * `@lucid-dreams/mcp`: the Lucid wallet tools over the Model Context Protocol, for any MCP client.
 */
export { approvalPreview } from "./approval-preview.js";
export {
  type BearerTenant,
  createBearerAuthenticator,
  MIN_BEARER_TOKEN_LENGTH,
} from "./bearer-authenticator.js";
export {
  createLucidMcpServer,
  IDEMPOTENCY_META_KEY,
  type LucidMcpServerOptions,
} from "./create-lucid-mcp-server.js";
export type { AnyLucidDescriptor, LucidMcpCall, LucidMcpSessionResolver } from "./lucid-mcp-call.js";
export {
  createLucidMcpHttpHandler,
  type LucidMcpHttpHandler,
  type LucidMcpHttpOptions,
} from "./lucid-mcp-http-handler.js";
export { approvePaymentByElicitation, paymentPreviewText } from "./payment-approval.js";
export {
  loadPolicyFile,
  type PolicyFileOptions,
  type PolicyFilePayments,
  type PolicyFilePolicy,
  policyFileSchema,
  rpcFromEnvironment,
} from "./policy-file.js";
export {
  type LucidMcpHttpServer,
  type StartLucidMcpHttpServerOptions,
  startLucidMcpHttpServer,
} from "./start-lucid-mcp-http-server.js";
export { loadTenantsFile, type TenantEntry, type TenantsFile, tenantsFileSchema } from "./tenants-file.js";
export { annotationsOf, LUCID_TOOL_OUTPUT_SCHEMA, toolDefinition } from "./tool-definition.js";
