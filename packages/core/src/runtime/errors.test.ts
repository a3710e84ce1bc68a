import { describe, expect, it } from "vitest";
import {
  AgentAuthError,
  AgentAuthErrorCode,
  ConfigurationError,
  CredentialRevokedError,
  isAgentAuthError,
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

describe("AgentAuthError like viem's BaseError", () => {
  it("keeps the short message, the hints and the details of the innermost cause apart", () => {
    const root = new Error("ECONNREFUSED 127.0.0.1:1");
    const middle = new TypeError("fetch failed", { cause: root });
    const error = new TransportError("Could not reach the server.", {
      hint: "Check the base URL.",
      metaMessages: ["Is the server running?"],
      cause: middle,
    });
    expect(error.shortMessage).toBe("Could not reach the server.");
    expect(error.message).toBe(
      "Could not reach the server.\nHint: Check the base URL.\nIs the server running?",
    );
    expect(error.metaMessages).toEqual(["Check the base URL.", "Is the server running?"]);
    expect(error.hint).toBe("Check the base URL.");
    expect(error.details).toBe("ECONNREFUSED 127.0.0.1:1");
    expect(error.walk()).toBe(root);
    expect(error.walk((e) => e instanceof TypeError)).toBe(middle);
    expect(error.walk((e) => e instanceof RangeError)).toBeNull();
    expect(new ConfigurationError("bad").walk()).toBeInstanceOf(ConfigurationError);
    expect(new ConfigurationError("bad").details).toBeUndefined();
  });

  it("walk() stops on a cause cycle", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    const error = new TransportError("x", { cause: a });
    expect([a, b]).toContain(error.walk());
  });

  it("isAgentAuthError checks the marker and, optionally, the stable code", () => {
    const revoked = new CredentialRevokedError("revoked", { serverCode: "credential_revoked" });
    expect(isAgentAuthError(revoked)).toBe(true);
    expect(isAgentAuthError(revoked, AgentAuthErrorCode.CredentialRevoked)).toBe(true);
    expect(isAgentAuthError(revoked, AgentAuthErrorCode.RefreshFailed)).toBe(false);
    expect(isAgentAuthError(new Error("x"))).toBe(false);
    expect(isAgentAuthError({ code: "credential_revoked" }, AgentAuthErrorCode.CredentialRevoked)).toBe(
      false,
    );
    // The marker is on the prototype: no own enumerable key leaks into JSON or logs.
    expect(Object.getOwnPropertySymbols(revoked)).toEqual([]);
  });

  it("has one table holding every code, tool codes included, with no value used twice", () => {
    const values = Object.values(AgentAuthErrorCode);
    expect(new Set(values).size).toBe(values.length);
    for (const code of [
      "invalid_input",
      "policy_refused",
      "approval_denied",
      "approval_required",
      "internal_error",
    ]) {
      expect(values).toContain(code);
    }
  });
});
