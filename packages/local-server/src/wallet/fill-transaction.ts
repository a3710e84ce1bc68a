import type { PrepareTransactionRequestParameters } from "viem";
import { prepareTransactionRequest } from "viem/actions";
import type { ServerContext } from "../server-context.js";
import type { AgentRecord } from "../store/store.js";
import { toChainHttpError } from "./chain-error.js";
import type { MappedTransaction } from "./transaction-fields.js";

/** The viem request of a mapped transaction: only the fields given, for `prepareTransactionRequest` to complete. */
export function prepareRequestOf(
  agent: AgentRecord,
  ctx: ServerContext,
  tx: MappedTransaction,
): PrepareTransactionRequestParameters {
  const request: Record<string, unknown> = {
    account: agent.wallet.account,
    chain: ctx.chain.chain,
    to: tx.to,
    value: tx.value,
    data: tx.data,
    nonce: tx.nonce,
    gas: tx.gas,
  };
  if (tx.type !== undefined) request.type = tx.type;
  if (tx.gasPrice !== undefined) request.gasPrice = tx.gasPrice;
  if (tx.maxFeePerGas !== undefined) request.maxFeePerGas = tx.maxFeePerGas;
  if (tx.maxPriorityFeePerGas !== undefined) request.maxPriorityFeePerGas = tx.maxPriorityFeePerGas;
  return request as unknown as PrepareTransactionRequestParameters;
}

const hasFee = (tx: MappedTransaction) =>
  tx.type === undefined
    ? false
    : tx.type === "eip1559"
      ? tx.maxFeePerGas !== undefined
      : tx.gasPrice !== undefined;

/**
 * Fills what a transaction to sign leaves out, as an orchestrator does: the pending nonce, the estimated gas
 * and the node's current fees. Fields that were given are kept exactly. A node refusal maps to 422/502.
 */
export async function fillTransaction(
  ctx: ServerContext,
  agent: AgentRecord,
  tx: MappedTransaction,
): Promise<MappedTransaction> {
  if (tx.nonce !== undefined && tx.gas !== undefined && hasFee(tx)) return tx;
  let prepared: Record<string, unknown>;
  try {
    prepared = (await prepareTransactionRequest(
      ctx.chain.publicClient,
      prepareRequestOf(agent, ctx, tx),
    )) as unknown as Record<string, unknown>;
  } catch (error) {
    throw toChainHttpError(error);
  }
  const type = prepared.type as MappedTransaction["type"];
  return {
    ...tx,
    type: tx.type ?? type,
    nonce: tx.nonce ?? (prepared.nonce as number),
    gas: tx.gas ?? (prepared.gas as bigint),
    gasPrice: tx.gasPrice ?? (prepared.gasPrice as bigint | undefined),
    maxFeePerGas: tx.maxFeePerGas ?? (prepared.maxFeePerGas as bigint | undefined),
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? (prepared.maxPriorityFeePerGas as bigint | undefined),
  };
}

/** The nonce, gas and fee fields of a filled transaction, as decimal strings in snake_case for the response. */
export function filledFields(tx: MappedTransaction): Record<string, string | number> {
  const fields: Record<string, string | number> = {};
  if (tx.nonce !== undefined) fields.nonce = tx.nonce;
  if (tx.gas !== undefined) fields.gas = tx.gas.toString();
  if (tx.gasPrice !== undefined) fields.gas_price = tx.gasPrice.toString();
  if (tx.maxFeePerGas !== undefined) fields.max_fee_per_gas = tx.maxFeePerGas.toString();
  if (tx.maxPriorityFeePerGas !== undefined)
    fields.max_priority_fee_per_gas = tx.maxPriorityFeePerGas.toString();
  return fields;
}
