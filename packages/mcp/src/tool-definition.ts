import { ConfigurationError, type LucidToolKind } from "@lucid-dreams/agent-auth/tools";
import type { Tool, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { AnyLucidDescriptor } from "./lucid-mcp-call.js";

/**
 * The output schema of every Lucid tool: the same `{ ok: true, result }` / `{ ok: false, code, message,
 * retryable }` envelope the other adapters answer with, as `structuredContent`.
 */
export const LUCID_TOOL_OUTPUT_SCHEMA: Tool["outputSchema"] & object = {
  type: "object",
  properties: {
    ok: { type: "boolean", description: "true: the tool ran and `result` holds its answer." },
    result: { type: "object", description: "The tool's answer (when ok is true)." },
    code: {
      type: "string",
      description: 'Why the call failed (when ok is false): "policy_refused", "invalid_input", ...',
    },
    message: { type: "string", description: "One line saying what went wrong and what to change." },
    retryable: { type: "boolean", description: "Whether the same call may succeed later." },
  },
  required: ["ok"],
  oneOf: [
    { properties: { ok: { const: true } }, required: ["ok", "result"] },
    { properties: { ok: { const: false } }, required: ["ok", "code", "message", "retryable"] },
  ],
  additionalProperties: false,
};

/**
 * The MCP hints of a tool kind: `read` tools are read-only; `send` tools (and any kind this adapter does not
 * know yet, such as payments) may move funds, so they are destructive. Every tool talks to the Lucid server.
 */
export function annotationsOf(kind: LucidToolKind | undefined): ToolAnnotations {
  if (kind === "read") {
    return { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true };
  }
  if (kind === "sign") {
    return { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true };
  }
  return { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
}

/** The JSON Schema of the input a descriptor accepts, from its Standard JSON Schema (zod 4.2+ provides it). */
export function inputJsonSchema(descriptor: AnyLucidDescriptor): Tool["inputSchema"] {
  const standard = descriptor.inputSchema["~standard"] as {
    jsonSchema?: { input?: (options: { target: string }) => Record<string, unknown> };
  };
  const toJson = standard.jsonSchema?.input;
  if (typeof toJson !== "function") {
    throw new ConfigurationError(`The input schema of tool "${descriptor.name}" has no JSON Schema.`, {
      hint: "Build tool input schemas with zod 4.2 or newer (or any Standard JSON Schema library).",
    });
  }
  // MCP's default dialect is JSON Schema 2020-12, so the `$schema` line adds nothing for clients.
  const { $schema: _dialect, ...schema } = toJson({ target: "draft-2020-12" });
  if (schema.type !== "object") {
    throw new ConfigurationError(`The input schema of tool "${descriptor.name}" is not an object schema.`, {
      hint: "MCP tools take an object of named arguments: use z.object or z.strictObject.",
    });
  }
  return schema as Tool["inputSchema"];
}

/** The MCP definition of one descriptor: same name and description, its input as JSON Schema, hints by kind. */
export function toolDefinition(descriptor: AnyLucidDescriptor): Tool {
  return {
    name: descriptor.name,
    description: descriptor.description,
    inputSchema: inputJsonSchema(descriptor),
    outputSchema: LUCID_TOOL_OUTPUT_SCHEMA,
    annotations: annotationsOf(descriptor.kind),
  };
}
