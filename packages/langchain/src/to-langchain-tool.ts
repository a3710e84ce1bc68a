import { ToolMessage } from "@langchain/core/messages";
import {
  DynamicStructuredTool,
  type DynamicStructuredToolInput,
  ToolInputParsingException,
  type ToolRunnableConfig,
  tool,
} from "@langchain/core/tools";
import {
  ApprovalDeniedError,
  ApprovalRequiredError,
  conversationIdFromConfigurable,
  type LucidToolContext,
  type LucidToolDescriptor,
  type LucidToolErrorHandler,
  type LucidToolPreview,
  type LucidToolResult,
  prepareApproval,
  ToolInputError,
  toolErrorResult,
} from "@lucid-dreams/agent-auth/tools";

/** What LangChain tells a session resolver about the tool call it runs in. */
export interface LangChainCallInfo {
  /** LangChain's id of this tool call (idempotency keys are derived from it). */
  toolCallId: string;
  /** The invocation's `RunnableConfig.configurable`, e.g. `{ lucidSession }` passed to `invoke`. */
  configurable: Record<string, unknown>;
  /** The runtime context of a `createAgent` run (`agent.invoke(input, { context })`); undefined elsewhere. */
  context: unknown;
}

/** Returns the session of one tool call: looked up from the invocation's `configurable` or `context`. */
export type SessionResolver<Session> = (call: LangChainCallInfo) => Session | Promise<Session>;

/**
 * What the approval callback is asked: which tool, with which (validated) input, for which tool call, and the
 * policy's preview of it (decoded action, simulated balance changes, worst-case fee, the rules that applied;
 * null only when the checks could not run, e.g. the chain was unreachable).
 */
export interface ApprovalRequest<Input = unknown> {
  tool: string;
  input: Input;
  toolCallId: string;
  preview: LucidToolPreview | null;
}

/** Decides whether a call that needs approval may run. Anything it throws propagates (e.g. LangGraph's `interrupt`). */
export type ApproveCallback = (request: ApprovalRequest) => boolean | Promise<boolean>;

/** How one mapped tool reports failures and asks for approval. */
export interface ToLangChainToolOptions {
  /**
   * `"message"` (default): a failure becomes a `ToolMessage` with status `error` whose content is the JSON
   * `{ ok: false, code, message, retryable }`, so the model can read it and the loop goes on. `"throw"`: the
   * typed error is rethrown to the caller.
   */
  errorMode?: "message" | "throw";
  /**
   * Called with each unexpected failure (an error that is not a Lucid error), with the thrown error and its
   * cause; the session's logger gets an `error` record too. The model sees only `internal_error`. Default: the
   * descriptor's own `onError`. (The strings `"message"` / `"throw"` are the older spelling of `errorMode`.)
   */
  onError?: LucidToolErrorHandler | "message" | "throw";
  /**
   * Called before each call of a tool that needs approval (by default `sendTransaction`); `false` refuses the
   * call with `approval_denied`. Without it, such calls are refused with `approval_required`.
   */
  approve?: ApproveCallback;
}

/** A structured tool that also turns input the model got wrong into a readable `invalid_input` result. */
class LucidStructuredTool extends DynamicStructuredTool {
  constructor(
    fields: DynamicStructuredToolInput,
    private readonly onInvalidInput: (
      error: ToolInputParsingException,
      arg: unknown,
      config: ToolRunnableConfig,
    ) => Promise<unknown>,
  ) {
    super(fields);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the signature of the method it overrides.
  override async call(arg: any, configArg?: any, tags?: string[]): Promise<any> {
    try {
      return await super.call(arg, configArg, tags);
    } catch (error) {
      if (!(error instanceof ToolInputParsingException)) throw error;
      return this.onInvalidInput(error, arg, (configArg ?? {}) as ToolRunnableConfig);
    }
  }
}

/**
 * Maps one framework-neutral Lucid tool descriptor to a LangChain structured tool. The session is a fixed
 * value or is resolved per call from the invocation (never from the model). Successful calls answer the JSON
 * `{ ok: true, result }`; failures (including input that fails the schema) answer a `ToolMessage` with status
 * `error` and the content `{ ok: false, code, message, retryable }`, unless `errorMode: "throw"`. A descriptor
 * that needs approval runs only once `approve` returned true.
 */
export function toLangChainTool<Input, Output, Session>(
  descriptor: LucidToolDescriptor<Input, Output, Session>,
  session: Session | SessionResolver<Session>,
  options: ToLangChainToolOptions = {},
): DynamicStructuredTool {
  const resolve: SessionResolver<Session> =
    typeof session === "function" ? (session as SessionResolver<Session>) : () => session;

  const answer = (result: LucidToolResult<Output>, toolCallId: string | undefined) => {
    const content = JSON.stringify(result);
    // Without a tool call (a plain `tool.invoke(args)`), LangChain returns content, not messages.
    if (result.ok || toolCallId === undefined) return content;
    return new ToolMessage({ content, tool_call_id: toolCallId, name: descriptor.name, status: "error" });
  };

  const errorMode = options.errorMode ?? (typeof options.onError === "string" ? options.onError : "message");
  const onError = typeof options.onError === "function" ? options.onError : descriptor.onError;

  const fail = (error: unknown, toolCallId: string | undefined, session?: Session) => {
    if (errorMode === "throw") throw error;
    return answer(
      toolErrorResult(error, { tool: descriptor.name, toolCallId, session, onError }),
      toolCallId,
    );
  };

  const run = async (input: Input, config: ToolRunnableConfig) => {
    const callId = config.toolCall?.id;
    const toolCallId = callId ?? crypto.randomUUID();
    const contextOf = (session: Session): LucidToolContext<Session> => ({
      session,
      toolCallId,
      conversationId: conversationIdFromConfigurable(config.configurable ?? {}),
      signal: config.signal,
    });
    let resolved: Session;
    try {
      resolved = await resolve({
        toolCallId,
        configurable: config.configurable ?? {},
        context: config.context,
      });
    } catch (error) {
      return fail(error, callId);
    }
    if (descriptor.needsApproval) {
      // Nobody is asked to approve a call the policy would refuse anyway.
      const step = await prepareApproval(descriptor, input, contextOf(resolved));
      if (step.action === "refuse") return fail(step.error, callId, resolved);
      if (!options.approve) {
        return fail(
          new ApprovalRequiredError(
            `${descriptor.name} needs a human's approval and this host has no approval step (pass approve to the Lucid tools); it was not run.`,
          ),
          callId,
        );
      }
      // Errors of the host's callback (or LangGraph's interrupt) are not the model's to read: they propagate.
      const approved = await options.approve({
        tool: descriptor.name,
        input,
        toolCallId,
        preview: step.preview,
      });
      if (approved !== true) {
        return fail(new ApprovalDeniedError(`${descriptor.name} was not approved; it was not run.`), callId);
      }
    }
    try {
      const result = await descriptor.execute(input, contextOf(resolved));
      return answer({ ok: true, result }, callId);
    } catch (error) {
      return fail(error, callId, resolved);
    }
  };

  const onInvalidInput = async (
    error: ToolInputParsingException,
    arg: unknown,
    config: ToolRunnableConfig,
  ) => {
    if (errorMode === "throw") throw error;
    const toolCall = isToolCall(arg) ? arg : config.toolCall;
    const input = isToolCall(arg) ? arg.args : arg;
    const checked = await descriptor.inputSchema["~standard"].validate(input);
    const problems = (checked.issues ?? []).map((issue) => {
      const path = (issue.path ?? [])
        .map((key) => String(typeof key === "object" && key !== null && "key" in key ? key.key : key))
        .join(".");
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    const message = `Invalid input for ${descriptor.name}: ${problems.join("; ") || "it does not match the schema"}.`;
    return fail(new ToolInputError(message.replace(/\s+/g, " ")), toolCall?.id);
  };

  // `tool()` runs the function inside LangChain's async context (callbacks, LangGraph's interrupt).
  const base = tool(
    run as never,
    {
      name: descriptor.name,
      description: descriptor.description,
      // Zod 3.25+/4 schemas are both Standard Schemas and LangChain's interop zod types.
      schema: descriptor.inputSchema as never,
    } as never,
  ) as unknown as DynamicStructuredTool;
  return new LucidStructuredTool(
    { name: base.name, description: base.description, schema: base.schema, func: base.func },
    onInvalidInput,
  );
}

const isToolCall = (value: unknown): value is { id?: string; args: unknown } =>
  typeof value === "object" &&
  value !== null &&
  (value as { type?: unknown }).type === "tool_call" &&
  "args" in value;
