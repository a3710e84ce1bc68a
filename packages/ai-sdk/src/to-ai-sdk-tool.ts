import type {
  LucidToolContext,
  LucidToolDescriptor,
  LucidToolErrorHandler,
  LucidToolPreview,
  LucidToolResult,
} from "@lucid-dreams/agent-auth/tools";
import {
  AgentAuthError,
  ConfigurationError,
  conversationIdFromMessages,
  prepareApproval,
  ToolInputError,
  toolErrorResult,
} from "@lucid-dreams/agent-auth/tools";
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
  /**
   * Called when a call that needs approval passed every check of the policy and the AI SDK is about to ask
   * for approval: the preview (decoded action, simulated balance changes, worst-case fee, rules) to show the
   * human. `null` when the checks could not run (the chain was unreachable); `execute` checks again anyway.
   */
  onApprovalPreview?: (preview: LucidToolPreview | null, call: AiSdkToolCall & { toolName: string }) => void;
}

/** Where `lucidToolPreview` finds a mapped tool's descriptor and session. */
export const LUCID_DESCRIPTOR = Symbol.for("@lucid-dreams/ai-sdk/descriptor");

/** The descriptor and session resolver behind a mapped tool. */
export interface MappedLucidTool {
  descriptor: LucidToolDescriptor<unknown, unknown, unknown>;
  resolve: SessionResolver<unknown>;
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
 * The descriptor context of an AI SDK call: the conversation scope is a digest of the messages before the
 * call, so a retried or resumed call keeps its idempotency key and another conversation gets another one.
 */
export const contextOf = <Session>(
  session: Session,
  call: { toolCallId: string; messages?: readonly unknown[] | undefined },
  signal?: AbortSignal,
): LucidToolContext<Session> => ({
  session,
  toolCallId: call.toolCallId,
  conversationId: conversationIdFromMessages(call.messages ?? [], call.toolCallId),
  signal,
});

/**
 * Maps one framework-neutral Lucid tool descriptor to an AI SDK tool. The session is a fixed value or is
 * resolved for each call from the call's context; it never comes from the model. Successful calls answer
 * `{ ok: true, result }`.
 *
 * A descriptor that needs approval gets the AI SDK's `needsApproval`: core's `prepareApproval` runs the
 * descriptor's `preview` (every policy check, no signing) first, so nobody is asked to approve a call that
 * would be refused; such a call skips the approval and answers with the refusal, it never runs `execute`. The
 * preview of a call that is asked goes to `onApprovalPreview` (and `lucidToolPreview` computes it on demand).
 */
export function toAiSdkTool<Input, Output, Session>(
  descriptor: LucidToolDescriptor<Input, Output, Session>,
  session: Session | SessionResolver<Session>,
  options: ToAiSdkToolOptions = {},
): Tool<Input, LucidToolResult<Output>> {
  const resolver = typeof session === "function" ? (session as SessionResolver<Session>) : undefined;
  const resolve: SessionResolver<Session> = resolver ?? (() => session as Session);
  const errorMode = options.errorMode ?? (typeof options.onError === "string" ? options.onError : "result");
  const onError = typeof options.onError === "function" ? options.onError : descriptor.onError;
  /** Inputs (by identity) that the policy refused before approval: nobody was asked, so they must not run. */
  const refused = new WeakMap<object, unknown>();

  const previewThenAsk = async (input: unknown, call: ExecutionOptions): Promise<boolean> => {
    if (typeof input !== "object" || input === null) return true;
    let resolved: Session;
    try {
      resolved = await resolve(callOf(call));
    } catch {
      return true; // execute resolves again and answers the error
    }
    const step = await prepareApproval(descriptor, input as Input, contextOf(resolved, call));
    if (step.action === "refuse") {
      refused.set(input, step.error);
      return false;
    }
    options.onApprovalPreview?.(step.preview, { ...callOf(call), toolName: descriptor.name });
    return true;
  };

  const definition: Tool<Input, LucidToolResult<Output>> = {
    description: descriptor.description,
    inputSchema: descriptor.inputSchema as Tool<Input>["inputSchema"],
    ...(descriptor.needsApproval
      ? { needsApproval: descriptor.preview || descriptor.preflight ? previewThenAsk : true }
      : {}),
    execute: async (input: Input, execution: ExecutionOptions) => {
      let resolved: Session | undefined;
      try {
        const refusal = typeof input === "object" && input !== null ? refused.get(input) : undefined;
        if (refusal !== undefined) {
          refused.delete(input as object);
          throw refusal;
        }
        if (resolver === undefined) {
          resolved = session as Session; // a fixed session: nothing to await
        } else {
          const call = callOf(execution);
          try {
            resolved = await resolver(call);
          } catch (error) {
            const unexplained = call.context === undefined && !AgentAuthError.isInstance(error);
            throw unexplained ? noContextError(error) : error;
          }
        }
        const result = await descriptor.execute(input, contextOf(resolved, execution, execution.abortSignal));
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
  const mapped = tool(definition);
  const behind: MappedLucidTool = {
    descriptor: descriptor as LucidToolDescriptor<unknown, unknown, unknown>,
    resolve: resolve as SessionResolver<unknown>,
  };
  Object.defineProperty(mapped, LUCID_DESCRIPTOR, { value: behind, enumerable: true });
  return mapped;
}

/** A pending AI SDK call, as a `tool-approval-request` describes it. */
export interface PendingAiSdkToolCall {
  toolName: string;
  input: unknown;
  toolCallId: string;
  /** The conversation's messages before the call (for the conversation scope); default none. */
  messages?: readonly unknown[];
  /** The per-call context the session resolver reads (`experimental_context`). */
  context?: unknown;
}

/**
 * The preview of a pending call of a Lucid tool set (e.g. on a chat server that received an AI SDK approval
 * request with the tool's name and input): every policy check, nothing signed. Throws the refusal.
 */
export async function lucidToolPreview(
  tools: Record<string, unknown>,
  call: PendingAiSdkToolCall,
): Promise<LucidToolPreview> {
  const mapped = Object.hasOwn(tools, call.toolName)
    ? ((tools[call.toolName] as Record<symbol, unknown>)?.[LUCID_DESCRIPTOR] as MappedLucidTool | undefined)
    : undefined;
  if (!mapped) {
    throw new ConfigurationError(`"${call.toolName}" is not a Lucid tool of this tool set.`, {
      hint: "Pass the tool set returned by lucidTools().",
    });
  }
  const { descriptor, resolve } = mapped;
  const checked = await descriptor.inputSchema["~standard"].validate(call.input);
  if (checked.issues) {
    throw new ToolInputError(
      `Invalid input for ${call.toolName}: ${checked.issues.map((i) => i.message).join("; ")}.`,
    );
  }
  const messages = [...(call.messages ?? [])] as ModelMessage[];
  const session = await resolve({ toolCallId: call.toolCallId, context: call.context, messages });
  if (!descriptor.preview) {
    throw new ConfigurationError(`"${call.toolName}" has no preview.`, {
      hint: "Use a Lucid tool descriptor.",
    });
  }
  return descriptor.preview(checked.value, contextOf(session, { toolCallId: call.toolCallId, messages }));
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
