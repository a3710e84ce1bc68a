import { describe, expect, it } from "vitest";
import { stableJsonStringify } from "./stable-json.js";

describe("stableJsonStringify", () => {
  it("sorts keys recursively, drops undefined, turns bigints into strings", () => {
    expect(stableJsonStringify({ b: 1, a: { d: [3, undefined], c: 2n }, e: undefined })).toBe(
      '{"a":{"c":"2","d":[3,null]},"b":1}',
    );
    expect(stableJsonStringify({ a: 1, b: 2 })).toBe(stableJsonStringify({ b: 2, a: 1 }));
  });

  it("throws on cycles", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => stableJsonStringify(cyclic)).toThrow(/cycle/);
  });
});

describe("stableJsonStringify: canonical text", () => {
  it("sorts keys at every depth, so key order never changes the text", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: "s" } };
    const b = { a: { c: "s", d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(stableJsonStringify(a)).toBe('{"a":{"c":"s","d":[1,{"x":1,"y":2}]},"b":1}');
    expect(stableJsonStringify(b)).toBe(stableJsonStringify(a));
  });

  it("drops undefined properties, writes undefined array items as null, bigints as decimal strings", () => {
    expect(stableJsonStringify({ a: undefined, b: null, c: [undefined, 1n, 2] })).toBe(
      '{"b":null,"c":[null,"1",2]}',
    );
    expect(stableJsonStringify(10n ** 30n)).toBe('"1000000000000000000000000000000"');
    expect(stableJsonStringify(undefined)).toBe("null");
    expect(stableJsonStringify([])).toBe("[]");
    expect(stableJsonStringify({})).toBe("{}");
  });

  it("escapes strings and keys as JSON does, and tells a string from a number", () => {
    expect(stableJsonStringify({ 'k"\n': 'v"\\\u0001' })).toBe(JSON.stringify({ 'k"\n': 'v"\\\u0001' }));
    expect(stableJsonStringify({ a: "1" })).not.toBe(stableJsonStringify({ a: 1 }));
    expect(stableJsonStringify([1, [2]])).not.toBe(stableJsonStringify([[1], 2]));
  });

  it("is the JSON of the value (parses back to it) for plain JSON values", () => {
    const value = { role: "user", content: [{ type: "text", text: "héllo ✓" }], n: 1.5, ok: true };
    expect(JSON.parse(stableJsonStringify(value))).toEqual(value);
  });
});

describe("stableJsonStringify: what JSON.stringify does", () => {
  it("uses toJSON (dates), drops functions and symbols from objects, writes them as null in arrays", () => {
    const at = new Date(0);
    expect(stableJsonStringify({ at, f: () => 1, s: Symbol("x"), list: [() => 1, Symbol("y")] })).toBe(
      '{"at":"1970-01-01T00:00:00.000Z","list":[null,null]}',
    );
    expect(stableJsonStringify({ n: Number.NaN, i: -0, big: 1e21 })).toBe(
      JSON.stringify({ big: 1e21, i: -0, n: null }),
    );
  });

  it("gives a shared (not cyclic) object twice, and a cycle through an array still throws", () => {
    const shared = { x: 1 };
    expect(stableJsonStringify({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
    const list: unknown[] = [];
    list.push({ back: list });
    expect(() => stableJsonStringify(list)).toThrow(/cycle/);
  });
});
