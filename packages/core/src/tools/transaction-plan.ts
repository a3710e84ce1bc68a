import type { Hex, PublicClient } from "viem";
import { formatEther, toWei } from "./amount.js";
import { previewBudget } from "./guarded-call.js";
import { checkEffect, mergeItems, nativeAsset } from "./policy/asset-rules.js";
import {
  type LucidBalanceChange,
  type LucidToolPreview,
  nativeChange,
  transactionSummary,
} from "./policy/preview.js";
import { type SimulationOutcome, simulateCall } from "./policy/simulate.js";
import {
  decideTransaction,
  type TransactionDecision,
  type TransactionRequest,
} from "./policy/transaction-rules.js";
import type { SpendItem } from "./spend-ledger.js";
import { resolveChain, type ToolDeps } from "./tool-context.js";
import type { LucidToolContext } from "./tool-descriptor.js";
import { ChainUnavailableError, PolicyRefusedError, ToolInputError } from "./tool-errors.js";
import { type LucidSession, type ToolSession, toToolSession } from "./tool-session.js";

/** The model's transaction fields (sign adds the optional fee fields). */
export interface TransactionArgs {
  chain: string | null;
  to: string;
  amount: string;
  unit: "ether" | "wei";
  data: string | null;
  nonce?: string | null;
  gas?: string | null;
  maxFeePerGas?: string | null;
  maxPriorityFeePerGas?: string | null;
}

/** A transaction every check passed: what to send to the wallet, what it counts, and its preview. */
export interface TransactionPlan {
  caip2: string;
  wei: bigint;
  /** The wire transaction for the wallet. */
  transaction: Record<string, string>;
  items: SpendItem[];
  preview: LucidToolPreview;
  /** The fee fields the policy counted (gas limit and max fees), when the chain was read. */
  fees: { gas?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint };
}

/** How a tool other than the two transaction tools words its preview (sendToken: "Send 5 USDC to ..."). */
export interface PlanWording {
  /** The summary from the checked decision (the fee) and the wallet's address. */
  summary(fields: { fee: bigint; feeKnown: boolean }): string;
  action: string;
}

const big = (value: string | null | undefined) =>
  value === null || value === undefined ? undefined : BigInt(value);
const GAS_MARGIN_NUM = 5n;
const GAS_MARGIN_DEN = 4n;

interface ChainReads {
  simulation: SimulationOutcome | null;
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | null;
  nonce: number | null;
  balance: bigint | null;
}

/** Simulation, fees, nonce and balance in one concurrent round (one HTTP batch with a batching transport). */
async function readChain(
  client: PublicClient,
  call: { from: string; to: string; value: bigint; data: Hex | null },
  wants: { simulate: boolean; fees: boolean; nonce: boolean },
): Promise<ChainReads> {
  const soft = <T>(promise: Promise<T>) => promise.catch(() => null);
  // Everything in one concurrent round, so a batching transport sends one HTTP request: the simulation, the
  // latest block (base fee) and the priority fee (viem's estimateFeesPerGas would read them one after the other).
  const [simulation, block, priority, nonce, balance] = await Promise.all([
    wants.simulate ? simulateCall(client, call) : null,
    wants.fees ? soft(client.getBlock({ blockTag: "latest" })) : null,
    wants.fees ? soft(client.request({ method: "eth_maxPriorityFeePerGas" })) : null,
    wants.nonce ? soft(client.getTransactionCount({ address: call.from as Hex, blockTag: "pending" })) : null,
    soft(client.getBalance({ address: call.from as Hex })),
  ]);
  let fees: ChainReads["fees"] = null;
  const baseFee = block?.baseFeePerGas;
  if (typeof baseFee === "bigint" && typeof priority === "string") {
    const maxPriorityFeePerGas = BigInt(priority);
    // viem's default: 1.2 x the base fee, plus the priority fee.
    fees = { maxFeePerGas: (baseFee * 12n) / 10n + maxPriorityFeePerGas, maxPriorityFeePerGas };
  }
  return { simulation, fees, nonce, balance };
}

/**
 * Runs every check of a transaction without signing or sending: the pure decision on the model's fields (so a
 * fee drain or a foreign recipient is refused before any network call), then one round on the chain
 * (simulation with traced transfers, fees, nonce, balance), the simulated movements checked against the same
 * rules, and the decision again on the final fields. Throws the refusal; returns the plan and its preview.
 */
export async function planTransaction(
  tool: "sendTransaction" | "signTransaction" | "sendToken",
  args: TransactionArgs,
  deps: ToolDeps,
  session: ToolSession,
  signal?: AbortSignal,
  wording?: PlanWording,
): Promise<TransactionPlan> {
  const policy = deps.policy.rules;
  const wei = toWei(args.amount, args.unit);
  const caip2 = await resolveChain(args.chain, deps, session, signal);
  await deps.policy.loadTokenRules(caip2);
  const data = (args.data && args.data !== "0x" ? args.data.toLowerCase() : null) as Hex | null;
  const given = {
    nonce: big(args.nonce),
    gas: big(args.gas),
    maxFeePerGas: big(args.maxFeePerGas),
    maxPriorityFeePerGas: big(args.maxPriorityFeePerGas),
  };
  const base: TransactionRequest = { caip2, to: args.to, value: wei, data };
  const client = deps.policy.clientFor(caip2);
  // The model's own fields first: a refusal here needs no network at all. A fee the chain will tell counts as 0
  // here and for real in the final decision below.
  decideTransaction(policy, { ...base, ...given }, client ? 0n : policy.maxFee);
  const { address: from } = await session.wallet(signal);
  const signing = tool === "signTransaction";
  const missing =
    signing && (given.nonce === undefined || given.gas === undefined || given.maxFeePerGas === undefined);
  if (!client && (missing || policy.simulation === "required")) {
    if (policy.simulation === "required" && !missing) {
      throw new PolicyRefusedError(
        "simulation",
        `The policy requires simulation and no rpc is configured for ${caip2}; nothing was signed.`,
      );
    }
    throw new ToolInputError(
      `nonce, gas, maxFeePerGas and maxPriorityFeePerGas are required on ${caip2}: this host reads no chain there to fill them.`,
    );
  }
  const reads: ChainReads = client
    ? await readChain(
        client,
        { from, to: args.to, value: wei, data },
        {
          simulate: policy.simulation !== "off",
          fees: given.maxFeePerGas === undefined,
          nonce: signing && given.nonce === undefined,
        },
      )
    : { simulation: null, fees: null, nonce: null, balance: null };

  const simulation = reads.simulation;
  let simulatedItems: SpendItem[] = [];
  let changes: LucidBalanceChange[] = [];
  if (simulation?.status === "reverted") {
    throw new PolicyRefusedError(
      "simulation_revert",
      `The transaction reverts in simulation: ${simulation.reason}. Nothing was signed.`,
    );
  }
  if (simulation?.status === "rejected") {
    throw new PolicyRefusedError(
      "simulation",
      `The chain refuses this transaction: ${simulation.reason}. Nothing was signed.`,
    );
  }
  if (simulation?.status === "unavailable" && policy.simulation === "required") {
    throw new ChainUnavailableError(
      `The transaction could not be simulated on ${caip2} (${simulation.reason}); the policy requires a simulation. Try again later.`,
    );
  }
  if (simulation?.status === "success") {
    if (simulation.nativeOut > wei) {
      throw new PolicyRefusedError(
        "simulation",
        `In simulation ${formatEther(simulation.nativeOut)} ETH leaves the wallet, more than the ${formatEther(wei)} ETH stated.`,
      );
    }
    for (const effect of simulation.effects) {
      const item = checkEffect(policy, caip2, effect);
      if (item) simulatedItems = mergeItems(simulatedItems, [item], "sum");
    }
  }

  // Final fee fields: the model's, else the chain's (sign fills them; send leaves them to the wallet).
  const estimatedGas =
    simulation?.status === "success"
      ? (simulation.gasUsed * GAS_MARGIN_NUM) / GAS_MARGIN_DEN + 1n
      : undefined;
  const gas =
    given.gas ??
    (estimatedGas !== undefined && estimatedGas > 21000n
      ? estimatedGas
      : estimatedGas === undefined
        ? undefined
        : 21000n);
  const maxFeePerGas = given.maxFeePerGas ?? reads.fees?.maxFeePerGas;
  const maxPriorityFeePerGas = given.maxPriorityFeePerGas ?? reads.fees?.maxPriorityFeePerGas;
  const nonce = given.nonce ?? (reads.nonce === null ? undefined : BigInt(reads.nonce));
  if (signing && (nonce === undefined || gas === undefined || maxFeePerGas === undefined)) {
    throw new ChainUnavailableError(
      `The nonce, gas or fees could not be read from ${caip2}; try again, or pass them.`,
    );
  }
  const decision: TransactionDecision = decideTransaction(policy, {
    ...base,
    gas,
    maxFeePerGas,
    maxPriorityFeePerGas:
      maxPriorityFeePerGas !== undefined && maxFeePerGas !== undefined && maxPriorityFeePerGas > maxFeePerGas
        ? maxFeePerGas
        : maxPriorityFeePerGas,
  });
  const items = mergeItems(decision.items, simulatedItems, "max");
  const transaction: Record<string, string> = {
    to: args.to,
    value: wei.toString(),
    ...(data ? { data } : {}),
  };
  if (signing) {
    transaction.nonce = nonce!.toString();
    transaction.gas = gas!.toString();
    transaction.maxFeePerGas = maxFeePerGas!.toString();
    transaction.maxPriorityFeePerGas = (
      maxPriorityFeePerGas !== undefined && maxPriorityFeePerGas <= maxFeePerGas!
        ? maxPriorityFeePerGas
        : maxFeePerGas!
    ).toString();
  }
  changes = [nativeChange(nativeAsset(caip2), decision.cost)];
  for (const item of items) {
    if (item.asset === nativeAsset(caip2)) continue;
    changes.push({
      asset: item.asset,
      amount: (-item.amount).toString(),
      display: `-${item.amount} of ${item.asset.split(":").pop()} (base units)`,
    });
  }
  if (reads.balance !== null && decision.cost > reads.balance) {
    throw new PolicyRefusedError(
      "balance",
      `The wallet holds ${formatEther(reads.balance)} ETH; this transaction could cost ${formatEther(decision.cost)} ETH (value plus worst-case fee). Nothing was signed.`,
    );
  }
  const balanceAfter = reads.balance === null ? null : reads.balance - decision.cost;
  const action = wording?.action ?? describeAction(decision);
  const simulationState: LucidToolPreview["simulation"] =
    simulation?.status === "success" ? "simulated" : policy.simulation === "off" ? "off" : "unavailable";
  return {
    caip2,
    wei,
    transaction,
    items,
    fees: {
      ...(gas === undefined ? {} : { gas }),
      ...(maxFeePerGas === undefined ? {} : { maxFeePerGas }),
      ...(maxPriorityFeePerGas === undefined
        ? {}
        : {
            maxPriorityFeePerGas:
              maxFeePerGas !== undefined && maxPriorityFeePerGas > maxFeePerGas
                ? maxFeePerGas
                : maxPriorityFeePerGas,
          }),
    },
    preview: {
      tool,
      kind: signing ? "sign" : "send",
      summary: wording
        ? wording.summary({ fee: decision.fee, feeKnown: decision.feeKnown })
        : transactionSummary({
            verb: signing ? "Sign" : "Send",
            value: wei,
            to: args.to,
            action,
            fee: decision.fee,
            feeKnown: decision.feeKnown,
            balanceAfter,
          }),
      chain: caip2,
      action: action ?? `transfer of ${formatEther(wei)} ETH to ${args.to}`,
      balanceChanges: changes,
      worstCaseFee: formatEther(decision.fee),
      worstCaseCost: formatEther(decision.cost),
      balanceAfter: balanceAfter === null ? null : formatEther(balanceAfter),
      simulation: simulationState,
      simulationNote:
        simulationState === "simulated"
          ? null
          : simulationState === "off"
            ? "simulation is off by policy; the decoded checks decided"
            : `not simulated (${simulation?.status === "unavailable" ? simulation.reason : `no rpc for ${caip2}`}); the decoded checks decided`,
      rules: decision.rules.concat(simulationState === "simulated" ? ["simulation"] : []),
    },
  };
}

function describeAction(decision: TransactionDecision): string | null {
  const { decoded } = decision;
  if (decoded.selector === null) return null;
  const effects = decoded.effects.map((effect) =>
    effect.type === "transfer"
      ? `${effect.amount}${effect.id === undefined ? "" : ` of id ${effect.id}`} of token ${effect.token} to ${effect.to}`
      : effect.type === "approval"
        ? `allowance of ${effect.amount === "all" ? "all" : effect.amount} of token ${effect.token} to ${effect.spender}`
        : `delegation to ${effect.delegatee}`,
  );
  const name = decoded.function ?? `call ${decoded.selector}`;
  return effects.length ? `${name}: ${effects.join("; ")}` : name;
}

/**
 * The `preview` of a transaction tool (`sendTransaction`, `signTransaction`): its plan after every policy check,
 * and the budget checked without reserving.
 */
export function transactionToolPreview(
  tool: "sendTransaction" | "signTransaction",
  deps: ToolDeps,
): (args: TransactionArgs, context: LucidToolContext<LucidSession>) => Promise<LucidToolPreview> {
  return async (args, context) => {
    const toolSession = toToolSession(context.session);
    const plan = await planTransaction(tool, args, deps, toolSession, context.signal);
    await previewBudget(tool, args, plan.items, deps, toolSession, context);
    return plan.preview;
  };
}
