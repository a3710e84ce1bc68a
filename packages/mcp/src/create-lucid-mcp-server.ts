import { createHash } from "node:crypto";
import {
  ApprovalDeniedError,
  createLucidToolDescriptors,
  type LucidSession,
  type LucidToolsOptions,
  prepareApproval,
  ToolInputError,
  toolErrorResult,
} from "@lucid-dreams/agent-auth/tools";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import type { AnyLucidDescriptor, LucidMcpCall, LucidMcpSessionResolver } from "./lucid-mcp-call.js";
import { mcpCallScope, withMcpPaymentApproval } from "./payment-approval.js";
import { requestApproval } from "./request-approval.js";
import { toolDefinition } from "./tool-definition.js";
import { toCallToolResult } from "./tool-result.js";

/** Options of `createLucidMcpServer`. */
export interface LucidMcpServerOptions extends LucidToolsOptions {
  /**
   * The Lucid session the tools act with: an `AgentRuntime` or a `createWallet()` client, or a resolver that
   * returns one per tool call. It never comes from the client or the model.
   */
  session: LucidSession | LucidMcpSessionResolver;
  /**
   * Ready-made descriptors (`createLucidToolDescriptors(...)`, or your own), shared by every server built with
   * them: one policy and one budget ledger across MCP sessions. When given, `policy`, `approval`, `tools` and
   * `defaultChain` are ignored.
   */
  descriptors?: readonly AnyLucidDescriptor[];
  /**
   * Tools that may run without a human's approval when the client cannot ask (no form elicitation). Default:
   * none, so such calls are refused with `approval_required`. A client that can elicit is always asked.
   * `fetchPaidResource: true` lets payments within the policy be signed unasked when the client cannot elicit
   * (otherwise each payment is asked through elicitation, with its host, amount, asset, pay-to and network).
   */
  autoApprove?: Partial<Record<string, boolean>>;
  /** How long a human may take to answer an approval. Default 5 minutes. */
  approvalTimeoutMs?: number;
  /** The server's name and version in the MCP handshake. Default `lucid-mcp`, this package's version. */
  serverInfo?: { name: string; version: string };
  /**
   * Who a client's `_meta["lucid/idempotencyKey"]` belongs to: the same key replays a call only under the same
   * scope. `createLucidMcpHttpHandler` sets the tenant, so tenants sharing a Lucid session never replay (or
   * block) each other's calls. Default: one scope for the whole server.
   */
  idempotencyScope?: string;
}

/** This package's version, announced in the MCP handshake. */
const VERSION = "1.0.0";

const INSTRUCTIONS =
  "Wallet tools of one Lucid agent: read its agents and wallet address, sign messages, typed data and transactions, send transactions. A policy checks every call; some calls ask the user for approval first.";

/**
 * An MCP server (the official SDK's `Server`) exposing the Lucid tools: same names, input schemas as JSON
 * Schema, results as structured content, hints from each tool's kind. Connect it to a transport:
 * `await createLucidMcpServer({ session: wallet }).connect(new StdioServerTransport())`.
 *
 * Calls that need approval run the tool's `preflight` (policy and input checks) first, then ask the human
 * through elicitation; a client that cannot elicit gets `approval_required` unless `autoApprove` allows the
 * tool. A server serves one connection: build one per MCP session, sharing `descriptors` so that the policy's
 * budget is not reset by a new connection.
 */
export function createLucidMcpServer(options: LucidMcpServerOptions): Server {
  const descriptors = options.descriptors ?? createLucidToolDescriptors(withMcpPaymentApproval(options));
  const byName = new Map(descriptors.map((descriptor) => [descriptor.name, descriptor]));
  const definitions = descriptors.map(toolDefinition);
  const clientScope =
    options.idempotencyScope === undefined
      ? "mcp-client"
      : `mcp-client:${createHash("sha256").update(options.idempotencyScope).digest("hex").slice(0, 32)}`;
  const resolve: LucidMcpSessionResolver =
    typeof options.session === "function" ? options.session : () => options.session as LucidSession;

  const server = new Server(options.serverInfo ?? { name: "lucid-mcp", version: VERSION }, {
    capabilities: { tools: {} },
    instructions: INSTRUCTIONS,
  });

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: definitions }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const descriptor = byName.get(name);
    if (!descriptor) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name.slice(0, 64)}". Tools: ${[...byName.keys()].join(", ")}.`,
      );
    }
    const checked = await descriptor.inputSchema["~standard"].validate(request.params.arguments ?? {});
    if (checked.issues) {
      return toCallToolResult(toolErrorResult(invalidInput(descriptor.name, checked.issues)));
    }
    const input = checked.value;
    const clientKey = clientIdempotencyKey(request.params._meta);
    const call: LucidMcpCall = {
      toolName: descriptor.name,
      toolCallId: clientKey ? `client-${clientKey}` : `mcp-${crypto.randomUUID()}`,
      sessionId: extra.sessionId,
      signal: extra.signal,
    };
    try {
      const session = await resolve(call);
      const context = {
        session,
        toolCallId: call.toolCallId,
        signal: extra.signal,
        // A client's key is its own scope: the same key replays the first call, whatever MCP session sends it.
        conversationId: clientKey ? clientScope : undefined,
      };
      if (descriptor.needsApproval) {
        // Core runs every policy check first: nobody is asked to approve a call the policy would refuse anyway.
        const step = await prepareApproval(descriptor, input, context);
        if (step.action === "refuse") throw step.error;
        await requestApproval({
          preview: step.preview,
          server,
          descriptor,
          input,
          context,
          requestId: extra.requestId,
          signal: extra.signal,
          autoApprove: options.autoApprove?.[descriptor.name] === true,
          timeoutMs: options.approvalTimeoutMs ?? 300_000,
        });
        // Cancelled while the human was answering: the approval belongs to a call nobody waits for any more.
        if (extra.signal.aborted) {
          throw new ApprovalDeniedError(`${descriptor.name} was cancelled before it ran; it was not run.`);
        }
      }
      // payments.approve (fetchPaidResource) asks the human of this call: it finds the call in mcpCallScope.
      const scope = {
        server,
        requestId: extra.requestId,
        signal: extra.signal,
        autoApprove: options.autoApprove?.fetchPaidResource === true,
        timeoutMs: options.approvalTimeoutMs ?? 300_000,
      };
      const result = await mcpCallScope.run(scope, () => descriptor.execute(input, context));
      return toCallToolResult({ ok: true, result });
    } catch (error) {
      return toCallToolResult(toolErrorResult(error));
    }
  });

  return server;
}

/** The `_meta` field in which a client names a `tools/call` for idempotency. */
export const IDEMPOTENCY_META_KEY = "lucid/idempotencyKey";

/**
 * A client's idempotency key of a `tools/call`, from `params._meta["lucid/idempotencyKey"]`: 1 to 128 characters
 * of `A-Z a-z 0-9 . _ : -`. Undefined when the client sent none; a malformed key is refused (the call is not run).
 */
function clientIdempotencyKey(meta: Record<string, unknown> | undefined): string | undefined {
  const key = meta?.[IDEMPOTENCY_META_KEY];
  if (key === undefined) return undefined;
  if (typeof key !== "string" || !/^[A-Za-z0-9._:-]{1,128}$/.test(key)) {
    throw new McpError(
      ErrorCode.InvalidParams,
      `_meta["${IDEMPOTENCY_META_KEY}"] must be a string of 1 to 128 characters from A-Z a-z 0-9 . _ : - ` +
        "(the same key for a retry of the same call, a new one for every new call).",
    );
  }
  return key;
}

/** The schema's complaints as one `invalid_input` error the model can act on (paths and messages only). */
function invalidInput(
  toolName: string,
  issues: ReadonlyArray<{ message: string; path?: ReadonlyArray<unknown> | undefined }>,
): ToolInputError {
  const problems = issues.slice(0, 10).map((issue) => {
    const path = (issue.path ?? [])
      .map((key) => String(typeof key === "object" && key !== null && "key" in key ? key.key : key))
      .join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  return new ToolInputError(`Invalid input for ${toolName}: ${problems.join("; ")}.`.replace(/\s+/g, " "));
}
