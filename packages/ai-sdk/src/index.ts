/**
 * `@lucid-dreams/ai-sdk`: Lucid wallet tools for the Vercel AI SDK.
 */
export { type AiSdkCallInfo, type SessionResolver, toAiSdkTool } from "./to-ai-sdk-tool.js";
