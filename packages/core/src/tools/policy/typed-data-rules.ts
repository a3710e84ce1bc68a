import { getAddress, hashTypedData, isAddress } from "viem";
import { PolicyRefusedError, ToolInputError } from "../tool-errors.js";
import type { TypedDataDomainRule } from "./policy-options.js";
import type { ResolvedPolicy } from "./resolve-policy.js";
import {
  type AssetSchema,
  EIP3009_TYPES,
  looksAssetMoving,
  recogniseAssetSchema,
  type TypedDataInput,
} from "./typed-data-schemas.js";

/** What the policy concluded about typed data it allows. */
export interface TypedDataDecision {
  /** The asset-moving schema it matched (allowed by the host), if any. */
  schema: AssetSchema | null;
  /** The domain rule that allowed a `verifyingContract`, if any. */
  domainRule: TypedDataDomainRule | null;
  rules: string[];
}

const domainText = (domain: Record<string, unknown>) =>
  ["name", "chainId", "verifyingContract"]
    .filter((key) => Object.hasOwn(domain, key))
    .map((key) => `${key} ${String(domain[key])}`)
    .join(", ");

function matches(rule: TypedDataDomainRule, domain: Record<string, unknown>, primaryType: string): boolean {
  const contract = Object.hasOwn(domain, "verifyingContract") ? domain.verifyingContract : undefined;
  if (rule.verifyingContract !== undefined) {
    if (typeof contract !== "string" || !isAddress(contract, { strict: false })) return false;
    if (getAddress(contract).toLowerCase() !== rule.verifyingContract) return false;
  }
  if (
    rule.chainId !== undefined &&
    Number(Object.hasOwn(domain, "chainId") ? domain.chainId : Number.NaN) !== rule.chainId
  )
    return false;
  if (rule.name !== undefined && (Object.hasOwn(domain, "name") ? domain.name : undefined) !== rule.name)
    return false;
  if (rule.primaryTypes !== undefined && !rule.primaryTypes.includes(primaryType)) return false;
  return true;
}

/** Checks that viem can hash the typed data (every referenced type defined, values of the declared types). */
export function checkTypedDataShape(data: TypedDataInput): void {
  try {
    hashTypedData(data as never);
  } catch (error) {
    const reason = (error as { shortMessage?: unknown }).shortMessage;
    throw new ToolInputError(
      `typedData cannot be encoded as EIP-712: ${typeof reason === "string" ? reason : "a type or value does not match its declaration"}.`,
    );
  }
}

/**
 * The policy's decision on EIP-712 typed data, a pure function of (policy, typed data): EIP-3009 authorisations
 * are refused always; a domain with a `verifyingContract` (the zero address included) only if a
 * `typedData.domains` rule allows it; an asset-moving schema (permits, Permit2, Seaport, SafeTx,
 * ForwardRequest, CoW orders) only if the host allowed its primary type; refusals name spender, receiver and
 * amounts.
 */
export function decideTypedData(policy: ResolvedPolicy, data: TypedDataInput): TypedDataDecision {
  const schema = recogniseAssetSchema(data);
  const what = schema ? `${schema.name} (${schema.details})` : `"${data.primaryType}" typed data`;
  if (EIP3009_TYPES.has(data.primaryType)) {
    throw new PolicyRefusedError(
      "eip3009",
      `${what} is an EIP-3009 payment authorisation; signTypedData never signs those (x402 payments go through fetchPaidResource, within the payment policy).`,
    );
  }
  const rules = ["typed_data_domain", "typed_data_assets"];
  if (Object.hasOwn(data.domain, "chainId") && policy.chains) {
    const caip2 = `eip155:${String(data.domain.chainId)}`;
    if (!policy.chains.has(caip2)) {
      throw new PolicyRefusedError(
        "allowed_chains",
        `The typed data is for chain ${caip2}, which the policy does not allow; allowed: ${[...policy.chains].join(", ")}.`,
      );
    }
    rules.push("allowed_chains");
  }
  let domainRule: TypedDataDomainRule | null = null;
  if (Object.hasOwn(data.domain, "verifyingContract")) {
    domainRule =
      policy.typedData.domains.find((rule) => matches(rule, data.domain, data.primaryType)) ?? null;
    if (!domainRule) {
      throw new PolicyRefusedError(
        "typed_data_domain",
        `${what} is bound to a contract (domain ${domainText(data.domain)}) that the policy does not list in typedData.domains; signatures for contracts are refused by default.`,
      );
    }
  }
  const assetMoving = schema !== null || looksAssetMoving(data);
  const allowed =
    policy.typedData.allowApprovals ||
    policy.typedData.allowedPrimaryTypes.has(data.primaryType) ||
    (domainRule?.primaryTypes?.includes(data.primaryType) ?? false);
  if (assetMoving && !allowed) {
    throw new PolicyRefusedError(
      "approvals",
      `${what} could move or unlock this wallet's assets; the policy does not allow signing it.`,
    );
  }
  return { schema, domainRule, rules };
}
