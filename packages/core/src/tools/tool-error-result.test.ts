import { describe, expect, it } from "vitest";
import { AgentRuntime } from "../runtime/agent-runtime.js";
import { CredentialRevokedError, TransportError } from "../runtime/errors.js";
import { createLogger, type LogRecord } from "../runtime/logger.js";
import { createLucidToolDescriptors } from "./create-lucid-tools.js";
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

  it("reports an unexpected error, with its cause, to the runtime's logger (redacted) and the onError hook", async () => {
    const records: LogRecord[] = [];
    const runtime = await AgentRuntime.fromConfig({
      config: { baseUrl: "http://127.0.0.1:9", agentRef: "a", credentialId: "c" },
      logger: createLogger({ sink: (_line, record) => records.push(record) }),
      telemetry: false,
      backgroundRefresh: false,
    });
    try {
      const secret = "lrt_super_secret_refresh_token";
      const error = new TypeError("x is undefined", { cause: new Error(`refresh with ${secret} failed`) });
      const events: unknown[] = [];
      for (const session of [runtime, { runtime }]) {
        const result = toolErrorResult(error, {
          tool: "signMessage",
          toolCallId: "call-9",
          session,
          onError: (event) => events.push(event),
        });
        expect(result).toMatchObject({ code: "internal_error", message: "The tool failed unexpectedly." });
      }
      expect(events).toEqual([
        { tool: "signMessage", toolCallId: "call-9", error },
        { tool: "signMessage", toolCallId: "call-9", error },
      ]);
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        level: "error",
        msg: "the Lucid tool signMessage failed unexpectedly",
        tool: "signMessage",
        toolCallId: "call-9",
        err: { name: "TypeError", message: "x is undefined", cause: { name: "Error" } },
      });
      expect(JSON.stringify(records)).not.toContain(secret);

      // Lucid's own errors are the model's to read: no log line, no hook.
      toolErrorResult(new TransportError("down"), {
        tool: "t",
        session: runtime,
        onError: (e) => events.push(e),
      });
      expect(records).toHaveLength(2);
      expect(events).toHaveLength(2);
    } finally {
      await runtime.shutdown();
    }
  });

  it("survives a throwing logger and hook", () => {
    const throwing = () => {
      throw new Error("broken");
    };
    const session = { logger: { debug: throwing, info: throwing, warn: throwing, error: throwing } };
    expect(toolErrorResult(new Error("bug"), { tool: "t", session, onError: throwing })).toMatchObject({
      code: "internal_error",
    });
  });

  it("createLucidToolDescriptors({ onError }) gives every descriptor the hook, for the adapters to report to", () => {
    const onError = () => {};
    const descriptors = createLucidToolDescriptors({ onError });
    expect(descriptors.length).toBeGreaterThan(0);
    for (const descriptor of descriptors) expect(descriptor.onError).toBe(onError);
    for (const descriptor of createLucidToolDescriptors()) expect(descriptor.onError).toBeUndefined();
  });
});
