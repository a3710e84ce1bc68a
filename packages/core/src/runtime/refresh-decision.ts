/**
 * The refresh decision: one pure function of (state, last failure, clock) that says what the runtime does
 * next when it needs a token. All I/O (storage reads, HTTP, events) stays in `AgentRuntime`.
 *
 * Retry layers, outermost first (this is the one place they are described):
 * 1. Callers. `ensureAccessToken()` answers from memory while the held access token is usable: valid until
 *    `expiresAt - skew` (`skewMs`, default 5 s, at most a quarter of the token's lifetime), so a token handed
 *    out never expires in flight. An API call answered 401 forces one renewal and is retried once.
 * 2. The renewal loop (`AgentRuntime`, inside `TokenManager.refreshSingleFlight`: one per process, and one per
 *    fleet with a storage that locks). It asks `decideRefresh` at most `MAX_RENEWAL_STEPS` times, re-reading
 *    the storage after every failure.
 * 3. The refresh request. Never resent: a refresh token is single-use, and presenting a used one makes the
 *    server revoke the whole token family. Its failure is classified by `classifyRefreshFailure`:
 *    - `refused`: the server answered that it did not process it (429, 503) or the connection was refused
 *      before anything was sent. The refresh token is still good: keep the access token while usable, back off.
 *    - `ambiguous`: the request may have reached the server but no answer came back (reset, timeout, 500, 502,
 *      504). The refresh token counts as spent: never presented again, by this or (through the stored
 *      in-flight mark) any other process.
 *    - `rejected` (400/401/403) and `revoked` (`credential_revoked`): spent too.
 *    After a spent token: adopt newer tokens another process stored, else sign in afresh with the signer,
 *    else give up (`reauthenticationRequired`).
 * 4. Sign-in. The challenge request is safe to repeat and is retried with backoff (`AgentAuthClient`, also on
 *    500); the exchange consumes the challenge and is never resent.
 * 5. The transport retries only what its `RetryMode` allows (never exchange or refresh).
 */

/** How a refresh attempt failed (see the module comment). */
export type RefreshFailureKind = "refused" | "ambiguous" | "rejected" | "revoked";

/** What the runtime knows of one set of tokens, as times in epoch ms. */
export interface RefreshTokenView {
  /** The access token may be handed out until then (`expiresAt - skew`). */
  readonly accessUsableUntil: number;
  /** The background refresh is due from then (`expiresAt - lead`, never later than `accessUsableUntil`). */
  readonly refreshDueAt: number;
  /** The refresh token expires then. */
  readonly refreshExpiresAt: number;
  /** The refresh token was (or may have been) presented already: it must never be presented again. */
  readonly refreshSpent: boolean;
}

/** The input of `decideRefresh`. */
export interface RefreshDecisionState {
  /** The clock, epoch ms. */
  readonly now: number;
  /** The caller saw the held access token refused (HTTP 401): do not keep it. */
  readonly force: boolean;
  /** The tokens this process holds (or the bootstrap refresh token from the config), or none. */
  readonly held: RefreshTokenView | null;
  /** Tokens found in storage that differ from the held ones (another process wrote them), or none. */
  readonly stored: RefreshTokenView | null;
  /** The failure of the previous step of this renewal, if any. */
  readonly failure: RefreshFailureKind | null;
  /** Until then, the server asked us not to refresh (after a `refused` failure). */
  readonly backoffUntil: number;
  /** A wallet signer is configured: a fresh sign-in is possible. */
  readonly canSignIn: boolean;
}

/** What to do next. */
export type RefreshDecision =
  /** Use the held access token as it is. */
  | { readonly action: "keep" }
  /** Hold the tokens found in storage (another process rotated or signed in). */
  | { readonly action: "adopt" }
  /** Present the held refresh token. */
  | { readonly action: "refresh" }
  /** Sign in afresh: challenge, signature, exchange. */
  | { readonly action: "signIn" }
  /** Fail with the last (retryable) error: the server refused and nothing usable is held. */
  | { readonly action: "fail" }
  /** No way to get a token: emit `reauthenticationRequired` and fail. */
  | { readonly action: "giveUp" };

/** Most decisions one renewal takes (e.g. refresh -> ambiguous -> adopt/sign in), so it always ends. */
export const MAX_RENEWAL_STEPS = 4;

/** Default skew margin: an access token is not handed out during its last 5 s. */
export const DEFAULT_ACCESS_TOKEN_SKEW_MS = 5_000;

/** The skew for a token of `lifetimeMs`: `min(skewMs, lifetime / 4)`, so short tokens stay usable. */
export const accessTokenSkew = (lifetimeMs: number, skewMs: number): number =>
  Math.min(skewMs, Math.max(0, lifetimeMs) / 4);

/** Decides the next step of a renewal. Pure: same input, same answer. */
export function decideRefresh(state: RefreshDecisionState): RefreshDecision {
  const { now, held, stored } = state;
  // Another process stored newer tokens: take them if their access token or refresh token is still usable.
  if (stored !== null && (now < stored.accessUsableUntil || refreshable(stored, now))) {
    return { action: "adopt" };
  }
  if (held !== null && !state.force && state.failure === null && now < held.refreshDueAt) {
    return { action: "keep" };
  }
  if (held !== null && refreshable(held, now)) {
    if (now < state.backoffUntil || state.failure === "refused") {
      // The server asked for a pause; the refresh token is still good.
      if (!state.force && now < held.accessUsableUntil) return { action: "keep" };
      return { action: "fail" };
    }
    return { action: "refresh" };
  }
  // No usable refresh token (none, expired, spent, rejected or revoked).
  if (state.canSignIn) return { action: "signIn" };
  // Without a signer, a still-usable access token is kept until it is no longer usable.
  if (held !== null && !state.force && now < held.accessUsableUntil) return { action: "keep" };
  return { action: "giveUp" };
}

function refreshable(view: RefreshTokenView, now: number): boolean {
  return !view.refreshSpent && now < view.refreshExpiresAt;
}

/** Facts about a refresh error that `classifyRefreshFailure` looks at (from `AgentAuthError` and its cause). */
export interface RefreshErrorFacts {
  /** HTTP status of the answer, if one came. */
  readonly status?: number | undefined;
  /** The server's error code, if it answered. */
  readonly serverCode?: string | undefined;
  /** The runtime error code (`transport_error`, `refresh_failed`, `credential_revoked`, ...). */
  readonly code?: string | undefined;
  /** The network error code of the cause chain (`ECONNREFUSED`, `ECONNRESET`, ...), if any. */
  readonly networkCode?: string | undefined;
}

/** Classifies a failed refresh (see the module comment). */
export function classifyRefreshFailure(facts: RefreshErrorFacts): RefreshFailureKind {
  if (facts.serverCode === "credential_revoked" || facts.code === "credential_revoked") return "revoked";
  const { status } = facts;
  if (status === undefined) {
    // No answer. Refused connections and unknown hosts never delivered the request.
    return facts.networkCode === "ECONNREFUSED" || facts.networkCode === "ENOTFOUND"
      ? "refused"
      : "ambiguous";
  }
  if (status === 429 || status === 503) return "refused";
  if (status >= 500) return "ambiguous";
  if (status === 408) return "ambiguous";
  return "rejected";
}
