import { AgentAuthError } from "../runtime/errors.js";
import type { Logger } from "../runtime/logger.js";
import type { LucidToolResult } from "./tool-descriptor.js";

/** What the `onError` hook of the Lucid tools is told about an unexpected failure (an error that is not Lucid's). */
export interface LucidToolErrorEvent {
  /** The tool's name, e.g. `signMessage`. */
  tool: string;
  /** The framework's id of the call, when there is one. */
  toolCallId: string | undefined;
  /** What was thrown, with its stack and cause: for your logs and error tracker, never for the model. */
  error: unknown;
}

/** Receives each unexpected tool failure (the model only sees `internal_error`). What it throws is ignored. */
export type LucidToolErrorHandler = (event: LucidToolErrorEvent) => void;

/** Where `toolErrorResult` reports an unexpected failure. */
export interface ToolErrorReport {
  tool: string;
  toolCallId?: string | undefined;
  /** The call's session: an `AgentRuntime` or a `createWallet()` client; its logger gets an `error` record. */
  session?: unknown;
  /** The host's hook (`onError` of `lucidTools`, the toolkit or `createLucidToolDescriptors`). */
  onError?: LucidToolErrorHandler | undefined;
}

/** The runtime's logger of a session (an `AgentRuntime`, or a `createWallet()` client's runtime), if any. */
function loggerOf(session: unknown): Logger | undefined {
  const candidate = session as { logger?: unknown; runtime?: { logger?: unknown } } | null | undefined;
  const logger = candidate?.logger ?? candidate?.runtime?.logger;
  return typeof (logger as Logger | undefined)?.error === "function" ? (logger as Logger) : undefined;
}

/**
 * Turns anything a tool threw into a result the model can read: the error's stable code, its one-line message
 * and whether retrying may help. Never a stack trace, a hint meant for developers, or a cause (which could
 * carry a secret): errors that are not ours become a generic `internal_error`. Those unexpected errors are
 * reported, with their cause, to the session's logger (an `error` record; the logger redacts secrets) and to
 * `report.onError`, so they are never invisible.
 */
export function toolErrorResult(
  error: unknown,
  report?: ToolErrorReport,
): Extract<LucidToolResult<never>, { ok: false }> {
  if (AgentAuthError.isInstance(error)) {
    const firstLine = error.message.split("\n", 1)[0] ?? error.code;
    return { ok: false, code: error.code, message: firstLine, retryable: error.retryable };
  }
  if (report) {
    try {
      loggerOf(report.session)?.error(
        { tool: report.tool, toolCallId: report.toolCallId, err: error },
        `the Lucid tool ${report.tool} failed unexpectedly`,
      );
    } catch {
      // A failing logger must not turn into a second failure of the tool.
    }
    try {
      report.onError?.({ tool: report.tool, toolCallId: report.toolCallId, error });
    } catch {
      // Nor a failing hook.
    }
  }
  return { ok: false, code: "internal_error", message: "The tool failed unexpectedly.", retryable: false };
}
