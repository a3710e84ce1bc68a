import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { LucidSession } from "@lucid-dreams/agent-auth/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lucidTools } from "./lucid-tools.js";
import { toLangChainTool } from "./to-langchain-tool.js";

const FORBIDDEN = [
  "minLength",
  "maxLength",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "oneOf",
  "allOf",
  "$ref",
];

/** What OpenAI's strict mode refuses, path by path (an empty list: the schema is fine). */
function strictModeProblems(schema: Record<string, unknown>, path: string): string[] {
  const problems = FORBIDDEN.filter((key) => key in schema).map((key) => `${path}: ${key}`);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes("object")) {
    const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    if (Object.keys(properties).length === 0) problems.push(`${path}: no properties`);
    if (schema.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
    const required = new Set((schema.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      if (!required.has(name)) problems.push(`${path}.${name}: not required`);
      problems.push(...strictModeProblems(property, `${path}.${name}`));
    }
  }
  if (schema.items && typeof schema.items === "object") {
    problems.push(...strictModeProblems(schema.items as Record<string, unknown>, `${path}[]`));
  }
  for (const branch of (schema.anyOf ?? []) as Record<string, unknown>[]) {
    problems.push(...strictModeProblems(branch, `${path}|`));
  }
  return problems;
}

// The schemas are converted without running anything, so no real session is needed.
const tools = lucidTools({} as LucidSession);

describe("the tools' JSON schemas, as LangChain sends them to a model", () => {
  it.each(tools.map((tool) => [tool.name, tool] as const))("%s fits OpenAI strict mode", (_name, tool) => {
    const openAi = convertToOpenAITool(tool, { strict: true });
    expect(openAi).toMatchObject({ type: "function", function: { name: tool.name, strict: true } });
    const parameters = openAi.function.parameters as Record<string, unknown>;
    expect(parameters.type).toBe("object");
    expect(strictModeProblems(parameters, tool.name)).toEqual([]);
    expect(strictModeProblems(toJsonSchema(tool.schema) as Record<string, unknown>, tool.name)).toEqual([]);
    expect(openAi.function.description?.length).toBeGreaterThan(40);
  });

  it("checks every tool, and the check catches what strict mode refuses", () => {
    expect(tools).toHaveLength(7);
    const loose = toLangChainTool(
      {
        name: "loose",
        description: "A schema strict mode refuses.",
        inputSchema: z.object({
          name: z.string().min(1),
          note: z.string().optional(),
          meta: z.object({}),
        }),
        execute: async () => null,
      },
      {},
    );
    expect(strictModeProblems(convertToOpenAITool(loose).function.parameters as never, "loose")).toEqual([
      "loose.name: minLength",
      "loose.note: not required",
      "loose.meta: no properties",
    ]);
  });
});
