import type { ZodType } from "zod";
import { authenticate, requireAgentAccess, requireScope } from "../auth/bearer.js";
import type { Scope } from "../auth/scopes.js";
import { canonicalJson } from "../canonical-json.js";
import type { Handler } from "../http/handler.js";
import { HttpError, notFound } from "../http/http-error.js";
import { validateBody } from "../http/validate.js";
import type { Operation } from "../operations.js";
import type { ServerContext } from "../server-context.js";
import { type AgentRecord, findAgent } from "../store/store.js";

/** One wallet operation: its scope, its request schema, and what it does once the request is accepted. */
export interface WalletOperation<T extends { idempotency_key?: string | undefined }> {
  operation: Operation;
  scope: Scope;
  schema: ZodType<T>;
  /** Names the body in validation messages ("sign-message request"). */
  what: string;
  /** Performs the operation; returns the 200 body. Throws `HttpError` to refuse. */
  execute(agent: AgentRecord, body: T): Promise<unknown>;
}

function withoutIdempotencyKey(raw: unknown): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { idempotency_key: _ignored, ...rest } = raw as Record<string, unknown>;
  return rest;
}

/**
 * The handler of a wallet operation: bearer auth, scope, agent access, body validation, then the operation,
 * wrapped in the idempotency rules of openapi.yaml when the body has an `idempotency_key` (scoped to the agent
 * and the operation; same canonical body replays the stored success with `Idempotent-Replayed: true`; a
 * different body is 422; a duplicate in flight is 409 with `Retry-After: 1`; failures release the key).
 */
export function createWalletHandler<T extends { idempotency_key?: string | undefined }>(
  ctx: ServerContext,
  op: WalletOperation<T>,
): Handler {
  return async ({ req, params, readJson }) => {
    const principal = authenticate(ctx, req);
    requireScope(principal, op.scope);
    const agent = findAgent(ctx.store, params.agentRef!);
    if (!agent) throw notFound(`Unknown agent "${params.agentRef}"; use the agent's ref or id.`);
    requireAgentAccess(principal, agent);
    const raw = await readJson();
    const body = validateBody(op.schema, raw, op.what);

    const key = body.idempotency_key;
    if (key === undefined) return { status: 200, body: await op.execute(agent, body) };

    const scopeKey = `${agent.id}\u0000${op.operation}\u0000${key}`;
    const begin = ctx.idempotency.begin(scopeKey, canonicalJson(withoutIdempotencyKey(raw)));
    switch (begin.kind) {
      case "replay":
        return {
          status: begin.response.status,
          text: begin.response.text,
          headers: { "idempotent-replayed": "true" },
        };
      case "in_progress":
        throw new HttpError(
          409,
          "idempotency_in_progress",
          "A request with this idempotency_key is still running; retry after Retry-After seconds to get its result.",
          { retryAfter: 1 },
        );
      case "mismatch":
        throw new HttpError(
          422,
          "idempotency_key_reused",
          "This idempotency_key was already used with a different body; use a new key for a different request.",
        );
      case "proceed":
        break;
    }
    try {
      const result = await op.execute(agent, body);
      const text = JSON.stringify(result);
      ctx.idempotency.complete(scopeKey, { status: 200, text });
      return { status: 200, text };
    } catch (error) {
      ctx.idempotency.release(scopeKey);
      throw error;
    }
  };
}
