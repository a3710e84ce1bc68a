import { describe, expect, it } from "vitest";
import { CredentialRevokedError, TransportError } from "../runtime/errors.js";
import { toolErrorResult } from "./tool-error-result.js";

describe("toolErrorResult", () => {
  it("gives the model the code, the first line of the message and retryability", () => {
    const error = new TransportError("The Lucid server did not answer in 10 s.", {
      hint: "Set LUCID_BASE_URL to a reachable server.",
    });
    expect(toolErrorResult(error)).toEqual({
      ok: false,
      code: "transport_error",
      message: "The Lucid server did not answer in 10 s.",
      retryable: true,
    });
  });

  it("never leaks a foreign error's message, stack or cause", () => {
    const secret = "lrt_super_secret_refresh_token";
    const result = toolErrorResult(new Error(`refresh with ${secret} failed`));
    expect(result).toEqual({
      ok: false,
      code: "internal_error",
      message: "The tool failed unexpectedly.",
      retryable: false,
    });
    const ours = toolErrorResult(
      new CredentialRevokedError("The credential was revoked.", { cause: new Error(secret) }),
    );
    expect(JSON.stringify(ours)).not.toContain(secret);
  });
});
