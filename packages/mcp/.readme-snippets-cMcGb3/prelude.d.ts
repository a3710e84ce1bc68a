/**
 * What the README snippets use without defining: the host's tokens and its lookup of a tenant's runtime.
 * `src/readme-snippets.test.ts` type-checks every snippet with it.
 */
import type { AgentRuntime } from "@lucid-dreams/agent-auth";

declare global {
  const aliceToken: string;
  const bobToken: string;
  function runtimeOf(tenant: string): AgentRuntime;
}
