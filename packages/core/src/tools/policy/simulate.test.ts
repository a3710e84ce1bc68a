import { encodeAbiParameters, pad, toEventSelector } from "viem";
import { describe, expect, it } from "vitest";
import { effectsOfLogs } from "./simulate.js";
import { ATTACKER, FRIEND, TOKEN, WALLET } from "./test-fixtures.js";

const topic = (address: string) => pad(address as `0x${string}`);
const word = (n: bigint) => encodeAbiParameters([{ type: "uint256" }], [n]);

describe("effectsOfLogs: what left the wallet in a simulation", () => {
  it("reads native, ERC-20, ERC-721, ERC-1155 outflows and the wallet's approvals; ignores others' moves", () => {
    const transfer = toEventSelector("Transfer(address,address,uint256)");
    const logs = [
      {
        address: "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE",
        topics: [transfer, topic(WALLET), topic(FRIEND)],
        data: word(5n),
      },
      { address: TOKEN, topics: [transfer, topic(WALLET), topic(ATTACKER)], data: word(7n) },
      { address: TOKEN, topics: [transfer, topic(FRIEND), topic(ATTACKER)], data: word(9n) },
      {
        address: TOKEN,
        topics: [transfer, topic(WALLET), topic(ATTACKER), pad("0x2a")],
        data: "0x" as const,
      },
      {
        address: TOKEN,
        topics: [
          toEventSelector("TransferSingle(address,address,address,uint256,uint256)"),
          topic(WALLET),
          topic(WALLET),
          topic(ATTACKER),
        ],
        data: encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [3n, 4n]),
      },
      {
        address: TOKEN,
        topics: [toEventSelector("Approval(address,address,uint256)"), topic(WALLET), topic(ATTACKER)],
        data: word(11n),
      },
      {
        address: TOKEN,
        topics: [toEventSelector("ApprovalForAll(address,address,bool)"), topic(WALLET), topic(ATTACKER)],
        data: word(1n),
      },
      {
        address: TOKEN,
        topics: [toEventSelector("ApprovalForAll(address,address,bool)"), topic(WALLET), topic(ATTACKER)],
        data: word(0n),
      },
      { address: TOKEN, topics: [transfer, topic(WALLET)], data: "0xzz" as `0x${string}` }, // malformed: ignored
    ];
    const { nativeOut, effects } = effectsOfLogs(WALLET, logs as never);
    expect(nativeOut).toBe(5n);
    expect(effects).toEqual([
      { type: "transfer", standard: "erc20", token: TOKEN, from: WALLET, to: ATTACKER, amount: 7n },
      { type: "transfer", standard: "erc721", token: TOKEN, from: WALLET, to: ATTACKER, amount: 1n, id: 42n },
      { type: "transfer", standard: "erc1155", token: TOKEN, from: WALLET, to: ATTACKER, amount: 4n, id: 3n },
      { type: "approval", standard: "erc20", token: TOKEN, spender: ATTACKER, amount: 11n },
      { type: "approval", standard: "erc721", token: TOKEN, spender: ATTACKER, amount: "all" },
    ]);
  });
});
