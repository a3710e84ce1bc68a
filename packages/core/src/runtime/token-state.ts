/**
 * The tokens a `TokenManager` holds, as one immutable value with everything derived from them computed once (so
 * the hot path never allocates), and the checks and copies of the bundles and snapshots that go in and out.
 */

import { accessTokenSkew } from "./refresh-decision.js";
import { computeRefreshAt } from "./refresh-schedule.js";
import { TokenManagerError, TokenManagerErrorCode } from "./token-manager-error.js";
import type { CachedAccessToken, TokenBundleInput, TokenSnapshot } from "./token-types.js";

/** The held tokens and everything derived from them once, so the hot path never allocates. */
export interface TokenState {
  readonly accessToken: string;
  /** Epoch ms; kept as numbers (a `Date` is built only for a copy handed out). */
  readonly accessTokenExpiresAtMs: number;
  readonly refreshToken: string;
  readonly scopes: readonly string[];
  readonly revocationNonce: string | null;
  readonly credentialId: string | null;
  /** Frozen; built on the first `getCachedAccessToken` for these tokens, then handed out as is. */
  cached: CachedAccessToken | null;
  readonly refreshAtMs: number;
  readonly refreshTokenExpiresAtMs: number;
  /** When the tokens were issued (about when they were stored), epoch ms. */
  readonly issuedAtMs: number;
}

/**
 * The state held for `snapshot` issued at `issuedAtMs`: due for refresh `refreshLeadTimeMs` before expiry (clamped
 * to half the lifetime), and never later than the skew margin `skewMs` allows.
 */
export function buildTokenState(
  snapshot: TokenSnapshot,
  issuedAtMs: number,
  refreshLeadTimeMs: number,
  skewMs: number,
): TokenState {
  const expiresAtMs = snapshot.accessTokenExpiresAt.getTime();
  return {
    accessToken: snapshot.accessToken,
    accessTokenExpiresAtMs: expiresAtMs,
    refreshToken: snapshot.refreshToken,
    scopes: [...snapshot.scopes],
    revocationNonce: snapshot.revocationNonce,
    credentialId: snapshot.credentialId,
    cached: null,
    refreshAtMs: Math.min(
      computeRefreshAt(expiresAtMs, issuedAtMs, refreshLeadTimeMs),
      expiresAtMs - accessTokenSkew(expiresAtMs - issuedAtMs, skewMs),
    ),
    refreshTokenExpiresAtMs: snapshot.refreshTokenExpiresAt.getTime(),
    issuedAtMs,
  };
}

export type TokenPair = Pick<TokenSnapshot, "accessToken" | "refreshToken">;

export function sameTokens(a: TokenPair, b: TokenPair | null | undefined): boolean {
  return b != null && a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

export function freezeCached(held: TokenState): CachedAccessToken {
  return Object.freeze({
    token: held.accessToken,
    expiresAt: new Date(held.accessTokenExpiresAtMs),
    scopes: Object.freeze([...held.scopes]) as string[],
    refreshToken: held.refreshToken,
    refreshTokenExpiresAt: new Date(held.refreshTokenExpiresAtMs),
    revocationNonce: held.revocationNonce,
  });
}

/** A fresh `TokenSnapshot` (new `Date`s and scopes array) of the held tokens. */
export function toSnapshot(held: TokenState): TokenSnapshot {
  return {
    accessToken: held.accessToken,
    accessTokenExpiresAt: new Date(held.accessTokenExpiresAtMs),
    refreshToken: held.refreshToken,
    refreshTokenExpiresAt: new Date(held.refreshTokenExpiresAtMs),
    scopes: [...held.scopes],
    revocationNonce: held.revocationNonce,
    credentialId: held.credentialId,
  };
}

export function cloneSnapshot(snapshot: TokenSnapshot): TokenSnapshot {
  return {
    accessToken: snapshot.accessToken,
    accessTokenExpiresAt: new Date(snapshot.accessTokenExpiresAt.getTime()),
    refreshToken: snapshot.refreshToken,
    refreshTokenExpiresAt: new Date(snapshot.refreshTokenExpiresAt.getTime()),
    scopes: [...snapshot.scopes],
    revocationNonce: snapshot.revocationNonce,
    credentialId: snapshot.credentialId,
  };
}

export function normalizeBundle(bundle: TokenBundleInput): TokenSnapshot {
  const invalid = (problem: string) =>
    new TokenManagerError(TokenManagerErrorCode.InvalidTokens, `Invalid token bundle: ${problem}.`, {
      hint: "Pass the bundle returned by the exchange or refresh endpoint, converted to camelCase with absolute expiries.",
    });
  if (typeof bundle !== "object" || bundle === null) throw invalid("not an object");
  const token = (field: "accessToken" | "refreshToken") => {
    const value = bundle[field];
    if (typeof value !== "string" || value === "") throw invalid(`"${field}" must be a non-empty string`);
    return value;
  };
  const date = (field: "accessTokenExpiresAt" | "refreshTokenExpiresAt") => {
    const value: unknown = bundle[field];
    const parsed =
      value instanceof Date ? new Date(value.getTime()) : typeof value === "string" ? new Date(value) : null;
    if (parsed === null || !Number.isFinite(parsed.getTime())) {
      throw invalid(`"${field}" must be a Date or an ISO-8601 string`);
    }
    return parsed;
  };
  const nullableString = (field: "revocationNonce" | "credentialId") => {
    const value: unknown = bundle[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw invalid(`"${field}" must be a string or null`);
    return value;
  };
  const scopes: unknown = bundle.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== "string")) {
    throw invalid('"scopes" must be an array of strings');
  }
  return {
    accessToken: token("accessToken"),
    accessTokenExpiresAt: date("accessTokenExpiresAt"),
    refreshToken: token("refreshToken"),
    refreshTokenExpiresAt: date("refreshTokenExpiresAt"),
    scopes: [...(scopes as string[])],
    revocationNonce: nullableString("revocationNonce"),
    credentialId: nullableString("credentialId"),
  };
}
