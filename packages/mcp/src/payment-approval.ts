import { AsyncLocalStorage } from "node:async_hooks";
import {
  ApprovalRequiredError,
  type LucidToolsOptions,
  type PaymentPreview,
} from "@lucid-dreams/agent-auth/tools";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { ElicitRequestFormParams, RequestId } from "@modelcontextprotocol/sdk/types.js";

/** The MCP call a payment belongs to: who to ask, and how. */
export interface McpCallScope {
  server: Server;
  requestId: RequestId;
  signal: AbortSignal;
  /** Pay without asking when the client cannot elicit (`autoApprove.fetchPaidResource`). */
  autoApprove: boolean;
  timeoutMs: number;
}

/** The call being served; `payments.approve` runs inside a tool's `execute`, so it finds its call here. */
export const mcpCallScope = new AsyncLocalStorage<McpCallScope>();

const PAYMENT_FORM: ElicitRequestFormParams["requestedSchema"] = {
  type: "object",
  properties: {
    approve: {
      type: "boolean",
      title: "Pay",
      description: "Yes: sign this payment now. No: refuse it; nothing is signed or paid.",
    },
  },
  required: ["approve"],
};

/** One line of text: control characters (newlines included) become spaces, so no field can fake a line. */
const line = (value: string) => value.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").slice(0, 300);

/**
 * What the human reads before an x402 payment is signed: host, amount and asset, URL, pay-to, network, scheme.
 * Every field is shown on its own line with its control characters removed, so a seller's or token's text
 * cannot forge another line of the question.
 */
export function paymentPreviewText(raw: PaymentPreview): string {
  const preview = Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [key, line(String(value))]),
  ) as unknown as PaymentPreview;
  return [
    `Pay ${preview.amount} ${preview.asset} to ${preview.host}?`,
    "",
    `URL: ${preview.url}`,
    `Amount: ${preview.amount} ${preview.asset} (${preview.amountAtomic} base units of ${preview.assetAddress})`,
    `Pay to: ${preview.payTo}`,
    `Network: ${preview.network}`,
    `Scheme: ${preview.scheme}`,
  ].join("\n");
}

/**
 * `payments.approve` over MCP: asks the human of the current call through form elicitation with the payment's
 * host, amount, asset, pay-to and network; only an `accept` with `approve: true` pays. A client that cannot
 * elicit gets `approval_required` unless `autoApprove.fetchPaidResource`. Outside an MCP call, nothing is paid.
 */
export async function approvePaymentByElicitation(preview: PaymentPreview): Promise<boolean> {
  const call = mcpCallScope.getStore();
  if (!call) return false;
  if (!call.server.getClientCapabilities()?.elicitation?.form) {
    if (call.autoApprove) return true;
    throw new ApprovalRequiredError(
      "fetchPaidResource needs a human's approval to pay and this MCP client cannot ask for it (no form elicitation); nothing was paid.",
    );
  }
  try {
    const answer = await call.server.elicitInput(
      { mode: "form", message: paymentPreviewText(preview), requestedSchema: PAYMENT_FORM },
      { relatedRequestId: call.requestId, signal: call.signal, timeout: call.timeoutMs },
    );
    return answer.action === "accept" && answer.content?.approve === true && !call.signal.aborted;
  } catch {
    return false; // the question failed or timed out: not approved
  }
}

/** The tool options with `payments.approve` asking over MCP, unless the host gave its own callback. */
export function withMcpPaymentApproval<Options extends LucidToolsOptions>(options: Options): Options {
  if (options.payments?.approve) return options;
  return { ...options, payments: { ...options.payments, approve: approvePaymentByElicitation } };
}
