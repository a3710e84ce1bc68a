import { AgentAuthError } from "../runtime/errors.js";

/** The model supplied input that cannot be used; the message says what to change. Not retryable as is. */
export class ToolInputError extends AgentAuthError {
  constructor(message: string) {
    super("invalid_input", message, { retryable: false });
    this.name = "ToolInputError";
  }
}

/** A tool policy refused the call before anything was signed or sent. Not retryable as is. */
export class PolicyRefusedError extends AgentAuthError {
  /** Which rule refused: `allowed_chains`, `max_value`, `budget`, `recipient_allowlist`, `approvals`, ... */
  readonly rule: string;
  constructor(rule: string, message: string) {
    super("policy_refused", message, { retryable: false });
    this.name = "PolicyRefusedError";
    this.rule = rule;
  }
}

/** A human declined (or nobody approved) a call that needs approval. */
export class ApprovalDeniedError extends AgentAuthError {
  constructor(message: string) {
    super("approval_denied", message, { retryable: false });
    this.name = "ApprovalDeniedError";
  }
}

/** A call needs a human's approval and the host gave no way to ask for it. */
export class ApprovalRequiredError extends AgentAuthError {
  constructor(message: string) {
    super("approval_required", message, {
      retryable: false,
      hint: "Give the adapter an approval mechanism (AI SDK needsApproval flow, LangChain approve callback).",
    });
    this.name = "ApprovalRequiredError";
  }
}

/** True when `error` is a `PolicyRefusedError`, from any installed copy of this package. */
export const isPolicyRefused = (error: unknown): error is PolicyRefusedError =>
  AgentAuthError.isInstance(error) && error.code === "policy_refused";

/** The chain could not be read or simulated right now (and the policy requires it): retrying later may work. */
export class ChainUnavailableError extends AgentAuthError {
  constructor(message: string) {
    super("chain_unavailable", message, { retryable: true });
    this.name = "ChainUnavailableError";
  }
}
