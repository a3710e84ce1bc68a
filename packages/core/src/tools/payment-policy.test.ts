import { describe, expect, it } from "vitest";
import { formatTokenAmount, parseTokenAmount } from "./erc20.js";
import {
  checkRequirement,
  type PaymentRequirementLike,
  requirementAmount,
  validatePaymentPolicy,
} from "./payment-policy.js";

const USDC = "0x1111111111111111111111111111111111111111";
const PAY_TO = "0x2222222222222222222222222222222222222222";
const tokens = { USDC: { address: USDC } };
const url = new URL("https://api.example.com:8443/report");
const requirement = (override: Partial<PaymentRequirementLike> = {}): PaymentRequirementLike => ({
  scheme: "exact",
  network: "eip155:8453",
  asset: USDC,
  payTo: PAY_TO,
  amount: "10000",
  maxTimeoutSeconds: 60,
  extra: { name: "USD Coin", version: "2" },
  ...override,
});
const ruleOf = (fn: () => unknown) => {
  try {
    fn();
    return "accepted";
  } catch (error) {
    return (error as { rule?: string }).rule ?? (error as Error).message;
  }
};

describe("checkRequirement (before anything is signed)", () => {
  const policy = { allowedHosts: ["api.example.com"] };
  it("accepts a listed asset on the call's network from an allowed host", () => {
    expect(checkRequirement(policy, tokens, requirement(), url, "eip155:8453")).toEqual({
      symbol: "USDC",
      amount: 10000n,
    });
    // host with port, v1 amount field, case-insensitive addresses
    expect(
      checkRequirement(
        { allowedHosts: ["api.example.com:8443"], payTo: [PAY_TO.toUpperCase().replace("0X", "0x")] },
        tokens,
        requirement({
          amount: undefined,
          maxAmountRequired: "7",
          asset: USDC.toUpperCase().replace("0X", "0x"),
        }),
        url,
        "eip155:8453",
      ),
    ).toEqual({ symbol: "USDC", amount: 7n });
  });

  it.each([
    ["another scheme", requirement({ scheme: "upto" }), "payment_scheme"],
    ["permit2", requirement({ extra: { assetTransferMethod: "permit2" } }), "payment_scheme"],
    ["another network", requirement({ network: "eip155:1" }), "payment_network"],
    ["a v1 network name", requirement({ network: "base" }), "payment_network"],
    ["an unlisted asset", requirement({ asset: PAY_TO }), "payment_asset"],
    ["a bad payTo", requirement({ payTo: "nobody" }), "payment_requirements"],
    ["an amount with a sign", requirement({ amount: "-1" }), "payment_requirements"],
    ["an amount in exponent form", requirement({ amount: "1e6" }), "payment_requirements"],
    ["an amount over uint256", requirement({ amount: (2n ** 256n).toString() }), "payment_requirements"],
    ["a huge amount string", requirement({ amount: "9".repeat(5000) }), "payment_requirements"],
    ["a non-string amount", requirement({ amount: 5 as unknown as string }), "payment_requirements"],
    ["no timeout", requirement({ maxTimeoutSeconds: undefined }), "payment_requirements"],
    ["a window over an hour", requirement({ maxTimeoutSeconds: 3601 }), "payment_requirements"],
  ])("refuses %s", (_name, req, rule) => {
    expect(ruleOf(() => checkRequirement(policy, tokens, req, url, "eip155:8453"))).toBe(rule);
  });

  it("refuses unlisted hosts and pay-to addresses, and a policy that allows no payee", () => {
    expect(
      ruleOf(() =>
        checkRequirement({ allowedHosts: ["example.com"] }, tokens, requirement(), url, "eip155:8453"),
      ),
    ).toBe("payment_host");
    expect(
      ruleOf(() =>
        checkRequirement(
          { allowedHosts: ["api.example.com"], payTo: [USDC] },
          tokens,
          requirement(),
          url,
          "eip155:8453",
        ),
      ),
    ).toBe("payment_pay_to");
    expect(ruleOf(() => checkRequirement({}, tokens, requirement(), url, "eip155:8453"))).toBe(
      "payment_payee",
    );
    expect(
      ruleOf(() =>
        checkRequirement({ ...policy, assets: ["DAI"] }, tokens, requirement(), url, "eip155:8453"),
      ),
    ).toBe("payment_asset");
    expect(
      ruleOf(() =>
        checkRequirement({ ...policy, networks: ["eip155:1"] }, tokens, requirement(), url, "eip155:8453"),
      ),
    ).toBe("payment_network");
  });

  it("requirementAmount keeps the exact value", () => {
    expect(requirementAmount(requirement({ amount: (2n ** 256n - 1n).toString() }))).toBe(2n ** 256n - 1n);
  });

  it("validates the host's policy when the tools are built", () => {
    expect(() => validatePaymentPolicy({ payTo: ["0x12"] })).toThrow(/payTo/);
    expect(() => validatePaymentPolicy({ maxPerPayment: "1e3" })).toThrow(/maxPerPayment/);
    expect(() => validatePaymentPolicy({ maxBodyBytes: 0 })).toThrow(/maxBodyBytes/);
    expect(() => validatePaymentPolicy({ timeoutMs: 1.5 })).toThrow(/timeoutMs/);
    expect(() => validatePaymentPolicy({ allowedHosts: ["a.example"], maxPerPayment: "0.5" })).not.toThrow();
  });
});

describe("token amounts", () => {
  it("parses decimals exactly in the token's units, never rounding", () => {
    expect(parseTokenAmount("1.25", 6, "USDC")).toBe(1_250_000n);
    expect(parseTokenAmount("0.000001", 6, "USDC")).toBe(1n);
    expect(parseTokenAmount("2.500000", 6, "USDC")).toBe(2_500_000n);
    expect(parseTokenAmount("7", 0, "NFTX")).toBe(7n);
    expect(() => parseTokenAmount("0.0000001", 6, "USDC")).toThrow(/6 decimals/);
    expect(() => parseTokenAmount("-1", 6, "USDC")).toThrow(/not a decimal/);
    expect(() => parseTokenAmount("1e3", 6, "USDC")).toThrow(/not a decimal/);
  });

  it("formats base units without trailing zeros", () => {
    expect(formatTokenAmount(1_250_000n, 6)).toBe("1.25");
    expect(formatTokenAmount(1_000_000_000n, 6)).toBe("1000");
    expect(formatTokenAmount(1n, 18)).toBe("0.000000000000000001");
    expect(formatTokenAmount(5n, 0)).toBe("5");
  });
});

describe("tokens as an alias of policy.tokens", () => {
  it("a token limited in both places is a configuration error; a symbol-only alias is fine", async () => {
    const { createLucidToolDescriptors } = await import("./create-lucid-tools.js");
    const conflict = () =>
      createLucidToolDescriptors({
        tokens: { USDC: { address: USDC, budget: "5" } },
        policy: { tokens: { [USDC]: { budget: "5000000" } } },
      });
    expect(conflict).toThrow(expect.objectContaining({ code: "configuration_error" }));
    const twice = () =>
      createLucidToolDescriptors({
        tokens: {
          USDC: { address: USDC, budget: "5" },
          USDC2: { address: USDC.toUpperCase().replace("0X", "0x"), budget: "1" },
        },
      });
    expect(twice).toThrow(expect.objectContaining({ code: "configuration_error" }));
    expect(() =>
      createLucidToolDescriptors({
        tokens: { USDC: { address: USDC } },
        policy: { tokens: { [USDC]: { budget: "5000000" } } },
      }),
    ).not.toThrow();
  });

  it("a payment in a token of policy.tokens only is accepted (no symbol), another address is not", () => {
    const policyTokens = new Map([[PAY_TO.replace("22", "33").toLowerCase(), {}]]);
    const other = PAY_TO.replace("22", "33");
    const policy = { allowedHosts: ["api.example.com:8443"] };
    expect(
      checkRequirement(policy, undefined, requirement({ asset: other }), url, "eip155:8453", policyTokens),
    ).toEqual({
      symbol: undefined,
      amount: 10000n,
    });
    expect(
      ruleOf(() =>
        checkRequirement(policy, undefined, requirement({ asset: USDC }), url, "eip155:8453", policyTokens),
      ),
    ).toBe("payment_asset");
  });
});
