import type { PublicClient } from "viem";
import { ConfigurationError } from "../runtime/errors.js";
import { formatEther } from "./amount.js";
import { createChainClients, type LucidToolsRpc } from "./chain-client.js";
import { createTokenReader, formatTokenAmount, parseTokenAmount, type TokenInfo } from "./erc20.js";
import type { LucidToolPolicy } from "./policy/policy-options.js";
import { type ResolvedPolicy, type ResolvedTokenRule, resolvePolicy } from "./policy/resolve-policy.js";
import { checkChain } from "./policy/transaction-rules.js";
import {
  MemorySpendLedger,
  type SpendItem,
  type SpendLedger,
  type SpendReserveResult,
} from "./spend-ledger.js";
import type { LucidTokens } from "./token-policy.js";
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
  /** Reads (and caches) a token's symbol and decimals from the chain. */
  readonly readToken: (caip2: string, address: `0x${string}`) => Promise<TokenInfo>;
  /** `LucidToolsOptions.tokens` (symbol -> token), the alias of `policy.tokens`. */
  readonly tokens: LucidTokens | undefined;
  /** Alias tokens whose limits wait for the token's decimals, by lower-case address. */
  readonly #pending = new Map<string, { symbol: string; loading?: Promise<void> }>();

  constructor(
    policy: LucidToolPolicy = {},
    options: { rpc?: LucidToolsRpc; tokens?: LucidTokens | undefined } = {},
  ) {
    this.rules = resolvePolicy(policy);
    this.ledger = policy.ledger ?? new MemorySpendLedger();
    this.#clientFor = createChainClients(options.rpc);
    this.#scope = policy.budgetScope ?? "agent";
    this.readToken = createTokenReader(this.#clientFor);
    this.tokens = options.tokens;
    this.#mapTokenAlias(options.tokens);
  }

  /**
   * Maps `LucidToolsOptions.tokens` onto the policy's token rules, the one source of truth: a listed token may be
   * moved like a `policy.tokens` entry, and its limits (decimal strings in the token's units) become that
   * entry's limits once its decimals are read. A token limited in both places is a configuration error.
   */
  #mapTokenAlias(tokens: LucidTokens | undefined): void {
    const rules = this.rules.tokens as Map<string, ResolvedTokenRule>;
    const seen = new Map<string, string>();
    for (const [symbol, config] of Object.entries(tokens ?? {})) {
      const address = config.address.toLowerCase();
      const limited = config.maxPerTransaction !== undefined || config.budget !== undefined;
      const other = seen.get(address);
      if (other !== undefined && limited) {
        throw new ConfigurationError(
          `tokens.${symbol} and tokens.${other} name the same contract ${address}.`,
          {
            hint: "List each token once.",
          },
        );
      }
      seen.set(address, symbol);
      const rule = rules.get(address);
      if (rule) {
        if (limited) {
          throw new ConfigurationError(
            `Token ${symbol} (${address}) has limits in both tokens and policy.tokens; they would disagree.`,
            {
              hint: `Set its limits in one place: policy.tokens["${address}"] (base units) or tokens.${symbol} (token units).`,
            },
          );
        }
        continue;
      }
      if (!limited) {
        rules.set(address, { maxPerTransaction: undefined, limits: [] });
        continue;
      }
      this.#pending.set(address, { symbol });
    }
  }

  /**
   * Resolves the limits of the alias tokens (`tokens`) on `caip2` into the policy's token rules, reading their
   * decimals once. Before this an alias token with limits is not in the rules, so it cannot be moved (a chain
   * that cannot be read fails closed). Every path that decides a token movement awaits this first.
   */
  async loadTokenRules(caip2: string): Promise<void> {
    if (this.#pending.size === 0) return;
    const loads: Promise<void>[] = [];
    for (const [address, entry] of this.#pending) {
      const config = this.tokens?.[entry.symbol];
      if (!config || (config.chain !== undefined && config.chain !== caip2)) continue;
      if (!this.#clientFor(caip2)) continue;
      entry.loading ??= this.readToken(caip2, config.address as `0x${string}`).then(
        (info) => {
          const limits = [];
          if (config.budget !== undefined) {
            limits.push({
              rule: `tokens.${entry.symbol}.budget`,
              amount: parseTokenAmount(config.budget, info.decimals, entry.symbol),
            });
          }
          (this.rules.tokens as Map<string, ResolvedTokenRule>).set(address, {
            maxPerTransaction:
              config.maxPerTransaction === undefined
                ? undefined
                : parseTokenAmount(config.maxPerTransaction, info.decimals, entry.symbol),
            limits,
            display: { symbol: entry.symbol, decimals: info.decimals },
          });
          this.#pending.delete(address);
        },
        (error: unknown) => {
          entry.loading = undefined;
          throw error;
        },
      );
      loads.push(entry.loading);
    }
    await Promise.all(loads);
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
    this.#refuseUnlessReserved(result);
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
    this.#refuseUnlessReserved(result);
  }

  #refuseUnlessReserved(result: SpendReserveResult): void {
    refuseUnlessReserved(result, (asset) => {
      const address = asset.split("/erc20:")[1];
      return address === undefined ? undefined : this.rules.tokens.get(address)?.display;
    });
  }
}

/** Only items with a limit reach the ledger (an item without one could never be refused). */
const limited = (items: readonly SpendItem[]) =>
  items.filter((item) => item.limits.length > 0 && item.amount > 0n);

function refuseUnlessReserved(
  result: SpendReserveResult,
  tokenDisplay: (asset: string) => { symbol: string; decimals: number } | undefined,
): void {
  if (result.status === "conflict") {
    throw new PolicyRefusedError(
      "idempotency",
      "This tool-call id was already used in this conversation for a different request; nothing was signed. Make a new tool call.",
    );
  }
  if (result.status === "exceeded") {
    const native = result.asset.endsWith("/slip44:60");
    const left = result.limit > result.used ? result.limit - result.used : 0n;
    if (native) {
      throw new PolicyRefusedError(
        "budget",
        `This would exceed the budget ${result.rule}: ${formatEther(left)} ETH of ${formatEther(result.limit)} ETH left (worst-case cost, fees included).`,
      );
    }
    const token = tokenDisplay(result.asset);
    const amounts = token
      ? `${formatTokenAmount(left, token.decimals)} of ${formatTokenAmount(result.limit, token.decimals)} ${token.symbol}`
      : `${left} of ${result.limit} (base units) of ${result.asset}`;
    throw new PolicyRefusedError(
      "budget",
      `This would exceed the budget ${result.rule}: ${amounts} left (token transfers and payments of this token together).`,
    );
  }
}
