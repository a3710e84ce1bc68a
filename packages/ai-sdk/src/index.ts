/**
 * `@lucid-dreams/ai-sdk`: Lucid wallet tools for the Vercel AI SDK (`ai` 6 and 7).
 */
export { lucidCallContext } from "./call-context.js";
export {
  type LucidAiSdkTool,
  type LucidToolSet,
  type LucidToolsAiSdkOptions,
  lucidTools,
} from "./lucid-tools.js";
export { responseMessages } from "./response-messages.js";
export {
  type AiSdkToolCall,
  LUCID_DESCRIPTOR,
  lucidToolPreview,
  type MappedLucidTool,
  type PendingAiSdkToolCall,
  type SessionResolver,
  type ToAiSdkToolOptions,
  toAiSdkTool,
} from "./to-ai-sdk-tool.js";
