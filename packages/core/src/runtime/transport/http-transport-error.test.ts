import { describe, expect, it } from "vitest";
import { AgentAuthError, isTransportError, TransportError } from "../errors.js";
import { HttpTransportError, HttpTransportErrorCode, isHttpTransportError } from "./http-transport-error.js";

describe("HttpTransportError", () => {
  it("carries code, status, url, parsed body, response and attempts", () => {
    const response = new Response("{}", { status: 503 });
    const cause = new Error("upstream");
    const error = new HttpTransportError("http_error", "POST https://h/x responded 503.", {
      method: "POST",
      url: "https://h/x",
      status: 503,
      data: { error: "unavailable" },
      response,
      attempts: 3,
      retryable: true,
      hint: "Try again later.",
      cause,
    });
    expect(error).toBeInstanceOf(AgentAuthError);
    expect(error.name).toBe("HttpTransportError");
    expect(error.code).toBe(HttpTransportErrorCode.HttpError);
    expect(error.status).toBe(503);
    expect(error.url).toBe("https://h/x");
    expect(error.method).toBe("POST");
    expect(error.data).toEqual({ error: "unavailable" });
    expect(error.response).toBe(response);
    expect(error.attempts).toBe(3);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("POST https://h/x responded 503.\nHint: Try again later.");
  });

  it("is recognised by the guard across duplicate installs, and only by it", () => {
    const error = new HttpTransportError("timeout", "slow", { method: "GET", url: "https://h/" });
    expect(isHttpTransportError(error)).toBe(true);
    expect(HttpTransportError.isInstance(error)).toBe(true);
    expect(AgentAuthError.isInstance(error)).toBe(true);
    expect(error.attempts).toBe(1);

    // An error built by another copy of the package carries the same Symbol.for markers.
    const foreign = Object.assign(new Error("other copy"), { code: "http_error" });
    Object.defineProperty(foreign, Symbol.for("@lucid-dreams/agent-auth.error"), { value: true });
    Object.defineProperty(foreign, Symbol.for("@lucid-dreams/agent-auth.http-transport-error"), {
      value: true,
    });
    expect(isHttpTransportError(foreign)).toBe(true);

    expect(isHttpTransportError(new TransportError("down"))).toBe(false);
    expect(isTransportError(error)).toBe(false);
    expect(isHttpTransportError({ code: "http_error", name: "HttpTransportError" })).toBe(false);
    expect(isHttpTransportError(new Error("http_error"))).toBe(false);
    expect(isHttpTransportError(null)).toBe(false);
  });
});
