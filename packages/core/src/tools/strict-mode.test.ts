import { describe, expect, it } from "vitest";
import { strictModeProblems } from "./strict-mode.js";

describe("strictModeProblems", () => {
  it("accepts a strict schema with nullable fields", () => {
    expect(
      strictModeProblems({
        type: "object",
        properties: { to: { type: "string" }, data: { type: ["string", "null"] } },
        required: ["to", "data"],
        additionalProperties: false,
      }),
    ).toEqual([]);
  });

  it("names every problem with its path", () => {
    expect(
      strictModeProblems({
        type: "object",
        properties: {
          to: { type: "string", pattern: "^0x" },
          nested: { type: "object", properties: {} },
          list: { type: "array", items: { type: "integer", minimum: 0 } },
        },
        required: ["to", "nested"],
      }),
    ).toEqual([
      "$: additionalProperties is not false",
      "$.to: pattern",
      "$.nested: no properties",
      "$.nested: additionalProperties is not false",
      "$.list: not required",
      "$.list[]: minimum",
    ]);
  });
});
