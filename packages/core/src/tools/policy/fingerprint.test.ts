import { sha256, stringToBytes } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stableJsonStringify } from "../../runtime/util/stable-json.js";
import { digestOf, sha256Hex } from "./fingerprint.js";

describe("digestOf", () => {
  it("is the SHA-256 of the canonical JSON's UTF-8 bytes, 64 hex characters", () => {
    const value = { tool: "signMessage", input: { message: "héllo ✓ 𝄞", encoding: null } };
    const digest = digestOf(value);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(sha256(stringToBytes(stableJsonStringify(value))).slice(2));
    expect(digestOf({ input: { encoding: null, message: "héllo ✓ 𝄞" }, tool: "signMessage" })).toBe(digest);
    expect(digestOf({ ...value, tool: "signTypedData" })).not.toBe(digest);
  });

  it("hashes any text (empty, long, lone surrogates) as the UTF-8 encoder writes it", () => {
    for (const text of ["", "abc", "x".repeat(100_000), "\ud800 lone", "emoji 😀"]) {
      expect(sha256Hex(text)).toBe(sha256(stringToBytes(text)).slice(2));
    }
  });

  describe("without node:crypto (browsers, edge runtimes)", () => {
    const original = process.getBuiltinModule;
    afterEach(() => {
      process.getBuiltinModule = original;
      vi.resetModules();
    });

    it("computes the same digests with the JavaScript SHA-256", async () => {
      const calls: string[] = [];
      process.getBuiltinModule = ((id: string) => {
        calls.push(id);
        return undefined;
      }) as typeof process.getBuiltinModule;
      vi.resetModules();
      const fallback = await import("./fingerprint.js");
      expect(calls).toEqual(["node:crypto"]);
      const value = { a: [1, "b", { c: null }], d: "😀" };
      expect(fallback.digestOf(value)).toBe(digestOf(value));
      expect(fallback.sha256Hex("\ud800")).toBe(sha256Hex("\ud800"));
    });
  });
});
