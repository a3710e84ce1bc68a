import { zTransactionRequest } from "@lucid-dreams/sdk/zod";
import { BaseError, keccak256 } from "viem";
import { invalidRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { assertServedChain } from "./caip2.js";
import { filledFields, fillTransaction } from "./fill-transaction.js";
import { mapTransaction, toSerializable } from "./transaction-fields.js";
import type { WalletOperation } from "./wallet-operation.js";
import { walletEnvelope } from "./wallet-view.js";

type TransactionRequestBody = ReturnType<typeof zTransactionRequest.parse>;

/**
 * POST /v1/agents/{agentRef}/wallet/sign-transaction: signs the given fields, filling what is left out (pending
 * nonce, estimated gas, the node's fees) as an orchestrator does, and returns the signed serialised transaction,
 * its hash (keccak256 of the signed bytes) and the nonce, gas and fee fields it signed (`signed.transaction`).
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
      const filled = await fillTransaction(ctx, agent, mapped);
      const transaction = toSerializable(filled);
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
        signed: {
          signed_transaction: signed,
          transaction_hash: keccak256(signed),
          transaction: filledFields(filled),
        },
      };
    },
  };
}
