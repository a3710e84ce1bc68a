import { useRef, useState } from "react";
import type { SendPreview } from "../server/preview.js";
import type { ReceiptData, ToolPart } from "./types.js";

interface ToolCardProps {
  part: ToolPart;
  preview: SendPreview | undefined;
  receipt: ReceiptData | undefined;
  /** Answers the approval request; called at most once per card. */
  onAnswer: (approved: boolean) => void;
}

type ToolOutput =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; code: string; message: string; retryable: boolean };

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** One tool call: the approval card (with the safety preview), then its outcome. */
export function ToolCard({ part, preview, receipt, onAnswer }: ToolCardProps) {
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
    const amount = preview?.amount ?? String(part.input?.amount ?? "?");
    const to = preview?.to ?? String(part.input?.to ?? "?");
    return (
      <article className="card approval" aria-label={`Approval request: send ${amount} ETH to ${to}`}>
        <h2>Approve this {toolName === "sendTransaction" ? "payment" : toolName}?</h2>
        {preview ? (
          <dl>
            <dt>Action</dt>
            <dd data-testid="action">{preview.action}</dd>
            <dt>Amount</dt>
            <dd data-testid="amount">
              <strong>{preview.amount} ETH</strong>
            </dd>
            <dt>To</dt>
            <dd data-testid="recipient">
              <code title={preview.to}>{preview.to}</code>
            </dd>
            <dt>From</dt>
            <dd>
              <code title={preview.from}>{short(preview.from)}</code> on {preview.chain}
            </dd>
            <dt>Fee</dt>
            <dd data-testid="fee">at most {preview.maxFee} ETH</dd>
            <dt>Balance</dt>
            <dd data-testid="balance">
              {preview.balance} ETH → <strong>{preview.balanceAfter} ETH</strong> after (worst-case fee)
            </dd>
            <dt>Simulation</dt>
            <dd data-testid="simulation">
              {preview.simulation.ok ? "succeeds" : `would fail: ${preview.simulation.reason}`}
            </dd>
            <dt>Policy</dt>
            <dd data-testid="policy">{preview.rules.join("; ")}</dd>
          </dl>
        ) : (
          <pre>{JSON.stringify(part.input, null, 2)}</pre>
        )}
        <div className="actions">
          <button
            type="button"
            className="approve"
            disabled={answer !== undefined}
            aria-label={`Approve sending ${amount} ETH to ${to}`}
            onClick={() => answerOnce(true)}
          >
            Approve
          </button>
          <button
            type="button"
            className="deny"
            disabled={answer !== undefined}
            aria-label={`Deny sending ${amount} ETH to ${to}`}
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
    if (toolName === "sendTransaction") {
      const hash = String(output.result.transactionHash);
      return (
        <article className="card sent" role="status" aria-label="Transaction sent">
          <h2>Sent {String(output.result.amountEther)} ETH</h2>
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
