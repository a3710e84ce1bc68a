import {
  ApprovalDeniedError,
  ApprovalRequiredError,
  type LucidSession,
  type LucidToolContext,
  type LucidToolPreview,
} from "@lucid-dreams/agent-auth/tools";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { ElicitRequestFormParams, RequestId } from "@modelcontextprotocol/sdk/types.js";
import { approvalPreview } from "./approval-preview.js";
import type { AnyLucidDescriptor } from "./lucid-mcp-call.js";

/** The form the human answers: one required yes/no. */
const APPROVAL_FORM: ElicitRequestFormParams["requestedSchema"] = {
  type: "object",
  properties: {
    approve: {
      type: "boolean",
      title: "Approve",
      description: "Yes: run this call now. No: refuse it; nothing is signed or sent.",
    },
  },
  required: ["approve"],
};

/** How one call is approved. */
export interface ApprovalContext {
  server: Server;
  descriptor: AnyLucidDescriptor;
  input: unknown;
  /** The call's session, id and signal. */
  context: LucidToolContext<LucidSession>;
  /** The policy's preview of the call (core's `prepareApproval`), or null when its checks could not run. */
  preview: LucidToolPreview | null;
  /** The `tools/call` request, so the question travels with it (on its stream, over Streamable HTTP). */
  requestId: RequestId;
  signal: AbortSignal;
  /** Run without asking when the client cannot elicit. */
  autoApprove: boolean;
  /** How long the human may take. */
  timeoutMs: number;
}

/**
 * Asks the human through MCP elicitation (a form with one `approve` boolean) when the client can elicit forms;
 * only an `accept` with `approve: true` approves. When the client cannot elicit, the call is refused with
 * `approval_required` unless `autoApprove`. Throws `ApprovalDeniedError` / `ApprovalRequiredError`.
 */
export async function requestApproval(context: ApprovalContext): Promise<void> {
  const { server, descriptor } = context;
  if (!server.getClientCapabilities()?.elicitation?.form) {
    if (context.autoApprove) return;
    throw new ApprovalRequiredError(
      `${descriptor.name} needs a human's approval and this MCP client cannot ask for it (no form elicitation); it was not run.`,
    );
  }
  let answer: Awaited<ReturnType<Server["elicitInput"]>>;
  try {
    answer = await server.elicitInput(
      {
        mode: "form",
        message: approvalPreview(descriptor, context.input, context.preview),
        requestedSchema: APPROVAL_FORM,
      },
      { relatedRequestId: context.requestId, signal: context.signal, timeout: context.timeoutMs },
    );
  } catch {
    throw new ApprovalDeniedError(
      `${descriptor.name} was not approved (the approval request failed); it was not run.`,
    );
  }
  if (answer.action !== "accept" || answer.content?.approve !== true) {
    throw new ApprovalDeniedError(`${descriptor.name} was not approved; it was not run.`);
  }
}
