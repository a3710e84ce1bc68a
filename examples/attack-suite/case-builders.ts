/** Builders of the attack cases' tool inputs (the fields the transaction and signing tools take from a model). */
import { encodeFunctionData, parseAbi } from "viem";

/** One attack: a tool call a hostile model makes, and the refusal the policy must answer with. */
export interface AttackCase {
  category: "fee" | "calldata" | "simulation" | "typed-data" | "message" | "chain";
  name: string;
  tool: "sendTransaction" | "signTransaction" | "signTypedData" | "signMessage";
  input: Record<string, unknown>;
  /** The refusal expected: a policy rule, or `invalid_input` for input that cannot be read. */
  expect: string;
}

const abi = parseAbi([
  "function transfer(address to, uint256 amount)",
  "function transferFrom(address from, address to, uint256 amount)",
  "function approve(address spender, uint256 amount)",
  "function increaseAllowance(address spender, uint256 amount)",
  "function setApprovalForAll(address operator, bool approved)",
  "function approve(address token, address spender, uint160 amount, uint48 expiration)",
  "function permit(address holder, address spender, uint256 nonce, uint256 expiry, bool allowed, uint8 v, bytes32 r, bytes32 s)",
  "function authorizeOperator(address operator)",
  "function delegate(address delegatee)",
  "function multicall(bytes[] data)",
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls)",
  "function safeTransferFrom(address from, address to, uint256 id)",
  "function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
]);
/** ABI-encoded calldata of `functionName(args)`. */
export const call = (functionName: string, args: readonly unknown[]) =>
  encodeFunctionData({ abi, functionName, args } as never);
/** 32 zero bytes (a null `bytes32`). */
export const zero32 = `0x${"00".repeat(32)}`;

/** A `sendTransaction` input in ether (`data` null unless given). */
export const tx = (
  to: string,
  amount: string,
  data: string | null = null,
  extra: Record<string, unknown> = {},
) => ({
  chain: null,
  to,
  amount,
  unit: "ether",
  data,
  ...extra,
});

/** A `signTransaction` input: `tx` plus the fee fields (null unless given). */
export const signTx = (
  to: string,
  amount: string,
  data: string | null,
  fees: Record<string, string | null>,
) =>
  tx(to, amount, data, { nonce: null, gas: null, maxFeePerGas: null, maxPriorityFeePerGas: null, ...fees });

/** A `signTypedData` input. */
export const typed = (value: unknown) => ({ typedData: JSON.stringify(value) });

/** An amount in wei. */
export const wei = (value: bigint) => ({ amount: value.toString(), unit: "wei" });
