import { AgentAuthError } from "../runtime/errors.js";

/** Stable codes of {@link PaymentError}. */
export const PaymentErrorCode = {
  /** The seller's payment requirements are malformed, overflow, or use a scheme this wallet cannot pay. */
  RequirementsInvalid: "payment_requirements_invalid",
  /** A payment was authorized but did not settle (facilitator down or refusing): no budget was consumed. */
  NotSettled: "payment_not_settled",
  /** The seller did not answer in a usable way (unreachable, headers too large, aborted). */
  SellerFailed: "payment_seller_failed",
  /** This tool call paid before in another process: the first result is not here to return. */
  AlreadyPaid: "payment_already_made",
} as const;

/** A code of {@link PaymentError}. */
export type PaymentErrorCode = (typeof PaymentErrorCode)[keyof typeof PaymentErrorCode];

/** An x402 payment could not be made or did not settle. Nothing was paid unless `code` says otherwise. */
export class PaymentError extends AgentAuthError {
  override readonly code: PaymentErrorCode;
  constructor(
    code: PaymentErrorCode,
    message: string,
    options: { retryable?: boolean; hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, { retryable: options.retryable ?? false, hint: options.hint, cause: options.cause });
    this.name = "PaymentError";
    this.code = code;
  }
}

/** True when `error` is a `PaymentError` (from any installed copy of this package). */
export const isPaymentError = (error: unknown): error is PaymentError =>
  AgentAuthError.isInstance(error) && Object.values<string>(PaymentErrorCode).includes(error.code);
