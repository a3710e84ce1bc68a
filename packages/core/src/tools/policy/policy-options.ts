import type { SpendLedger } from "../spend-ledger.js";

/** A rolling budget: at most `amount` (ether string or wei bigint) of worst-case cost per window. */
export interface RollingBudget {
  amount: string | bigint;
  per: "1h" | "24h";
}

/** Limits of one ERC-20/721/1155 token, in the token's base units (a bigint or an integer string). */
export interface TokenRule {
  /** The most one transaction may move out of the wallet. Default: no per-transaction limit. */
  maxPerTransaction?: string | bigint;
  /** The most the budget scope may move out over its life (or per `budgetPer`). Default: no budget. */
  budget?: string | bigint;
  /** Makes `budget` a rolling window. */
  budgetPer?: "1h" | "24h";
}

/** One allowed token allowance: `spender` may be granted up to `maxAmount` of `token` (base units). */
export interface ApprovalRule {
  token: string;
  spender: string;
  maxAmount: string | bigint;
}

/** A contract function the host allows even though it does not decode to a standard the policy understands. */
export interface ContractRule {
  address: string;
  /** Function signatures (`"swap(uint256,address)"`) or 4-byte selectors (`"0x12345678"`). */
  functions: readonly string[];
  /** Only on this CAIP-2 chain. Default: any allowed chain. */
  chain?: string;
}

/** An EIP-712 domain the host allows: every field given must match the typed data's domain. */
export interface TypedDataDomainRule {
  chainId?: number;
  verifyingContract?: string;
  name?: string;
  /** Only these primary types in that domain. Default: any primary type the other rules allow. */
  primaryTypes?: readonly string[];
}

/**
 * Rules the tools enforce before anything is signed or sent. Default-deny: what the policy does not understand
 * (unknown calldata, typed data bound to a contract, sign-in messages, bare hashes) is refused unless the host
 * names it here. Every rule runs on the tool's side, so a model cannot talk its way past it.
 */
export interface LucidToolPolicy {
  /** CAIP-2 chains the tools may sign or send on (e.g. `["eip155:8453"]`). Default: any chain the wallet serves. */
  allowedChains?: readonly string[];
  /**
   * Largest worst-case cost of one transaction (value + gas limit x max fee per gas): a decimal string in ether
   * ("0.05") or a bigint in wei. Default: none.
   */
  maxValuePerTransaction?: string | bigint;
  /** Largest worst-case fee of one transaction (gas limit x max fee per gas). Default: "0.01" ether. */
  maxFeePerTransaction?: string | bigint;
  /** Total worst-case cost the budget scope may spend over its life (ether string or wei bigint). Default: none. */
  budgetPerSession?: string | bigint;
  /** Rolling budgets of worst-case cost, beside `budgetPerSession`. */
  budget?: RollingBudget | readonly RollingBudget[];
  /**
   * Who shares the budgets: `"agent"` (default: every session of one agent, scope `agent:<agentRef>`),
   * `"session"` (each runtime or wallet object), or a function naming the scope (a tenant, say).
   */
  budgetScope?: "agent" | "session" | ((call: { agentRef: string }) => string);
  /** Where reservations live. Default: one `MemorySpendLedger` per tool set; share a Redis ledger across a fleet. */
  ledger?: SpendLedger;
  /** The only addresses that may receive native coin or tokens (checked on `to` and on decoded recipients). */
  recipientAllowlist?: readonly string[];
  /**
   * Tokens the wallet may move out, by contract address, with their limits (transfers, `sendToken` and x402
   * payments alike). `LucidToolsOptions.tokens` (by symbol, in the token's units) maps onto this. Default: none.
   */
  tokens?: Readonly<Record<string, TokenRule>>;
  /** Token allowances the wallet may grant, each with a cap. Default: none. */
  approvals?: readonly ApprovalRule[];
  /**
   * Legacy switch: allow finite token allowances (not `setApprovalForAll`, not unlimited) to spenders that
   * pass `recipientAllowlist`. Prefer `approvals`. Default false.
   */
  allowTokenApprovals?: boolean;
  /** Contract functions allowed although their calldata decodes to no standard call the policy understands. */
  contracts?: readonly ContractRule[];
  /** Typed-data rules. By default, a domain with a `verifyingContract` and every asset-moving schema is refused. */
  typedData?: {
    /** Allow permit/approval-like primary types (EIP-2612 `Permit`, Permit2, ...) in allowed domains. Default false. */
    allowApprovals?: boolean;
    /** Primary types allowed even if they move assets (e.g. `["PermitSingle"]`), in allowed domains. */
    allowedPrimaryTypes?: readonly string[];
    /** Domains (with a `verifyingContract`) that may be signed for. */
    domains?: readonly TypedDataDomainRule[];
  };
  /** Message rules. */
  messages?: {
    /** Domains Sign-In-With-Ethereum messages may be signed for (`"app.example.com"`). Default: none. */
    siweDomains?: readonly string[];
    /** Allow signing a bare 32-byte hex value (a hash, which could be anything). Default false. */
    allowHashes?: boolean;
    /** Longest message, in characters. Default 4096. */
    maxLength?: number;
  };
  /**
   * Simulation of transactions (`eth_simulateV1`) before approval and signing: `"required"` refuses when the
   * chain cannot simulate, `"best-effort"` (default) falls back to the decoded checks and says so, `"off"`.
   */
  simulation?: "required" | "best-effort" | "off";
}
