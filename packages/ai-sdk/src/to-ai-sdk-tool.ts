import type {
  LucidToolDescriptor,
  LucidToolErrorHandler,
  LucidToolResult,
} from "@lucid-dreams/agent-auth/tools";
import { AgentAuthError, ConfigurationError, toolErrorResult } from "@lucid-dreams/agent-auth/tools";
import { type ModelMessage, type Tool, tool } from "ai";

/** What the AI SDK tells a tool about the call it runs in, as a session resolver sees it. */
export interface AiSdkToolCall {
  /** The AI SDK's id of this tool call (idempotency keys are derived from it). */
  toolCallId: string;
  /**
   * The host's per-call context: `generateText({ experimental_context })` in AI SDK 6, the tool's entry of
   * `generateText({ toolsContext })` in AI SDK 7. Never written by the model.
   */
  context: unknown;
  /** The messages sent to the model in the step that made this call. */
  messages: ModelMessage[];
}

/** Returns the session for one tool call, e.g. the runtime of the tenant named in the call's context. */
export type SessionResolver<Session> = (call: AiSdkToolCall) => Session | Promise<Session>;

/** How a failed call reaches the model, and where unexpected failures are reported. */
export interface ToAiSdkToolOptions {
  /**
   * `"result"` (default): the tool answers `{ ok: false, code, message, retryable }`, a result the model can
   * read and act on. `"throw"`: the error is rethrown, so the AI SDK records a `tool-error` instead.
   */
  errorMode?: "result" | "throw";
  /**
   * Called with each unexpected failure (an error that is not a Lucid error), with the thrown error and its
   * cause; the session's logger gets an `error` record too. The model sees only `internal_error`. Default: the
   * descriptor's own `onError`. (The strings `"result"` / `"throw"` are the older spelling of `errorMode`.)
   */
  onError?: LucidToolErrorHandler | "result" | "throw";
}

/** The AI SDK 6 (`experimental_context`) and 7 (`context`) spellings of the per-call context. */
interface ExecutionOptions {
  toolCallId: string;
  messages: ModelMessage[];
  abortSignal?: AbortSignal;
  experimental_context?: unknown;
  context?: unknown;
}

/** How the AI SDK (6: `experimental_context`, 7: `context`) describes a call to `execute` and `needsApproval`. */
const callOf = (options: ExecutionOptions): AiSdkToolCall => ({
  toolCallId: options.toolCallId,
  context: options.experimental_context ?? options.context,
  messages: options.messages,
});

/**
 * Maps one framework-neutral Lucid tool descriptor to an AI SDK tool. The session is a fixed value or is
 * resolved for each call from the call's context; it never comes from the model. Successful calls answer
 * `{ ok: true, result }`.
 *
 * A descriptor that needs approval gets the AI SDK's `needsApproval`: the descriptor's `preflight` (its policy
 * and input checks, no signing) runs first, so nobody is asked to approve a call that would be refused. Such a
 * call skips the approval and answers with the refusal; it never runs `execute`.
 */
export function toAiSdkTool<Input, Output, Session>(
  descriptor: LucidToolDescriptor<Input, Output, Session>,
  session: Session | SessionResolver<Session>,
  options: ToAiSdkToolOptions = {},
): Tool<Input, LucidToolResult<Output>> {
  const resolve: SessionResolver<Session> =
    typeof session === "function" ? (session as SessionResolver<Session>) : () => session;
  const errorMode = options.errorMode ?? (typeof options.onError === "string" ? options.onError : "result");
  const onError = typeof options.onError === "function" ? options.onError : descriptor.onError;
  /** Inputs (by identity) whose preflight refused them: their approval was skipped, so they must not run. */
  const refused = new WeakMap<object, unknown>();

  const preflightThenAsk = async (input: unknown, call: ExecutionOptions): Promise<boolean> => {
    if (!descriptor.preflight || typeof input !== "object" || input === null) return true;
    try {
      const resolved = await resolve(callOf(call));
      await descriptor.preflight(input as Input, { session: resolved, toolCallId: call.toolCallId });
      return true;
    } catch (error) {
      // A retryable failure (the network, say) proves nothing: ask as usual, execute checks again.
      if (!AgentAuthError.isInstance(error) || error.retryable) return true;
      refused.set(input, error);
      return false;
    }
  };

  const definition: Tool<Input, LucidToolResult<Output>> = {
    description: descriptor.description,
    inputSchema: descriptor.inputSchema as Tool<Input>["inputSchema"],
    ...(descriptor.needsApproval ? { needsApproval: descriptor.preflight ? preflightThenAsk : true } : {}),
    execute: async (input: Input, execution: ExecutionOptions) => {
      let resolved: Session | undefined;
      try {
        const refusal = typeof input === "object" && input !== null ? refused.get(input) : undefined;
        if (refusal !== undefined) {
          refused.delete(input as object);
          throw refusal;
        }
        const call = callOf(execution);
        try {
          resolved = await resolve(call);
        } catch (error) {
          const unexplained = call.context === undefined && !AgentAuthError.isInstance(error);
          throw unexplained && typeof session === "function" ? noContextError(error) : error;
        }
        const result = await descriptor.execute(input, {
          session: resolved,
          toolCallId: execution.toolCallId,
          signal: execution.abortSignal,
        });
        return { ok: true, result };
      } catch (error) {
        if (errorMode === "throw") throw error;
        return toolErrorResult(error, {
          tool: descriptor.name,
          toolCallId: execution.toolCallId,
          session: resolved,
          onError,
        });
      }
    },
  };
  return tool(definition);
}

/**
 * A session resolver failed (with an error that is not a Lucid error) on a call that carried no context: name the likely cause (AI SDK 7 ignores
 * `experimental_context`) instead of a bare `internal_error`. The resolver's own error stays the cause.
 */
function noContextError(cause: unknown): ConfigurationError {
  return new ConfigurationError(
    "The Lucid session resolver failed, and this tool call carried no context: AI SDK 7 ignores experimental_context and passes each tool its entry of toolsContext.",
    {
      hint: "Pass the per-call context for AI SDK 6 and 7 at once with generateText({ ...lucidCallContext(tools, context) }), or resolve the session from AsyncLocalStorage.",
      cause,
    },
  );
}
