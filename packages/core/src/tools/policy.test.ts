import { describe, expect, it } from "vitest";
import { PolicyEnforcer } from "./policy.js";
import { isPolicyRefused } from "./tool-errors.js";

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (isPolicyRefused(error)) return error.rule;
    throw error;
  }
  return null;
};

describe("PolicyEnforcer", () => {
  it("checks chains and recipients", () => {
    const policy = new PolicyEnforcer({
      allowedChains: ["eip155:8453"],
      recipientAllowlist: ["0x000000000000000000000000000000000000dEaD"],
    });
    expect(refusal(() => policy.checkChain("eip155:8453"))).toBeNull();
    expect(refusal(() => policy.checkChain("eip155:1"))).toBe("allowed_chains");
    expect(
      refusal(() => policy.checkTransaction("0x000000000000000000000000000000000000dead", null)),
    ).toBeNull();
    expect(refusal(() => policy.checkTransaction(`0x${"11".repeat(20)}`, null))).toBe("recipient_allowlist");
  });

  it("refuses allowance-granting calldata unless allowed", () => {
    const approve = `0x095ea7b3${"00".repeat(64)}`;
    expect(refusal(() => new PolicyEnforcer().checkTransaction(`0x${"11".repeat(20)}`, approve))).toBe(
      "approvals",
    );
    expect(
      refusal(() =>
        new PolicyEnforcer({ allowTokenApprovals: true }).checkTransaction(`0x${"11".repeat(20)}`, approve),
      ),
    ).toBeNull();
    expect(
      refusal(() => new PolicyEnforcer().checkTransaction(`0x${"11".repeat(20)}`, "0xa9059cbb")),
    ).toBeNull();
  });

  it("enforces the per-transaction maximum and a per-session budget, with release", () => {
    const policy = new PolicyEnforcer({ maxValuePerTransaction: "0.5", budgetPerSession: "1" });
    const sessionA = {};
    const sessionB = {};
    const half = 5n * 10n ** 17n;
    expect(refusal(() => policy.reserveValue(sessionA, half + 1n, "c0"))).toBe("max_value");
    policy.reserveValue(sessionA, half, "c1");
    const release = policy.reserveValue(sessionA, half, "c2");
    expect(refusal(() => policy.checkValue(sessionA, 1n))).toBe("budget");
    expect(refusal(() => policy.reserveValue(sessionA, 1n, "c3"))).toBe("budget");
    expect(refusal(() => policy.reserveValue(sessionB, half, "c1"))).toBeNull(); // budgets are per session
    release();
    release(); // idempotent
    expect(refusal(() => policy.reserveValue(sessionA, half, "c4"))).toBeNull();
  });

  it("does not count a replayed call (same tool-call id) twice against the budget", () => {
    const policy = new PolicyEnforcer({ budgetPerSession: "0.03" });
    const session = {};
    const value = 2n * 10n ** 16n;
    policy.reserveValue(session, value, "same");
    expect(refusal(() => policy.checkValue(session, value, "same"))).toBeNull();
    expect(refusal(() => policy.reserveValue(session, value, "same"))).toBeNull();
    expect(refusal(() => policy.reserveValue(session, value, "other"))).toBe("budget");
  });

  it("refuses permit/approval-like typed data unless allowed", () => {
    const permitTypes = {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
      ],
    };
    const mailTypes = { Mail: [{ name: "contents", type: "string" }] };
    expect(refusal(() => new PolicyEnforcer().checkTypedData("Permit", permitTypes))).toBe("approvals");
    expect(
      refusal(() =>
        new PolicyEnforcer().checkTypedData("Order", { Order: [{ name: "spender", type: "address" }] }),
      ),
    ).toBe("approvals");
    expect(refusal(() => new PolicyEnforcer().checkTypedData("Mail", mailTypes))).toBeNull();
    expect(
      refusal(() =>
        new PolicyEnforcer({ typedData: { allowedPrimaryTypes: ["Permit"] } }).checkTypedData(
          "Permit",
          permitTypes,
        ),
      ),
    ).toBeNull();
    expect(
      refusal(() =>
        new PolicyEnforcer({ typedData: { allowApprovals: true } }).checkTypedData("Permit", permitTypes),
      ),
    ).toBeNull();
  });

  it("rejects a malformed limit at construction", () => {
    expect(() => new PolicyEnforcer({ maxValuePerTransaction: "lots" })).toThrow(/maxValuePerTransaction/);
  });
});
