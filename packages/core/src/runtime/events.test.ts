import { describe, expect, expectTypeOf, it } from "vitest";
import { RefreshFailedError } from "./errors.js";
import {
  AgentAuthEvent,
  type AgentAuthEventMap,
  type AuthenticatedEvent,
  createEventHub,
  type RefreshFailedEvent,
  toEventError,
} from "./events.js";
import type { Logger } from "./logger.js";

const authenticated: AuthenticatedEvent = {
  accessToken: "lat_access",
  expiresAt: new Date("2025-01-01T00:15:00Z"),
  refreshTokenExpiresAt: new Date("2025-01-31T00:00:00Z"),
  scopes: ["wallet.sign"],
  agentRef: "agent-1",
  credentialId: "cred_1",
};

const recordingLogger = () => {
  const warnings: Array<[unknown, string | undefined]> = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (obj, msg) => warnings.push([obj, msg]),
    error: () => {},
  };
  return { logger, warnings };
};

describe("AgentAuthEvent", () => {
  it("names every event", () => {
    expect(Object.values(AgentAuthEvent).sort()).toEqual([
      "authenticated",
      "credentialRevoked",
      "reauthenticationRequired",
      "refreshFailed",
      "tokenRefreshed",
      "tokensCleared",
    ]);
  });

  it("payloads never declare a refresh token", () => {
    type AllKeys = { [E in keyof AgentAuthEventMap]: keyof AgentAuthEventMap[E] }[keyof AgentAuthEventMap];
    expectTypeOf<"refreshToken" extends AllKeys ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<AgentAuthEventMap["tokenRefreshed"]["accessToken"]>().toEqualTypeOf<string>();
    expectTypeOf<RefreshFailedEvent["fallback"]>().toEqualTypeOf<"challenge" | "none">();
  });
});

describe("createEventHub", () => {
  it("delivers typed payloads in subscription order and unsubscribes", () => {
    const hub = createEventHub();
    const seen: string[] = [];
    const offFirst = hub.on("authenticated", (event) => {
      expectTypeOf(event).toEqualTypeOf<AuthenticatedEvent>();
      seen.push(`first:${event.agentRef}`);
    });
    hub.on("authenticated", (event) => {
      seen.push(`second:${event.scopes.join(",")}`);
    });
    expect(hub.emit("authenticated", authenticated)).toBe(2);
    offFirst();
    offFirst();
    expect(hub.emit("authenticated", authenticated)).toBe(1);
    expect(seen).toEqual(["first:agent-1", "second:wallet.sign", "second:wallet.sign"]);
    expect(hub.emit("tokensCleared", { reason: "shutdown" })).toBe(0);
  });

  it("supports once, off and removeAll", () => {
    const hub = createEventHub();
    let onceCalls = 0;
    let offCalls = 0;
    hub.once("tokensCleared", () => {
      onceCalls++;
    });
    const handler = () => {
      offCalls++;
    };
    hub.on("tokensCleared", handler);
    hub.emit("tokensCleared", {});
    hub.emit("tokensCleared", {});
    expect(onceCalls).toBe(1);
    hub.off("tokensCleared", handler);
    hub.emit("tokensCleared", {});
    expect(offCalls).toBe(2);
    const onceHandler = () => {
      onceCalls++;
    };
    hub.once("tokensCleared", onceHandler);
    hub.off("tokensCleared", onceHandler);
    hub.emit("tokensCleared", {});
    expect(onceCalls).toBe(1);
    hub.on("credentialRevoked", () => {});
    hub.on("refreshFailed", () => {});
    expect(hub.listenerCount("credentialRevoked")).toBe(1);
    hub.removeAll("credentialRevoked");
    expect(hub.listenerCount("credentialRevoked")).toBe(0);
    hub.removeAll();
    expect(hub.listenerCount("refreshFailed")).toBe(0);
  });

  it("catches and logs handler errors (sync and async) without stopping other handlers", async () => {
    const { logger, warnings } = recordingLogger();
    const hub = createEventHub({ logger });
    const seen: string[] = [];
    hub.on("tokenRefreshed", () => {
      throw new Error(`handler saw ${authenticated.accessToken}`);
    });
    hub.on("tokenRefreshed", async () => {
      throw new RefreshFailedError("async failure");
    });
    hub.on("tokenRefreshed", (event) => {
      seen.push(event.agentRef);
    });
    expect(() => hub.emit("tokenRefreshed", authenticated)).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual(["agent-1"]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toEqual([
      { event: "tokenRefreshed", error: { code: "unknown_error", message: "handler saw [redacted]" } },
      'An "tokenRefreshed" event handler failed.',
    ]);
    expect(warnings[1]?.[0]).toMatchObject({ error: { code: "refresh_failed" } });
  });

  it("a handler unsubscribing during emit does not skip the others", () => {
    const hub = createEventHub();
    const seen: number[] = [];
    const off = hub.on("reauthenticationRequired", () => {
      seen.push(1);
      off();
    });
    hub.on("reauthenticationRequired", () => {
      seen.push(2);
    });
    hub.emit("reauthenticationRequired", { reason: "refresh_token_expired" });
    hub.emit("reauthenticationRequired", { reason: "refresh_token_expired" });
    expect(seen).toEqual([1, 2, 2]);
  });
});

describe("toEventError", () => {
  it("keeps code, status and retryable, and redacts the message", () => {
    expect(toEventError(new RefreshFailedError("refresh lrt_abcdefgh rejected", { status: 401 }))).toEqual({
      code: "refresh_failed",
      message: "refresh [redacted] rejected",
      status: 401,
      retryable: true,
    });
    expect(toEventError(Object.assign(new Error("boom"), { code: "ECONNRESET" }))).toEqual({
      code: "ECONNRESET",
      message: "boom",
    });
    expect(toEventError("Bearer lat_abcdefghijkl")).toEqual({
      code: "unknown_error",
      message: "Bearer [redacted]",
    });
  });
});
