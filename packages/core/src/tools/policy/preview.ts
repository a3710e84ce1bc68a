import { formatEther } from "../amount.js";
import type { LucidToolKind } from "../tool-descriptor.js";

/** One asset movement out of (negative) or into the wallet, as the preview shows it. */
export interface LucidBalanceChange {
  /** CAIP-19 style asset (`eip155:8453/slip44:60`, `eip155:8453/erc20:0x...`). */
  asset: string;
  /** Signed amount in the asset's base units (wei for the native coin), as a decimal string. */
  amount: string;
  /** Readable: "-0.05 ETH", "-1000000 of token 0x... (base units)". */
  display: string;
}

/**
 * What a tool call would do, computed by running every check of the policy without signing or sending: what
 * an approval step shows a human. A call the policy refuses has no preview (the refusal is thrown instead).
 */
export interface LucidToolPreview {
  tool: string;
  kind: LucidToolKind;
  /** One line: "Send 0.05 ETH to 0x...dEaD, fee at most 0.0003 ETH, balance after 9.95 ETH". */
  summary: string;
  /** The CAIP-2 chain, for transactions and typed data that name one. */
  chain: string | null;
  /** The decoded action in words ("transfer(address,uint256): 1000000 of token 0x... to 0x..."). */
  action: string;
  /** Movements out of the wallet: from the simulation when it ran, else from the decoded calldata. */
  balanceChanges: LucidBalanceChange[];
  /** Worst-case fee (gas limit x max fee per gas) in ether; null when nothing is sent or signed on chain. */
  worstCaseFee: string | null;
  /** value + worst-case fee, in ether. */
  worstCaseCost: string | null;
  /** The wallet's native balance after the worst case, in ether, when the chain was read. */
  balanceAfter: string | null;
  /**
   * `simulated`: `eth_simulateV1` ran and its movements were checked; `unavailable`: the chain could not
   * simulate and the decoded checks decided; `off`: the policy turned simulation off; `not-applicable`.
   */
  simulation: "simulated" | "unavailable" | "off" | "not-applicable";
  /** Why the simulation did not run, when it did not. */
  simulationNote: string | null;
  /** The policy rules that were checked and passed. */
  rules: string[];
}

const shortAddress = (address: string) =>
  /^0x[0-9a-fA-F]{40}$/.test(address) ? `${address.slice(0, 5)}...${address.slice(-4)}` : address;

/** The one-line summary of a transaction preview. */
export function transactionSummary(fields: {
  verb: "Send" | "Sign";
  value: bigint;
  to: string;
  action: string | null;
  fee: bigint;
  feeKnown: boolean;
  balanceAfter: bigint | null;
}): string {
  const what = fields.action
    ? `${fields.action} on ${shortAddress(fields.to)} with ${formatEther(fields.value)} ETH`
    : `${formatEther(fields.value)} ETH to ${shortAddress(fields.to)}`;
  const fee = fields.feeKnown
    ? `fee at most ${formatEther(fields.fee)} ETH`
    : `fee set by the wallet (counted as ${formatEther(fields.fee)} ETH)`;
  const after = fields.balanceAfter === null ? "" : `, balance after ${formatEther(fields.balanceAfter)} ETH`;
  const verb = fields.verb === "Sign" ? "Sign (not broadcast) a transaction:" : "Send";
  return `${verb} ${what}, ${fee}${after}`;
}

/** A balance change of the native coin. */
export const nativeChange = (asset: string, wei: bigint): LucidBalanceChange => ({
  asset,
  amount: (-wei).toString(),
  display: `-${formatEther(wei)} ETH`,
});

/** The preview of an off-chain signature (a message, typed data): nothing moves, no fee, no simulation. */
export const signaturePreview = (fields: {
  tool: string;
  summary: string;
  chain: string | null;
  action: string;
  rules: string[];
}): LucidToolPreview => ({
  tool: fields.tool,
  kind: "sign",
  summary: fields.summary,
  chain: fields.chain,
  action: fields.action,
  balanceChanges: [],
  worstCaseFee: null,
  worstCaseCost: null,
  balanceAfter: null,
  simulation: "not-applicable",
  simulationNote: null,
  rules: fields.rules,
});
