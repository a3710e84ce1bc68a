/**
 * What the approval card shows: the policy's own preview of the call (core's `LucidToolPreview`, computed by
 * `prepareApproval` before the AI SDK asks: the summary line, decoded action, balance changes, worst-case fee,
 * balance after, simulation status and the rules that passed), plus the few fields the preview does not carry
 * as fields (the recipient and the amount with its asset), taken from the validated tool input.
 */
import { formatEther, type LucidToolPreview, toWei } from "@lucid-dreams/agent-auth/tools";
import { getAddress, isAddress } from "viem";

/** Why a card has no preview: the tool has none (`sendToken`), or its checks could not run (the chain). */
export type MissingPreview = "not-previewed" | "unavailable";

/** The `data-preview` part of an approval request. */
export interface ApprovalPreview {
  /** The policy's preview; `null` when there is none (see `missing`). */
  preview: LucidToolPreview | null;
  /** Why `preview` is null; null when there is one. */
  missing: MissingPreview | null;
  /** The line the card leads with: the preview's summary, else the call's amount and recipient. */
  summary: string;
  /** The tool's name, e.g. `sendTransaction`, `sendToken`. */
  tool: string;
  /** The recipient (checksummed), when the call names one. */
  to: string | null;
  /** The amount in the asset's own units ("0.01" ETH, "1" USDC), when the call moves one. */
  amount: string | null;
  /** The asset of `amount`: "ETH", or the token as the call named it (a listed symbol or an address). */
  asset: string | null;
}

const shortAddress = (address: string) => `${address.slice(0, 5)}...${address.slice(-4)}`;

/** The card data of an approval request: the policy's preview and the recipient and amount of `input`. */
export function approvalPreview(
  tool: string,
  input: unknown,
  preview: LucidToolPreview | MissingPreview,
): ApprovalPreview {
  const fields = (input ?? {}) as Record<string, unknown>;
  const to =
    typeof fields.to === "string" && isAddress(fields.to, { strict: false }) ? getAddress(fields.to) : null;
  let amount = typeof fields.amount === "string" ? fields.amount : null;
  let asset: string | null = null;
  if (tool === "sendTransaction" || tool === "signTransaction") {
    asset = "ETH";
    if (amount !== null) amount = formatEther(toWei(amount, fields.unit === "wei" ? "wei" : "ether"));
  } else if (tool === "sendToken") {
    asset = typeof fields.token === "string" ? fields.token : null;
  } else {
    amount = null;
  }
  const moves = amount !== null && asset !== null && to !== null;
  return {
    preview: typeof preview === "string" ? null : preview,
    missing: typeof preview === "string" ? preview : null,
    summary:
      typeof preview !== "string"
        ? preview.summary
        : moves
          ? `Send ${amount} ${asset} to ${shortAddress(to)}`
          : `Run ${tool}`,
    tool,
    to,
    amount,
    asset,
  };
}
