/** Tokens as the runtime holds them (camelCase, absolute `Date`s), converted once from the wire bundle. */
export interface TokenSnapshot {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  /** Granted scopes. */
  scopes: string[];
  /** The credential's revocation nonce when the tokens were issued; a change means the credential was revoked. */
  revocationNonce: string | null;
  credentialId: string | null;
}

/** What `setTokens` accepts: a snapshot, with dates as `Date` or ISO strings. */
export interface TokenBundleInput {
  accessToken: string;
  accessTokenExpiresAt: Date | string;
  refreshToken: string;
  refreshTokenExpiresAt: Date | string;
  scopes?: string[] | null;
  revocationNonce?: string | null;
  credentialId?: string | null;
}

/** The cached access token, as `getCachedAccessToken()` returns it. */
export interface CachedAccessToken {
  token: string;
  expiresAt: Date;
  scopes: string[];
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  revocationNonce: string | null;
}

export interface CancelHandle {
  cancel(): void;
}
