import { encodeFunctionData, maxUint256, parseAbi } from "viem";

/** Addresses and calldata builders shared by the policy tests (test-only module). */
export const TOKEN = "0x00000000000000000000000000000000000070c0";
export const FRIEND = "0x000000000000000000000000000000000000f00d";
export const ATTACKER = "0x000000000000000000000000000000000000bad0";
export const WALLET = "0x00000000000000000000000000000000000a11ce";
export const PERMIT2 = "0x000000000022d473030f116ddee9f6b43ac78ba3";

const abi = parseAbi([
  "function transfer(address to, uint256 amount)",
  "function transferFrom(address from, address to, uint256 amount)",
  "function approve(address spender, uint256 amount)",
  "function increaseAllowance(address spender, uint256 addedValue)",
  "function setApprovalForAll(address operator, bool approved)",
  "function safeTransferFrom(address from, address to, uint256 id)",
  "function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
  "function approve(address token, address spender, uint160 amount, uint48 expiration)",
  "function permit(address holder, address spender, uint256 nonce, uint256 expiry, bool allowed, uint8 v, bytes32 r, bytes32 s)",
  "function authorizeOperator(address operator)",
  "function delegate(address delegatee)",
  "function multicall(bytes[] data)",
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls)",
]);

const zero32 = `0x${"00".repeat(32)}` as const;
export const calldata = {
  transfer: (to: string, amount: bigint) =>
    encodeFunctionData({ abi, functionName: "transfer", args: [to as `0x${string}`, amount] }),
  transferFrom: (from: string, to: string, amount: bigint) =>
    encodeFunctionData({
      abi,
      functionName: "transferFrom",
      args: [from as `0x${string}`, to as `0x${string}`, amount],
    }),
  approve: (spender: string, amount: bigint = maxUint256) =>
    encodeFunctionData({ abi, functionName: "approve", args: [spender as `0x${string}`, amount] }),
  increaseAllowance: (spender: string, amount: bigint) =>
    encodeFunctionData({ abi, functionName: "increaseAllowance", args: [spender as `0x${string}`, amount] }),
  setApprovalForAll: (operator: string) =>
    encodeFunctionData({ abi, functionName: "setApprovalForAll", args: [operator as `0x${string}`, true] }),
  nftTransfer: (from: string, to: string, id: bigint) =>
    encodeFunctionData({
      abi,
      functionName: "safeTransferFrom",
      args: [from as `0x${string}`, to as `0x${string}`, id],
    }),
  erc1155Transfer: (from: string, to: string, id: bigint, amount: bigint) =>
    encodeFunctionData({
      abi,
      functionName: "safeTransferFrom",
      args: [from as `0x${string}`, to as `0x${string}`, id, amount, "0x"],
    }),
  permit2Approve: (token: string, spender: string) =>
    encodeFunctionData({
      abi,
      functionName: "approve",
      args: [token as `0x${string}`, spender as `0x${string}`, 2n ** 160n - 1n, 2 ** 47],
    }),
  daiPermit: (holder: string, spender: string) =>
    encodeFunctionData({
      abi,
      functionName: "permit",
      args: [holder as `0x${string}`, spender as `0x${string}`, 0n, 0n, true, 27, zero32, zero32],
    }),
  authorizeOperator: (operator: string) =>
    encodeFunctionData({ abi, functionName: "authorizeOperator", args: [operator as `0x${string}`] }),
  delegate: (to: string) =>
    encodeFunctionData({ abi, functionName: "delegate", args: [to as `0x${string}`] }),
  multicall: (calls: `0x${string}`[]) =>
    encodeFunctionData({ abi, functionName: "multicall", args: [calls] }),
  aggregate3: (calls: Array<{ target: string; callData: `0x${string}` }>) =>
    encodeFunctionData({
      abi,
      functionName: "aggregate3",
      args: [
        calls.map((c) => ({ target: c.target as `0x${string}`, allowFailure: false, callData: c.callData })),
      ],
    }),
};
