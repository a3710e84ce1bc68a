import type { PublicClient } from "viem";
import { formatEther } from "./amount.js";
import { createChainClients, type LucidToolsRpc } from "./chain-client.js";
import type { LucidToolPolicy } from "./policy/policy-options.js";
import { type ResolvedPolicy, resolvePolicy } from "./policy/resolve-policy.js";
import { checkChain } from "./policy/transaction-rules.js";
import {
  MemorySpendLedger,
  type SpendItem,
  type SpendLedger,
  type SpendReserveResult,
} from "./spend-ledger.js";
import { PolicyRefusedError } from "./tool-errors.js";

export type { LucidToolPolicy } from "./policy/policy-options.js";

/**
 * The policy of one tool set: the rules parsed once, the spend ledger and the chain readers. Every tool of the
 * set shares it, so sign and send count against the same budgets.
 */
export class PolicyEnforcer {
  /** The parsed rules (pure decision functions take these). */
  readonly rules: ResolvedPolicy;
  readonly ledger: SpendLedger;
  readonly #clientFor: (caip2: string) => PublicClient | undefined;
  readonly #scope: LucidToolPolicy["budgetScope"];
  readonly #sessionIds = new WeakMap<object, string>();

  constructor(policy: LucidToolPolicy = {}, options: { rpc?: LucidToolsRpc } = {}) {
    this.rules = resolvePolicy(policy);
    this.ledger = policy.ledger ?? new MemorySpendLedger();
    this.#clientFor = createChainClients(options.rpc);
    this.#scope = policy.budgetScope ?? "agent";
  }

  /** Refuses a chain outside `allowedChains`. */
  checkChain(caip2: string): void {
    checkChain(this.rules, caip2);
  }

  /** Refuses a recipient outside `recipientAllowlist` (for tools that move a token to a named address). */
  checkRecipient(recipient: string): void {
    const allowed = this.rules.recipients;
    if (allowed && !allowed.has(recipient.toLowerCase())) {
      throw new PolicyRefusedError(
        "recipient_allowlist",
        `Recipient ${recipient} is not on the policy's allowlist; nothing was signed.`,
      );
    }
  }

  /** The chain reader of `caip2` from the `rpc` option, if any. */
  clientFor(caip2: string): PublicClient | undefined {
    return this.#clientFor(caip2);
  }

  /** The ledger scope of a call: `agent:<ref>` by default, per session object or as the host's function says. */
  scopeFor(session: object, agentRef: string): string {
    if (typeof this.#scope === "function") return `host:${this.#scope({ agentRef })}`;
    if (this.#scope === "session") {
      let id = this.#sessionIds.get(session);
      if (!id) {
        id = crypto.randomUUID();
        this.#sessionIds.set(session, id);
      }
      return `session:${id}`;
    }
    return `agent:${agentRef}`;
  }

  /**
   * Reserves what a call counts against the budgets under its idempotency key. A replay (same key, same
   * fingerprint) counts nothing again; another body under the key and an exceeded budget are refused.
   */
  async reserve(scope: string, key: string, fingerprint: string, items: readonly SpendItem[]) {
    const result = await this.ledger.reserve({ scope, key, fingerprint, items: limited(items) });
    refuseUnlessReserved(result);
    return result as Extract<SpendReserveResult, { status: "reserved" | "replay" }>;
  }

  /**
   * Whether the budgets could take `items` now, without keeping a reservation (for a preview before
   * approval): a reservation under a one-off key, given back at once.
   */
  async checkBudget(scope: string, fingerprint: string, items: readonly SpendItem[]): Promise<void> {
    const counted = limited(items);
    if (counted.length === 0) return;
    const key = `preview:${crypto.randomUUID()}`;
    const result = await this.ledger.reserve({ scope, key, fingerprint, items: counted });
    if (result.status === "reserved") await this.ledger.release(scope, key);
    refuseUnlessReserved(result);
  }
}

/** Only items with a limit reach the ledger (an item without one could never be refused). */
const limited = (items: readonly SpendItem[]) =>
  items.filter((item) => item.limits.length > 0 && item.amount > 0n);

function refuseUnlessReserved(result: SpendReserveResult): void {
  if (result.status === "conflict") {
    throw new PolicyRefusedError(
      "idempotency",
      "This tool-call id was already used in this conversation for a different request; nothing was signed. Make a new tool call.",
    );
  }
  if (result.status === "exceeded") {
    const native = result.asset.endsWith("/slip44:60");
    const amount = (wei: bigint) => (native ? `${formatEther(wei)} ETH` : `${wei} (base units)`);
    const left = result.limit > result.used ? result.limit - result.used : 0n;
    throw new PolicyRefusedError(
      "budget",
      `This would exceed the budget ${result.rule}: ${amount(left)} of ${amount(result.limit)} left (worst-case cost, fees included).`,
    );
  }
}
