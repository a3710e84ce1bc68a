import { zAgentRefreshRequest } from "@lucid-dreams/sdk/zod";
import type { Handler } from "../http/handler.js";
import { notFound, unauthorized } from "../http/http-error.js";
import { validateBody } from "../http/validate.js";
import { hashSecret } from "../ids.js";
import type { ServerContext } from "../server-context.js";
import { findAgent, isFamilyRevoked } from "../store/store.js";
import { revokeFamily } from "./revoke.js";
import { issueTokenBundle } from "./tokens.js";

const REAUTHENTICATE = "authenticate again with a new challenge";

/**
 * POST /v1/auth/agents/{agentRef}/refresh: rotates the refresh token. Reuse of a rotated token revokes the
 * whole family (401 `credential_revoked`), unless it comes within `refreshReuseGraceSeconds` of the
 * rotation, which yields one more fresh pair. Everything after the body is read is synchronous, so two
 * concurrent refreshes with one token cannot both rotate it.
 */
export function createRefreshHandler(ctx: ServerContext): Handler {
  return async ({ params, readJson }) => {
    const body = validateBody(zAgentRefreshRequest, await readJson(), "refresh request");
    const agent = findAgent(ctx.store, params.agentRef!);
    if (!agent) throw notFound(`Unknown agent "${params.agentRef}"; use the agent's ref or id.`);

    const record = ctx.store.refreshTokens.get(hashSecret(body.refresh_token));
    const family = record ? ctx.store.families.get(record.familyId) : undefined;
    if (!record || !family || family.agentId !== agent.id) {
      throw unauthorized(
        "invalid_refresh_token",
        `This refresh token is not known for agent "${agent.ref}"; ${REAUTHENTICATE}.`,
      );
    }
    if (isFamilyRevoked(ctx.store, family)) {
      throw unauthorized("credential_revoked", `This session was revoked; ${REAUTHENTICATE}.`);
    }
    const now = ctx.options.now();
    if (record.usedAt !== null) {
      const grace = ctx.options.refreshReuseGraceMs;
      if (grace > 0 && now - record.usedAt < grace && now < record.expiresAt) {
        return { status: 200, body: issueTokenBundle(ctx, family) };
      }
      revokeFamily(ctx.store, family.id);
      throw unauthorized(
        "credential_revoked",
        `This refresh token was already used, so the session is treated as stolen and revoked; ${REAUTHENTICATE}.`,
      );
    }
    if (now >= record.expiresAt) {
      throw unauthorized(
        "refresh_token_expired",
        `This refresh token expired at ${new Date(record.expiresAt).toISOString()}; ${REAUTHENTICATE}.`,
      );
    }
    record.usedAt = now;
    return { status: 200, body: issueTokenBundle(ctx, family) };
  };
}
