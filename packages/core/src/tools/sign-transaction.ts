import { z } from "zod/v4";
import { formatEther } from "./amount.js";
import { toolIdempotencyKey } from "./idempotency-key.js";
import { quantitySchema } from "./schemas.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";
import { checkTransaction, preflightTransaction, transactionFields } from "./transaction-input.js";

const input = z.strictObject({
  ...transactionFields,
  nonce: quantitySchema("The sender's nonce"),
  gas: quantitySchema("The gas limit"),
  maxFeePerGas: quantitySchema("Max fee per gas in wei"),
  maxPriorityFeePerGas: quantitySchema("Max priority fee per gas in wei"),
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
}

/** `signTransaction`: signs without broadcasting, exactly the fields given, after the policy. */
export function signTransactionTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, SignTransactionToolResult> {
  return {
    name: "signTransaction",
    kind: "sign",
    description:
      "Sign a transaction with this session's wallet WITHOUT broadcasting it. The wallet signs exactly the fields given and fills nothing in: nonce, gas, maxFeePerGas and maxPriorityFeePerGas are required. Prefer sendTransaction to actually send funds.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preflight: (args, { session, toolCallId, signal }) =>
      preflightTransaction(args, deps, toToolSession(session), session, toolCallId, signal),
    async execute(args, { session, toolCallId, signal }) {
      const toolSession = toToolSession(session);
      const checked = await checkTransaction(args, deps, toolSession, session, toolCallId, signal);
      // A signed transaction can be broadcast later by anyone holding it: it counts against the budget.
      const fees = {
        nonce: args.nonce,
        gas: args.gas,
        maxFeePerGas: args.maxFeePerGas,
        maxPriorityFeePerGas: args.maxPriorityFeePerGas,
      };
      try {
        const signed = await toolSession.signTransaction(
          {
            caip2: checked.caip2,
            params: { transaction: { ...checked.transaction, ...fees } },
            idempotency_key: toolIdempotencyKey("signTransaction", toolCallId),
          },
          signal,
        );
        return {
          signedTransaction: signed.signedTransaction,
          transactionHash: signed.transactionHash,
          from: signed.wallet?.address ?? null,
          to: args.to,
          amountWei: checked.wei.toString(),
          amountEther: formatEther(checked.wei),
          chain: checked.caip2,
        };
      } catch (error) {
        checked.release();
        throw error;
      }
    },
  };
}
