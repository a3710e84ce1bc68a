import { z } from "zod/v4";
import { toolIdempotencyKey } from "./conversation-key.js";
import { formatTokenAmount, parseTokenAmount, type TokenInfo } from "./erc20.js";
import {
  cappedFetch,
  jsonSafe,
  mapFailure,
  paymentRequiredError,
  readCapped,
  shortMessage,
} from "./paid-fetch-http.js";
import { PaymentError, PaymentErrorCode } from "./payment-errors.js";
import {
  type AcceptedRequirement,
  checkHost,
  checkPaymentCap,
  checkRequirement,
  type LucidPaymentPolicy,
  type PaymentPreview,
  type PaymentRequirementLike,
} from "./payment-policy.js";
import { tokenAsset } from "./policy/asset-rules.js";
import type { SpendLimit } from "./spend-ledger.js";
import { type LucidTool, resolveChain, type ToolDeps } from "./tool-context.js";
import { ApprovalDeniedError, PolicyRefusedError, ToolInputError } from "./tool-errors.js";
import { type ToolSession, toToolSession } from "./tool-session.js";

const input = z.strictObject({
  url: z
    .string()
    .describe(
      "The http(s) URL of the resource. If the seller asks for an x402 payment, it is paid within the host's policy.",
    )
    .refine((value) => /^https?:\/\/[^\s]+$/i.test(value), { message: "must be an http(s) URL" }),
  method: z.enum(["GET", "POST"]).nullable().describe("HTTP method; null: GET."),
  body: z.string().nullable().describe("Request body for POST (sent as is); null: none."),
});

type Input = z.output<typeof input>;

/** The settlement receipt of a paid fetch. */
export interface PaymentReceipt {
  /** The settlement transaction; null when the seller served the content without a readable receipt. */
  transactionHash: string | null;
  payer: string | null;
  /** Decimal string in the asset's units. */
  amount: string;
  amountAtomic: string;
  asset: string;
  assetAddress: string;
  payTo: string;
  network: string;
}

/** What `fetchPaidResource` returns. */
export interface FetchPaidResourceToolResult {
  url: string;
  status: number;
  contentType: string | null;
  /** The body as text, cut at the policy's `maxBodyBytes`. */
  body: string;
  truncated: boolean;
  /** The payment made for this response; null when none was asked for. */
  payment: PaymentReceipt | null;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
/** A 402 answer's body is only read for x402 v1 requirements: more than this is dropped unread. */
const MAX_CACHED_RESULTS = 1000;

type X402Modules = {
  fetch: typeof import("@x402/fetch");
  evm: typeof import("@x402/evm/exact/client");
};
let modules: Promise<X402Modules> | undefined;
/** The official x402 packages, loaded on the first paid fetch only. */
const loadX402 = () =>
  (modules ??= Promise.all([import("@x402/fetch"), import("@x402/evm/exact/client")]).then(
    ([fetch, evm]) => ({
      fetch,
      evm,
    }),
  ));

/** One call's payment: what the policy accepted, what was reserved and signed. */
interface Attempt {
  refusal?: unknown;
  accepted: Map<object, AcceptedRequirement>;
  selected?: PaymentRequirementLike & { amountValue: bigint; symbol: string; info: TokenInfo };
  reserved: boolean;
  /** Signatures asked for (at most one). */
  signatures: number;
  /** A signature came back: from here on the payment may reach the seller. */
  signed: boolean;
}

/**
 * `fetchPaidResource`: fetches an HTTP resource and, when the seller answers 402 with x402 payment requirements,
 * checks them against the policy, asks the host's `payments.approve`, signs one EIP-3009 authorization with the
 * session's wallet through the official x402 client, retries and returns the content with the settlement receipt.
 * A replayed tool call returns the first result and never pays twice.
 */
export function fetchPaidResourceTool(deps: ToolDeps): LucidTool<Input, FetchPaidResourceToolResult> {
  const ledger = deps.policy.ledger;
  const policy: LucidPaymentPolicy = deps.payments ?? {};
  const results = new Map<string, { input: string; result: Promise<FetchPaidResourceToolResult> }>();

  const run = async (
    args: Input,
    toolSession: ToolSession,
    scope: string,
    key: string,
    callerSignal: AbortSignal | undefined,
  ): Promise<FetchPaidResourceToolResult> => {
    const timeout = AbortSignal.timeout(policy.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let url: URL;
    try {
      url = new URL(args.url);
    } catch {
      throw new ToolInputError("url is not a valid URL.");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new ToolInputError("url must be http(s).");
    if (!deps.payments) {
      throw new PolicyRefusedError(
        "payments_disabled",
        "fetchPaidResource is not enabled: the host configured no payments policy; nothing was fetched.",
      );
    }
    checkHost(policy, url);
    const defaultNetwork = await resolveChain(null, deps, toolSession, signal);
    const { address } = await toolSession.wallet(signal);
    const x402 = await loadX402();
    const attempt: Attempt = { accepted: new Map(), reserved: false, signatures: 0, signed: false };

    const client = new x402.fetch.x402Client();
    x402.evm.registerExactEvmScheme(client, {
      signer: {
        address: address as `0x${string}`,
        async signTypedData({ domain, types, primaryType, message }) {
          const selected = attempt.selected;
          // Only the one authorization the policy accepted and the ledger reserved is ever signed.
          if (!attempt.reserved || !selected || attempt.signatures > 0) {
            throw new PolicyRefusedError("payment_authorization", "No payment was approved for signing.");
          }
          const sameTerms =
            primaryType === "TransferWithAuthorization" &&
            String(message.to).toLowerCase() === selected.payTo.toLowerCase() &&
            BigInt(String(message.value)) === selected.amountValue &&
            String(domain.verifyingContract).toLowerCase() === selected.asset.toLowerCase();
          if (!sameTerms) {
            throw new PolicyRefusedError(
              "payment_authorization",
              "The authorization to sign does not match the approved payment; nothing was signed.",
            );
          }
          attempt.signatures++;
          let signed: { signature: string };
          try {
            signed = await toolSession.signTypedData(
              {
                typed_data: {
                  domain: jsonSafe(domain),
                  types: types as Record<string, Array<{ name: string; type: string }>>,
                  primary_type: primaryType,
                  message: jsonSafe(message),
                },
                idempotency_key: key,
              },
              signal,
            );
          } catch (error) {
            attempt.refusal = error; // the wallet's own refusal, typed, rather than the wrapper's message
            throw error;
          }
          attempt.signed = true;
          return signed.signature as `0x${string}`;
        },
      },
    });
    client.setSpendControls(false); // the tool's own policy below caps every payment
    client.registerPolicy((_version, requirements) =>
      requirements.filter((requirement) => {
        try {
          const accepted = checkRequirement(
            policy,
            deps.tokens,
            requirement as PaymentRequirementLike,
            url,
            defaultNetwork,
            deps.policy.rules.tokens,
          );
          attempt.accepted.set(requirement, accepted);
          return true;
        } catch (error) {
          attempt.refusal ??= error;
          return false;
        }
      }),
    );
    client.onBeforePaymentCreation(async ({ selectedRequirements }) => {
      try {
        await reserve(selectedRequirements as PaymentRequirementLike);
        return undefined;
      } catch (error) {
        attempt.refusal = error;
        return { abort: true as const, reason: error instanceof Error ? error.message : "refused" };
      }
    });

    const reserve = async (requirement: PaymentRequirementLike) => {
      await deps.policy.loadTokenRules(requirement.network);
      const accepted =
        attempt.accepted.get(requirement) ??
        checkRequirement(policy, deps.tokens, requirement, url, defaultNetwork, deps.policy.rules.tokens);
      const assetAddress = requirement.asset.toLowerCase() as `0x${string}`;
      const info = await deps.policy.readToken(requirement.network, assetAddress);
      const symbol = accepted.symbol ?? info.symbol;
      // The same token rules as a transfer: the pay-to address is a recipient, the token's per-transaction cap
      // and budget apply, counted under the same asset id (`eip155:<id>/erc20:<address>`) in the same ledger.
      deps.policy.checkRecipient(requirement.payTo);
      const rule = deps.policy.rules.tokens.get(assetAddress);
      if (!rule) {
        throw new PolicyRefusedError(
          "tokens",
          `Token ${assetAddress} on ${requirement.network} is not in the policy's tokens (its limits could not be read); nothing was paid.`,
        );
      }
      checkPaymentCap(policy, info, symbol, accepted.amount);
      if (rule.maxPerTransaction !== undefined && accepted.amount > rule.maxPerTransaction) {
        throw new PolicyRefusedError(
          "token_max_per_transaction",
          `This payment of ${formatTokenAmount(accepted.amount, info.decimals)} ${symbol} exceeds the policy's maximum of ${formatTokenAmount(rule.maxPerTransaction, info.decimals)} ${symbol} per transaction.`,
        );
      }
      const limits: SpendLimit[] = [...rule.limits];
      if (policy.budget !== undefined) {
        limits.push({
          rule: "payments.budget",
          amount: parseTokenAmount(policy.budget, info.decimals, symbol),
        });
      }
      const asset = tokenAsset(requirement.network, "erc20", assetAddress);
      const reserved = await deps.policy.reserve(
        scope,
        key,
        JSON.stringify([
          url.href,
          requirement.network,
          assetAddress,
          requirement.payTo.toLowerCase(),
          accepted.amount.toString(),
        ]),
        [{ asset, amount: accepted.amount, limits }],
      );
      if (reserved.status === "replay") {
        throw new PaymentError(
          PaymentErrorCode.AlreadyPaid,
          "This tool call already paid (or is paying) for this resource; it is not paid again.",
          { hint: "Make a new tool call to buy the resource again." },
        );
      }
      attempt.selected = { ...requirement, amountValue: accepted.amount, symbol, info };
      if (policy.approve) {
        const amount = formatTokenAmount(accepted.amount, info.decimals);
        const preview: PaymentPreview = {
          tool: "fetchPaidResource",
          kind: "send",
          summary: `Pay ${amount} ${symbol} to ${requirement.payTo} for ${url.host} on ${requirement.network}`,
          chain: requirement.network,
          action: `x402 "${requirement.scheme}" payment (EIP-3009 authorization) of ${amount} ${symbol} (token ${assetAddress}) to ${requirement.payTo} for ${url.href}`,
          balanceChanges: [{ asset, amount: (-accepted.amount).toString(), display: `-${amount} ${symbol}` }],
          worstCaseFee: null,
          worstCaseCost: null,
          balanceAfter: null,
          simulation: "not-applicable",
          simulationNote: "an off-chain authorization; the seller's facilitator settles it",
          rules: [
            "payment_scheme",
            "payment_network",
            "payment_host",
            "payment_pay_to",
            "payment_asset",
            "recipient_allowlist",
            "payment_max_per_payment",
            "token_max_per_transaction",
            "budget",
          ],
          host: url.host,
          url: url.href,
          amount,
          amountAtomic: accepted.amount.toString(),
          asset: info.symbol,
          assetAddress: requirement.asset,
          payTo: requirement.payTo,
          network: requirement.network,
          scheme: requirement.scheme,
        };
        let approved = false;
        try {
          approved = (await policy.approve(preview)) === true;
        } finally {
          if (!approved) await ledger.release(scope, key);
        }
        if (!approved)
          throw new ApprovalDeniedError(
            `The host declined to pay ${preview.amount} ${preview.asset} to ${url.host}.`,
          );
      }
      attempt.reserved = true;
    };

    const pay = x402.fetch.wrapFetchWithPayment(cappedFetch, client);
    let response: Response;
    try {
      response = await pay(url.href, {
        method: args.method ?? "GET",
        redirect: "manual",
        ...(args.body !== null && args.method === "POST" ? { body: args.body } : {}),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (attempt.signed) {
        // Signed and sent: the seller may have settled. The reservation stays counted.
        await ledger.commit(scope, key);
        throw new PaymentError(
          PaymentErrorCode.SellerFailed,
          `The seller failed after the payment was sent (${shortMessage(error)}); it may have been settled, so it is not retried.`,
          { cause: error },
        );
      }
      if (attempt.reserved) await ledger.release(scope, key);
      throw mapFailure(error, attempt.refusal);
    }

    const paymentResponse =
      response.headers.get("payment-response") ?? response.headers.get("x-payment-response");
    let settlement:
      | { success?: boolean; transaction?: string; payer?: string; errorReason?: string }
      | undefined;
    if (paymentResponse) {
      try {
        settlement = x402.fetch.decodePaymentResponseHeader(paymentResponse);
      } catch {
        settlement = undefined;
      }
    }
    const selected = attempt.selected;
    if (attempt.signed && selected) {
      // A receipt that says settled counts whatever the status; without one, only a 2xx that does not say failed.
      const ok = response.status >= 200 && response.status < 300;
      const settled = settlement?.success === true || (ok && settlement?.success !== false);
      if (!settled) {
        await response.body?.cancel().catch(() => {});
        await ledger.release(scope, key);
        const reason =
          settlement?.errorReason ??
          paymentRequiredError(response.headers.get("payment-required")) ??
          `HTTP ${response.status}`;
        throw new PaymentError(
          PaymentErrorCode.NotSettled,
          `The payment did not settle (${String(reason).slice(0, 120)}); no budget was used.`,
          {
            retryable: true,
            hint: "The seller's facilitator is down or refused the payment; try again later.",
          },
        );
      }
      await ledger.commit(scope, key);
    }
    const body = await readCapped(response, policy.maxBodyBytes ?? DEFAULT_MAX_BODY);
    return {
      url: url.href,
      status: response.status,
      contentType: response.headers.get("content-type"),
      body: body.text,
      truncated: body.truncated,
      payment:
        attempt.signed && selected
          ? {
              transactionHash: settlement?.success ? (settlement.transaction ?? null) : null,
              payer: settlement?.payer ?? address,
              amount: formatTokenAmount(selected.amountValue, selected.info.decimals),
              amountAtomic: selected.amountValue.toString(),
              asset: selected.symbol,
              assetAddress: selected.asset,
              payTo: selected.payTo,
              network: selected.network,
            }
          : null,
    };
  };

  return {
    name: "fetchPaidResource",
    kind: "send",
    description:
      "Fetch an http(s) resource; when the seller asks for an x402 payment (HTTP 402), pay it from this session's wallet (e.g. in USDC) within the host's policy, then return the status, content type, body and the payment receipt. Moves real funds when a payment is asked for.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async execute(args, { session, toolCallId, conversationId, signal }) {
      const toolSession = toToolSession(session);
      const scope = deps.policy.scopeFor(session, toolSession.agentRef);
      const key = toolIdempotencyKey("fetchPaidResource", toolCallId, conversationId);
      const cacheKey = `${scope}\n${key}`;
      const canonical = JSON.stringify([args.url, args.method ?? "GET", args.body]);
      const cached = results.get(cacheKey);
      if (cached) {
        if (cached.input !== canonical) {
          throw new ToolInputError(
            "This tool call id was already used for another request; make a new call.",
          );
        }
        return cached.result;
      }
      const result = run(args, toolSession, scope, key, signal);
      results.set(cacheKey, { input: canonical, result });
      if (results.size > MAX_CACHED_RESULTS) results.delete(results.keys().next().value!);
      result.catch(() => {
        if (results.get(cacheKey)?.result === result) results.delete(cacheKey);
      });
      return result;
    },
  };
}
