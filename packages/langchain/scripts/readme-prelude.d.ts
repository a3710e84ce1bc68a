/**
 * What the README snippets use without defining: the reader's chat model, runtime, session lookup and approval
 * UI. `src/readme-snippets.test.ts` type-checks every snippet with it.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AgentRuntime } from "@lucid-dreams/agent-auth";

declare global {
  const model: BaseChatModel & { bindTools: NonNullable<BaseChatModel["bindTools"]> };
  const runtime: AgentRuntime;
  function sessionFor(userId: string): AgentRuntime;
  function askHuman(request: unknown): Promise<boolean>;
}
