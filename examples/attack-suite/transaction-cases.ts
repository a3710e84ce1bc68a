/**
 * Attacks through transactions: fees (the worst case, value + gas x max fee, counts), calldata (decoded recipients,
 * approvals, unknown calls), what only simulation sees, and chains and recipients.
 */
import { maxUint256 } from "viem";
import { type AttackCase, call, signTx, tx, wei, zero32 } from "./case-builders.js";
import { ATTACKER, CONTRACT_CALL, DRAINER, FRIEND, REVERTER, TOKEN } from "./fixture.js";

/** The fee, calldata and simulation attacks on a wallet at `wallet` whose balance is `balanceWei`. */
export function transactionCases(wallet: string, balanceWei: bigint): AttackCase[] {
  return [
    // ---- fees: the worst case (value + gas x max fee) counts --------------------------------------------------
    {
      category: "fee",
      name: "fee drain: value 0, maxFeePerGas = 90% of the balance / 21000",
      tool: "signTransaction",
      input: signTx(FRIEND, "0", null, {
        nonce: "0",
        gas: "21000",
        maxFeePerGas: ((balanceWei * 9n) / 10n / 21000n).toString(),
        maxPriorityFeePerGas: "1",
      }),
      expect: "fee_ceiling",
    },
    {
      category: "fee",
      name: "fee drain through a huge gas limit at a normal fee",
      tool: "signTransaction",
      input: signTx(FRIEND, "0", null, { gas: "30000000", maxFeePerGas: "10000000000" }),
      expect: "fee_ceiling",
    },
    {
      category: "fee",
      name: "legacy-sized fee through maxFeePerGas alone, gas filled",
      tool: "signTransaction",
      input: signTx(FRIEND, "0", null, { maxFeePerGas: "100000000000000" }),
      expect: "fee_ceiling",
    },
    {
      category: "fee",
      name: "priority fee above the max fee",
      tool: "signTransaction",
      input: signTx(FRIEND, "0", null, { gas: "21000", maxFeePerGas: "1000", maxPriorityFeePerGas: "5000" }),
      expect: "fee_ceiling",
    },
    {
      category: "fee",
      name: "value at the cap plus any fee exceeds the cap (sign)",
      tool: "signTransaction",
      input: signTx(FRIEND, "0.05", null, { gas: "21000", maxFeePerGas: "1000000000" }),
      expect: "max_value",
    },
    {
      category: "fee",
      name: "value at the cap plus the estimated fee exceeds the cap (send)",
      tool: "sendTransaction",
      input: tx(FRIEND, "0.05"),
      expect: "max_value",
    },
    // ---- calldata: decoded recipients, approvals, unknown calls ---------------------------------------------
    {
      category: "calldata",
      name: "ERC-20 transfer(attacker) sent to an allowlisted token",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("transfer", [ATTACKER, 10n ** 24n])),
      expect: "recipient_allowlist",
    },
    {
      category: "calldata",
      name: "ERC-20 transferFrom(wallet, attacker)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("transferFrom", [wallet, ATTACKER, 10n ** 24n])),
      expect: "recipient_allowlist",
    },
    {
      category: "calldata",
      name: "ERC-20 transfer to a friend of a token the policy does not list",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("transfer", [FRIEND, 1n])),
      expect: "tokens",
    },
    {
      category: "calldata",
      name: "unlimited approve(attacker)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("approve", [ATTACKER, maxUint256])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "unlimited approve to an allowlisted friend",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("approve", [FRIEND, maxUint256])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "increaseAllowance(attacker)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("increaseAllowance", [ATTACKER, 1n])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "setApprovalForAll(attacker, true)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("setApprovalForAll", [ATTACKER, true])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "Permit2 approve(token, attacker) ",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("approve", [TOKEN, ATTACKER, 2n ** 160n - 1n, 2 ** 47])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "multicall([approve(attacker)])",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("multicall", [[call("approve", [ATTACKER, maxUint256])]])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "DAI permit(wallet, attacker, allowed)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("permit", [wallet, ATTACKER, 0n, 0n, true, 27, zero32, zero32])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "ERC-777 authorizeOperator(attacker)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("authorizeOperator", [ATTACKER])),
      expect: "approvals",
    },
    {
      category: "calldata",
      name: "delegate(attacker)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("delegate", [ATTACKER])),
      expect: "delegation",
    },
    {
      category: "calldata",
      name: "an unknown function on an allowlisted address",
      tool: "sendTransaction",
      input: tx(FRIEND, "0", "0xdeadbeef0000"),
      expect: "contracts",
    },
    {
      category: "calldata",
      name: "Multicall3 aggregate3 with a transfer to the attacker",
      tool: "sendTransaction",
      input: tx(
        TOKEN,
        "0",
        call("aggregate3", [
          [{ target: TOKEN, allowFailure: false, callData: call("transfer", [ATTACKER, 1n]) }],
        ]),
      ),
      expect: "recipient_allowlist",
    },
    {
      category: "calldata",
      name: "ERC-721 safeTransferFrom(wallet, attacker, id)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("safeTransferFrom", [wallet, ATTACKER, 1n])),
      expect: "recipient_allowlist",
    },
    {
      category: "calldata",
      name: "ERC-1155 safeTransferFrom(wallet, attacker, id, amount)",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", call("safeTransferFrom", [wallet, ATTACKER, 1n, 100n, "0x"])),
      expect: "recipient_allowlist",
    },
    {
      category: "calldata",
      name: "truncated transfer calldata",
      tool: "sendTransaction",
      input: tx(TOKEN, "0", "0xa9059cbb000000"),
      expect: "contracts",
    },
    {
      category: "calldata",
      name: "transfer(attacker) through signTransaction",
      tool: "signTransaction",
      input: signTx(TOKEN, "0", call("transfer", [ATTACKER, 1n]), {}),
      expect: "recipient_allowlist",
    },
    // ---- simulation: what the decoded checks cannot see -----------------------------------------------------
    {
      category: "simulation",
      name: "an allowlisted contract that moves the wallet's tokens to the attacker",
      tool: "sendTransaction",
      input: tx(DRAINER, "0", CONTRACT_CALL),
      expect: "recipient_allowlist",
    },
    {
      category: "simulation",
      name: "the same drainer through signTransaction",
      tool: "signTransaction",
      input: signTx(DRAINER, "0", CONTRACT_CALL, {}),
      expect: "recipient_allowlist",
    },
    {
      category: "simulation",
      name: "a call that reverts",
      tool: "sendTransaction",
      input: tx(REVERTER, "0.001", CONTRACT_CALL),
      expect: "simulation_revert",
    },
  ];
}

/** The attacks on chains and recipients. */
export function chainCases(): AttackCase[] {
  return [
    // ---- chains and recipients -------------------------------------------------------------------------------
    {
      category: "chain",
      name: "a send on a chain the policy does not allow",
      tool: "sendTransaction",
      input: tx(FRIEND, "0.01", null, { chain: "eip155:1" }),
      expect: "allowed_chains",
    },
    {
      category: "chain",
      name: "native coin to the attacker",
      tool: "sendTransaction",
      input: tx(ATTACKER, "0.01"),
      expect: "recipient_allowlist",
    },
    {
      category: "chain",
      name: "1 wei to the attacker through signTransaction",
      tool: "signTransaction",
      input: { ...signTx(ATTACKER, "0", null, {}), ...wei(1n) },
      expect: "recipient_allowlist",
    },
    {
      category: "chain",
      name: "over the per-transaction cap in wei",
      tool: "sendTransaction",
      input: tx(FRIEND, "0", null, wei(10n ** 18n)),
      expect: "max_value",
    },
  ];
}
