import { hashSecret, randomId, randomSecret } from "../ids.js";
import type { ServerContext } from "../server-context.js";
import type { TokenFamily } from "../store/store.js";

/** The token bundle on the wire (`AgentExchangeResponse`). */
export interface TokenBundle {
  access_token: string;
  token_type: "bearer";
  expires_at: string;
  refresh_token: string;
  refresh_expires_at: string;
  credential: { id: string; scopes: string[]; revocation_nonce: string | null };
}

/** Starts a token family for a successful exchange. */
export function createFamily(
  ctx: ServerContext,
  input: Pick<TokenFamily, "agentId" | "credentialId" | "scopes" | "revocationNonce">,
): TokenFamily {
  const family: TokenFamily = { id: randomId("fam_"), ...input, revoked: false };
  ctx.store.families.set(family.id, family);
  return family;
}

/**
 * Issues a new access + refresh token pair in `family`. Only the SHA-256 of each token is kept; the values
 * leave the server in the returned bundle and nowhere else.
 */
export function issueTokenBundle(ctx: ServerContext, family: TokenFamily): TokenBundle {
  const now = ctx.options.now();
  const accessToken = randomSecret("lat_");
  const refreshToken = randomSecret("lrt_");
  const expiresAt = now + ctx.options.accessTtlMs;
  const refreshExpiresAt = now + ctx.options.refreshTtlMs;
  ctx.store.accessTokens.set(hashSecret(accessToken), { familyId: family.id, expiresAt });
  ctx.store.refreshTokens.set(hashSecret(refreshToken), {
    familyId: family.id,
    expiresAt: refreshExpiresAt,
    usedAt: null,
  });
  const credential = ctx.store.credentials.get(family.credentialId);
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_at: new Date(expiresAt).toISOString(),
    refresh_token: refreshToken,
    refresh_expires_at: new Date(refreshExpiresAt).toISOString(),
    credential: {
      id: family.credentialId,
      scopes: [...family.scopes],
      revocation_nonce: credential?.revocationNonce ?? null,
    },
  };
}
