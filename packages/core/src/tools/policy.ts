import { formatEther, limitToWei } from "./amount.js";
import { PolicyRefusedError } from "./tool-errors.js";

/**
 * Rules the tools enforce before any network call. Every limit is checked on the tool's side, so a model
 * cannot talk its way past them.
 */
export interface LucidToolPolicy {
  /** CAIP-2 chains the tools may sign or send on (e.g. `["eip155:8453"]`). Default: any chain the wallet serves. */
  allowedChains?: readonly string[];
  /** Largest value of one transaction: a decimal string in ether ("0.05") or a bigint in wei. Default: none. */
  maxValuePerTransaction?: string | bigint;
  /**
   * Total value the tools may send per session (per runtime or wallet object), across calls: a decimal string
   * in ether or a bigint in wei. Default: none.
   */
  budgetPerSession?: string | bigint;
  /** The only addresses transactions may go to. Default: any address. */
  recipientAllowlist?: readonly string[];
  /** Typed-data rules. By default, permit/approval-like typed data is refused. */
  typedData?: {
    /** Allow typed data that grants allowances or delegates (EIP-2612 `Permit`, Permit2, approvals). Default false. */
    allowApprovals?: boolean;
    /** Primary types allowed even if they look like approvals (e.g. `["PermitSingle"]`). */
    allowedPrimaryTypes?: readonly string[];
  };
  /** Allow transactions whose calldata grants a token allowance (`approve`, `setApprovalForAll`, ...). Default false. */
  allowTokenApprovals?: boolean;
}

/** EIP-3009 authorizations move tokens when submitted: only `fetchPaidResource` signs them, under its policy. */
const PAYMENT_AUTHORIZATION_TYPES = new Set(["TransferWithAuthorization", "ReceiveWithAuthorization"]);
const APPROVAL_PRIMARY_TYPE = /permit|approv|allowance|delegat/i;
const APPROVAL_FIELDS = new Set(["spender", "operator", "allowance", "approved", "delegatee", "delegate"]);
/** 4-byte selectors of calls that grant allowances: approve, increaseAllowance, setApprovalForAll, permit. */
const APPROVAL_SELECTORS = new Map([
  ["0x095ea7b3", "approve(address,uint256)"],
  ["0x39509351", "increaseAllowance(address,uint256)"],
  ["0xa22cb465", "setApprovalForAll(address,bool)"],
  ["0xd505accf", "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"],
]);

/** The policy with limits parsed once, plus the per-session budget ledger. */
export class PolicyEnforcer {
  readonly #policy: LucidToolPolicy;
  readonly #maxValue: bigint | undefined;
  readonly #budget: bigint | undefined;
  readonly #recipients: Set<string> | undefined;
  readonly #chains: Set<string> | undefined;
  readonly #spent = new WeakMap<object, { spent: bigint; calls: Map<string, bigint> }>();

  constructor(policy: LucidToolPolicy = {}) {
    this.#policy = policy;
    this.#maxValue =
      policy.maxValuePerTransaction === undefined
        ? undefined
        : limitToWei(policy.maxValuePerTransaction, "maxValuePerTransaction");
    this.#budget =
      policy.budgetPerSession === undefined
        ? undefined
        : limitToWei(policy.budgetPerSession, "budgetPerSession");
    this.#recipients = policy.recipientAllowlist
      ? new Set(policy.recipientAllowlist.map((address) => address.toLowerCase()))
      : undefined;
    this.#chains = policy.allowedChains ? new Set(policy.allowedChains) : undefined;
  }

  /** Refuses a chain outside `allowedChains`. */
  checkChain(caip2: string): void {
    if (this.#chains && !this.#chains.has(caip2)) {
      throw new PolicyRefusedError(
        "allowed_chains",
        `Chain ${caip2} is not allowed by policy; allowed: ${[...this.#chains].join(", ")}.`,
      );
    }
  }

  /** Refuses a recipient outside the allowlist, and calldata that grants an allowance unless allowed. */
  checkTransaction(to: string, data: string | null): void {
    if (this.#recipients && !this.#recipients.has(to.toLowerCase())) {
      throw new PolicyRefusedError(
        "recipient_allowlist",
        `Recipient ${to} is not on the policy's allowlist.`,
      );
    }
    const call =
      data && data.length >= 10 ? APPROVAL_SELECTORS.get(data.slice(0, 10).toLowerCase()) : undefined;
    if (call && !this.#policy.allowTokenApprovals) {
      throw new PolicyRefusedError(
        "approvals",
        `The transaction calls ${call}, which grants a token allowance; the policy does not allow that.`,
      );
    }
  }

  /**
   * Checks the value against the per-transaction maximum and the session's budget, without reserving it (for
   * a check before asking a human to approve).
   */
  checkValue(session: object, wei: bigint, callId?: string): void {
    if (this.#maxValue !== undefined && wei > this.#maxValue) {
      throw new PolicyRefusedError(
        "max_value",
        `${formatEther(wei)} ETH exceeds the policy's maximum of ${formatEther(this.#maxValue)} ETH per transaction.`,
      );
    }
    if (this.#budget === undefined || wei === 0n) return;
    const ledger = this.#ledger(session);
    if (callId !== undefined && ledger.calls.has(callId)) return; // a replay of a call already counted
    if (ledger.spent + wei > this.#budget) {
      throw new PolicyRefusedError(
        "budget",
        `${formatEther(wei)} ETH would exceed this session's budget: ${formatEther(this.#budget - ledger.spent)} ETH of ${formatEther(this.#budget)} ETH left.`,
      );
    }
  }

  /**
   * Checks the value (see `checkValue`) and reserves it in the session's budget under `callId`: a replay of the
   * same call (same tool-call id) is not counted twice. Returns a function that gives the reservation back
   * (call it when the transaction was not sent).
   */
  reserveValue(session: object, wei: bigint, callId: string): () => void {
    this.checkValue(session, wei, callId);
    if (this.#budget === undefined || wei === 0n) return () => {};
    const ledger = this.#ledger(session);
    if (ledger.calls.has(callId)) return () => {};
    ledger.spent += wei;
    ledger.calls.set(callId, wei);
    return () => {
      if (ledger.calls.get(callId) !== wei) return;
      ledger.calls.delete(callId);
      ledger.spent -= wei;
    };
  }

  #ledger(session: object): { spent: bigint; calls: Map<string, bigint> } {
    let ledger = this.#spent.get(session);
    if (!ledger) {
      ledger = { spent: 0n, calls: new Map() };
      this.#spent.set(session, ledger);
    }
    return ledger;
  }

  /** Refuses permit/approval-like typed data unless the policy allows it. */
  checkTypedData(
    primaryType: string,
    types: Record<string, ReadonlyArray<{ name: string; type: string }>>,
  ): void {
    if (PAYMENT_AUTHORIZATION_TYPES.has(primaryType)) {
      throw new PolicyRefusedError(
        "payment_authorization",
        `Typed data "${primaryType}" authorizes a token payment; only fetchPaidResource may sign one, within the payment policy.`,
      );
    }
    const rules = this.#policy.typedData ?? {};
    if (rules.allowApprovals || rules.allowedPrimaryTypes?.includes(primaryType)) return;
    const fields = types[primaryType] ?? [];
    const suspicious =
      APPROVAL_PRIMARY_TYPE.test(primaryType) ||
      fields.some((field) => APPROVAL_FIELDS.has(field.name.toLowerCase()));
    if (suspicious) {
      throw new PolicyRefusedError(
        "approvals",
        `Typed data "${primaryType}" looks like a permit or approval (it could let someone spend this wallet's tokens); the policy does not allow signing it.`,
      );
    }
  }
}
