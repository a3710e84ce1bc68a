import type { LucidToolPreview } from "./policy/preview.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import type { LucidToolErrorHandler } from "./tool-error-result.js";

/** What a tool receives besides its input: the injected session, the framework's tool-call id, an abort signal. */
export interface LucidToolContext<Session> {
  /** The runtime or session the host injected for this call. The model never sees or supplies it. */
  session: Session;
  /** The framework's id of this tool call; idempotency keys are derived from it. */
  toolCallId: string;
  /**
   * The conversation this call belongs to (adapters derive it: AI SDK from the messages before the call,
   * LangChain from the thread id). Two conversations that share a tool-call id get different idempotency keys;
   * without it, the key depends on the tool-call id alone.
   */
  conversationId?: string | undefined;
  /** Aborted when the framework cancels the call. */
  signal?: AbortSignal | undefined;
}

/** What a tool does: read (no signature), sign (a signature, nothing on chain), send (moves funds on chain). */
export type LucidToolKind = "read" | "sign" | "send";

/**
 * One framework-neutral tool: a name, a description written for models, an input schema and `execute`.
 * Framework adapters (`@lucid-dreams/ai-sdk`, `@lucid-dreams/langchain`) only map descriptors to their tools.
 */
export interface LucidToolDescriptor<Input, Output, Session> {
  name: string;
  description: string;
  kind?: LucidToolKind;
  /** A zod (or any Standard Schema) object schema of the input the model supplies. */
  inputSchema: StandardSchemaV1<unknown, Input>;
  /** Whether a human must approve each call before it runs (mapped to the framework's approval mechanism). */
  needsApproval?: boolean;
  /**
   * Every check of the policy (decoded calldata, simulation, budgets), with no signing or sending, and what the
   * call would do in readable form. Throws the refusal (`PolicyRefusedError`). Adapters run it before asking a
   * human to approve and hand the preview to the approval step, so nobody is asked to approve a call the
   * policy refuses. `execute` checks again regardless.
   */
  preview?(input: Input, context: LucidToolContext<Session>): Promise<LucidToolPreview>;
  /** Checks without a preview, for descriptors that have no `preview`; adapters prefer `preview`. */
  preflight?(input: Input, context: LucidToolContext<Session>): Promise<void>;
  execute(input: Input, context: LucidToolContext<Session>): Promise<Output>;
  /**
   * The host's hook for unexpected failures of this tool (set by `createLucidToolDescriptors({ onError })`):
   * adapters pass it to `toolErrorResult`, which also logs the failure to the session's logger.
   */
  onError?: LucidToolErrorHandler;
}

/** A tool's answer to the model: its result, or an error it can read and act on. */
export type LucidToolResult<Output> =
  | { ok: true; result: Output }
  | { ok: false; code: string; message: string; retryable: boolean };
