import { describe, expect, it } from "vitest";
import { apiError, stableApiCode } from "./agent-api-error.js";
import { AgentAuthErrorCode, isAgentAuthError, isCredentialRevoked, isTransportError } from "./errors.js";

const http = (status: number, serverCode?: string) =>
  ({ kind: "http", status, serverCode, serverMessage: undefined, retryAfterSeconds: undefined }) as const;

describe("AgentApiClientError codes", () => {
  it.each([
    [401, "token_expired", "unauthorized"],
    [401, undefined, "unauthorized"],
    [403, "insufficient_scope", "insufficient_scope"],
    [403, "made_up_code", "forbidden"],
    [404, undefined, "not_found"],
    [400, "weird", "invalid_request"],
    [422, "chain_rejected", "chain_rejected"],
    [409, undefined, "conflict"],
    [429, undefined, "rate_limited"],
    [500, "internal_error", "server_error"],
    [503, "<script>", "server_error"],
    [418, "teapot", "request_rejected"],
  ])("HTTP %i with server code %s has the stable code %s", (status, serverCode, expected) => {
    expect(stableApiCode(status, serverCode)).toBe(expected);
    const values: readonly string[] = Object.values(AgentAuthErrorCode);
    expect(values).toContain(expected);
  });

  it("keeps the server's code in serverCode and switches on the stable one", () => {
    const error = apiError("signMessage", "agent-1", http(403, "made_up_code"), "https://h");
    expect(isAgentAuthError(error, AgentAuthErrorCode.Forbidden)).toBe(true);
    expect(error.serverCode).toBe("made_up_code");
    expect(error.status).toBe(403);
    expect(error.retryable).toBe(false);
  });

  it("maps a revoked credential and a network failure to the design's errors", () => {
    expect(isCredentialRevoked(apiError("getAgent", "a", http(401, "credential_revoked"), undefined))).toBe(
      true,
    );
    const down = apiError(
      "getAgent",
      "a",
      { kind: "network", cause: new TypeError("fetch failed") },
      "https://h",
    );
    expect(isTransportError(down)).toBe(true);
  });
});
