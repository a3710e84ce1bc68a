import { formatEther } from "../amount.js";
import type { SpendItem } from "../spend-ledger.js";
import { PolicyRefusedError } from "../tool-errors.js";
import { checkEffect, checkMaxCost, checkRecipient, mergeItems, nativeAsset } from "./asset-rules.js";
import { type DecodedCall, decodeCalldata } from "./decode-calldata.js";
import type { ResolvedPolicy } from "./resolve-policy.js";
import { type FeeFields, worstCaseFee } from "./worst-case-cost.js";

/** A transaction as the policy sees it: the chain, the call and whatever fee fields are known. */
export interface TransactionRequest extends FeeFields {
  caip2: string;
  to: string;
  value: bigint;
  data: `0x${string}` | null;
  maxPriorityFeePerGas?: bigint | undefined;
}

/** What the policy concluded about an allowed transaction. */
export interface TransactionDecision {
  decoded: DecodedCall;
  /** Worst-case fee in wei; `feeKnown` false: the fee is the wallet's and counts at the policy's ceiling. */
  fee: bigint;
  feeKnown: boolean;
  /** value + fee. */
  cost: bigint;
  /** What the call counts against the budgets: the worst-case cost in native coin, plus token outflows. */
  items: SpendItem[];
  /** The rules that were checked, for the approval preview. */
  rules: string[];
}

/** Refuses a chain outside `allowedChains`. */
export function checkChain(policy: ResolvedPolicy, caip2: string): void {
  if (policy.chains && !policy.chains.has(caip2)) {
    throw new PolicyRefusedError(
      "allowed_chains",
      `Chain ${caip2} is not allowed by policy; allowed: ${[...policy.chains].join(", ")}.`,
    );
  }
}

/** Whether the host allowed `selector` on `target` through `policy.contracts`. */
export function contractAllowed(
  policy: ResolvedPolicy,
  caip2: string,
  target: string,
  selector: string | null,
): boolean {
  if (selector === null) return false;
  const t = target.toLowerCase();
  return policy.contracts.has(`${t}|${selector}`) || policy.contracts.has(`${caip2}|${t}|${selector}`);
}

/**
 * The policy's decision on a transaction from its fields alone (no network): chain, fee ceiling, worst-case
 * cost, recipient, decoded calldata (token outflows, approvals, unknown calls). A pure function of
 * (policy, request): throws `PolicyRefusedError` with the rule, or returns what the call counts against. A fee
 * the request does not name counts as `unknownFee` (the fee ceiling unless the caller knows better).
 */
export function decideTransaction(
  policy: ResolvedPolicy,
  request: TransactionRequest,
  /** The fee counted when the request names none; default the policy's fee ceiling (the worst case). */
  unknownFee: bigint = policy.maxFee,
): TransactionDecision {
  checkChain(policy, request.caip2);
  const known = worstCaseFee(request);
  const fee = known ?? unknownFee;
  if (known !== undefined && known > policy.maxFee) {
    throw new PolicyRefusedError(
      "fee_ceiling",
      `The fee could cost up to ${formatEther(known)} ETH (gas ${request.gas} x ${request.maxFeePerGas ?? request.gasPrice} wei per gas), over the policy's ceiling of ${formatEther(policy.maxFee)} ETH; use the network's current fee or leave the fee fields null.`,
    );
  }
  if (
    request.maxPriorityFeePerGas !== undefined &&
    request.maxFeePerGas !== undefined &&
    request.maxPriorityFeePerGas > request.maxFeePerGas
  ) {
    throw new PolicyRefusedError("fee_ceiling", "maxPriorityFeePerGas may not exceed maxFeePerGas.");
  }
  checkMaxCost(policy, request.value, fee, known !== undefined);
  const decoded = decodeCalldata(request.to, request.data);
  // A call to a contract the host named (a listed token, or a `contracts` entry for this function) passes the
  // recipient allowlist as a target; its decoded recipients are checked below all the same.
  const to = request.to.toLowerCase();
  const namedTarget =
    request.data !== null &&
    (policy.tokens.has(to) || contractAllowed(policy, request.caip2, to, decoded.selector));
  if (!namedTarget) {
    checkRecipient(policy, request.to, request.data ? "The call" : `${formatEther(request.value)} ETH`);
  }
  const rules = ["allowed_chains", "fee_ceiling", "max_value", "recipient_allowlist"];
  let items: SpendItem[] = [
    { asset: nativeAsset(request.caip2), amount: request.value + fee, limits: policy.nativeLimits },
  ];
  for (const unknown of decoded.unknown) {
    if (!contractAllowed(policy, request.caip2, unknown.target, unknown.selector)) {
      throw new PolicyRefusedError(
        "contracts",
        `The calldata calls ${unknown.selector ?? "no function"} on ${unknown.target}, which the policy does not understand; only standard token calls and functions on the policy's contracts list are allowed.`,
      );
    }
    rules.push("contracts");
  }
  for (const effect of decoded.effects) {
    if (effect.type === "delegation" && contractAllowed(policy, request.caip2, effect.token, "0x5c19a95c")) {
      continue;
    }
    const item = checkEffect(policy, request.caip2, effect);
    rules.push(effect.type === "approval" ? "approvals" : "tokens");
    if (item) items = mergeItems(items, [item], "sum");
  }
  return {
    decoded,
    fee,
    feeKnown: known !== undefined,
    cost: request.value + fee,
    items,
    rules: [...new Set(rules)],
  };
}
