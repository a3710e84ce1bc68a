import { toolIdempotencyKey } from "./conversation-key.js";
import { digestOf } from "./policy/fingerprint.js";
import type { SpendItem } from "./spend-ledger.js";
import type { ToolDeps } from "./tool-context.js";
import type { LucidToolContext } from "./tool-descriptor.js";
import type { ToolSession } from "./tool-session.js";

/** A wallet answer that proves nothing was signed or sent: a 4xx other than 409 (in progress / conflict). */
export function refusedBeforeSigning(error: unknown): boolean {
  const status = (error as { status?: unknown })?.status;
  return typeof status === "number" && status >= 400 && status < 500 && status !== 409;
}

/** The ledger coordinates of one tool call: its scope, its conversation-scoped key and its body's digest. */
export function callCoordinates(
  tool: string,
  input: unknown,
  deps: ToolDeps,
  toolSession: ToolSession,
  context: LucidToolContext<object>,
) {
  return {
    scope: deps.policy.scopeFor(context.session, toolSession.agentRef),
    key: toolIdempotencyKey(tool, context.toolCallId, context.conversationId),
    fingerprint: digestOf({ tool, input }),
  };
}

/**
 * Runs a wallet call under the ledger: reserves `items` under the call's key (a replay counts nothing again,
 * another body under the key is refused before the wallet is called), calls the wallet with that key as its
 * idempotency key, commits on success and releases only when the wallet said nothing was signed or sent.
 */
export async function runGuarded<Output>(
  tool: string,
  input: unknown,
  items: readonly SpendItem[],
  deps: ToolDeps,
  toolSession: ToolSession,
  context: LucidToolContext<object>,
  call: (idempotencyKey: string, replay: boolean) => Promise<Output>,
  /** Whether a failure proves nothing was signed or sent (the reservation is then given back). */
  sentNothing: (error: unknown) => boolean = refusedBeforeSigning,
): Promise<Output> {
  const { scope, key, fingerprint } = callCoordinates(tool, input, deps, toolSession, context);
  const reserved = await deps.policy.reserve(scope, key, fingerprint, items);
  let output: Output;
  try {
    output = await call(key, reserved.status === "replay");
  } catch (error) {
    if (reserved.status === "reserved" && sentNothing(error)) await deps.policy.ledger.release(scope, key);
    throw error;
  }
  await deps.policy.ledger.commit(scope, key);
  return output;
}

/** The budget check of a preview: could the ledger take `items` now (nothing kept)? */
export async function previewBudget(
  tool: string,
  input: unknown,
  items: readonly SpendItem[],
  deps: ToolDeps,
  toolSession: ToolSession,
  context: LucidToolContext<object>,
): Promise<void> {
  const { scope, fingerprint } = callCoordinates(tool, input, deps, toolSession, context);
  await deps.policy.checkBudget(scope, fingerprint, items);
}
