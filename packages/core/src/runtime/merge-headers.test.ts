import { describe, expect, it } from "vitest";
import { mergeHeaders } from "./merge-headers.js";

/** What `Headers` makes of the sources: the reference the merge must match. */
function throughHeaders(...sources: Array<HeadersInit | undefined>): Record<string, string> {
  const merged = new Headers();
  for (const source of sources) {
    if (!source) continue;
    new Headers(source).forEach((value, key) => {
      merged.set(key, value);
    });
  }
  return Object.fromEntries(merged.entries());
}

describe("mergeHeaders", () => {
  const cases: Array<[string, Array<HeadersInit | undefined>]> = [
    ["nothing", []],
    ["undefined sources", [undefined, undefined]],
    ["one plain object", [{ "idempotency-key": "k-1" }]],
    [
      "later wins, names case-insensitive",
      [{ "X-Trace": "a", Accept: "x" }, { "x-trace": "b" }, { ACCEPT: "y" }],
    ],
    ["a Headers source", [{ a: "1" }, new Headers({ B: "2", a: "3" })]],
    ["an entries source", [[["X-A", "1"]], { "x-a": "2" }]],
    ["two spellings in one source", [{ "X-A": "1", "x-a": "2" }]],
    ["a value with spaces around it", [{ a: "  padded\t" }]],
    ["an empty value", [{ a: "" }]],
    ["inner spaces and Latin-1", [{ a: "one two café" }]],
    ["a __proto__ name", [{ ["__proto__"]: "p" } as unknown as HeadersInit]],
    ["a prototype-less object", [Object.assign(Object.create(null), { A: "1" }) as HeadersInit]],
  ];
  for (const [name, sources] of cases) {
    it(`merges ${name} as Headers does`, () => {
      const merged = mergeHeaders(...sources);
      expect(merged).toEqual(throughHeaders(...sources));
      expect(Object.keys(merged).sort()).toEqual(Object.keys(throughHeaders(...sources)).sort());
    });
  }

  const invalid: Array<[string, HeadersInit]> = [
    ["a name with a space", { "bad name": "v" }],
    ["a value with a newline", { a: "v\r\nInjected: 1" }],
    ["a value with a NUL", { a: "v\0" }],
    ["a value beyond Latin-1", { a: "€" }],
  ];
  for (const [name, source] of invalid) {
    it(`throws on ${name}, as Headers does`, () => {
      expect(() => throughHeaders(source)).toThrow(TypeError);
      expect(() => mergeHeaders({ ok: "1" }, source)).toThrow(TypeError);
    });
  }
});
