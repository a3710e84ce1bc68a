/**
 * Errors specific to wallet connectors. All extend `AgentAuthError` (stable `code`, hint, status, cause).
 */
import { AgentAuthErrorCode as Code } from "../error-codes.js";
import { AgentAuthError, type AgentAuthErrorOptions, isAgentAuthError } from "../errors.js";

/** Stable codes of the wallet connector errors. */
export const WalletErrorCode = {
  NotSupported: Code.NotSupported,
  MissingAccessToken: Code.MissingAccessToken,
  WalletProviderError: Code.WalletProviderError,
} as const;

/** A feature this connector (or this environment) cannot provide. Never a fake success. */
export class NotSupportedError extends AgentAuthError {
  declare readonly code: "not_supported";
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(WalletErrorCode.NotSupported, message, { retryable: false, ...options });
    this.name = "NotSupportedError";
  }
}

/** True when `error` is a NotSupportedError, from any installed copy of this package. */
export const isNotSupported = (error: unknown): error is NotSupportedError =>
  isAgentAuthError(error, Code.NotSupported);

/** Options of `WalletProviderError`. */
export interface WalletProviderErrorOptions extends AgentAuthErrorOptions {
  /** The wallet provider (`privy`, `coinbase-cdp`). Its own error code goes in `serverCode`. */
  provider: string;
}

/**
 * A third-party wallet provider (Privy, Coinbase CDP) refused or failed a signing request: `status` is the HTTP
 * status, `serverCode` the provider's own error code when it sent one.
 */
export class WalletProviderError extends AgentAuthError {
  declare readonly code: "wallet_provider_error";
  /** The wallet provider (`privy`, `coinbase-cdp`). */
  readonly provider: string;
  constructor(message: string, options: WalletProviderErrorOptions) {
    const status = options.status;
    super(WalletErrorCode.WalletProviderError, message, {
      retryable: status === 429 || (status !== undefined && status >= 500),
      ...options,
    });
    this.name = "WalletProviderError";
    this.provider = options.provider;
  }
}

/** True when `error` is a WalletProviderError, from any installed copy of this package. */
export const isWalletProviderError = (error: unknown): error is WalletProviderError =>
  isAgentAuthError(error, Code.WalletProviderError);
