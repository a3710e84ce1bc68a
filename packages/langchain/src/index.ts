/**
 * `@lucid-dreams/langchain`: Lucid wallet tools for LangChain JS (`@langchain/core` 1.x).
 */

export { LucidToolkit } from "./lucid-toolkit.js";
export { type LucidLangChainOptions, lucidTools } from "./lucid-tools.js";
export { LUCID_SESSION_KEY, sessionFromConfig } from "./session-from-config.js";
export {
  type ApprovalRequest,
  type ApproveCallback,
  type LangChainCallInfo,
  type SessionResolver,
  type ToLangChainToolOptions,
  toLangChainTool,
} from "./to-langchain-tool.js";
