import { describe, expect, it } from "vitest";
import { createRouter } from "./router.js";

const router = createRouter([
  { method: "GET", pattern: "/v1/agents", operation: "listAgents", handler: "list" },
  { method: "GET", pattern: "/v1/agents/{agentRef}", operation: "getAgent", handler: "get" },
  {
    method: "POST",
    pattern: "/v1/agents/{agentRef}/wallet/sign-message",
    operation: "signMessage",
    handler: "sign",
  },
]);

describe("createRouter", () => {
  it("matches exact paths and captures parameters", () => {
    expect(router.match("GET", "/v1/agents")).toMatchObject({ kind: "found", route: { handler: "list" } });
    expect(router.match("GET", "/v1/agents/demo%2Dagent")).toMatchObject({
      kind: "found",
      params: { agentRef: "demo-agent" },
    });
  });

  it("tells a wrong method from an unknown path", () => {
    expect(router.match("POST", "/v1/agents")).toEqual({ kind: "method_not_allowed", allow: ["GET"] });
    expect(router.match("GET", "/v1/agents/x/wallet/sign-message")).toEqual({
      kind: "method_not_allowed",
      allow: ["POST"],
    });
    expect(router.match("GET", "/v1/agents/x/y")).toEqual({ kind: "not_found" });
    expect(router.match("GET", "/v1/agents/%E0%A4%A")).toEqual({ kind: "not_found" });
  });
});
