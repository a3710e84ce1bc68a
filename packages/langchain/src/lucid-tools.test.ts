import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import { LUCID_TOOL_NAMES, type LucidSession, strictModeProblems } from "@lucid-dreams/agent-auth/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { lucidTools } from "./lucid-tools.js";
import { toLangChainTool } from "./to-langchain-tool.js";

// The schemas are converted without running anything, so no real session is needed.
const tools = lucidTools({} as LucidSession, { tools: LUCID_TOOL_NAMES });

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
    expect(tools).toHaveLength(10);
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
