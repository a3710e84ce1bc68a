import { zAgentExchangeRequest } from "@lucid-dreams/sdk/zod";
import type { Hex } from "viem";
import type { Handler } from "../http/handler.js";
import { HttpError, invalidRequest, notFound, unauthorized } from "../http/http-error.js";
import { validateBody } from "../http/validate.js";
import type { ServerContext } from "../server-context.js";
import { type ChallengeRecord, findAgent } from "../store/store.js";
import { createFamily, issueTokenBundle } from "./tokens.js";
import { verifySignature } from "./verify-signature.js";

/** The checks that must hold both before and right after the (async) signature verification. */
function assertUsable(ctx: ServerContext, challenge: ChallengeRecord): void {
  if (challenge.consumed) {
    throw unauthorized("challenge_used", "This challenge was already exchanged; request a new challenge.");
  }
  if (ctx.options.now() >= challenge.expiresAt) {
    throw unauthorized(
      "challenge_expired",
      `This challenge expired at ${new Date(challenge.expiresAt).toISOString()}; request a new challenge and sign it sooner.`,
    );
  }
  const credential = ctx.store.credentials.get(challenge.credentialId);
  if (!credential || credential.disabled) {
    throw unauthorized(
      "credential_revoked",
      `Credential ${challenge.credentialId} is disabled; use another credential.`,
    );
  }
}

/**
 * POST /v1/auth/agents/{agentRef}/exchange: verifies the signature, consumes the challenge (only on success,
 * atomically: after the verification nothing awaits between the last check and the consumption) and issues
 * a new token family. An unknown challenge id, or one of another agent, is 404 `not_found`.
 */
export function createExchangeHandler(ctx: ServerContext): Handler {
  return async ({ params, readJson }) => {
    const body = validateBody(zAgentExchangeRequest, await readJson(), "exchange request");
    const agent = findAgent(ctx.store, params.agentRef!);
    if (!agent) throw notFound(`Unknown agent "${params.agentRef}"; use the agent's ref or id.`);
    const challenge = ctx.store.challenges.get(body.challenge_id);
    if (!challenge || challenge.agentId !== agent.id) {
      throw notFound(`Unknown challenge "${body.challenge_id}" for this agent; request a challenge first.`);
    }
    if (body.credential_id !== undefined && body.credential_id !== challenge.credentialId) {
      throw invalidRequest(
        `credential_id ${body.credential_id} does not match the challenge's credential ${challenge.credentialId}; omit it or send the challenge's credential_id.`,
        [{ path: "credential_id", message: "Does not match the challenge." }],
      );
    }
    assertUsable(ctx, challenge);
    const credential = ctx.store.credentials.get(challenge.credentialId)!;

    const valid = await verifySignature(challenge.signable, credential.address, body.signature as Hex);
    if (!valid) {
      throw new HttpError(
        401,
        "invalid_signature",
        `The signature does not verify against ${credential.address}, the address bound to credential ${credential.id}; sign the challenge payload with that wallet.`,
      );
    }

    // From here on: synchronous. Re-check, consume, issue.
    assertUsable(ctx, challenge);
    challenge.consumed = true;
    const family = createFamily(ctx, {
      agentId: agent.id,
      credentialId: credential.id,
      scopes: challenge.scopes,
      revocationNonce: credential.revocationNonce,
    });
    return { status: 200, body: issueTokenBundle(ctx, family) };
  };
}
