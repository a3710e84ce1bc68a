import type { UIMessage } from "ai";
import type { ApprovalPreview } from "../server/preview.js";

/** The receipt the server streams after a sent transaction. */
export interface ReceiptData {
  hash: string;
  status: "success" | "reverted" | "unknown";
  blockNumber?: string;
}

/** The chat's UI messages: the Lucid tool parts plus the server's `data-preview` and `data-receipt` parts. */
export type ChatMessage = UIMessage<unknown, { preview: ApprovalPreview; receipt: ReceiptData }>;

/** A signed-in demo user as `/api/me` describes them (no credential, only the public wallet address). */
export interface Me {
  user: { id: string; name: string; agentRef: string; walletAddress: string } | null;
  model: string;
}

/** A tool part of a message, whatever the tool. */
export interface ToolPart {
  type: `tool-${string}`;
  toolCallId: string;
  state:
    | "input-streaming"
    | "input-available"
    | "approval-requested"
    | "approval-responded"
    | "output-available"
    | "output-error"
    | "output-denied";
  input?: Record<string, unknown>;
  output?: unknown;
  errorText?: string;
  approval?: { id: string; approved?: boolean; reason?: string };
}
