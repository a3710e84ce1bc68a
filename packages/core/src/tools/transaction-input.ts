import { toWei } from "./amount.js";
import { addressSchema, amountSchema, chainSchema, hexDataSchema, unitSchema } from "./schemas.js";
import { resolveChain, type ToolDeps } from "./tool-context.js";
import type { ToolSession } from "./tool-session.js";

/** The fields every transaction tool takes from the model. */
export const transactionFields = {
  chain: chainSchema,
  to: addressSchema,
  amount: amountSchema,
  unit: unitSchema,
  data: hexDataSchema,
};

/** A transaction after the policy: the chain, the value in wei, and the wire fields. */
export interface CheckedTransaction {
  caip2: string;
  wei: bigint;
  transaction: { to: string; value: string; data?: string };
  /** Gives the budget reservation back; call it when nothing was sent. */
  release: () => void;
}

type TransactionArgs = {
  chain: string | null;
  to: string;
  amount: string;
  unit: "ether" | "wei";
  data: string | null;
};

/** The policy's checks of a transaction, without reserving budget: what an adapter runs before asking for approval. */
export async function preflightTransaction(
  input: TransactionArgs,
  deps: ToolDeps,
  session: ToolSession,
  sessionKey: object,
  toolCallId: string,
  signal?: AbortSignal,
): Promise<void> {
  const wei = toWei(input.amount, input.unit);
  await resolveChain(input.chain, deps, session, signal);
  deps.policy.checkTransaction(input.to, input.data);
  deps.policy.checkValue(sessionKey, wei, toolCallId);
}

/** Resolves the chain and checks chain, recipient, calldata, value and budget before any network call. */
export async function checkTransaction(
  input: TransactionArgs,
  deps: ToolDeps,
  session: ToolSession,
  sessionKey: object,
  toolCallId: string,
  signal?: AbortSignal,
): Promise<CheckedTransaction> {
  const wei = toWei(input.amount, input.unit);
  const caip2 = await resolveChain(input.chain, deps, session, signal);
  deps.policy.checkTransaction(input.to, input.data);
  const release = deps.policy.reserveValue(sessionKey, wei, toolCallId);
  return {
    caip2,
    wei,
    transaction: { to: input.to, value: wei.toString(), ...(input.data ? { data: input.data } : {}) },
    release,
  };
}
