import {
  BaseError,
  decodeAbiParameters,
  type Hex,
  HttpRequestError,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  type PublicClient,
  TimeoutError,
  toEventSelector,
} from "viem";
import { simulateBlocks } from "viem/actions";
import type { CallEffect } from "./decode-calldata.js";

/** What a simulation of one call from the wallet showed. */
export type SimulationOutcome =
  | {
      status: "success";
      gasUsed: bigint;
      /** Native coin that left the wallet inside the call (traced transfers). */
      nativeOut: bigint;
      /** Token transfers out of the wallet and allowances the wallet granted, read from the call's logs. */
      effects: CallEffect[];
    }
  | { status: "reverted"; reason: string }
  /** The node refused the call before running it (insufficient funds, say). */
  | { status: "rejected"; reason: string }
  /** The chain cannot simulate (no `eth_simulateV1`, or unreachable). */
  | { status: "unavailable"; reason: string };

const TRANSFER = toEventSelector("Transfer(address,address,uint256)");
const TRANSFER_SINGLE = toEventSelector("TransferSingle(address,address,address,uint256,uint256)");
const TRANSFER_BATCH = toEventSelector("TransferBatch(address,address,address,uint256[],uint256[])");
const APPROVAL = toEventSelector("Approval(address,address,uint256)");
const APPROVAL_FOR_ALL = toEventSelector("ApprovalForAll(address,address,bool)");
const PERMIT2_APPROVAL = toEventSelector("Approval(address,address,address,uint160,uint48)");
/** The pseudo-emitter of native transfers when `traceTransfers` is on. */
const NATIVE = "0xeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

const topicAddress = (topic: Hex | undefined) => (topic ? `0x${topic.slice(26)}`.toLowerCase() : "");
const word = (data: Hex, index = 0) => BigInt(`0x${data.slice(2 + index * 64, 2 + (index + 1) * 64) || "0"}`);

interface LogLike {
  address: string;
  topics: readonly Hex[];
  data: Hex;
}

/** The wallet's outflows and grants in a call's logs (ERC-20/721/1155 transfers and approvals, traced ETH). */
export function effectsOfLogs(
  wallet: string,
  logs: readonly LogLike[],
): { nativeOut: bigint; effects: CallEffect[] } {
  const me = wallet.toLowerCase();
  let nativeOut = 0n;
  const effects: CallEffect[] = [];
  for (const log of logs) {
    const token = log.address.toLowerCase();
    const [topic0, t1, t2, t3] = log.topics;
    try {
      if (topic0 === TRANSFER && topicAddress(t1) === me) {
        if (token === NATIVE) nativeOut += word(log.data);
        else if (log.topics.length === 4) {
          effects.push({
            type: "transfer",
            standard: "erc721",
            token,
            from: me,
            to: topicAddress(t2),
            amount: 1n,
            id: BigInt(t3!),
          });
        } else
          effects.push({
            type: "transfer",
            standard: "erc20",
            token,
            from: me,
            to: topicAddress(t2),
            amount: word(log.data),
          });
      } else if (topic0 === TRANSFER_SINGLE && topicAddress(t2) === me) {
        effects.push({
          type: "transfer",
          standard: "erc1155",
          token,
          from: me,
          to: topicAddress(t3),
          amount: word(log.data, 1),
          id: word(log.data, 0),
        });
      } else if (topic0 === TRANSFER_BATCH && topicAddress(t2) === me) {
        const [ids, values] = decodeAbiParameters([{ type: "uint256[]" }, { type: "uint256[]" }], log.data);
        for (const [i, id] of ids.entries()) {
          effects.push({
            type: "transfer",
            standard: "erc1155",
            token,
            from: me,
            to: topicAddress(t3),
            amount: values[i] ?? 0n,
            id,
          });
        }
      } else if (topic0 === APPROVAL && topicAddress(t1) === me) {
        const amount = log.topics.length === 4 ? 1n : word(log.data);
        effects.push({
          type: "approval",
          standard: log.topics.length === 4 ? "erc721" : "erc20",
          token,
          spender: topicAddress(t2),
          amount,
        });
      } else if (topic0 === APPROVAL_FOR_ALL && topicAddress(t1) === me && word(log.data) !== 0n) {
        effects.push({
          type: "approval",
          standard: "erc721",
          token,
          spender: topicAddress(t2),
          amount: "all",
        });
      } else if (topic0 === PERMIT2_APPROVAL && topicAddress(t1) === me) {
        effects.push({
          type: "approval",
          standard: "permit2",
          token: topicAddress(t2),
          spender: topicAddress(t3),
          amount: word(log.data),
        });
      }
    } catch {
      // A malformed log from a hostile contract: it is ignored here, and counted nowhere as an allowance.
    }
  }
  return { nativeOut, effects };
}

/** The node cannot simulate (no such method) or could not be reached; not a refusal of this transaction. */
function unavailable(error: unknown): boolean {
  if (!(error instanceof BaseError)) return true;
  return Boolean(
    error.walk((e) => {
      if (
        e instanceof MethodNotFoundRpcError ||
        e instanceof MethodNotSupportedRpcError ||
        e instanceof HttpRequestError ||
        e instanceof TimeoutError
      ) {
        return true;
      }
      // Only the node's own words, not the request body that viem appends to its messages.
      const own = e instanceof BaseError ? `${e.details ?? ""} ${e.shortMessage}` : "";
      return /method .*(not found|not supported|does not exist|not available)|unknown method/i.test(own);
    }),
  );
}

const reasonOf = (error: unknown) =>
  error instanceof BaseError
    ? error.details || error.shortMessage
    : String((error as Error)?.message ?? error);

/**
 * Simulates one call from the wallet on the latest block with `eth_simulateV1` (viem `simulateBlocks`, one
 * request, native transfers traced) and reads what left the wallet from its logs.
 */
export async function simulateCall(
  client: PublicClient,
  call: { from: string; to: string; value: bigint; data: Hex | null },
): Promise<SimulationOutcome> {
  let blocks: Awaited<ReturnType<typeof simulateBlocks>>;
  try {
    blocks = await simulateBlocks(client, {
      blocks: [
        {
          calls: [
            {
              from: call.from as Hex,
              to: call.to as Hex,
              value: call.value,
              ...(call.data ? { data: call.data } : {}),
            },
          ],
        },
      ],
      traceTransfers: true,
    });
  } catch (error) {
    if (unavailable(error)) return { status: "unavailable", reason: reasonOf(error).slice(0, 200) };
    return { status: "rejected", reason: reasonOf(error).slice(0, 300) };
  }
  const result = blocks[0]?.calls[0];
  if (!result) return { status: "unavailable", reason: "the node returned no simulated call" };
  if (result.status !== "success") {
    const error = (result as { error?: unknown }).error;
    return { status: "reverted", reason: reasonOf(error).slice(0, 300) || "execution reverted" };
  }
  return { status: "success", gasUsed: result.gasUsed, ...effectsOfLogs(call.from, result.logs ?? []) };
}
