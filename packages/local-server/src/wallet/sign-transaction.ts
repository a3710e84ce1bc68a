import { zTransactionRequest } from "@lucid-dreams/sdk/zod";
import { BaseError, keccak256 } from "viem";
import { invalidRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { assertServedChain } from "./caip2.js";
import { mapTransaction, toSerializable } from "./transaction-fields.js";
import type { WalletOperation } from "./wallet-operation.js";
import { walletEnvelope } from "./wallet-view.js";

type TransactionRequestBody = ReturnType<typeof zTransactionRequest.parse>;

/**
 * POST /v1/agents/{agentRef}/wallet/sign-transaction: signs exactly the given fields (nothing filled in) and
 * returns the signed serialised transaction with its hash (keccak256 of the signed bytes).
 */
export function signTransactionOperation(ctx: ServerContext): WalletOperation<TransactionRequestBody> {
  return {
    operation: "signTransaction",
    scope: "wallet.sign",
    schema: zTransactionRequest,
    what: "sign-transaction request",
    async execute(agent, body) {
      assertServedChain(body.caip2, ctx.chain.chainId);
      const mapped = mapTransaction(body.params.transaction, {
        chainId: ctx.chain.chainId,
        walletAddress: agent.wallet.address,
      });
      const transaction = toSerializable(mapped);
      let signed: `0x${string}`;
      try {
        signed = await agent.wallet.account.signTransaction(transaction);
      } catch (error) {
        const reason = error instanceof BaseError ? error.shortMessage : String(error);
        throw invalidRequest(`The transaction could not be signed: ${reason}`, [
          { path: "params.transaction", message: reason },
        ]);
      }
      return {
        ...walletEnvelope(agent, ctx.chain.caip2),
        signed: { signed_transaction: signed, transaction_hash: keccak256(signed) },
      };
    },
  };
}
