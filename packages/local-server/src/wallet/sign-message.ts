import { zSignMessageRequest } from "@lucid-dreams/sdk/zod";
import { isHex, type SignableMessage } from "viem";
import { invalidRequest } from "../http/http-error.js";
import type { ServerContext } from "../server-context.js";
import type { WalletOperation } from "./wallet-operation.js";
import { walletEnvelope } from "./wallet-view.js";

type SignMessageBody = ReturnType<typeof zSignMessageRequest.parse>;

/** The signable message of a sign-message body: the UTF-8 text, or with `encoding: hex` the raw bytes. */
export function toSignableMessage(message: string, encoding: "utf-8" | "hex" | undefined): SignableMessage {
  if (encoding !== "hex") return message;
  if (!isHex(message, { strict: true }) || message.length % 2 !== 0) {
    throw invalidRequest(
      "With encoding hex, message must be 0x-prefixed hex with an even number of digits; send the bytes as 0x... or use encoding utf-8 for text.",
      [{ path: "message", message: "Not 0x-prefixed hex bytes." }],
    );
  }
  return { raw: message };
}

/** POST /v1/agents/{agentRef}/wallet/sign-message: EIP-191 personal-message signature. */
export function signMessageOperation(ctx: ServerContext): WalletOperation<SignMessageBody> {
  return {
    operation: "signMessage",
    scope: "wallet.sign",
    schema: zSignMessageRequest,
    what: "sign-message request",
    async execute(agent, body) {
      const message = toSignableMessage(body.message, body.encoding);
      const signature = await agent.wallet.account.signMessage({ message });
      return { ...walletEnvelope(agent, ctx.chain.caip2), signed: { signature } };
    },
  };
}
