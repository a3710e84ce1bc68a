import { z } from "zod/v4";
import { chainSchema } from "./schemas.js";
import { type LucidTool, resolveChain, type ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({ chain: chainSchema });

/** `getWalletAddress`: the address that signs for this session, and its chain. */
export function getWalletAddressTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, { address: string; chain: string; agentRef: string }> {
  return {
    name: "getWalletAddress",
    kind: "read",
    description: "Get the wallet address this session signs and sends with, and its chain. Read-only.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async execute({ chain }, { session, signal }) {
      const toolSession = toToolSession(session);
      const { address } = await toolSession.wallet(signal);
      return {
        address,
        chain: await resolveChain(chain, deps, toolSession, signal),
        agentRef: toolSession.agentRef,
      };
    },
  };
}
