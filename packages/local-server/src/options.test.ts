import { describe, expect, it } from "vitest";
import { LocalServerError } from "./local-server-error.js";
import { resolveOptions } from "./options.js";

describe("resolveOptions", () => {
  it("applies the defaults", () => {
    const resolved = resolveOptions();
    expect(resolved).toMatchObject({
      port: 0,
      host: "127.0.0.1",
      accessTtlMs: 900_000,
      refreshTtlMs: 30 * 24 * 3600 * 1000,
      challengeTtlMs: 300_000,
      challengeFormat: "siwe",
      refreshReuseGraceMs: 0,
      maxBodyBytes: 65536,
      chainId: 31337,
      agents: [{ ref: "demo-agent", name: "Demo agent", description: "" }],
    });
  });

  it("converts seconds to ms and takes the external chain's id", () => {
    expect(resolveOptions({ accessTtlSeconds: 1.5 }).accessTtlMs).toBe(1500);
    expect(resolveOptions({ chain: { rpcUrl: "http://x", chainId: 5 } }).chainId).toBe(5);
  });

  it.each([
    [{ port: -1 }, /port/],
    [{ accessTtlSeconds: 0 }, /accessTtlSeconds/],
    [{ refreshTtlSeconds: Number.NaN }, /refreshTtlSeconds/],
    [{ challengeFormat: "jwt" as never }, /challengeFormat/],
    [{ refreshReuseGraceSeconds: -1 }, /refreshReuseGraceSeconds/],
    [{ maxBodyBytes: 0 }, /maxBodyBytes/],
    [{ agents: [] }, /at least one/],
    [{ agents: [{ ref: "a" }, { ref: "a" }] }, /twice/],
    [{ agents: [{ ref: "has space" }] }, /slug/],
  ])("refuses %j with invalid_option", (options, message) => {
    try {
      resolveOptions(options);
      expect.unreachable();
    } catch (error) {
      expect(LocalServerError.isInstance(error)).toBe(true);
      expect((error as LocalServerError).code).toBe("invalid_option");
      expect((error as Error).message).toMatch(message);
    }
  });
});
