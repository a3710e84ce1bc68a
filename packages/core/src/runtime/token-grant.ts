/**
 * The runtime's two ways to new tokens, as calls to the auth endpoints: sign in (challenge, wallet signature,
 * exchange) and refresh. Both return the bundle the token manager stores; the decisions around them live in
 * `refresh-decision.ts`.
 */
import type { AgentAuthClient } from "./agent-auth-client.js";
import type { AgentRuntimeConfig } from "./config-loader.js";
import { AgentAuthError, CredentialRevokedError, isCredentialRevoked, RefreshFailedError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { RefreshErrorFacts } from "./refresh-decision.js";
import type { TokenBundleInput } from "./token-types.js";
import type { ChallengeSigner } from "./wallet/base-connector.js";

/** challenge -> `signer.signChallenge` -> exchange. */
export async function signIn(
  auth: AgentAuthClient,
  signer: ChallengeSigner,
  config: AgentRuntimeConfig,
  logger: Logger,
): Promise<TokenBundleInput> {
  const log = { agentRef: config.agentRef, credentialId: config.credentialId };
  logger.debug(log, "signing in: requesting a challenge");
  const { challenge } = await auth.requestChallenge({
    credential_id: config.credentialId,
    ...(config.scopes ? { scopes: config.scopes } : {}),
  });
  logger.debug(
    { ...log, challengeId: challenge.id, expiresAt: challenge.expires_at },
    "signing the challenge",
  );
  const signature = await signer.signChallenge(challenge);
  const bundle = await auth.exchange({
    challenge_id: challenge.id,
    signature,
    credential_id: config.credentialId,
  });
  logger.debug({ ...log, expiresAt: bundle.expires_at, scopes: bundle.credential?.scopes }, "signed in");
  return toTokenBundle(bundle);
}

/** Presents `refreshToken` once. */
export async function refresh(
  auth: AgentAuthClient,
  refreshToken: string,
  agentRef: string,
  logger: Logger,
): Promise<TokenBundleInput> {
  logger.debug({ agentRef }, "refreshing the access token");
  const bundle = await auth.refresh({ refresh_token: refreshToken });
  logger.debug({ agentRef, expiresAt: bundle.expires_at }, "access token refreshed");
  return toTokenBundle(bundle);
}

/**
 * The error when the agent must authenticate again and cannot by itself (no signer): `CredentialRevokedError`
 * when the server revoked the credential, else a non-retryable `RefreshFailedError`.
 */
export function reauthenticationError(agentRef: string, reason: string, cause: unknown): AgentAuthError {
  const message = `Agent ${agentRef} must authenticate again: ${reason}.`;
  const hint =
    "Configure a wallet signer (wallet.signer) so the runtime can sign a new challenge, or provide a new refresh token.";
  return isCredentialRevoked(cause)
    ? new CredentialRevokedError(message, { hint, cause })
    : new RefreshFailedError(message, { hint, retryable: false, cause });
}

/** The error of a refresh token that was already presented (its answer lost): it is never presented again. */
export function spentError(): RefreshFailedError {
  return new RefreshFailedError(
    "The refresh token was already presented (its answer was lost) and cannot be used again.",
    {
      retryable: false,
    },
  );
}

/** The facts `classifyRefreshFailure` needs, from a runtime error and its cause chain. */
export function refreshErrorFacts(error: unknown): RefreshErrorFacts {
  let networkCode: string | undefined;
  let cause: unknown = error;
  for (let depth = 0; depth < 6 && typeof cause === "object" && cause !== null; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
      networkCode = code;
      break;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  if (!AgentAuthError.isInstance(error)) return { networkCode };
  return { status: error.status, serverCode: error.serverCode, code: error.code, networkCode };
}

function toTokenBundle(bundle: {
  access_token: string;
  expires_at: string;
  refresh_token: string;
  refresh_expires_at: string;
  credential?: { id?: string; scopes?: string[]; revocation_nonce?: string | null };
}): TokenBundleInput {
  return {
    accessToken: bundle.access_token,
    accessTokenExpiresAt: bundle.expires_at,
    refreshToken: bundle.refresh_token,
    refreshTokenExpiresAt: bundle.refresh_expires_at,
    scopes: bundle.credential?.scopes ?? [],
    revocationNonce: bundle.credential?.revocation_nonce ?? null,
    credentialId: bundle.credential?.id ?? null,
  };
}
