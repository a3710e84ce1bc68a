import { describe, expect, it } from "vitest";
import {
  AgentAuthError,
  ConfigurationError,
  CredentialRevokedError,
  isCredentialRevoked,
  isRefreshFailed,
  RefreshFailedError,
  TransportError,
} from "./errors.js";

describe("runtime errors", () => {
  it("carry a stable code, the hint in the message, the status and the cause", () => {
    const cause = new Error("socket hang up");
    const error = new RefreshFailedError("Refreshing the access token failed.", {
      hint: "Check that the server is reachable.",
      status: 503,
      cause,
    });
    expect(error).toBeInstanceOf(AgentAuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe("refresh_failed");
    expect(error.name).toBe("RefreshFailedError");
    expect(error.message).toBe(
      "Refreshing the access token failed.\nHint: Check that the server is reachable.",
    );
    expect(error.hint).toBe("Check that the server is reachable.");
    expect(error.status).toBe(503);
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(new ConfigurationError("bad").retryable).toBe(false);
    expect(new TransportError("down", { retryable: false }).retryable).toBe(false);
  });

  it("guards recognise errors by code, not by class identity", () => {
    const revoked = new CredentialRevokedError("revoked");
    expect(isCredentialRevoked(revoked)).toBe(true);
    expect(isRefreshFailed(revoked)).toBe(false);
    expect(isCredentialRevoked(new Error("credential_revoked"))).toBe(false);
    expect(isCredentialRevoked({ code: "credential_revoked" })).toBe(false);
    expect(isCredentialRevoked(null)).toBe(false);
  });

  it("are recognised when thrown by another installed copy of the package", () => {
    // A copy of the package has its own classes but shares the global Symbol.for marker.
    const foreign = Object.assign(new Error("revoked elsewhere"), { code: "credential_revoked" });
    Object.defineProperty(foreign, Symbol.for("@lucid-dreams/agent-auth.error"), { value: true });
    expect(foreign instanceof AgentAuthError).toBe(false);
    expect(AgentAuthError.isInstance(foreign)).toBe(true);
    expect(isCredentialRevoked(foreign)).toBe(true);
  });
});
