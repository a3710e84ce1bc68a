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
