import { encodeFunctionData, parseAbi } from "viem";
import { describe, expect, it } from "vitest";
import { isPolicyRefused } from "../tool-errors.js";
import type { LucidToolPolicy } from "./policy-options.js";
import { resolvePolicy } from "./resolve-policy.js";
import { ATTACKER, calldata, FRIEND, PERMIT2, TOKEN, WALLET } from "./test-fixtures.js";
import { decideTransaction, type TransactionRequest } from "./transaction-rules.js";

const CHAIN = "eip155:8453";
const ATTACK_POLICY: LucidToolPolicy = {
  allowedChains: [CHAIN],
  maxValuePerTransaction: "0.05",
  budgetPerSession: "0.2",
  recipientAllowlist: [TOKEN, FRIEND],
};
const ether = (n: number) => BigInt(Math.round(n * 1e6)) * 10n ** 12n;

/** The rule that refused, or "allowed". */
function rule(request: Partial<TransactionRequest>, policy: LucidToolPolicy = ATTACK_POLICY): string {
  try {
    decideTransaction(resolvePolicy(policy), { caip2: CHAIN, to: FRIEND, value: 0n, data: null, ...request });
    return "allowed";
  } catch (error) {
    if (isPolicyRefused(error)) return error.rule;
    throw error;
  }
}

describe("decideTransaction", () => {
  it("counts the worst-case fee: a fee drain with value 0 is refused by the fee ceiling and the cap", () => {
    const drain = { value: 0n, gas: 21000n, maxFeePerGas: (ether(100) * 9n) / 10n / 21000n };
    expect(rule(drain)).toBe("fee_ceiling");
    expect(rule(drain, { ...ATTACK_POLICY, maxFeePerTransaction: "1000" })).toBe("max_value");
    expect(rule({ value: ether(0.049), gas: 21000n, maxFeePerGas: 10n ** 10n })).toBe("allowed");
    // 0.049 + 21000 x 100 gwei = 0.0511 > 0.05
    expect(rule({ value: ether(0.049), gas: 21000n, maxFeePerGas: 10n ** 11n })).toBe("max_value");
    // unknown fee counts at the ceiling (0.01 by default)
    expect(rule({ value: ether(0.045) })).toBe("max_value");
    expect(rule({ value: ether(0.04) })).toBe("allowed");
    expect(rule({ gas: 21000n, maxFeePerGas: 10n, maxPriorityFeePerGas: 11n })).toBe("fee_ceiling");
    expect(rule({ gas: 21000n, gasPrice: 10n ** 18n })).toBe("fee_ceiling");
  });

  it("checks chains and the recipient of native transfers", () => {
    expect(rule({ caip2: "eip155:1" })).toBe("allowed_chains");
    expect(rule({ to: ATTACKER, value: 1n })).toBe("recipient_allowlist");
    expect(rule({ to: FRIEND.toUpperCase().replace("0X", "0x"), value: 1n })).toBe("allowed");
  });

  it("follows ERC-20 transfers to the decoded recipient, not only `to`", () => {
    const tokens = { ...ATTACK_POLICY, tokens: { [TOKEN]: { maxPerTransaction: "1000" } } };
    expect(rule({ to: TOKEN, data: calldata.transfer(ATTACKER, 1n) })).toBe("recipient_allowlist");
    expect(rule({ to: TOKEN, data: calldata.transferFrom(WALLET, ATTACKER, 1n) })).toBe(
      "recipient_allowlist",
    );
    // a token the policy does not list may not be moved, even to a friend
    expect(rule({ to: TOKEN, data: calldata.transfer(FRIEND, 1n) })).toBe("tokens");
    expect(rule({ to: TOKEN, data: calldata.transfer(FRIEND, 1000n) }, tokens)).toBe("allowed");
    expect(rule({ to: TOKEN, data: calldata.transfer(FRIEND, 1001n) }, tokens)).toBe(
      "token_max_per_transaction",
    );
    expect(rule({ to: TOKEN, data: calldata.nftTransfer(WALLET, ATTACKER, 7n) }, tokens)).toBe(
      "recipient_allowlist",
    );
    expect(rule({ to: TOKEN, data: calldata.erc1155Transfer(WALLET, FRIEND, 7n, 5000n) }, tokens)).toBe(
      "token_max_per_transaction",
    );
  });

  it("refuses every allowance unless allowed with a cap", () => {
    const cases = [
      calldata.approve(FRIEND),
      calldata.approve(ATTACKER, 1n),
      calldata.increaseAllowance(FRIEND, 5n),
      calldata.setApprovalForAll(FRIEND),
      calldata.daiPermit(WALLET, FRIEND),
      calldata.authorizeOperator(FRIEND),
      calldata.multicall([calldata.approve(FRIEND)]),
      calldata.aggregate3([{ target: TOKEN, callData: calldata.approve(FRIEND, 1n) }]),
    ];
    for (const data of cases) expect(rule({ to: TOKEN, data }), data).toBe("approvals");
    expect(
      rule(
        { to: PERMIT2, data: calldata.permit2Approve(TOKEN, ATTACKER) },
        { ...ATTACK_POLICY, recipientAllowlist: undefined },
      ),
    ).toBe("approvals");
    const capped = { ...ATTACK_POLICY, approvals: [{ token: TOKEN, spender: FRIEND, maxAmount: "100" }] };
    expect(rule({ to: TOKEN, data: calldata.approve(FRIEND, 100n) }, capped)).toBe("allowed");
    expect(rule({ to: TOKEN, data: calldata.approve(FRIEND, 101n) }, capped)).toBe("approvals");
    expect(rule({ to: TOKEN, data: calldata.approve(ATTACKER, 1n) }, capped)).toBe("approvals");
    expect(rule({ to: TOKEN, data: calldata.approve(ATTACKER, 0n) })).toBe("allowed"); // a revocation
    // the legacy switch: finite approvals to allowlisted spenders only
    const legacy = { ...ATTACK_POLICY, allowTokenApprovals: true };
    expect(rule({ to: TOKEN, data: calldata.approve(FRIEND, 5n) }, legacy)).toBe("allowed");
    expect(rule({ to: TOKEN, data: calldata.approve(FRIEND) }, legacy)).toBe("approvals");
    expect(rule({ to: TOKEN, data: calldata.setApprovalForAll(FRIEND) }, legacy)).toBe("approvals");
  });

  it("a contract or token the host named passes the recipient allowlist as a call target, not as a recipient", () => {
    const DEX = "0x000000000000000000000000000000000000d0e0";
    const named = {
      ...ATTACK_POLICY,
      contracts: [{ address: DEX, functions: ["swap(uint256)"] }],
      tokens: { [DEX]: { maxPerTransaction: "10" } },
    };
    const swap = encodeFunctionData({
      abi: parseAbi(["function swap(uint256)"]),
      functionName: "swap",
      args: [1n],
    });
    expect(rule({ to: DEX, data: swap }, named)).toBe("allowed");
    expect(rule({ to: DEX, data: swap }, { ...named, tokens: {} })).toBe("allowed");
    expect(rule({ to: DEX, data: calldata.transfer(ATTACKER, 1n) }, named)).toBe("recipient_allowlist");
    expect(rule({ to: DEX, data: calldata.transfer(FRIEND, 1n) }, named)).toBe("allowed");
    expect(rule({ to: DEX, value: 1n }, named)).toBe("recipient_allowlist"); // a plain transfer is not a call
    expect(rule({ to: DEX, data: "0xdeadbeef" }, named)).toBe("contracts");
  });

  it("refuses calldata it does not understand unless the (contract, function) pair is listed", () => {
    const swap = "0x12345678aabbccdd" as const;
    expect(rule({ to: FRIEND, data: swap })).toBe("contracts");
    expect(rule({ to: FRIEND, data: "0x1234" })).toBe("contracts");
    expect(rule({ to: FRIEND, data: calldata.delegate(ATTACKER) })).toBe("delegation");
    expect(
      rule(
        { to: FRIEND, data: swap },
        { ...ATTACK_POLICY, contracts: [{ address: FRIEND, functions: ["0x12345678"] }] },
      ),
    ).toBe("allowed");
    expect(
      rule(
        { to: FRIEND, data: swap },
        { ...ATTACK_POLICY, contracts: [{ address: TOKEN, functions: ["0x12345678"] }] },
      ),
    ).toBe("contracts");
    expect(
      rule(
        { to: FRIEND, data: swap },
        { ...ATTACK_POLICY, contracts: [{ address: FRIEND, functions: ["0x12345678"], chain: "eip155:1" }] },
      ),
    ).toBe("contracts");
    // multicall wrappers are opened: an unknown inner call needs its own entry
    expect(rule({ to: TOKEN, data: calldata.multicall([swap]) })).toBe("contracts");
    expect(rule({ to: TOKEN, data: calldata.multicall([calldata.transfer(ATTACKER, 1n)]) })).toBe(
      "recipient_allowlist",
    );
  });

  it("counts what the call spends: worst-case native cost and token outflows", () => {
    const decision = decideTransaction(
      resolvePolicy({ ...ATTACK_POLICY, tokens: { [TOKEN]: { budget: "5" } } }),
      {
        caip2: CHAIN,
        to: TOKEN,
        value: 1n,
        data: calldata.multicall([calldata.transfer(FRIEND, 2n), calldata.transfer(FRIEND, 3n)]),
        gas: 100n,
        maxFeePerGas: 10n,
      },
    );
    expect(decision.cost).toBe(1001n);
    expect(decision.items).toEqual([
      {
        asset: `${CHAIN}/slip44:60`,
        amount: 1001n,
        limits: [{ rule: "budgetPerSession", amount: 2n * 10n ** 17n }],
      },
      {
        asset: `${CHAIN}/erc20:${TOKEN}`,
        amount: 5n,
        limits: [{ rule: `tokens.${TOKEN}.budget`, amount: 5n }],
      },
    ]);
  });
});
