import { z } from "zod/v4";
import { runGuarded } from "./guarded-call.js";
import { type LucidToolPreview, signaturePreview } from "./policy/preview.js";
import { checkTypedDataShape, decideTypedData } from "./policy/typed-data-rules.js";
import type { TypedDataInput } from "./policy/typed-data-schemas.js";
import type { LucidTool, ToolDeps } from "./tool-context.js";
import { ToolInputError } from "./tool-errors.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({
  typedData: z
    .string()
    .describe(
      'The EIP-712 typed data as a JSON string: {"domain":{...},"types":{"Name":[{"name":"field","type":"uint256"}]},"primaryType":"Name","message":{...}}. Integers may be JSON numbers or decimal strings.',
    ),
});

/** What `signTypedData` returns. */
export interface SignTypedDataToolResult {
  signature: string;
  address: string | null;
  primaryType: string;
}

type ParsedTypedData = TypedDataInput;

type Args = z.output<typeof input>;

function check(deps: ToolDeps, { typedData }: Args): { parsed: ParsedTypedData; preview: LucidToolPreview } {
  const parsed = parseTypedData(typedData);
  checkTypedDataShape(parsed);
  const decision = decideTypedData(deps.policy.rules, parsed);
  const domain = parsed.domain;
  const chainId = Object.hasOwn(domain, "chainId") ? String(domain.chainId) : null;
  const name = Object.hasOwn(domain, "name") ? String(domain.name) : "(unnamed)";
  const contract = Object.hasOwn(domain, "verifyingContract") ? String(domain.verifyingContract) : null;
  const where = `domain ${name}${chainId ? ` on chain ${chainId}` : ""}${contract ? `, contract ${contract}` : ", no contract"}`;
  return {
    parsed,
    preview: signaturePreview({
      tool: "signTypedData",
      summary: decision.schema
        ? `Sign ${decision.schema.name} (${decision.schema.details}) in ${where}`
        : `Sign typed data "${parsed.primaryType}" in ${where}`,
      chain: chainId ? `eip155:${chainId}` : null,
      action: decision.schema
        ? `${decision.schema.name}: ${decision.schema.details}`
        : `EIP-712 ${parsed.primaryType}`,
      rules: decision.rules,
    }),
  };
}

/** `signTypedData`: an EIP-712 signature with the session's wallet, after the policy's typed-data rules. */
export function signTypedDataTool(deps: ToolDeps): LucidTool<Args, SignTypedDataToolResult> {
  const name = "signTypedData";
  return {
    name,
    kind: "sign",
    description:
      "Sign EIP-712 typed data with this session's wallet. Typed data bound to a contract (a verifyingContract in the domain) and anything that moves or unlocks assets (permits, orders, Safe or forwarded calls) are refused unless the host's policy allows that domain. Nothing is sent on chain.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    preview: async (args) => check(deps, args).preview,
    async execute(args, context) {
      const { parsed } = check(deps, args);
      const toolSession = toToolSession(context.session);
      const signed = await runGuarded(name, args, [], deps, toolSession, context, (key) =>
        toolSession.signTypedData(
          {
            typed_data: {
              domain: parsed.domain,
              types: parsed.types,
              primary_type: parsed.primaryType,
              message: parsed.message,
            },
            idempotency_key: key,
          },
          context.signal,
        ),
      );
      return {
        signature: signed.signature,
        address: signed.wallet?.address ?? null,
        primaryType: parsed.primaryType,
      };
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses and checks the model's JSON, with messages that say exactly what to fix. */
export function parseTypedData(text: string): ParsedTypedData {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ToolInputError("typedData is not valid JSON; send the typed data object as a JSON string.");
  }
  if (!isRecord(value))
    throw new ToolInputError("typedData must be a JSON object with domain, types, primaryType, message.");
  const primaryType = value.primaryType ?? value.primary_type;
  const { domain, types, message } = value;
  if (typeof primaryType !== "string" || primaryType === "")
    throw new ToolInputError("typedData.primaryType must be a type name.");
  if (!isRecord(domain))
    throw new ToolInputError("typedData.domain must be an object (name, version, chainId, ...).");
  if (!isRecord(message)) throw new ToolInputError("typedData.message must be an object.");
  if (!isRecord(types))
    throw new ToolInputError("typedData.types must map type names to lists of {name, type}.");
  if (Object.keys(types).length > 64) throw new ToolInputError("typedData.types has more than 64 types.");
  for (const [name, fields] of Object.entries(types)) {
    const valid =
      Array.isArray(fields) &&
      fields.every(
        (field) => isRecord(field) && typeof field.name === "string" && typeof field.type === "string",
      );
    if (!valid)
      throw new ToolInputError(`typedData.types.${name} must be a list of {"name": ..., "type": ...}.`);
  }
  if (!Object.hasOwn(types, primaryType)) {
    throw new ToolInputError(
      `typedData.types has no "${primaryType}"; add the primary type's fields to types.`,
    );
  }
  return {
    domain,
    types: types as ParsedTypedData["types"],
    primaryType,
    message,
  };
}
