import { z } from "zod/v4";
import { toolIdempotencyKey } from "./idempotency-key.js";
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

interface ParsedTypedData {
  domain: Record<string, unknown>;
  types: Record<string, Array<{ name: string; type: string }>>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** `signTypedData`: an EIP-712 signature with the session's wallet, after the policy's typed-data rules. */
export function signTypedDataTool(
  deps: ToolDeps,
): LucidTool<z.output<typeof input>, SignTypedDataToolResult> {
  return {
    name: "signTypedData",
    kind: "sign",
    description:
      "Sign EIP-712 typed data with this session's wallet. Permit/approval-like data (allowances, delegations) is refused unless the host's policy allows it. Nothing is sent on chain.",
    inputSchema: input,
    needsApproval: deps.needsApproval,
    async preflight({ typedData }) {
      const parsed = parseTypedData(typedData);
      deps.policy.checkTypedData(parsed.primaryType, parsed.types);
    },
    async execute({ typedData }, { session, toolCallId, signal }) {
      const parsed = parseTypedData(typedData);
      deps.policy.checkTypedData(parsed.primaryType, parsed.types);
      const signed = await toToolSession(session).signTypedData(
        {
          typed_data: {
            domain: parsed.domain,
            types: parsed.types,
            primary_type: parsed.primaryType,
            message: parsed.message,
          },
          idempotency_key: toolIdempotencyKey("signTypedData", toolCallId),
        },
        signal,
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
  for (const [name, fields] of Object.entries(types)) {
    const valid =
      Array.isArray(fields) &&
      fields.every(
        (field) => isRecord(field) && typeof field.name === "string" && typeof field.type === "string",
      );
    if (!valid)
      throw new ToolInputError(`typedData.types.${name} must be a list of {"name": ..., "type": ...}.`);
  }
  if (!(primaryType in types)) {
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
