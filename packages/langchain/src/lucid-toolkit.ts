import { BaseToolkit, type DynamicStructuredTool } from "@langchain/core/tools";
import type { LucidSession } from "@lucid-dreams/agent-auth/tools";
import { type LucidLangChainOptions, lucidTools } from "./lucid-tools.js";
import type { SessionResolver } from "./to-langchain-tool.js";

/**
 * The Lucid wallet tools as a LangChain toolkit: `new LucidToolkit(runtime).getTools()`. Same arguments as
 * `lucidTools`: a session or a per-call session resolver, and the policy, approval and error options.
 */
export class LucidToolkit extends BaseToolkit {
  tools: DynamicStructuredTool[];

  constructor(session: LucidSession | SessionResolver<LucidSession>, options: LucidLangChainOptions = {}) {
    super();
    this.tools = lucidTools(session, options);
  }

  override getTools(): DynamicStructuredTool[] {
    return this.tools;
  }
}
