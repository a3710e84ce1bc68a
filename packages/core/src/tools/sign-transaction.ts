import { z } from "zod/v4";
import { formatEther } from "./amount.js";
import { runGuarded } from "./guarded-call.js";
import { quantitySchema } from "./schemas.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";
import { transactionFields } from "./transaction-fields.js";
import { planTransaction, transactionToolPreview } from "./transaction-plan.js";

const input = z.strictObject({
  ...transactionFields,
  nonce: quantitySchema("The sender's nonce; null: the pending nonce").nullable(),
  gas: quantitySchema("The gas limit; null: estimated").nullable(),
  maxFeePerGas: quantitySchema("Max fee per gas in wei; null: the network's current fee").nullable(),
  maxPriorityFeePerGas: quantitySchema("Max priority fee per gas in wei; null: the network's").nullable(),
});

/** What `signTransaction` returns. */
export interface SignTransactionToolResult {
  signedTransaction: string;
  transactionHash: string;
  from: string | null;
  to: string;
  amountWei: string;
  amountEther: string;
  chain: string;
  /** gas x maxFeePerGas, in ether: the most broadcasting it can cost in fees. */
  worstCaseFee: string | null;
  /** Whether the transaction was simulated before it was signed (false: the decoded checks decided). */
  simulated: boolean;
}

const MAX_FILLED = 1000;

/**
 * `signTransaction`: signs without broadcasting. Treated like a send: a signed transaction can be broadcast by
 * whoever holds it, so its worst-case cost counts against the same budgets, and it needs approval by default.
 */
export function signTransactionTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, SignTransactionToolResult> {
  const name = "signTransaction";
  return {
    name,
    kind: "send",
    description:
      "Sign a transaction with this session's wallet WITHOUT broadcasting it. Pass null for nonce, gas and the fee fields to have them filled from the chain. Counts against the same budget as a send (value plus the worst-case fee). Prefer sendTransaction to actually send funds.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preview: transactionToolPreview(name, deps),
    async execute(args, context) {
      const toolSession = toToolSession(context.session);
      const plan = await planTransaction(name, args, deps, toolSession, context.signal);
      const signed = await runGuarded(name, args, plan.items, deps, toolSession, context, (key, replay) => {
        // A replay signs the body this process filled the first time (the wallet's idempotency needs it).
        const transaction = (replay ? deps.filled.get(key) : undefined) ?? plan.transaction;
        deps.filled.set(key, transaction);
        if (deps.filled.size > MAX_FILLED) deps.filled.delete(deps.filled.keys().next().value as string);
        return toolSession.signTransaction(
          { caip2: plan.caip2, params: { transaction }, idempotency_key: key },
          context.signal,
        );
      });
      return {
        signedTransaction: signed.signedTransaction,
        transactionHash: signed.transactionHash,
        from: signed.wallet?.address ?? null,
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
