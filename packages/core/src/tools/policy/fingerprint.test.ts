import { sha256, stringToBytes } from "viem";
import { afterEach, describe, expect, it, vi } from "vitest";
import { canonicalJson, digestOf, sha256Hex } from "./fingerprint.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth, so key order never changes the text", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: "s" } };
    const b = { a: { c: "s", d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":"s","d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
  });

  it("drops undefined properties, writes undefined array items as null, bigints as decimal strings", () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined, 1n, 2] })).toBe(
      '{"b":null,"c":[null,"1",2]}',
    );
    expect(canonicalJson(10n ** 30n)).toBe('"1000000000000000000000000000000"');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson([])).toBe("[]");
    expect(canonicalJson({})).toBe("{}");
  });

  it("escapes strings and keys as JSON does, and tells a string from a number", () => {
    expect(canonicalJson({ 'k"\n': 'v"\\\u0001' })).toBe(JSON.stringify({ 'k"\n': 'v"\\\u0001' }));
    expect(canonicalJson({ a: "1" })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson([1, [2]])).not.toBe(canonicalJson([[1], 2]));
  });

  it("is the JSON of the value (parses back to it) for plain JSON values", () => {
    const value = { role: "user", content: [{ type: "text", text: "héllo ✓" }], n: 1.5, ok: true };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});

describe("digestOf", () => {
  it("is the SHA-256 of the canonical JSON's UTF-8 bytes, 64 hex characters", () => {
    const value = { tool: "signMessage", input: { message: "héllo ✓ 𝄞", encoding: null } };
    const digest = digestOf(value);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).toBe(sha256(stringToBytes(canonicalJson(value))).slice(2));
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
