import { authenticate, requireAgentAccess, requireScope } from "../auth/bearer.js";
import type { Handler } from "../http/handler.js";
import { notFound } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { findAgent } from "../store/store.js";
import { agentView } from "./agent-view.js";

/** GET /v1/agents/{agentRef}: one agent by ref or id. */
export function createGetAgentHandler(ctx: ServerContext): Handler {
  return async ({ req, params }) => {
    const principal = authenticate(ctx, req);
    requireScope(principal, "agents.read");
    const agent = findAgent(ctx.store, params.agentRef!);
    if (!agent) throw notFound(`Unknown agent "${params.agentRef}"; use the agent's ref or id.`);
    requireAgentAccess(principal, agent);
    return { status: 200, body: agentView(agent, ctx.chain.caip2) };
  };
}
