import { z } from "zod/v4";
import { toolIdempotencyKey } from "./idempotency-key.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { ToolInputError } from "./tool-errors.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({
  message: z
    .string()
    .describe("The message to sign.")
    .refine((value) => value.length > 0, { message: "message must not be empty" }),
  encoding: z
    .enum(["utf-8", "hex"])
    .describe('"utf-8": sign the text; "hex": message is 0x-hex and its bytes are signed. null: utf-8.')
    .nullable(),
});

/** What `signMessage` returns. */
export interface SignMessageToolResult {
  signature: string;
  address: string | null;
  encoding: "utf-8" | "hex";
}

/** `signMessage`: an EIP-191 personal signature with the session's wallet. */
export function signMessageTool(deps: ToolDeps): LucidTool<z.output<typeof input>, SignMessageToolResult> {
  return {
    name: "signMessage",
    kind: "sign",
    description:
      "Sign a message (EIP-191 personal_sign) with this session's wallet. Returns the signature and the signer address. Nothing is sent on chain.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async execute({ message, encoding }, { session, toolCallId, signal }) {
      const resolved = encoding ?? "utf-8";
      if (resolved === "hex" && !/^0x([0-9a-fA-F]{2})+$/.test(message)) {
        throw new ToolInputError(
          'with encoding "hex", message must be 0x-prefixed hex of whole bytes, e.g. "0x676d"',
        );
      }
      const signed = await toToolSession(session).signMessage(
        { message, encoding: resolved, idempotency_key: toolIdempotencyKey("signMessage", toolCallId) },
        signal,
      );
      return { signature: signed.signature, address: signed.wallet?.address ?? null, encoding: resolved };
    },
  };
}
