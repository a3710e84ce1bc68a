import { zAgentChallengeRequest } from "@lucid-dreams/sdk/zod";
import type { Handler } from "../http/handler.js";
import { forbidden, HttpError, invalidRequest, notFound } from "../http/http-error.js";
import { validateBody } from "../http/validate.js";
import { randomAlphanumeric, randomId } from "../ids.js";
import type { ServerContext } from "../server-context.js";
import { type CredentialRecord, credentialsOf, findAgent, type Store } from "../store/store.js";
import { buildChallengePayload } from "./challenge-payload.js";
import { isScope, KNOWN_SCOPES, type Scope } from "./scopes.js";

function pickCredential(store: Store, agentId: string, credentialId: string | undefined): CredentialRecord {
  const credentials = credentialsOf(store, agentId);
  if (credentialId === undefined) {
    if (credentials.length === 1) return credentials[0]!;
    throw invalidRequest(
      `credential_id is required: this agent has ${credentials.length} credentials (${credentials.map((c) => c.id).join(", ")}); name the one whose wallet will sign.`,
      [{ path: "credential_id", message: "Required when the agent has more than one credential." }],
    );
  }
  const credential = credentials.find((c) => c.id === credentialId);
  if (!credential) {
    throw notFound(
      `Credential ${credentialId} does not belong to this agent; use one of the agent's credential ids.`,
    );
  }
  return credential;
}

function grantScopes(credential: CredentialRecord, requested: string[] | undefined): Scope[] {
  if (requested === undefined) return [...credential.scopes];
  const unknown = requested.map((scope, index) => ({ scope, index })).filter(({ scope }) => !isScope(scope));
  if (unknown.length > 0) {
    throw invalidRequest(
      `Unknown scope ${unknown.map((u) => `"${u.scope}"`).join(", ")}; known scopes are ${KNOWN_SCOPES.join(", ")}.`,
      unknown.map(({ scope, index }) => ({
        path: `scopes.${index}`,
        message: `Unknown scope "${scope}"; use one of ${KNOWN_SCOPES.join(", ")}.`,
      })),
    );
  }
  const granted = KNOWN_SCOPES.filter(
    (scope) => requested.includes(scope) && credential.scopes.includes(scope),
  );
  if (granted.length === 0) {
    throw new HttpError(
      403,
      "insufficient_scope",
      `Credential ${credential.id} holds none of the requested scopes; it holds ${credential.scopes.join(", ") || "no scope"}.`,
    );
  }
  return granted;
}

/** POST /v1/auth/agents/{agentRef}/challenge: a single-use challenge bound to one credential. */
export function createChallengeHandler(ctx: ServerContext): Handler {
  return async ({ params, readJson }) => {
    const body = validateBody(zAgentChallengeRequest, await readJson(), "challenge request");
    const agent = findAgent(ctx.store, params.agentRef!);
    if (!agent) throw notFound(`Unknown agent "${params.agentRef}"; use the agent's ref or id.`);
    const credential = pickCredential(ctx.store, agent.id, body.credential_id);
    if (credential.disabled) {
      throw forbidden(`Credential ${credential.id} is disabled; use another credential of the agent.`);
    }
    const scopes = grantScopes(credential, body.scopes);

    const now = ctx.options.now();
    const issuedAt = new Date(now);
    const expiresAt = new Date(now + ctx.options.challengeTtlMs);
    const id = randomId("chl_");
    const nonce = randomAlphanumeric(24);
    const built = buildChallengePayload({
      format: ctx.options.challengeFormat,
      baseUrl: ctx.baseUrl(),
      address: credential.address,
      chainId: ctx.chain.chainId,
      agentRef: agent.ref,
      credentialId: credential.id,
      nonce,
      scopes,
      issuedAt,
      expiresAt,
    });
    ctx.store.challenges.set(id, {
      id,
      agentId: agent.id,
      credentialId: credential.id,
      nonce,
      scopes,
      payload: built.payload,
      payloadHash: built.payloadHash,
      signable: built.signable,
      issuedAt: issuedAt.getTime(),
      expiresAt: expiresAt.getTime(),
      consumed: false,
    });
    return {
      status: 201,
      body: {
        challenge: {
          id,
          credential_id: credential.id,
          payload: built.payload,
          payload_hash: built.payloadHash,
          nonce,
          scopes,
          issued_at: issuedAt.toISOString(),
          expires_at: expiresAt.toISOString(),
          server_signature: null,
        },
      },
    };
  };
}
