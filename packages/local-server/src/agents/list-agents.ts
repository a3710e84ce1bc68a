import { authenticate, requireScope } from "../auth/bearer.js";
import type { Handler } from "../http/handler.js";
import type { ServerContext } from "../server-context.js";
import { agentView } from "./agent-view.js";

/** GET /v1/agents: an agent token sees its own agent, an owner token every agent it owns (at most 100). */
export function createListAgentsHandler(ctx: ServerContext): Handler {
  return async ({ req }) => {
    const principal = authenticate(ctx, req);
    requireScope(principal, "agents.read");
    const items = [...ctx.store.agents.values()]
      .filter((agent) =>
        principal.kind === "agent" ? agent.id === principal.agentId : agent.ownerId === principal.ownerId,
      )
      .slice(0, 100)
      .map((agent) => agentView(agent, ctx.chain.caip2));
    return { status: 200, body: { items } };
  };
}
