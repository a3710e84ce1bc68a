import { zTransactionRequest } from "@lucid-dreams/sdk/zod";
import { type Hex, keccak256, type TransactionSerializable } from "viem";
import { prepareTransactionRequest } from "viem/actions";
import type { ServerContext } from "../server-context.js";
import { assertServedChain } from "./caip2.js";
import { toChainHttpError } from "./chain-error.js";
import { prepareRequestOf } from "./fill-transaction.js";
import { mapTransaction } from "./transaction-fields.js";
import type { WalletOperation } from "./wallet-operation.js";
import { walletEnvelope } from "./wallet-view.js";

type TransactionRequestBody = ReturnType<typeof zTransactionRequest.parse>;

async function landed(ctx: ServerContext, hash: Hex): Promise<boolean> {
  try {
    await ctx.chain.publicClient.getTransaction({ hash });
    return true;
  } catch {
    return false;
  }
}

/**
 * POST /v1/agents/{agentRef}/wallet/send-transaction: fills what is missing (nonce, gas, fees) from the node,
 * signs and broadcasts with `eth_sendRawTransaction`. Sends of one wallet run one at a time, so concurrent
 * sends get distinct nonces. A transaction the node accepted is a success even if the send call then failed.
 */
export function sendTransactionOperation(ctx: ServerContext): WalletOperation<TransactionRequestBody> {
  return {
    operation: "sendTransaction",
    scope: "wallet.send",
    schema: zTransactionRequest,
    what: "send-transaction request",
    async execute(agent, body) {
      assertServedChain(body.caip2, ctx.chain.chainId);
      const mapped = mapTransaction(body.params.transaction, {
        chainId: ctx.chain.chainId,
        walletAddress: agent.wallet.address,
      });
      return ctx.walletLocks.run(agent.wallet.address.toLowerCase(), async () => {
        let prepared: Record<string, unknown>;
        let signed: Hex;
        try {
          prepared = (await prepareTransactionRequest(
            ctx.chain.publicClient,
            prepareRequestOf(agent, ctx, mapped),
          )) as unknown as Record<string, unknown>;
          signed = await agent.wallet.account.signTransaction(prepared as unknown as TransactionSerializable);
        } catch (error) {
          throw toChainHttpError(error);
        }
        const hash = keccak256(signed);
        try {
          await ctx.chain.publicClient.sendRawTransaction({ serializedTransaction: signed });
        } catch (error) {
          if (!(await landed(ctx, hash))) throw toChainHttpError(error);
        }
        return {
          ...walletEnvelope(agent, ctx.chain.caip2),
          transaction: {
            hash,
            caip2: ctx.chain.caip2,
            from: agent.wallet.address,
            to: mapped.to ?? null,
            nonce: prepared.nonce as number,
          },
        };
      });
    },
  };
}
