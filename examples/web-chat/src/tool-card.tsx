import { useRef, useState } from "react";
import type { ApprovalPreview } from "../server/preview.js";
import type { ReceiptData, ToolPart } from "./types.js";

interface ToolCardProps {
  part: ToolPart;
  /** The policy's preview of the call and its recipient and amount (the server's `data-preview` part). */
  card: ApprovalPreview | undefined;
  receipt: ReceiptData | undefined;
  /** Answers the approval request; called at most once per card. */
  onAnswer: (approved: boolean) => void;
}

type ToolOutput =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; code: string; message: string; retryable: boolean };

/** What the card asks to approve, by tool. */
const TITLES: Record<string, string> = {
  sendTransaction: "payment",
  sendToken: "token transfer",
  signTransaction: "transaction signature",
};

/** One tool call: the approval card (with the safety preview), then its outcome. */
export function ToolCard({ part, card, receipt, onAnswer }: ToolCardProps) {
  const toolName = part.type.slice("tool-".length);
  // One answer per card, even if the button is clicked twice before React re-renders.
  const answered = useRef(false);
  const [answer, setAnswer] = useState<boolean | undefined>();
  const answerOnce = (approved: boolean) => {
    if (answered.current) return;
    answered.current = true;
    setAnswer(approved);
    onAnswer(approved);
  };

  if (part.state === "approval-requested") {
    const amount = card?.amount ?? String(part.input?.amount ?? "?");
    const asset = card?.asset ?? (toolName === "sendToken" ? String(part.input?.token ?? "?") : "ETH");
    const to = card?.to ?? String(part.input?.to ?? "?");
    const preview = card?.preview;
    const what = `${amount} ${asset} to ${to}`;
    return (
      <article className="card approval" aria-label={`Approval request: send ${what}`}>
        <h2>Approve this {TITLES[toolName] ?? toolName}?</h2>
        <p className="summary" data-testid="summary">
          {card?.summary ?? `Send ${what}`}
        </p>
        <dl>
          <dt>Amount</dt>
          <dd data-testid="amount">
            <strong>
              {amount} {asset}
            </strong>
          </dd>
          <dt>To</dt>
          <dd data-testid="recipient">
            <code title={to}>{to}</code>
          </dd>
          {preview ? (
            <>
              <dt>Action</dt>
              <dd data-testid="action">{preview.action}</dd>
              <dt>Chain</dt>
              <dd data-testid="chain">{preview.chain ?? "none"}</dd>
              <dt>Balance change</dt>
              <dd data-testid="balance-changes">
                {preview.balanceChanges.map((change) => change.display).join(", ") || "nothing"}
              </dd>
              <dt>Fee</dt>
              <dd data-testid="fee">
                {preview.worstCaseFee === null ? "none" : `at most ${preview.worstCaseFee} ETH`}
              </dd>
              <dt>Balance after</dt>
              <dd data-testid="balance-after">
                {preview.balanceAfter === null ? "not read" : <strong>{preview.balanceAfter} ETH</strong>}
                {preview.balanceAfter === null ? null : " (worst case)"}
              </dd>
              <dt>Simulation</dt>
              <dd data-testid="simulation">
                {preview.simulation === "simulated"
                  ? "simulated on the chain: succeeds"
                  : `${preview.simulation}${preview.simulationNote ? `: ${preview.simulationNote}` : ""}`}
              </dd>
              <dt>Rules passed</dt>
              <dd data-testid="rules">{preview.rules.map((rule) => rule.replaceAll("_", " ")).join(", ")}</dd>
            </>
          ) : (
            <>
              <dt>Checks</dt>
              <dd data-testid="no-preview">
                {card?.missing === "not-previewed" && toolName === "sendToken"
                  ? "The wallet checks the token, its per-transaction cap and budget, and the recipient before it sends; it shows no simulation or fee for this call."
                  : card?.missing === "not-previewed"
                    ? "The wallet checks this call against its policy before it runs; it shows no preview for it."
                    : "The wallet could not check this call yet (the chain was not reachable); it checks it again before it runs."}
              </dd>
            </>
          )}
        </dl>
        <div className="actions">
          <button
            type="button"
            className="approve"
            disabled={answer !== undefined}
            aria-label={`Approve sending ${what}`}
            onClick={() => answerOnce(true)}
          >
            Approve
          </button>
          <button
            type="button"
            className="deny"
            disabled={answer !== undefined}
            aria-label={`Deny sending ${what}`}
            onClick={() => answerOnce(false)}
          >
            Deny
          </button>
        </div>
      </article>
    );
  }

  if (part.state === "approval-responded") {
    return (
      <article className="card pending" role="status">
        {part.approval?.approved ? "Approved: sending…" : "Denied."}
      </article>
    );
  }

  if (part.state === "output-denied") {
    return (
      <article className="card denied" role="status">
        Denied: nothing was sent.
      </article>
    );
  }

  if (part.state === "output-error") {
    return (
      <article className="card error" role="alert">
        {toolName} failed: {part.errorText}
      </article>
    );
  }

  if (part.state === "output-available") {
    const output = part.output as ToolOutput;
    if (!output.ok && output.code === "policy_refused") {
      return (
        <article className="card refused" role="status" aria-label="Refused by the wallet policy">
          <h2>Refused by the wallet policy</h2>
          <p>{output.message}</p>
          <p className="note">Nothing was sent and nobody was asked to approve.</p>
        </article>
      );
    }
    if (!output.ok) {
      return (
        <article className="card error" role="alert">
          {toolName} failed ({output.code}): {output.message}
        </article>
      );
    }
    if (toolName === "sendTransaction" || toolName === "sendToken") {
      const hash = String(output.result.transactionHash);
      const sent =
        toolName === "sendToken"
          ? `${String(output.result.amount)} ${String(output.result.token)}`
          : `${String(output.result.amountEther)} ETH`;
      return (
        <article className="card sent" role="status" aria-label="Transaction sent">
          <h2>Sent {sent}</h2>
          <dl>
            <dt>To</dt>
            <dd>
              <code>{String(output.result.to)}</code>
            </dd>
            <dt>Transaction</dt>
            <dd data-testid="transaction-hash">
              <code>{hash}</code>
            </dd>
            <dt>Receipt</dt>
            <dd data-testid="receipt-status">
              {receipt
                ? `${receipt.status}${receipt.blockNumber ? ` (block ${receipt.blockNumber})` : ""}`
                : "waiting…"}
            </dd>
          </dl>
        </article>
      );
    }
    if (toolName === "signMessage" || toolName === "signTypedData") {
      return (
        <article className="card signed" role="status">
          <h2>Signed</h2>
          <code data-testid="signature">{String(output.result.signature)}</code>
        </article>
      );
    }
    return (
      <article className="card result">
        <h2>{toolName}</h2>
        <pre>{JSON.stringify(output.result, null, 2)}</pre>
      </article>
    );
  }

  return (
    <article className="card pending" role="status">
      {toolName}…
    </article>
  );
}
