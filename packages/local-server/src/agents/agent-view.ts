import type { AgentRecord } from "../store/store.js";

/** An agent on the wire (`Agent` in openapi.yaml). */
export interface AgentView {
  id: string;
  ref: string;
  name: string;
  description: string | null;
  status: "active";
  wallet: { address: string; caip2: string };
  created_at: string;
}

/** The wire form of an agent. */
export function agentView(agent: AgentRecord, caip2: string): AgentView {
  return {
    id: agent.id,
    ref: agent.ref,
    name: agent.name,
    description: agent.description,
    status: "active",
    wallet: { address: agent.wallet.address, caip2 },
    created_at: new Date(agent.createdAt).toISOString(),
  };
}
