/**
 * The safety preview of a send, shown on the approval card: what the call does, how much goes where, the
 * balance after, the worst-case fee and the policy rule that applies.
 *
 * Everything that computes a preview lives in this one module, from the tool input and the chain (viem over
 * the chain's JSON-RPC). When core's tools offer a preview of their own, `previewToolCall` is the one function to
 * switch over to it.
 */
import { formatEther, type LucidToolPolicy, toWei } from "@lucid-dreams/agent-auth/tools";
import {
  type Address,
  decodeFunctionData,
  erc20Abi,
  getAddress,
  type Hex,
  isAddress,
  type PublicClient,
  size,
  slice,
} from "viem";

/** What the approval card shows for one `sendTransaction` call. Every amount is a decimal string in ETH. */
export interface SendPreview {
  tool: "sendTransaction";
  /** The decoded action, in words ("Transfer ETH", "ERC-20 transfer of 5000000 units to 0x…"). */
  action: string;
  /** CAIP-2 chain the transaction goes to. */
  chain: string;
  from: Address;
  to: Address;
  amount: string;
  /** The wallet's balance now. */
  balance: string;
  /** The balance after the send if the fee is the worst case (amount + gas limit x max fee per gas). */
  balanceAfter: string;
  /** The most the fee can be: gas estimate x max fee per gas. */
  maxFee: string;
  /** `ok` when the chain simulated the call without error, else the reason it would fail. */
  simulation: { ok: true } | { ok: false; reason: string };
  /** The policy rules that apply to this send, in words. */
  rules: string[];
}

/** The preview of a tool call, or `undefined` for tools that get none. */
export type ToolPreview = SendPreview;

/** What a preview needs besides the tool input. */
export interface PreviewContext {
  /** The chain client of the session's chain (the wallet's default chain). */
  client: PublicClient;
  /** CAIP-2 id of that chain. */
  caip2: string;
  /** The session's wallet address. */
  from: Address;
  /** The policy the tools enforce (described on the card). */
  policy: LucidToolPolicy;
}

interface SendInput {
  chain: string | null;
  to: string;
  amount: string;
  unit: "ether" | "wei";
  data: string | null;
}

/** Builds the preview of a tool call from its input, or returns undefined when the tool has none. */
export async function previewToolCall(
  toolName: string,
  input: unknown,
  context: PreviewContext,
): Promise<ToolPreview | undefined> {
  if (toolName !== "sendTransaction") return undefined;
  return previewSend(input as SendInput, context);
}

async function previewSend(input: SendInput, context: PreviewContext): Promise<SendPreview> {
  const { client, from } = context;
  const chain = input.chain ?? context.caip2;
  const to = isAddress(input.to, { strict: false }) ? getAddress(input.to) : (input.to as Address);
  const value = toWei(input.amount, input.unit);
  const data = (input.data ?? undefined) as Hex | undefined;
  const balance = await client.getBalance({ address: from });
  let gas = 21_000n;
  let simulation: SendPreview["simulation"] = { ok: true };
  try {
    gas = await client.estimateGas({ account: from, to, value, data });
  } catch (error) {
    simulation = { ok: false, reason: shortReason(error) };
  }
  const fees = await client.estimateFeesPerGas();
  const maxFee = gas * (fees.maxFeePerGas ?? fees.gasPrice ?? 0n);
  const after = balance - value - maxFee;
  // Some nodes estimate gas without checking the balance: check amount + worst-case fee against it here.
  if (simulation.ok && after < 0n) {
    simulation = {
      ok: false,
      reason: `insufficient funds: the wallet has ${formatEther(balance)} ETH, the send needs up to ${formatEther(value + maxFee)} ETH`,
    };
  }
  return {
    tool: "sendTransaction",
    action: describeAction(to, data),
    chain,
    from,
    to,
    amount: formatEther(value),
    balance: formatEther(balance),
    balanceAfter: after < 0n ? `-${formatEther(-after)}` : formatEther(after),
    maxFee: formatEther(maxFee),
    simulation,
    rules: describePolicy(context.policy),
  };
}

/** The call in words: a plain transfer, a decoded ERC-20 call, or a contract call by selector. */
function describeAction(to: Address, data: Hex | undefined): string {
  if (!data || data === "0x") return "Transfer ETH";
  try {
    const call = decodeFunctionData({ abi: erc20Abi, data });
    return `Contract call ${call.functionName}(${(call.args ?? []).map(String).join(", ")}) on ${to}`;
  } catch {
    return `Contract call with ${size(data)} bytes of data (selector ${slice(data, 0, 4)}) on ${to}`;
  }
}

/** The policy as the card states it. */
export function describePolicy(policy: LucidToolPolicy): string[] {
  const rules = ["Every send needs your approval"];
  if (policy.maxValuePerTransaction !== undefined) {
    rules.push(`At most ${etherOf(policy.maxValuePerTransaction)} ETH per transaction`);
  }
  if (policy.budgetPerSession !== undefined) {
    rules.push(`At most ${etherOf(policy.budgetPerSession)} ETH per session`);
  }
  if (policy.recipientAllowlist) rules.push(`Only to ${policy.recipientAllowlist.join(", ")}`);
  if (policy.allowedChains) rules.push(`Only on ${policy.allowedChains.join(", ")}`);
  return rules;
}

const etherOf = (amount: string | bigint) => (typeof amount === "bigint" ? formatEther(amount) : amount);

function shortReason(error: unknown): string {
  const message = (error as { shortMessage?: string }).shortMessage ?? String(error);
  return message.split("\n")[0] ?? "the simulation failed";
}
