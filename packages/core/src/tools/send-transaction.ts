import { z } from "zod/v4";
import { formatEther } from "./amount.js";
import { runGuarded } from "./guarded-call.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";
import { transactionFields } from "./transaction-fields.js";
import { planTransaction, transactionToolPreview } from "./transaction-plan.js";

const input = z.strictObject(transactionFields);

/** What `sendTransaction` returns. */
export interface SendTransactionToolResult {
  transactionHash: string;
  from: string | null;
  to: string;
  amountWei: string;
  amountEther: string;
  chain: string;
  /** The policy's worst-case fee, in ether (the wallet sets the actual fee). */
  worstCaseFee: string | null;
  /** Whether the transaction was simulated before it was sent. */
  simulated: boolean;
}

/** `sendTransaction`: signs and broadcasts with the session's wallet, once per tool call, after the policy. */
export function sendTransactionTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, SendTransactionToolResult> {
  const name = "sendTransaction";
  return {
    name,
    kind: "send",
    description:
      "Send native coin (and optional call data) from this session's wallet. Moves real funds: amount is in the chain's native unit (ether) or wei, as stated by unit. Nonce, gas and fees are filled in by the wallet. The host's policy checks the decoded call, its simulated effect and the budget (fees included) first. Returns the transaction hash.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preview: transactionToolPreview(name, deps),
    async execute(args, context) {
      const toolSession = toToolSession(context.session);
      const plan = await planTransaction(name, args, deps, toolSession, context.signal);
      const sent = await runGuarded(name, args, plan.items, deps, toolSession, context, (key) =>
        toolSession.sendTransaction(
          { caip2: plan.caip2, params: { transaction: plan.transaction }, idempotency_key: key },
          context.signal,
        ),
      );
      return {
        transactionHash: sent.hash,
        from: sent.transaction?.from ?? sent.wallet?.address ?? null,
        to: args.to,
        amountWei: plan.wei.toString(),
        amountEther: formatEther(plan.wei),
        chain: plan.caip2,
        worstCaseFee: plan.preview.worstCaseFee,
        simulated: plan.preview.simulation === "simulated",
      };
    },
  };
}
