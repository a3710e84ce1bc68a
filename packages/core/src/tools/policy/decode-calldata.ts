import { type Abi, decodeFunctionData, parseAbi, size, slice } from "viem";

/** One asset effect of a call, as decoded from its calldata (before any simulation). */
export type CallEffect =
  | {
      type: "transfer";
      standard: "erc20" | "erc721" | "erc1155" | "permit2";
      token: string;
      /** Whose tokens move: `null` means the caller's (the wallet's) own. */
      from: string | null;
      to: string;
      amount: bigint;
      id?: bigint;
    }
  | {
      type: "approval";
      standard: "erc20" | "erc721" | "erc1155" | "permit2" | "erc777" | "permit";
      token: string;
      spender: string;
      /** `"all"`: every token of the contract (setApprovalForAll, authorizeOperator). */
      amount: bigint | "all";
    }
  | { type: "delegation"; token: string; delegatee: string };

/** What the policy understands of a call's calldata. */
export interface DecodedCall {
  target: string;
  selector: string | null;
  /** The decoded function signature, or null when the calldata matches no standard the policy knows. */
  function: string | null;
  effects: CallEffect[];
  /** Calls that decoded to nothing the policy knows: each needs an explicit `contracts` entry. */
  unknown: Array<{ target: string; selector: string | null }>;
}

const ABI = parseAbi([
  "function transfer(address to, uint256 amount)",
  "function transferFrom(address from, address to, uint256 amount)",
  "function approve(address spender, uint256 amount)",
  "function increaseAllowance(address spender, uint256 addedValue)",
  "function safeTransferFrom(address from, address to, uint256 id)",
  "function safeTransferFrom(address from, address to, uint256 id, bytes data)",
  "function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data)",
  "function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] amounts, bytes data)",
  "function setApprovalForAll(address operator, bool approved)",
  "function approve(address token, address spender, uint160 amount, uint48 expiration)",
  "function transferFrom(address from, address to, uint160 amount, address token)",
  "function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
  "function permit(address holder, address spender, uint256 nonce, uint256 expiry, bool allowed, uint8 v, bytes32 r, bytes32 s)",
  "function authorizeOperator(address operator)",
  "function delegate(address delegatee)",
  "function multicall(bytes[] data)",
  "function multicall(uint256 deadline, bytes[] data)",
  "function aggregate((address target, bytes callData)[] calls)",
  "function aggregate3((address target, bool allowFailure, bytes callData)[] calls)",
]) as Abi;

const MAX_DEPTH = 4;
/** ABI-decoded addresses are already valid 20-byte hex: lower-case them (no checksum hashing). */
const addr = (value: unknown) => (value as string).toLowerCase();

/**
 * Decodes a transaction's calldata against the standards an agent meets (ERC-20, ERC-721, ERC-1155, Permit2,
 * EIP-2612/DAI permit, ERC-777 operators, delegation, multicall wrappers) with viem. Never throws: calldata
 * that does not decode lands in `unknown`, which the policy refuses unless the host allowed that function.
 */
export function decodeCalldata(target: string, data: `0x${string}` | null | undefined): DecodedCall {
  const decoded: DecodedCall = {
    target: target.toLowerCase(),
    selector: null,
    function: null,
    effects: [],
    unknown: [],
  };
  if (!data || data === "0x") return decoded;
  decoded.selector = size(data) >= 4 ? slice(data, 0, 4).toLowerCase() : data.toLowerCase();
  decoded.function = visit(decoded, target.toLowerCase(), data, 0);
  return decoded;
}

function visit(out: DecodedCall, target: string, data: `0x${string}`, depth: number): string | null {
  const selector = size(data) >= 4 ? slice(data, 0, 4).toLowerCase() : null;
  let call: { functionName: string; args: readonly unknown[] };
  try {
    const result = decodeFunctionData({ abi: ABI, data });
    call = { functionName: result.functionName, args: (result.args ?? []) as readonly unknown[] };
  } catch {
    out.unknown.push({ target, selector });
    return null;
  }
  const a = call.args;
  const n = a.length;
  const effect = (e: CallEffect) => out.effects.push(e);
  switch (`${call.functionName}/${n}`) {
    case "transfer/2":
      effect({
        type: "transfer",
        standard: "erc20",
        token: target,
        from: null,
        to: addr(a[0]),
        amount: a[1] as bigint,
      });
      return "transfer(address,uint256)";
    case "transferFrom/3":
      effect({
        type: "transfer",
        standard: "erc20",
        token: target,
        from: addr(a[0]),
        to: addr(a[1]),
        amount: a[2] as bigint,
      });
      return "transferFrom(address,address,uint256)";
    case "approve/2":
    case "increaseAllowance/2":
      effect({
        type: "approval",
        standard: "erc20",
        token: target,
        spender: addr(a[0]),
        amount: a[1] as bigint,
      });
      return `${call.functionName}(address,uint256)`;
    case "safeTransferFrom/3":
    case "safeTransferFrom/4":
      effect({
        type: "transfer",
        standard: "erc721",
        token: target,
        from: addr(a[0]),
        to: addr(a[1]),
        amount: 1n,
        id: a[2] as bigint,
      });
      return n === 3
        ? "safeTransferFrom(address,address,uint256)"
        : "safeTransferFrom(address,address,uint256,bytes)";
    case "safeTransferFrom/5":
      effect({
        type: "transfer",
        standard: "erc1155",
        token: target,
        from: addr(a[0]),
        to: addr(a[1]),
        amount: a[3] as bigint,
        id: a[2] as bigint,
      });
      return "safeTransferFrom(address,address,uint256,uint256,bytes)";
    case "safeBatchTransferFrom/5": {
      const ids = a[2] as readonly bigint[];
      const amounts = a[3] as readonly bigint[];
      for (const [i, id] of ids.entries()) {
        effect({
          type: "transfer",
          standard: "erc1155",
          token: target,
          from: addr(a[0]),
          to: addr(a[1]),
          amount: amounts[i] ?? 0n,
          id,
        });
      }
      return "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)";
    }
    case "setApprovalForAll/2":
      if (a[1] === true)
        effect({ type: "approval", standard: "erc721", token: target, spender: addr(a[0]), amount: "all" });
      return "setApprovalForAll(address,bool)";
    case "approve/4":
      effect({
        type: "approval",
        standard: "permit2",
        token: addr(a[0]),
        spender: addr(a[1]),
        amount: a[2] as bigint,
      });
      return "approve(address,address,uint160,uint48)";
    case "transferFrom/4":
      effect({
        type: "transfer",
        standard: "permit2",
        token: addr(a[3]),
        from: addr(a[0]),
        to: addr(a[1]),
        amount: a[2] as bigint,
      });
      return "transferFrom(address,address,uint160,address)";
    case "permit/7":
      effect({
        type: "approval",
        standard: "permit",
        token: target,
        spender: addr(a[1]),
        amount: a[2] as bigint,
      });
      return "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)";
    case "permit/8":
      effect({
        type: "approval",
        standard: "permit",
        token: target,
        spender: addr(a[1]),
        amount: a[4] === true ? "all" : 0n,
      });
      return "permit(address,address,uint256,uint256,bool,uint8,bytes32,bytes32)";
    case "authorizeOperator/1":
      effect({ type: "approval", standard: "erc777", token: target, spender: addr(a[0]), amount: "all" });
      return "authorizeOperator(address)";
    case "delegate/1":
      effect({ type: "delegation", token: target, delegatee: addr(a[0]) });
      return "delegate(address)";
    case "multicall/1":
    case "multicall/2": {
      const inner = (n === 1 ? a[0] : a[1]) as readonly `0x${string}`[];
      for (const item of inner) nested(out, target, item, depth);
      return n === 1 ? "multicall(bytes[])" : "multicall(uint256,bytes[])";
    }
    case "aggregate/1":
    case "aggregate3/1": {
      for (const item of a[0] as ReadonlyArray<{ target: string; callData: `0x${string}` }>) {
        nested(out, addr(item.target), item.callData, depth);
      }
      return call.functionName === "aggregate"
        ? "aggregate((address,bytes)[])"
        : "aggregate3((address,bool,bytes)[])";
    }
    default:
      out.unknown.push({ target, selector });
      return null;
  }
}

function nested(out: DecodedCall, target: string, data: `0x${string}`, depth: number): void {
  if (depth + 1 >= MAX_DEPTH) {
    out.unknown.push({ target, selector: size(data) >= 4 ? slice(data, 0, 4).toLowerCase() : null });
    return;
  }
  if (data === "0x") return;
  visit(out, target, data, depth + 1);
}
