import { z } from "zod/v4";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({
  limit: z
    .number()
    .describe("At most this many agents (1 to 100). null: all of them.")
    .refine((value) => Number.isInteger(value) && value >= 1 && value <= 100, {
      message: "limit must be a whole number between 1 and 100",
    })
    .nullable(),
});

/** One agent as the tools show it. */
export interface AgentSummary {
  ref: string;
  name: string | null;
  status: string | null;
  walletAddress: string | null;
  chain: string | null;
}

/** `listAgents`: the agents this session may see, with their wallet addresses. */
export function listAgentsTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, { agents: AgentSummary[] }> {
  return {
    name: "listAgents",
    kind: "read",
    description:
      "List the Lucid agents this session can see, with each agent's wallet address and chain. Read-only.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async execute({ limit }, { session, signal }) {
      const agents = await toToolSession(session).listAgents(signal);
      return { agents: agents.slice(0, limit ?? agents.length).map(summarizeAgent) };
    },
  };
}

/** The small, JSON-safe view of an agent record. */
export function summarizeAgent(agent: Record<string, unknown>): AgentSummary {
  const wallet = (agent.wallet ?? {}) as { address?: unknown; caip2?: unknown };
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    ref: text(agent.ref) ?? text(agent.id) ?? "",
    name: text(agent.name),
    status: text(agent.status),
    walletAddress: text(wallet.address),
    chain: text(wallet.caip2),
  };
}
