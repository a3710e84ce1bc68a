import type { LucidToolPreview } from "@lucid-dreams/agent-auth/tools";
import type { AnyLucidDescriptor } from "./lucid-mcp-call.js";

/**
 * What the human is shown when asked to approve a call: the policy's preview (from core's `prepareApproval`: the
 * one-line summary, then the decoded action, balance changes, worst-case fee and the rules that applied), else,
 * when the checks could not run or the tool has no preview, the tool's name and its validated input as JSON. The
 * one place to change what an approval shows.
 */
export function approvalPreview(
  descriptor: AnyLucidDescriptor,
  input: unknown,
  preview: LucidToolPreview | null,
): string {
  if (preview) {
    const lines = [preview.summary, "", `Action: ${preview.action}`];
    if (preview.chain) lines.push(`Chain: ${preview.chain}`);
    for (const change of preview.balanceChanges) lines.push(`Balance change: ${JSON.stringify(change)}`);
    if (preview.worstCaseFee) lines.push(`Fee at most: ${preview.worstCaseFee}`);
    if (preview.balanceAfter) lines.push(`Balance after: ${preview.balanceAfter}`);
    lines.push(
      `Simulation: ${preview.simulation}${preview.simulationNote ? ` (${preview.simulationNote})` : ""}`,
    );
    if (preview.rules.length > 0) lines.push(`Policy: ${preview.rules.join("; ")}`);
    return lines.join("\n");
  }
  return `Approve ${descriptor.name}?\n\n${JSON.stringify(input, null, 2)}`;
}
