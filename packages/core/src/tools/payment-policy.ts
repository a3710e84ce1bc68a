import { ConfigurationError } from "../runtime/errors.js";
import type { TokenInfo } from "./erc20.js";
import { formatTokenAmount, parseTokenAmount } from "./erc20.js";
import type { LucidToolPreview } from "./policy/preview.js";
import type { LucidTokens } from "./token-policy.js";
import { PolicyRefusedError } from "./tool-errors.js";

/**
 * What the host shows a human before an x402 payment is signed: a `LucidToolPreview` (summary "Pay 0.01 USDC to
 * 0x... for api.example.com on eip155:8453", balance change, rules) with the payment's own fields.
 */
export interface PaymentPreview extends LucidToolPreview {
  /** The seller's host (`api.example.com:443` style: host and port when not default). */
  host: string;
  url: string;
  /** Decimal amount in the asset's units ("0.01"). */
  amount: string;
  /** Base units ("10000"). */
  amountAtomic: string;
  /** The asset's symbol as the chain reports it ("USDC"). */
  asset: string;
  assetAddress: string;
  payTo: string;
  network: string;
  scheme: string;
}

/** x402 payment rules of `fetchPaidResource`. Every check runs before anything is signed. */
export interface LucidPaymentPolicy {
  /** Hosts the tool may pay (`api.example.com`, or `127.0.0.1:4021` with a port). */
  allowedHosts?: readonly string[];
  /** Addresses the tool may pay to. When both lists are given, a payment must satisfy both. */
  payTo?: readonly string[];
  /** CAIP-2 networks payments may use. Default: the call's chain (the configured default or the wallet's). */
  networks?: readonly string[];
  /** Assets payments may use: symbols of `tokens` or token addresses. Default: every token of `tokens`. */
  assets?: readonly string[];
  /** Largest single payment, a decimal in the asset's units ("0.05"). The token's `maxPerTransaction` applies too. */
  maxPerPayment?: string;
  /** Total of all payments per asset, a decimal in the asset's units; the token's `budget` applies too. */
  budget?: string;
  /** Largest response body returned to the model, in bytes (the rest is cut). Default 64 KiB. */
  maxBodyBytes?: number;
  /** How long one call may take (the first request, payment and retry), in milliseconds. Default 30000. */
  timeoutMs?: number;
  /**
   * Asked before each payment is signed, with what it pays; return true to pay. Omitted: payments within the
   * policy are made without asking.
   */
  approve?: (preview: PaymentPreview) => boolean | Promise<boolean>;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT256_MAX = 2n ** 256n - 1n;

/** Refuses a URL whose host is not on `allowedHosts` (when the policy lists hosts), before any request. */
export function checkHost(policy: LucidPaymentPolicy, url: URL): void {
  if (
    policy.allowedHosts &&
    !policy.allowedHosts.some((host) => host === url.host || host === url.hostname)
  ) {
    throw new PolicyRefusedError(
      "payment_host",
      `Host ${url.host} is not on the policy's allowedHosts; nothing was fetched or paid.`,
    );
  }
}

/** The requirement fields the policy reads (v2 `amount`, v1 `maxAmountRequired`). */
export interface PaymentRequirementLike {
  scheme: string;
  network: string;
  asset: string;
  payTo: string;
  amount?: string;
  maxAmountRequired?: string;
  maxTimeoutSeconds?: number;
  extra?: Record<string, unknown>;
}

/**
 * The longest a signed authorization may stay valid (the seller's `maxTimeoutSeconds`): a seller that reports a
 * failure still holds the signature until then, so a longer window is refused.
 */
export const MAX_AUTHORIZATION_SECONDS = 3600;

/** The atomic amount of a requirement, or a refusal naming what is wrong with it. */
export function requirementAmount(requirement: PaymentRequirementLike): bigint {
  const raw = requirement.amount ?? requirement.maxAmountRequired;
  if (typeof raw !== "string" || !/^\d{1,78}$/.test(raw)) {
    throw new PolicyRefusedError(
      "payment_requirements",
      `The seller's amount ${JSON.stringify(String(raw).slice(0, 40))} is not a whole number of base units.`,
    );
  }
  const value = BigInt(raw);
  if (value > UINT256_MAX) {
    throw new PolicyRefusedError("payment_requirements", "The seller's amount overflows uint256.");
  }
  return value;
}

/** Checks the policy file once, when the tools are built. */
export function validatePaymentPolicy(policy: LucidPaymentPolicy | undefined): void {
  if (!policy) return;
  for (const address of policy.payTo ?? []) {
    if (!ADDRESS.test(address)) {
      throw new ConfigurationError(`payments.payTo has "${address}", which is not an EVM address.`, {
        hint: 'Write payTo: ["0x..."].',
      });
    }
  }
  for (const field of ["maxPerPayment", "budget"] as const) {
    const value = policy[field];
    if (value !== undefined && !/^\d+(\.\d+)?$/.test(value)) {
      throw new ConfigurationError(`payments.${field} "${value}" is not a decimal amount.`, {
        hint: 'Write amounts in the asset\'s units as strings, e.g. maxPerPayment: "0.05".',
      });
    }
  }
  if (
    policy.maxBodyBytes !== undefined &&
    (!Number.isInteger(policy.maxBodyBytes) || policy.maxBodyBytes < 1)
  ) {
    throw new ConfigurationError("payments.maxBodyBytes must be a positive whole number of bytes.");
  }
  if (policy.timeoutMs !== undefined && (!Number.isInteger(policy.timeoutMs) || policy.timeoutMs < 1)) {
    throw new ConfigurationError("payments.timeoutMs must be a positive whole number of milliseconds.");
  }
}

/** A requirement the synchronous rules accepted: the listed token it pays in. */
export interface AcceptedRequirement {
  /** The token's symbol in `tokens`; undefined for a token listed only in `policy.tokens` (read from the chain). */
  symbol: string | undefined;
  amount: bigint;
}

/**
 * The synchronous rules (no chain reads): scheme and transfer method, network, host, pay-to, asset and the
 * amount's form. Throws `PolicyRefusedError` naming the rule.
 */
export function checkRequirement(
  policy: LucidPaymentPolicy,
  tokens: LucidTokens | undefined,
  requirement: PaymentRequirementLike,
  url: URL,
  defaultNetwork: string,
  policyTokens?: ReadonlyMap<string, unknown>,
): AcceptedRequirement {
  if (requirement.scheme !== "exact") {
    throw new PolicyRefusedError(
      "payment_scheme",
      `The seller asks for the "${String(requirement.scheme).slice(0, 40)}" scheme; only "exact" (EIP-3009) is paid.`,
    );
  }
  const method = requirement.extra?.assetTransferMethod;
  if (method !== undefined && method !== "eip3009") {
    throw new PolicyRefusedError(
      "payment_scheme",
      `The seller asks for the "${String(method).slice(0, 40)}" transfer method; only EIP-3009 authorizations are signed.`,
    );
  }
  const networks = policy.networks ?? [defaultNetwork];
  if (!networks.includes(requirement.network)) {
    throw new PolicyRefusedError(
      "payment_network",
      `The seller asks for payment on ${String(requirement.network).slice(0, 60)}; allowed: ${networks.join(", ")}.`,
    );
  }
  if (policy.allowedHosts === undefined && policy.payTo === undefined) {
    throw new PolicyRefusedError(
      "payment_payee",
      "No payee is allowed: the policy lists neither allowedHosts nor payTo.",
    );
  }
  checkHost(policy, url);
  const payTo = String(requirement.payTo);
  if (!ADDRESS.test(payTo)) {
    throw new PolicyRefusedError("payment_requirements", "The seller's payTo is not an EVM address.");
  }
  if (policy.payTo && !policy.payTo.some((address) => address.toLowerCase() === payTo.toLowerCase())) {
    throw new PolicyRefusedError(
      "payment_pay_to",
      `Pay-to address ${payTo} is not on the policy's payTo list.`,
    );
  }
  const window = requirement.maxTimeoutSeconds;
  if (
    typeof window !== "number" ||
    !Number.isInteger(window) ||
    window < 1 ||
    window > MAX_AUTHORIZATION_SECONDS
  ) {
    throw new PolicyRefusedError(
      "payment_requirements",
      `The seller's maxTimeoutSeconds (${String(window).slice(0, 20)}) is not a whole number from 1 to ${MAX_AUTHORIZATION_SECONDS}; the authorization would stay valid too long.`,
    );
  }
  const asset = String(requirement.asset);
  const symbol = assetSymbol(policy, tokens, asset, requirement.network, defaultNetwork, policyTokens);
  return { symbol, amount: requirementAmount(requirement) };
}

function assetSymbol(
  policy: LucidPaymentPolicy,
  tokens: LucidTokens | undefined,
  asset: string,
  network: string,
  defaultNetwork: string,
  policyTokens: ReadonlyMap<string, unknown> | undefined,
): string | undefined {
  const listed = Object.entries(tokens ?? {}).find(
    ([, config]) =>
      config.address.toLowerCase() === asset.toLowerCase() && (config.chain ?? defaultNetwork) === network,
  );
  // A token of policy.tokens (by address, on any allowed network) is listed too, without a symbol.
  const inPolicy = listed === undefined && policyTokens?.has(asset.toLowerCase()) === true;
  const allowed = policy.assets ?? [...Object.keys(tokens ?? {}), ...(inPolicy ? [asset] : [])];
  const ok =
    (listed !== undefined || inPolicy) &&
    allowed.some(
      (entry) =>
        (listed !== undefined && entry.toLowerCase() === listed[0].toLowerCase()) ||
        entry.toLowerCase() === asset.toLowerCase(),
    );
  if (!ok) {
    throw new PolicyRefusedError(
      "payment_asset",
      `The seller asks for asset ${asset.slice(0, 60)} on ${network}, which the policy does not allow (list it in tokens and payments.assets).`,
    );
  }
  return listed?.[0];
}

/** Refuses a payment over `maxPerPayment` (in the asset's decimals, read from the chain). */
export function checkPaymentCap(
  policy: LucidPaymentPolicy,
  info: TokenInfo,
  symbol: string,
  amount: bigint,
): void {
  if (policy.maxPerPayment === undefined) return;
  const cap = parseTokenAmount(policy.maxPerPayment, info.decimals, symbol);
  if (amount > cap) {
    throw new PolicyRefusedError(
      "payment_max_per_payment",
      `The seller asks for ${formatTokenAmount(amount, info.decimals)} ${symbol}, over the policy's maximum of ${policy.maxPerPayment} ${symbol} per payment; nothing was paid.`,
    );
  }
}
