import type { IncomingMessage } from "node:http";
import { forbidden, HttpError, unauthorized } from "../http/http-error.js";
import { hashSecret } from "../ids.js";
import type { ServerContext } from "../server-context.js";
import { type AgentRecord, isFamilyRevoked } from "../store/store.js";
import type { Scope } from "./scopes.js";

/** Who is calling: an agent session (access token) or an agents' owner (owner token). */
export type Principal =
  | { kind: "agent"; agentId: string; credentialId: string; familyId: string; scopes: readonly Scope[] }
  | { kind: "owner"; ownerId: string };

function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * Authenticates `Authorization: Bearer <token>`: an agent access token (`lat_...`) or an owner token
 * (`lot_...`). Missing or unknown: 401 `unauthorized`; revoked: 401 `credential_revoked`; expired: 401
 * `token_expired`. Every 401 carries `WWW-Authenticate: Bearer`.
 */
export function authenticate(ctx: ServerContext, req: IncomingMessage): Principal {
  const token = bearerToken(req);
  if (!token) {
    throw unauthorized(
      "unauthorized",
      "Missing bearer token; send Authorization: Bearer <access token> (from exchange or refresh) or an owner token.",
      "",
    );
  }
  const hash = hashSecret(token);
  const ownerId = ctx.store.ownerTokens.get(hash);
  if (ownerId) return { kind: "owner", ownerId };

  const record = ctx.store.accessTokens.get(hash);
  const family = record ? ctx.store.families.get(record.familyId) : undefined;
  if (!record || !family) {
    throw unauthorized(
      "unauthorized",
      "Unknown bearer token; authenticate (challenge, exchange) to get an access token.",
      "invalid_token",
    );
  }
  if (isFamilyRevoked(ctx.store, family)) {
    throw unauthorized(
      "credential_revoked",
      "This session was revoked; authenticate again with a new challenge.",
      "invalid_token",
    );
  }
  if (ctx.options.now() >= record.expiresAt) {
    throw unauthorized(
      "token_expired",
      `The access token expired at ${new Date(record.expiresAt).toISOString()}; refresh it with the refresh token.`,
      "invalid_token",
    );
  }
  return {
    kind: "agent",
    agentId: family.agentId,
    credentialId: family.credentialId,
    familyId: family.id,
    scopes: family.scopes,
  };
}

/** 403 `insufficient_scope` unless the principal holds `scope` (owners hold every scope). */
export function requireScope(principal: Principal, scope: Scope): void {
  if (principal.kind === "owner" || principal.scopes.includes(scope)) return;
  throw new HttpError(
    403,
    "insufficient_scope",
    `This token lacks the ${scope} scope (it has ${principal.scopes.join(", ") || "none"}); request ${scope} in the challenge's scopes and authenticate again.`,
    { headers: { "www-authenticate": `Bearer realm="lucid", error="insufficient_scope", scope="${scope}"` } },
  );
}

/** 403 `forbidden` unless the principal may act for `agent`: its own agent, or an agent its owner owns. */
export function requireAgentAccess(principal: Principal, agent: AgentRecord): void {
  if (principal.kind === "agent" && principal.agentId === agent.id) return;
  if (principal.kind === "owner" && principal.ownerId === agent.ownerId) return;
  throw forbidden(
    principal.kind === "agent"
      ? `This token belongs to another agent; it may only act for its own agent, not "${agent.ref}".`
      : `This owner token does not own agent "${agent.ref}".`,
  );
}
