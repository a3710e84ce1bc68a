import { maxUint256 } from "viem";
import { z } from "zod/v4";
import { AgentAuthError } from "../runtime/errors.js";
import { formatEther } from "./amount.js";
import {
  encodeTransfer,
  formatTokenAmount,
  parseTokenAmount,
  readTokenBalance,
  requireClient,
} from "./erc20.js";
import { previewBudget, refusedBeforeSigning, runGuarded } from "./guarded-call.js";
import { addressSchema, amountSchema, chainSchema } from "./schemas.js";
import { resolveToken } from "./token-policy.js";
import { type LucidTool, resolveChain, type ToolDeps } from "./tool-context.js";
import { PolicyRefusedError, ToolInputError } from "./tool-errors.js";
import { type ToolSession, toToolSession } from "./tool-session.js";
import { planTransaction } from "./transaction-plan.js";

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

/** `sendToken`: an ERC-20 transfer of a listed token, through the transaction policy, broadcast once per tool call. */
export function sendTokenTool(deps: ToolDeps): LucidTool<Input, SendTokenToolResult> {
  const name = "sendToken";
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
   * The transfer as a transaction plan: `transfer(to, amount)` calldata to the token contract, decided by the
   * same rules as a hand-made `sendTransaction` (recipient allowlist on the decoded recipient, the token's
   * per-transaction cap and budget, worst-case fee, simulation when `rpc` is given).
   */
  const plan = async (args: Input, toolSession: ToolSession, signal?: AbortSignal) => {
    const caip2 = await resolveChain(args.chain, deps, toolSession, signal);
    await deps.policy.loadTokenRules(caip2);
    const token = resolvePolicyToken(deps, args.token, caip2);
    const info = await deps.policy.readToken(caip2, token.address);
    const symbol = token.symbol ?? info.symbol;
    const amount = parseTokenAmount(args.amount, info.decimals, symbol);
    if (amount === 0n) throw new ToolInputError("amount must be greater than zero.");
    if (amount > maxUint256) {
      throw new ToolInputError(
        `amount "${args.amount.slice(0, 40)}" ${symbol} overflows uint256; nothing was signed.`,
      );
    }
    const display = `${formatTokenAmount(amount, info.decimals)} ${symbol}`;
    // The token balance first: a transfer the token would refuse is refused here, before simulation or signing.
    const client = deps.policy.clientFor(caip2);
    const from = (await toolSession.wallet(signal)).address as `0x${string}`;
    const balance = client ? await readTokenBalance(client, token.address, from).catch(() => null) : null;
    if (balance !== null && balance < amount) {
      throw new PolicyRefusedError(
        "balance",
        `The wallet holds ${formatTokenAmount(balance, info.decimals)} ${symbol}; it cannot send ${display}. Nothing was signed.`,
      );
    }
    const transactionPlan = await planTransaction(
      name,
      {
        chain: caip2,
        to: token.address,
        amount: "0",
        unit: "wei",
        data: encodeTransfer(args.to as `0x${string}`, amount),
      },
      deps,
      toolSession,
      signal,
      {
        action: `transfer of ${display} (token ${token.address}) to ${args.to}`,
        summary({ fee, feeKnown }) {
          const feeText = feeKnown
            ? `fee at most ${formatEther(fee)} ETH`
            : `fee set by the wallet (counted as ${formatEther(fee)} ETH)`;
          const after =
            balance === null
              ? ""
              : `, ${symbol} balance after ${formatTokenAmount(balance - amount, info.decimals)}`;
          return `Send ${display} to ${shortAddress(args.to)}, ${feeText}${after}`;
        },
      },
    );
    return { caip2, token, info, symbol, amount, plan: transactionPlan };
  };

  /**
   * A local key signs here and the transaction is broadcast through `rpc` (a local wallet has no send endpoint):
   * the gas limit and fees are the ones the policy counted; the nonce comes from the chain.
   */
  const sendLocally = async (
    toolSession: ToolSession,
    caip2: string,
    transaction: Record<string, string>,
    fees: { gas?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint },
    key: string,
    signal: AbortSignal | undefined,
    attempt: { broadcast: boolean },
  ): Promise<string> => {
    const client = requireClient((chain) => deps.policy.clientFor(chain), caip2);
    const from = (await toolSession.wallet(signal)).address as `0x${string}`;
    const nonce = await client.getTransactionCount({ address: from, blockTag: "pending" });
    // Without a simulation (policy `simulation: "off"`, or the chain could not simulate) the plan counted the fee
    // at the policy's ceiling: the estimate is used, and refused if it would cost more than that ceiling.
    let { gas, maxFeePerGas } = fees;
    if (gas === undefined) {
      gas =
        ((await client.estimateGas({
          account: from,
          to: transaction.to as `0x${string}`,
          data: transaction.data as `0x${string}`,
        })) *
          12n) /
        10n;
    }
    maxFeePerGas ??= (await client.estimateFeesPerGas()).maxFeePerGas;
    if (gas * maxFeePerGas > deps.policy.rules.maxFee) {
      throw new PolicyRefusedError(
        "fee_ceiling",
        `The transfer's fee could reach ${formatEther(gas * maxFeePerGas)} ETH, over the policy's ceiling of ${formatEther(deps.policy.rules.maxFee)} ETH; nothing was signed.`,
      );
    }
    const signed = await toolSession.signTransaction(
      {
        caip2,
        params: {
          transaction: {
            ...transaction,
            nonce: String(nonce),
            gas: String(gas),
            maxFeePerGas: String(maxFeePerGas),
            maxPriorityFeePerGas: String(
              fees.maxPriorityFeePerGas !== undefined && fees.maxPriorityFeePerGas <= maxFeePerGas
                ? fees.maxPriorityFeePerGas
                : maxFeePerGas,
            ),
          },
        },
        idempotency_key: key,
      },
      signal,
    );
    attempt.broadcast = true;
    return client.sendRawTransaction({ serializedTransaction: signed.signedTransaction as `0x${string}` });
  };

  return {
    name,
    kind: "send",
    description:
      "Send an ERC-20 token (e.g. USDC) from this session's wallet. Moves real funds: token is a symbol from the host's list or its address, amount is in the token's own units as a decimal string (\"2.5\" USDC). The host's caps, budget and recipient allowlist apply. Returns the transaction hash.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async preview(args, context) {
      const toolSession = toToolSession(context.session);
      const planned = await plan(args, toolSession, context.signal);
      await previewBudget(name, args, planned.plan.items, deps, toolSession, context);
      return planned.plan.preview;
    },
    async execute(args, context) {
      const { signal } = context;
      const toolSession = toToolSession(context.session);
      const planned = await plan(args, toolSession, signal);
      const { caip2, token, info, amount } = planned;
      const { transaction, fees } = planned.plan;
      const attempt = { broadcast: false };
      const hash = await runGuarded(
        name,
        args,
        planned.plan.items,
        deps,
        toolSession,
        context,
        async (key, replay) => {
          if (!toolSession.signsLocally) {
            return (
              await toolSession.sendTransaction(
                { caip2, params: { transaction }, idempotency_key: key },
                signal,
              )
            ).hash;
          }
          const sendKey = `${deps.policy.scopeFor(context.session, toolSession.agentRef)}\n${key}`;
          let sending = localSends.get(sendKey);
          if (!sending) {
            if (replay) {
              throw new ToolInputError(
                "This tool call already sent its transfer (in another process); it is not sent again.",
              );
            }
            sending = serialized(() =>
              sendLocally(toolSession, caip2, transaction, fees, key, signal, attempt),
            ).catch((error: unknown) => {
              throw chainError(error);
            });
            localSends.set(sendKey, sending);
            sending.catch(() => {
              if (!attempt.broadcast) localSends.delete(sendKey);
            });
          }
          return sending;
        },
        // A local send that never reached the broadcast sent nothing: its budget is given back.
        (error) =>
          toolSession.signsLocally
            ? !attempt.broadcast
            : refusedBeforeSigning(error) || (error as { code?: unknown }).code === "not_supported",
      );
      return {
        transactionHash: hash,
        chain: caip2,
        token: planned.symbol,
        tokenAddress: token.address,
        to: args.to,
        amount: formatTokenAmount(amount, info.decimals),
        amountRaw: amount.toString(),
      };
    },
  };
}

const shortAddress = (address: string) => `${address.slice(0, 5)}...${address.slice(-4)}`;

/**
 * A token the policy lets the wallet move: by symbol or address from `tokens`, or by address from
 * `policy.tokens`. Anything else is refused before the chain is read.
 */
function resolvePolicyToken(
  deps: ToolDeps,
  symbolOrAddress: string,
  caip2: string,
): { symbol: string | undefined; address: `0x${string}` } {
  const wanted = symbolOrAddress.trim();
  if (/^0x[0-9a-fA-F]{40}$/.test(wanted) && deps.policy.rules.tokens.has(wanted.toLowerCase())) {
    const listed = Object.entries(deps.policy.tokens ?? {}).find(
      ([, config]) =>
        config.address.toLowerCase() === wanted.toLowerCase() && (config.chain ?? caip2) === caip2,
    );
    return { symbol: listed?.[0], address: wanted as `0x${string}` };
  }
  const token = resolveToken(deps.policy.tokens, wanted, caip2);
  return { symbol: token.symbol, address: token.address };
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
