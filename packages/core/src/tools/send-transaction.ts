import { z } from "zod/v4";
import { formatEther } from "./amount.js";
import { toolIdempotencyKey } from "./idempotency-key.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";
import { checkTransaction, preflightTransaction, transactionFields } from "./transaction-input.js";

const input = z.strictObject(transactionFields);

/** What `sendTransaction` returns. */
export interface SendTransactionToolResult {
  transactionHash: string;
  from: string | null;
  to: string;
  amountWei: string;
  amountEther: string;
  chain: string;
}

/** `sendTransaction`: signs and broadcasts with the session's wallet, once per tool call, after the policy. */
export function sendTransactionTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, SendTransactionToolResult> {
  return {
    name: "sendTransaction",
    kind: "send",
    description:
      "Send native coin (and optional call data) from this session's wallet. Moves real funds: amount is in the chain's native unit (ether) or wei, as stated by unit. Nonce, gas and fees are filled in by the wallet. Returns the transaction hash.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preflight: (args, { session, toolCallId, signal }) =>
      preflightTransaction(args, deps, toToolSession(session), session, toolCallId, signal),
    async execute(args, { session, toolCallId, signal }) {
      const toolSession = toToolSession(session);
      const checked = await checkTransaction(args, deps, toolSession, session, toolCallId, signal);
      try {
        const sent = await toolSession.sendTransaction(
          {
            caip2: checked.caip2,
            params: { transaction: checked.transaction },
            idempotency_key: toolIdempotencyKey("sendTransaction", toolCallId),
          },
          signal,
        );
        return {
          transactionHash: sent.hash,
          from: sent.transaction?.from ?? sent.wallet?.address ?? null,
          to: args.to,
          amountWei: checked.wei.toString(),
          amountEther: formatEther(checked.wei),
          chain: checked.caip2,
        };
      } catch (error) {
        // Nothing reached the chain unless the server said so: give the budget back on a refusal.
        if (isRefusedBeforeBroadcast(error)) checked.release();
        throw error;
      }
    },
  };
}

/** 4xx answers mean the wallet refused before broadcasting; a network failure might have broadcast. */
function isRefusedBeforeBroadcast(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 409;
}
