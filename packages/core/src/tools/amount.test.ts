import { describe, expect, it } from "vitest";
import { formatEther, limitToWei, toWei } from "./amount.js";

describe("amounts", () => {
  it("parses ether and wei exactly, without floating point", () => {
    expect(toWei("0.01", "ether")).toBe(10_000_000_000_000_000n);
    expect(toWei("1", "ether")).toBe(10n ** 18n);
    expect(toWei("0.000000000000000001", "ether")).toBe(1n);
    expect(toWei("123456789.123456789123456789", "ether")).toBe(123456789123456789123456789n);
    expect(toWei("42", "wei")).toBe(42n);
    expect(toWei("42.000", "wei")).toBe(42n);
  });

  it("refuses what a model might get wrong, saying how to fix it", () => {
    expect(() => toWei("1e18", "wei")).toThrow(/not a decimal number/);
    expect(() => toWei("-1", "ether")).toThrow(/not a decimal number/);
    expect(() => toWei("0.5 ETH", "ether")).toThrow(/no unit in the string|not a decimal number/);
    expect(() => toWei("1.5", "wei")).toThrow(/whole number/);
    expect(() => toWei("0.0000000000000000001", "ether")).toThrow(/18 decimals/);
  });

  it("formats wei as ether and reads policy limits", () => {
    expect(formatEther(10_000_000_000_000_000n)).toBe("0.01");
    expect(formatEther(10n ** 18n)).toBe("1");
    expect(formatEther(0n)).toBe("0");
    expect(limitToWei("0.5", "budget")).toBe(5n * 10n ** 17n);
    expect(limitToWei(7n, "budget")).toBe(7n);
    expect(() => limitToWei("half", "budget")).toThrow(/budget "half"/);
  });
});
