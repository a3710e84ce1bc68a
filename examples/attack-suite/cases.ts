/**
 * The attack cases: what a hostile model (prompt-injected, or a provider that controls tool calls) asks the
 * wallet tools to do under the policy. Every case must be refused before the wallet is called.
 */
import type { AttackCase } from "./case-builders.js";
import { signatureCases } from "./signature-cases.js";
import { chainCases, transactionCases } from "./transaction-cases.js";

export type { AttackCase } from "./case-builders.js";

/** The attack cases for a wallet at `wallet` on `chainId`, whose balance is `balanceWei`. */
export function attackCases(wallet: string, chainId: number, balanceWei: bigint): AttackCase[] {
  return [...transactionCases(wallet, balanceWei), ...signatureCases(wallet, chainId), ...chainCases()];
}
