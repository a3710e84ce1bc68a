import { z } from "zod/v4";
import { type AgentSummary, summarizeAgent } from "./list-agents.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({
  agentRef: z
    .string()
    .describe("The agent's ref. null: the agent of this session.")
    .refine((value) => value.trim() !== "", {
      message: "agentRef must not be empty; use null for this session's agent",
    })
    .nullable(),
});

/** `getAgent`: one agent (by default the session's own), with its wallet. */
export function getAgentTool(deps: ToolDeps): LucidTool<z.output<typeof input>, AgentSummary> {
  return {
    name: "getAgent",
    kind: "read",
    description:
      "Get one Lucid agent (by default the one this session acts for): name, status, wallet address, chain.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async execute({ agentRef }, { session, signal }) {
      const toolSession = toToolSession(session);
      return summarizeAgent(await toolSession.getAgent(agentRef ?? toolSession.agentRef, signal));
    },
  };
}
