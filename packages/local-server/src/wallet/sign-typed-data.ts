import { zSignTypedDataRequest } from "@lucid-dreams/sdk/zod";
import { BaseError } from "viem";
import { invalidRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import { toViemTypedData } from "./typed-data.js";
import type { WalletOperation } from "./wallet-operation.js";
import { walletEnvelope } from "./wallet-view.js";

type SignTypedDataBody = ReturnType<typeof zSignTypedDataRequest.parse>;

/** POST /v1/agents/{agentRef}/wallet/sign-typed-data: EIP-712 signature. viem's refusals become 400s. */
export function signTypedDataOperation(ctx: ServerContext): WalletOperation<SignTypedDataBody> {
  return {
    operation: "signTypedData",
    scope: "wallet.sign",
    schema: zSignTypedDataRequest,
    what: "sign-typed-data request",
    async execute(agent, body) {
      const typedData = toViemTypedData(body.typed_data);
      let signature: string;
      try {
        signature = await agent.wallet.account.signTypedData(typedData);
      } catch (error) {
        const reason = error instanceof BaseError ? error.shortMessage : String(error);
        throw invalidRequest(
          `typed_data could not be signed as EIP-712: ${reason} Check primary_type, types and message.`,
          [{ path: "typed_data", message: reason }],
        );
      }
      return { ...walletEnvelope(agent, ctx.chain.caip2), signed: { signature } };
    },
  };
}
