import { z } from "zod/v4";
import { AgentAuthError } from "../runtime/errors.js";
import { toolIdempotencyKey } from "./conversation-key.js";
import {
  encodeTransfer,
  formatTokenAmount,
  parseTokenAmount,
  requireClient,
  type TokenInfo,
} from "./erc20.js";
import { addressSchema, amountSchema, chainSchema } from "./schemas.js";
import { MemorySpendLedger } from "./spend-ledger.js";
import {
  checkTokenCap,
  type ResolvedToken,
  resolveToken,
  tokenAsset,
  tokenBudgetLimits,
} from "./token-policy.js";
import { type LucidTool, resolveChain, type ToolDeps } from "./tool-context.js";
import { PolicyRefusedError, ToolInputError } from "./tool-errors.js";
import type { LucidSession, ToolSession } from "./tool-session.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({
  chain: chainSchema,
  token: z
    .string()
    .describe('The token: a symbol from the host\'s list (e.g. "USDC") or its contract address.'),
  to: addressSchema,
  amount: amountSchema.describe(
    'The amount in the token\'s own units, as a decimal string, e.g. "2.5" (USDC).',
  ),
});

type Input = z.output<typeof input>;

/** What `sendToken` returns. */
export interface SendTokenToolResult {
  transactionHash: string;
  chain: string;
  token: string;
  tokenAddress: string;
  to: string;
  /** Decimal string in the token's units. */
  amount: string;
  /** Base units. */
  amountRaw: string;
}

interface CheckedTransfer {
  caip2: string;
  token: ResolvedToken;
  info: TokenInfo;
  amount: bigint;
}

/** `sendToken`: an ERC-20 transfer of a listed token, through the policy, broadcast once per tool call. */
export function sendTokenTool(deps: ToolDeps): LucidTool<Input, SendTokenToolResult> {
  const ledger = deps.ledger ?? new MemorySpendLedger();
  /** Local-key sends of this tool set by call: a replayed call gets the first hash, never a second broadcast. */
  const localSends = new Map<string, Promise<string>>();
  /** Local sends run one at a time, so concurrent calls read distinct nonces. */
  let localQueue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(task: () => Promise<T>): Promise<T> => {
    const next = localQueue.then(task, task);
    localQueue = next.catch(() => {});
    return next;
  };

  /**
   * A local key signs here and the transaction is broadcast through `rpc` (a local wallet has no send endpoint):
   * nonce, gas and fees come from the chain. Returns the hash; `sent` tells whether the broadcast was attempted.
   */
  const sendLocally = async (
    toolSession: ToolSession,
    checked: CheckedTransfer,
    transaction: { to: string; value: string; data: `0x${string}` },
    key: string,
    signal: AbortSignal | undefined,
    attempt: { broadcast: boolean },
  ): Promise<string> => {
    const client = requireClient(deps.chainClient ?? (() => undefined), checked.caip2);
    const from = (await toolSession.wallet(signal)).address as `0x${string}`;
    const [nonce, gas, fees] = await Promise.all([
      client.getTransactionCount({ address: from, blockTag: "pending" }),
      client.estimateGas({ account: from, to: transaction.to as `0x${string}`, data: transaction.data }),
      client.estimateFeesPerGas(),
    ]);
    const signed = await toolSession.signTransaction(
      {
        caip2: checked.caip2,
        params: {
          transaction: {
            ...transaction,
            nonce: String(nonce),
            gas: String((gas * 12n) / 10n),
            maxFeePerGas: String(fees.maxFeePerGas),
            maxPriorityFeePerGas: String(fees.maxPriorityFeePerGas),
          },
        },
        idempotency_key: key,
      },
      signal,
    );
    attempt.broadcast = true;
    return client.sendRawTransaction({ serializedTransaction: signed.signedTransaction as `0x${string}` });
  };

  const check = async (
    args: Input,
    session: LucidSession,
    signal?: AbortSignal,
  ): Promise<CheckedTransfer> => {
    const toolSession = toToolSession(session);
    const caip2 = await resolveChain(args.chain, deps, toolSession, signal);
    const token = resolveToken(deps.tokens, args.token, caip2);
    deps.policy.checkRecipient(args.to);
    const info = await deps.readToken!(caip2, token.address);
    const amount = parseTokenAmount(args.amount, info.decimals, token.symbol);
    if (amount === 0n) throw new ToolInputError("amount must be greater than zero.");
    checkTokenCap(token, info, amount);
    return { caip2, token, info, amount };
  };

  return {
    name: "sendToken",
    kind: "send",
    description:
      "Send an ERC-20 token (e.g. USDC) from this session's wallet. Moves real funds: token is a symbol from the host's list or its address, amount is in the token's own units as a decimal string (\"2.5\" USDC). The host's caps, budget and recipient allowlist apply. Returns the transaction hash.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async preflight(args, { session, signal }) {
      await check(args, session, signal);
    },
    async execute(args, { session, toolCallId, conversationId, signal }) {
      const checked = await check(args, session, signal);
      const toolSession = toToolSession(session);
      const key = toolIdempotencyKey("sendToken", toolCallId, conversationId);
      const scope = deps.policy.scopeFor(session, toolSession.agentRef);
      const reserved = await ledger.reserve({
        scope,
        key,
        fingerprint: JSON.stringify([
          checked.caip2,
          checked.token.address.toLowerCase(),
          args.to.toLowerCase(),
          checked.amount.toString(),
        ]),
        items: [
          {
            asset: tokenAsset(checked.caip2, checked.token.address),
            amount: checked.amount,
            limits: tokenBudgetLimits(checked.token, checked.info),
          },
        ],
      });
      if (reserved.status === "conflict") {
        throw new ToolInputError("This tool call id was already used for another transfer; make a new call.");
      }
      if (reserved.status === "exceeded") {
        const { decimals } = checked.info;
        throw new PolicyRefusedError(
          "token_budget",
          `Sending ${formatTokenAmount(checked.amount, decimals)} ${checked.token.symbol} would exceed the budget: ${formatTokenAmount(reserved.limit - reserved.used, decimals)} of ${formatTokenAmount(reserved.limit, decimals)} ${checked.token.symbol} left.`,
        );
      }
      const transaction = {
        to: checked.token.address,
        value: "0",
        data: encodeTransfer(args.to as `0x${string}`, checked.amount),
      };
      const attempt = { broadcast: false };
      try {
        let hash: string;
        if (toolSession.signsLocally) {
          const sendKey = `${scope}\n${key}`;
          let sending = localSends.get(sendKey);
          if (!sending) {
            if (reserved.status === "replay") {
              throw new ToolInputError(
                "This tool call already sent its transfer (in another process); it is not sent again.",
              );
            }
            sending = serialized(() =>
              sendLocally(toolSession, checked, transaction, key, signal, attempt),
            ).catch((error: unknown) => {
              throw chainError(error);
            });
            localSends.set(sendKey, sending);
            sending.catch(() => {
              if (!attempt.broadcast) localSends.delete(sendKey);
            });
          }
          hash = await sending;
        } else {
          hash = (
            await toolSession.sendTransaction(
              { caip2: checked.caip2, params: { transaction }, idempotency_key: key },
              signal,
            )
          ).hash;
        }
        await ledger.commit(scope, key);
        return {
          transactionHash: hash,
          chain: checked.caip2,
          token: checked.token.symbol,
          tokenAddress: checked.token.address,
          to: args.to,
          amount: formatTokenAmount(checked.amount, checked.info.decimals),
          amountRaw: checked.amount.toString(),
        };
      } catch (error) {
        // A refusal (4xx, or a wallet that cannot send) sent nothing: give the budget back. Anything else may
        // have broadcast, so the reservation stays.
        const status = (error as { status?: unknown }).status;
        const refused = toolSession.signsLocally
          ? !attempt.broadcast && reserved.status === "reserved"
          : (typeof status === "number" && status >= 400 && status < 500 && status !== 409) ||
            (error as { code?: unknown }).code === "not_supported";
        if (refused) await ledger.release(scope, key);
        throw error;
      }
    },
  };
}

/** A chain's refusal (a revert on estimate, a rejected raw transaction) as a typed error with its short reason. */
function chainError(error: unknown): unknown {
  if (AgentAuthError.isInstance(error)) return error;
  const reason = String(
    (error as { shortMessage?: unknown }).shortMessage ?? (error as Error)?.message ?? error,
  )
    .split("\n")[0]!
    .slice(0, 200);
  return new AgentAuthError("chain_rejected", `The chain refused the transfer: ${reason}`, {
    retryable: false,
    cause: error,
  });
}
