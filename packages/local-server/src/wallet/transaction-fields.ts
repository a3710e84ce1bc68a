import type { zTransaction } from "@lucid-dreams/sdk/zod";
import { type Address, getAddress, type Hex, isAddressEqual, type TransactionSerializable } from "viem";
import type { ErrorDetail } from "../http/error-codes.js";
import { invalidRequest } from "../http/http-error.js";

/** A transaction as it arrives on the wire (`Transaction`: snake_case or camelCase, quantities as strings or numbers). */
export type WireTransaction = ReturnType<typeof zTransaction.parse>;

/** The transaction type viem serialises. */
export type TransactionKind = "legacy" | "eip2930" | "eip1559";

/** The fields of a wire transaction, de-aliased and converted, with nothing filled in. */
export interface MappedTransaction {
  chainId: number;
  type: TransactionKind | undefined;
  to: Address | undefined;
  value: bigint | undefined;
  data: Hex | undefined;
  nonce: number | undefined;
  gas: bigint | undefined;
  gasPrice: bigint | undefined;
  maxFeePerGas: bigint | undefined;
  maxPriorityFeePerGas: bigint | undefined;
}

const BASE = "params.transaction";
const TYPES: Record<0 | 1 | 2, TransactionKind> = { 0: "legacy", 1: "eip2930", 2: "eip1559" };

type QuantityKey =
  | "value"
  | "gas"
  | "gas_limit"
  | "gasLimit"
  | "gas_price"
  | "gasPrice"
  | "max_fee_per_gas"
  | "maxFeePerGas"
  | "max_priority_fee_per_gas"
  | "maxPriorityFeePerGas"
  | "nonce"
  | "chainId"
  | "chain_id";

function quantity(value: string | number): bigint {
  return BigInt(value);
}

/** The one value given under any of `names`; 400 when two spellings disagree. */
function aliased(tx: WireTransaction, names: QuantityKey[], problems: ErrorDetail[]): bigint | undefined {
  const given = names.filter((name) => tx[name] !== undefined);
  if (given.length === 0) return undefined;
  const values = given.map((name) => quantity(tx[name]!));
  if (values.some((v) => v !== values[0])) {
    problems.push({
      path: `${BASE}.${given[1]}`,
      message: `Disagrees with ${given[0]}; give only one of ${names.join(", ")}.`,
    });
  }
  return values[0];
}

function inferKind(
  declared: 0 | 1 | 2 | undefined,
  fees: { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint },
  problems: ErrorDetail[],
): TransactionKind | undefined {
  const has1559 = fees.maxFeePerGas !== undefined || fees.maxPriorityFeePerGas !== undefined;
  const hasLegacy = fees.gasPrice !== undefined;
  if (declared !== undefined) {
    const kind = TYPES[declared];
    if (kind === "eip1559" && hasLegacy) {
      problems.push({
        path: `${BASE}.gas_price`,
        message: "A type 2 transaction takes max_fee_per_gas, not gas_price.",
      });
    }
    if (kind !== "eip1559" && has1559) {
      problems.push({
        path: `${BASE}.max_fee_per_gas`,
        message: `A type ${declared} transaction takes gas_price, not max_fee_per_gas / max_priority_fee_per_gas.`,
      });
    }
    return kind;
  }
  if (has1559 && hasLegacy) {
    problems.push({
      path: `${BASE}.gas_price`,
      message:
        "Give either gas_price (legacy) or max_fee_per_gas / max_priority_fee_per_gas (EIP-1559), not both.",
    });
  }
  if (has1559) return "eip1559";
  if (hasLegacy) return "legacy";
  return undefined;
}

/**
 * De-aliases and converts a wire transaction. `chainId` comes from `caip2` when absent and must agree with it;
 * `from`, if given, must be the wallet's address. Throws 400 `invalid_request` listing every problem.
 */
export function mapTransaction(
  tx: WireTransaction,
  context: { chainId: number; walletAddress: Address },
): MappedTransaction {
  const problems: ErrorDetail[] = [];
  if (tx.from !== undefined && !isAddressEqual(tx.from as Address, context.walletAddress)) {
    problems.push({
      path: `${BASE}.from`,
      message: `Not this agent's wallet; omit from or send ${context.walletAddress}.`,
    });
  }
  const chainId = aliased(tx, ["chainId", "chain_id"], problems);
  if (chainId !== undefined && chainId !== BigInt(context.chainId)) {
    problems.push({
      path: `${BASE}.chainId`,
      message: `Chain id ${chainId} disagrees with caip2 (chain ${context.chainId}); omit it or send ${context.chainId}.`,
    });
  }
  const nonce = aliased(tx, ["nonce"], problems);
  if (nonce !== undefined && nonce > BigInt(Number.MAX_SAFE_INTEGER)) {
    problems.push({ path: `${BASE}.nonce`, message: "Nonce is too large." });
  }
  const fees = {
    gasPrice: aliased(tx, ["gas_price", "gasPrice"], problems),
    maxFeePerGas: aliased(tx, ["max_fee_per_gas", "maxFeePerGas"], problems),
    maxPriorityFeePerGas: aliased(tx, ["max_priority_fee_per_gas", "maxPriorityFeePerGas"], problems),
  };
  const mapped: MappedTransaction = {
    chainId: context.chainId,
    type: inferKind(tx.type, fees, problems),
    to: tx.to === undefined ? undefined : getAddress(tx.to),
    value: aliased(tx, ["value"], problems),
    data: tx.data as Hex | undefined,
    nonce: nonce === undefined ? undefined : Number(nonce),
    gas: aliased(tx, ["gas", "gas_limit", "gasLimit"], problems),
    ...fees,
  };
  if (problems.length > 0) {
    throw invalidRequest(
      `The transaction is not acceptable: ${problems.map((p) => p.message).join(" ")}`,
      problems,
    );
  }
  return mapped;
}

/**
 * The exact transaction to sign: nothing is filled in, so nonce, gas and a fee must be present (400 naming
 * what to add otherwise). Fields that are absent (value, data, to, priority fee) serialise as empty/zero.
 */
export function toSerializable(tx: MappedTransaction): TransactionSerializable {
  const missing: ErrorDetail[] = [];
  if (tx.nonce === undefined) {
    missing.push({
      path: `${BASE}.nonce`,
      message: "Required: add the nonce (eth_getTransactionCount of the wallet, block tag pending).",
    });
  }
  if (tx.gas === undefined) {
    missing.push({
      path: `${BASE}.gas`,
      message: "Required: add gas (the gas limit, e.g. from eth_estimateGas).",
    });
  }
  if (tx.type === undefined) {
    missing.push({
      path: `${BASE}.max_fee_per_gas`,
      message: "Required: add max_fee_per_gas and max_priority_fee_per_gas (EIP-1559) or gas_price (legacy).",
    });
  } else if (tx.type === "eip1559" && tx.maxFeePerGas === undefined) {
    missing.push({ path: `${BASE}.max_fee_per_gas`, message: "Required: add max_fee_per_gas." });
  } else if (tx.type !== "eip1559" && tx.gasPrice === undefined) {
    missing.push({ path: `${BASE}.gas_price`, message: "Required: add gas_price." });
  }
  if (missing.length > 0) {
    throw invalidRequest(
      `sign-transaction signs exactly the fields given and fills nothing in; ${missing.map((m) => m.message).join(" ")} (send-transaction fills them for you.)`,
      missing,
    );
  }
  const common = {
    chainId: tx.chainId,
    nonce: tx.nonce!,
    gas: tx.gas!,
    to: tx.to,
    value: tx.value,
    data: tx.data,
  };
  switch (tx.type) {
    case "legacy":
      return { ...common, type: "legacy", gasPrice: tx.gasPrice! };
    case "eip2930":
      return { ...common, type: "eip2930", gasPrice: tx.gasPrice!, accessList: [] };
    default:
      return {
        ...common,
        type: "eip1559",
        maxFeePerGas: tx.maxFeePerGas!,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      };
  }
}
