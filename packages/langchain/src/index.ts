/**
 * `@lucid-dreams/langchain`: Lucid wallet tools for LangChain JS.
 */
export { type LangChainCallInfo, type SessionResolver, toLangChainTool } from "./to-langchain-tool.js";
