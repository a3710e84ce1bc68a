import { describe, expect, it } from "vitest";
import {
  accessTokenSkew,
  classifyRefreshFailure,
  decideRefresh,
  type RefreshDecisionState,
  type RefreshFailureKind,
  type RefreshTokenView,
} from "./refresh-decision.js";

const NOW = 1_000_000;

type Access = "fresh" | "due" | "expired";
type Refresh = "valid" | "spent" | "expired";

const view = (access: Access, refresh: Refresh): RefreshTokenView => ({
  accessUsableUntil: access === "expired" ? NOW - 1 : NOW + 10_000,
  refreshDueAt: access === "fresh" ? NOW + 5_000 : NOW - 1,
  refreshExpiresAt: refresh === "expired" ? NOW : NOW + 86_400_000,
  refreshSpent: refresh === "spent",
});

const base: RefreshDecisionState = {
  now: NOW,
  force: false,
  held: null,
  stored: null,
  failure: null,
  backoffUntil: 0,
  canSignIn: true,
};

describe("decideRefresh: cases", () => {
  it.each<[string, Partial<RefreshDecisionState>, string]>([
    ["no tokens, a signer: sign in", {}, "signIn"],
    ["no tokens, no signer: give up", { canSignIn: false }, "giveUp"],
    ["a fresh token: keep", { held: view("fresh", "valid") }, "keep"],
    [
      "a fresh token refused by the API (401): refresh",
      { held: view("fresh", "valid"), force: true },
      "refresh",
    ],
    ["a due token: refresh", { held: view("due", "valid") }, "refresh"],
    [
      "an expired access token with a valid refresh token: refresh",
      { held: view("expired", "valid") },
      "refresh",
    ],
    ["a spent refresh token: sign in, never refresh", { held: view("due", "spent") }, "signIn"],
    ["an expired refresh token: sign in", { held: view("expired", "expired") }, "signIn"],
    [
      "a spent refresh token without a signer keeps the still-usable access token",
      { held: view("due", "spent"), canSignIn: false },
      "keep",
    ],
    [
      "a spent refresh token, access expired, no signer: give up",
      { held: view("expired", "spent"), canSignIn: false },
      "giveUp",
    ],
    [
      "after an ambiguous refresh, newer stored tokens are adopted",
      { held: view("due", "spent"), stored: view("fresh", "valid"), failure: "ambiguous" },
      "adopt",
    ],
    [
      "stored tokens with an expired access token but a good refresh token are adopted (then refreshed)",
      { held: view("due", "spent"), stored: view("expired", "valid"), failure: "rejected" },
      "adopt",
    ],
    [
      "stored tokens that are spent and expired are not adopted",
      { held: view("due", "spent"), stored: view("expired", "spent"), failure: "ambiguous" },
      "signIn",
    ],
    [
      "refused by the server (429/503): keep the usable token",
      { held: view("due", "valid"), failure: "refused" },
      "keep",
    ],
    [
      "refused, and the access token is no longer usable: fail (retryable), never sign in",
      { held: view("expired", "valid"), failure: "refused" },
      "fail",
    ],
    [
      "still in the backoff a refusal asked for: keep",
      { held: view("due", "valid"), backoffUntil: NOW + 1 },
      "keep",
    ],
    ["the backoff is over: refresh", { held: view("due", "valid"), backoffUntil: NOW }, "refresh"],
    ["revoked: sign in", { held: view("due", "spent"), failure: "revoked" }, "signIn"],
  ])("%s", (_name, patch, action) => {
    expect(decideRefresh({ ...base, ...patch }).action).toBe(action);
  });
});

describe("decideRefresh: invariants over every combination", () => {
  const accesses: (Access | null)[] = [null, "fresh", "due", "expired"];
  const refreshes: Refresh[] = ["valid", "spent", "expired"];
  const failures: (RefreshFailureKind | null)[] = [null, "refused", "ambiguous", "rejected", "revoked"];
  const states: RefreshDecisionState[] = [];
  for (const heldAccess of accesses)
    for (const heldRefresh of refreshes)
      for (const storedAccess of accesses)
        for (const storedRefresh of refreshes)
          for (const failure of failures)
            for (const force of [false, true])
              for (const canSignIn of [false, true])
                for (const backoffUntil of [0, NOW + 1])
                  states.push({
                    now: NOW,
                    force,
                    canSignIn,
                    failure,
                    backoffUntil,
                    held: heldAccess === null ? null : view(heldAccess, heldRefresh),
                    stored: storedAccess === null ? null : view(storedAccess, storedRefresh),
                  });

  it(`holds for all ${states.length} states`, () => {
    expect(states.length).toBeGreaterThan(5_000);
    for (const state of states) {
      const { action } = decideRefresh(state);
      const { held, stored } = state;
      const context = JSON.stringify({ ...state, action });
      // Never present a refresh token that is spent or expired, and never during a refusal's backoff.
      if (action === "refresh") {
        expect(held, context).not.toBeNull();
        expect(held!.refreshSpent, context).toBe(false);
        expect(NOW < held!.refreshExpiresAt, context).toBe(true);
        expect(state.failure === "refused" || NOW < state.backoffUntil, context).toBe(false);
      }
      // Keep only a token that will not expire in flight, and never one the API refused.
      if (action === "keep") {
        expect(held !== null && NOW < held.accessUsableUntil && !state.force, context).toBe(true);
      }
      if (action === "adopt") {
        expect(
          stored !== null &&
            (NOW < stored.accessUsableUntil || (!stored.refreshSpent && NOW < stored.refreshExpiresAt)),
          context,
        ).toBe(true);
      }
      if (action === "signIn") expect(state.canSignIn, context).toBe(true);
      if (action === "giveUp") expect(state.canSignIn, context).toBe(false);
      // A refusal never burns the credential: no sign-in while the refresh token is still good.
      if (state.failure === "refused" && held && !held.refreshSpent && NOW < held.refreshExpiresAt) {
        expect(["keep", "fail", "adopt"], context).toContain(action);
      }
      // Usable tokens in storage always win over a new sign-in or refresh.
      if (stored !== null && NOW < stored.accessUsableUntil) expect(action, context).toBe("adopt");
    }
  });

  it("is pure: the same state gives the same decision", () => {
    for (const state of states.slice(0, 500)) {
      expect(decideRefresh(state)).toEqual(decideRefresh({ ...state }));
    }
  });
});

describe("classifyRefreshFailure", () => {
  it.each<[string, Parameters<typeof classifyRefreshFailure>[0], RefreshFailureKind]>([
    ["connection reset after sending", { code: "transport_error", networkCode: "ECONNRESET" }, "ambiguous"],
    ["no answer in time", { code: "transport_error" }, "ambiguous"],
    ["socket closed by a proxy", { code: "transport_error", networkCode: "UND_ERR_SOCKET" }, "ambiguous"],
    ["connection refused: never sent", { code: "transport_error", networkCode: "ECONNREFUSED" }, "refused"],
    ["unknown host: never sent", { code: "transport_error", networkCode: "ENOTFOUND" }, "refused"],
    ["429", { status: 429 }, "refused"],
    ["503", { status: 503 }, "refused"],
    ["500", { status: 500 }, "ambiguous"],
    ["502", { status: 502 }, "ambiguous"],
    ["504", { status: 504 }, "ambiguous"],
    ["408", { status: 408 }, "ambiguous"],
    ["400 invalid_grant", { status: 400, serverCode: "invalid_grant" }, "rejected"],
    ["401", { status: 401, serverCode: "unauthorized" }, "rejected"],
    ["credential_revoked", { status: 401, serverCode: "credential_revoked" }, "revoked"],
    ["CredentialRevokedError", { code: "credential_revoked" }, "revoked"],
  ])("%s", (_name, facts, kind) => {
    expect(classifyRefreshFailure(facts)).toBe(kind);
  });
});

describe("accessTokenSkew", () => {
  it("is min(skew, lifetime / 4)", () => {
    expect(accessTokenSkew(60 * 60_000, 5_000)).toBe(5_000);
    expect(accessTokenSkew(2_000, 5_000)).toBe(500);
    expect(accessTokenSkew(-5, 5_000)).toBe(0);
  });
});
