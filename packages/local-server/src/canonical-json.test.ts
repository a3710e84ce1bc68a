import { describe, expect, it } from "vitest";
import { canonicalJson } from "./canonical-json.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}',
    );
  });

  it("gives equal strings for bodies that differ only in key order", () => {
    expect(canonicalJson({ message: "gm", encoding: "utf-8" })).toBe(
      canonicalJson({ encoding: "utf-8", message: "gm" }),
    );
  });

  it("keeps array order and primitive values", () => {
    expect(canonicalJson([3, "x", true, null])).toBe('[3,"x",true,null]');
    expect(canonicalJson("s")).toBe('"s"');
  });
});
