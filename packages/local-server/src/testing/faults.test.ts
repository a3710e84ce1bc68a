import { describe, expect, it } from "vitest";
import { createFaults } from "./faults.js";

describe("createFaults", () => {
  it("applies a fault to its operation only, for `times` requests", () => {
    const faults = createFaults(() => 0);
    const handle = faults.inject("exchange", { status: 503, times: 2 });
    expect(faults.take("challenge")).toBeUndefined();
    expect(faults.take("exchange")?.status).toBe(503);
    expect(faults.take("exchange")?.status).toBe(503);
    expect(faults.take("exchange")).toBeUndefined();
    expect(handle.hits).toBe(2);
  });

  it("applies until removed when `times` is absent", () => {
    const faults = createFaults(() => 0);
    const handle = faults.inject("refresh", { drop: true });
    for (let i = 0; i < 5; i++) expect(faults.take("refresh")?.drop).toBe(true);
    handle.remove();
    expect(faults.take("refresh")).toBeUndefined();
  });

  it("draws the probability from the injected random", () => {
    const draws = [0.1, 0.9, 0.4, 0.6];
    const faults = createFaults(() => draws.shift() ?? 1);
    faults.inject("signMessage", { status: 500, probability: 0.5 });
    const applied = [1, 2, 3, 4].map(() => faults.take("signMessage") !== undefined);
    expect(applied).toEqual([true, false, true, false]);
  });

  it("adds Retry-After to a 429 unless given", () => {
    const faults = createFaults(() => 0);
    faults.inject("challenge", { status: 429, times: 1 });
    faults.inject("challenge", { status: 429, headers: { "Retry-After": "7" }, times: 1 });
    expect(faults.take("challenge")?.headers).toEqual({ "retry-after": "1" });
    expect(faults.take("challenge")?.headers).toEqual({ "Retry-After": "7" });
  });

  it("uses the first matching fault and clears all", () => {
    const faults = createFaults(() => 0);
    faults.inject("getAgent", { status: 500, times: 1 });
    faults.inject("getAgent", { latencyMs: 5 });
    expect(faults.take("getAgent")?.status).toBe(500);
    expect(faults.take("getAgent")).toMatchObject({ status: undefined, latencyMs: 5 });
    faults.clear();
    expect(faults.take("getAgent")).toBeUndefined();
  });

  it("refuses nonsense specs", () => {
    const faults = createFaults(() => 0);
    expect(() => faults.inject("getAgent", { status: 42 })).toThrow(RangeError);
    expect(() => faults.inject("getAgent", { times: 0 })).toThrow(RangeError);
    expect(() => faults.inject("getAgent", { probability: 2 })).toThrow(RangeError);
  });
});
