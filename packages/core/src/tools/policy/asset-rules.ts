import { formatEther } from "../amount.js";
import { formatTokenAmount } from "../erc20.js";
import type { SpendItem } from "../spend-ledger.js";
import { PolicyRefusedError } from "../tool-errors.js";
import type { CallEffect } from "./decode-calldata.js";
import type { ResolvedPolicy } from "./resolve-policy.js";

const UNLIMITED = 2n ** 255n;

/** The ledger asset of a chain's native coin (CAIP-19). */
export const nativeAsset = (caip2: string) => `${caip2}/slip44:60`;

/** The ledger asset of a token (CAIP-19 style). */
export const tokenAsset = (caip2: string, standard: string, token: string) =>
  `${caip2}/${standard === "permit2" ? "erc20" : standard}:${token.toLowerCase()}`;

/** Refuses a recipient outside `recipientAllowlist`, naming who it is and what would go there. */
export function checkRecipient(policy: ResolvedPolicy, recipient: string, what: string): void {
  if (policy.recipients && !policy.recipients.has(recipient.toLowerCase())) {
    throw new PolicyRefusedError(
      "recipient_allowlist",
      `${what} would go to ${recipient}, which is not on the policy's recipient allowlist.`,
    );
  }
}

const describe = (effect: CallEffect): string => {
  if (effect.type === "transfer") {
    const what = effect.id === undefined ? `${effect.amount}` : `${effect.amount} of id ${effect.id}`;
    return `a ${effect.standard} transfer of ${what} (base units) of token ${effect.token} to ${effect.to}`;
  }
  if (effect.type === "approval") {
    const amount = effect.amount === "all" ? "all tokens" : `${effect.amount} (base units)`;
    return `an allowance of ${amount} of token ${effect.token} to spender ${effect.spender}`;
  }
  return `a delegation of token ${effect.token}'s votes to ${effect.delegatee}`;
};

/**
 * Checks one asset effect (decoded from calldata or seen in a simulation) against the token, recipient and
 * approval rules. Returns the ledger item a token outflow counts as, or null (an allowed approval, a
 * revocation). Throws `PolicyRefusedError` naming the spender, receiver and amount.
 */
export function checkEffect(policy: ResolvedPolicy, caip2: string, effect: CallEffect): SpendItem | null {
  if (effect.type === "delegation") {
    throw new PolicyRefusedError(
      "delegation",
      `The transaction makes ${describe(effect)}; the policy does not allow delegations.`,
    );
  }
  if (effect.type === "approval") {
    if (effect.amount === 0n) return null; // revoking an allowance is always safe
    const explicit = policy.approvals.find(
      (rule) => rule.token === effect.token && rule.spender === effect.spender,
    );
    if (explicit && effect.amount !== "all" && effect.amount <= explicit.maxAmount) return null;
    const legacy =
      policy.legacyApprovals &&
      effect.amount !== "all" &&
      effect.amount < UNLIMITED &&
      (!policy.recipients || policy.recipients.has(effect.spender));
    if (legacy) return null;
    const cap = explicit ? ` (the policy caps it at ${explicit.maxAmount})` : "";
    throw new PolicyRefusedError(
      "approvals",
      `The transaction grants ${describe(effect)}${cap}; the policy allows no such allowance (add it to policy.approvals with a cap).`,
    );
  }
  checkRecipient(policy, effect.to, `Token transfer (${describe(effect)})`);
  const rule = policy.tokens.get(effect.token);
  if (!rule) {
    throw new PolicyRefusedError(
      "tokens",
      `The transaction makes ${describe(effect)}; token ${effect.token} is not in the policy's tokens, so it may not be moved.`,
    );
  }
  if (rule.maxPerTransaction !== undefined && effect.amount > rule.maxPerTransaction) {
    const units = rule.display;
    const max = units
      ? `${formatTokenAmount(rule.maxPerTransaction, units.decimals)} ${units.symbol}`
      : `${rule.maxPerTransaction}`;
    const moved = units ? ` (${formatTokenAmount(effect.amount, units.decimals)} ${units.symbol})` : "";
    throw new PolicyRefusedError(
      "token_max_per_transaction",
      `The transaction makes ${describe(effect)}${moved}, over the policy's maximum of ${max} per transaction for that token.`,
    );
  }
  return {
    asset: tokenAsset(caip2, effect.standard, effect.token),
    amount: effect.amount,
    limits: rule.limits,
  };
}

/** The larger of two bigints (`Math.max` takes numbers only). */
const bigMax = (a: bigint, b: bigint) => {
  if (a < b) return b;
  return a;
};

/** Adds `item` into `items`, keeping per asset the larger amount (decoded vs simulated views of one move). */
export function mergeItems(items: SpendItem[], add: readonly SpendItem[], mode: "sum" | "max"): SpendItem[] {
  const byAsset = new Map(items.map((item) => [item.asset, item]));
  for (const item of add) {
    const seen = byAsset.get(item.asset);
    if (!seen) byAsset.set(item.asset, item);
    else {
      let amount = seen.amount + item.amount;
      if (mode === "max") amount = bigMax(seen.amount, item.amount);
      byAsset.set(item.asset, { ...seen, amount });
    }
  }
  return [...byAsset.values()];
}

/** The refusal of a worst-case cost over `maxValuePerTransaction`. */
export function checkMaxCost(policy: ResolvedPolicy, value: bigint, fee: bigint, feeKnown: boolean): void {
  const cost = value + fee;
  if (policy.maxCost === undefined || cost <= policy.maxCost) return;
  const max = `the policy's maximum of ${formatEther(policy.maxCost)} ETH per transaction (value plus worst-case fee)`;
  if (fee === 0n) {
    throw new PolicyRefusedError("max_value", `${formatEther(value)} ETH exceeds ${max}.`);
  }
  const feeText = feeKnown
    ? `fee at most ${formatEther(fee)} ETH`
    : `fee counted at the policy's ceiling of ${formatEther(fee)} ETH`;
  throw new PolicyRefusedError(
    "max_value",
    `${formatEther(value)} ETH plus ${feeText} is ${formatEther(cost)} ETH, which exceeds ${max}.`,
  );
}
