import { z } from "zod/v4";
import { runGuarded } from "./guarded-call.js";
import { decideMessage } from "./policy/message-rules.js";
import { type LucidToolPreview, signaturePreview } from "./policy/preview.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
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

type Args = z.output<typeof input>;

function check(deps: ToolDeps, { message, encoding }: Args): LucidToolPreview {
  const resolved = encoding ?? "utf-8";
  const decision = decideMessage(deps.policy.rules, message, resolved);
  const shown = decision.text ?? message;
  const quoted = shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
  return signaturePreview({
    tool: "signMessage",
    summary: decision.siweDomain
      ? `Sign in to ${decision.siweDomain} with this wallet (Sign-In-With-Ethereum)`
      : `Sign the message ${JSON.stringify(quoted)}${decision.text === null ? " (hex bytes)" : ""}`,
    chain: null,
    action: decision.siweDomain
      ? `Sign-In-With-Ethereum for ${decision.siweDomain}`
      : "personal_sign (EIP-191)",
    rules: decision.rules,
  });
}

/** `signMessage`: an EIP-191 personal signature with the session's wallet, after the policy's message rules. */
export function signMessageTool(deps: ToolDeps): LucidTool<Args, SignMessageToolResult> {
  const name = "signMessage";
  return {
    name,
    kind: "sign",
    description:
      "Sign a message (EIP-191 personal_sign) with this session's wallet. Returns the signature and the signer address. Nothing is sent on chain. Sign-in messages for domains the host did not list, and bare 32-byte hashes, are refused.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preview: async (args) => check(deps, args),
    async execute(args, context) {
      const encoding = args.encoding ?? "utf-8";
      decideMessage(deps.policy.rules, args.message, encoding); // throws the refusal; the preview text is not needed
      const toolSession = toToolSession(context.session);
      const signed = await runGuarded(name, args, [], deps, toolSession, context, (key) =>
        toolSession.signMessage({ message: args.message, encoding, idempotency_key: key }, context.signal),
      );
      return { signature: signed.signature, address: signed.wallet?.address ?? null, encoding };
    },
  };
}
