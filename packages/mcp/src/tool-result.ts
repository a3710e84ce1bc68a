import type { LucidToolResult } from "@lucid-dreams/agent-auth/tools";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

/**
 * A tool's answer as an MCP result: the `{ ok, ... }` envelope as `structuredContent` (it matches the output
 * schema), the same JSON as text for clients that read only `content`, and `isError` when it failed.
 */
export function toCallToolResult(result: LucidToolResult<unknown>): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(result) }],
    structuredContent: result as unknown as Record<string, unknown>,
    isError: !result.ok,
  };
}
