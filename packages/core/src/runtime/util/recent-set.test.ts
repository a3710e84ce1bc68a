import { expect, it } from "vitest";
import { RecentSet } from "./recent-set.js";

it("keeps the last `limit` entries and evicts the oldest first", () => {
  const set = new RecentSet(3);
  expect(set.size).toBe(0);
  expect(set.has("a")).toBe(false);
  for (const entry of ["a", "b", "c", "d"]) set.add(entry);
  expect(set.size).toBe(3);
  expect(set.has("a")).toBe(false);
  expect(["b", "c", "d"].every((entry) => set.has(entry))).toBe(true);
  set.add("b"); // already kept: nothing is evicted
  expect(set.size).toBe(3);
  set.add("e");
  expect(set.has("b")).toBe(false);
  expect(set.has("e")).toBe(true);
});
