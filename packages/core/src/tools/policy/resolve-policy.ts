import { getAddress, isAddress, toFunctionSelector } from "viem";
import { ConfigurationError } from "../../runtime/errors.js";
import { limitToWei } from "../amount.js";
import type { SpendLimit } from "../spend-ledger.js";
import type { LucidToolPolicy, TypedDataDomainRule } from "./policy-options.js";

/** A token's limits, parsed. */
export interface ResolvedTokenRule {
  maxPerTransaction: bigint | undefined;
  limits: SpendLimit[];
  /** The symbol and decimals, for a token listed in `LucidToolsOptions.tokens` (its limits were in units). */
  display?: { symbol: string; decimals: number };
}

/** The policy with every limit parsed and every address normalised once. */
export interface ResolvedPolicy {
  chains: ReadonlySet<string> | undefined;
  maxCost: bigint | undefined;
  maxFee: bigint;
  nativeLimits: readonly SpendLimit[];
  recipients: ReadonlySet<string> | undefined;
  tokens: ReadonlyMap<string, ResolvedTokenRule>;
  approvals: ReadonlyArray<{ token: string; spender: string; maxAmount: bigint }>;
  legacyApprovals: boolean;
  /** `address|selector` and `chain|address|selector` keys. */
  contracts: ReadonlySet<string>;
  typedData: {
    allowApprovals: boolean;
    allowedPrimaryTypes: ReadonlySet<string>;
    domains: readonly TypedDataDomainRule[];
  };
  messages: { siweDomains: ReadonlySet<string>; allowHashes: boolean; maxLength: number };
  simulation: "required" | "best-effort" | "off";
}

/** Default worst-case fee ceiling per transaction: 0.01 ether. */
export const DEFAULT_MAX_FEE = 10n ** 16n;
const WINDOWS = { "1h": 3_600_000, "24h": 86_400_000 } as const;

const bad = (what: string, hint: string) =>
  new ConfigurationError(`The Lucid tool policy has an invalid ${what}.`, { hint });

function address(value: string, what: string): string {
  if (typeof value !== "string" || !isAddress(value, { strict: false })) {
    throw bad(what, `${what} must be an EVM address (0x followed by 40 hex digits).`);
  }
  return getAddress(value).toLowerCase();
}

function units(value: string | bigint, what: string): bigint {
  if (typeof value === "bigint" && value >= 0n) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  throw bad(what, `${what} is in the token's base units: a bigint or an integer string such as "1000000".`);
}

function windowOf(per: unknown, what: string): number {
  if (per !== "1h" && per !== "24h") throw bad(what, `${what} must be "1h" or "24h".`);
  return WINDOWS[per];
}

function selectorOf(fn: string): string {
  if (/^0x[0-9a-fA-F]{8}$/.test(fn)) return fn.toLowerCase();
  try {
    return toFunctionSelector(fn.startsWith("function ") ? fn : `function ${fn}`).toLowerCase();
  } catch {
    throw bad(
      "contracts entry",
      `"${fn}" is neither a function signature like "swap(uint256)" nor a selector.`,
    );
  }
}

/** Parses and checks a policy once, when the tools are created: a bad policy fails at startup, not per call. */
export function resolvePolicy(policy: LucidToolPolicy = {}): ResolvedPolicy {
  const nativeLimits: SpendLimit[] = [];
  if (policy.budgetPerSession !== undefined) {
    nativeLimits.push({
      rule: "budgetPerSession",
      amount: limitToWei(policy.budgetPerSession, "budgetPerSession"),
    });
  }
  const rolling =
    policy.budget === undefined ? [] : Array.isArray(policy.budget) ? policy.budget : [policy.budget];
  for (const budget of rolling as Array<{ amount: string | bigint; per: "1h" | "24h" }>) {
    nativeLimits.push({
      rule: `budget:${budget.per}`,
      amount: limitToWei(budget.amount, "budget.amount"),
      windowMs: windowOf(budget.per, "budget.per"),
    });
  }
  const tokens = new Map<string, ResolvedTokenRule>();
  for (const [token, rule] of Object.entries(policy.tokens ?? {})) {
    const key = address(token, "tokens key");
    const limits: SpendLimit[] = [];
    if (rule.budget !== undefined) {
      limits.push({
        rule: `tokens.${key}.budget`,
        amount: units(rule.budget, "tokens budget"),
        ...(rule.budgetPer ? { windowMs: windowOf(rule.budgetPer, "tokens budgetPer") } : {}),
      });
    }
    const max = rule.maxPerTransaction;
    tokens.set(key, {
      maxPerTransaction: max === undefined ? undefined : units(max, "tokens maxPerTransaction"),
      limits,
    });
  }
  const contracts = new Set<string>();
  for (const rule of policy.contracts ?? []) {
    const target = address(rule.address, "contracts address");
    for (const fn of rule.functions) {
      const selector = selectorOf(fn);
      contracts.add(rule.chain ? `${rule.chain}|${target}|${selector}` : `${target}|${selector}`);
    }
  }
  const maxLength = policy.messages?.maxLength ?? 4096;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw bad("messages.maxLength", "messages.maxLength must be a positive whole number of characters.");
  }
  const simulation = policy.simulation ?? "best-effort";
  if (!["required", "best-effort", "off"].includes(simulation)) {
    throw bad("simulation", 'simulation must be "required", "best-effort" or "off".');
  }
  return {
    chains: policy.allowedChains ? new Set(policy.allowedChains) : undefined,
    maxCost:
      policy.maxValuePerTransaction === undefined
        ? undefined
        : limitToWei(policy.maxValuePerTransaction, "maxValuePerTransaction"),
    maxFee:
      policy.maxFeePerTransaction === undefined
        ? DEFAULT_MAX_FEE
        : limitToWei(policy.maxFeePerTransaction, "maxFeePerTransaction"),
    nativeLimits,
    recipients: policy.recipientAllowlist
      ? new Set(policy.recipientAllowlist.map((a) => address(a, "recipientAllowlist entry")))
      : undefined,
    tokens,
    approvals: (policy.approvals ?? []).map((rule) => ({
      token: address(rule.token, "approvals token"),
      spender: address(rule.spender, "approvals spender"),
      maxAmount: units(rule.maxAmount, "approvals maxAmount"),
    })),
    legacyApprovals: policy.allowTokenApprovals === true,
    contracts,
    typedData: {
      allowApprovals: policy.typedData?.allowApprovals === true,
      allowedPrimaryTypes: new Set(policy.typedData?.allowedPrimaryTypes ?? []),
      domains: (policy.typedData?.domains ?? []).map((rule) => ({
        ...rule,
        ...(rule.verifyingContract
          ? { verifyingContract: address(rule.verifyingContract, "typedData.domains verifyingContract") }
          : {}),
      })),
    },
    messages: {
      siweDomains: new Set((policy.messages?.siweDomains ?? []).map((d) => d.toLowerCase())),
      allowHashes: policy.messages?.allowHashes === true,
      maxLength,
    },
    simulation,
  };
}
