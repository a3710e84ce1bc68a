/**
 * What the README snippets use without defining: the reader's model, runtime, tool set and approval UI.
 * `src/readme-snippets.test.ts` (AI SDK 6) and `scripts/compat-ai7.mjs` (AI SDK 7) type-check every snippet with it.
 */
import type { AgentRuntime } from "@lucid-dreams/agent-auth";
import type { LucidToolSet } from "@lucid-dreams/ai-sdk";
import type { LanguageModel } from "ai";

declare global {
  const model: LanguageModel;
  const runtime: AgentRuntime;
  const tools: LucidToolSet;
  function askHuman(what: string, input?: unknown): Promise<boolean>;
}
