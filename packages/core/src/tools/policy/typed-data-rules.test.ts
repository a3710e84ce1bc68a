import { describe, expect, it } from "vitest";
import { AgentAuthError } from "../../runtime/errors.js";
import { parseTypedData } from "../sign-typed-data.js";
import { isPolicyRefused } from "../tool-errors.js";
import type { LucidToolPolicy } from "./policy-options.js";
import { resolvePolicy } from "./resolve-policy.js";
import { ATTACKER, calldata, TOKEN, WALLET } from "./test-fixtures.js";
import { checkTypedDataShape, decideTypedData } from "./typed-data-rules.js";

const ZERO = "0x0000000000000000000000000000000000000000";
const domain = (extra: Record<string, unknown> = {}) => ({
  name: "Token",
  version: "1",
  chainId: 8453,
  ...extra,
});

/** The outcome of the whole typed-data path (parse, shape, decide) for a JSON text. */
function outcome(value: unknown, policy: LucidToolPolicy = {}): string {
  try {
    const parsed = parseTypedData(typeof value === "string" ? value : JSON.stringify(value));
    checkTypedDataShape(parsed);
    decideTypedData(resolvePolicy(policy), parsed);
    return "allowed";
  } catch (error) {
    if (isPolicyRefused(error)) return `refused:${error.rule}:${error.message}`;
    if (AgentAuthError.isInstance(error)) return error.code;
    throw error;
  }
}

const permit = (d = domain({ verifyingContract: TOKEN })) => ({
  domain: d,
  types: {
    Permit: [
      { name: "owner", type: "address" },
      { name: "spender", type: "address" },
      { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" },
      { name: "deadline", type: "uint256" },
    ],
  },
  primaryType: "Permit",
  message: { owner: WALLET, spender: ATTACKER, value: "1000", nonce: "0", deadline: "9" },
});

describe("decideTypedData", () => {
  it("refuses any domain with a verifyingContract (zero address included) unless the host allows it", () => {
    const order = {
      domain: domain({ verifyingContract: ZERO }),
      types: { Note: [{ name: "text", type: "string" }] },
      primaryType: "Note",
      message: { text: "hi" },
    };
    expect(outcome(order)).toMatch(/^refused:typed_data_domain:/);
    expect(outcome({ ...order, domain: domain() })).toBe("allowed");
    expect(outcome(order, { typedData: { domains: [{ verifyingContract: ZERO, chainId: 8453 }] } })).toBe(
      "allowed",
    );
    expect(outcome(order, { typedData: { domains: [{ verifyingContract: ZERO, chainId: 1 }] } })).toMatch(
      /typed_data_domain/,
    );
    expect(outcome(order, { typedData: { domains: [{ name: "Token", primaryTypes: ["Other"] }] } })).toMatch(
      /typed_data_domain/,
    );
    expect(outcome(order, { allowedChains: ["eip155:1"] })).toMatch(/^refused:allowed_chains/);
  });

  it("names spender, receiver and amounts of the asset-moving schemas it refuses", () => {
    expect(outcome(permit())).toContain("typed_data_domain");
    const allowedDomain = { typedData: { domains: [{ verifyingContract: TOKEN }] } };
    const refused = outcome(permit(), allowedDomain);
    expect(refused).toMatch(/^refused:approvals:EIP-2612 Permit \(lets spender 0x0+bad0 spend 1000/);
    expect(
      outcome(permit(), { typedData: { domains: [{ verifyingContract: TOKEN, primaryTypes: ["Permit"] }] } }),
    ).toBe("allowed");
    expect(
      outcome(permit(), { typedData: { ...allowedDomain.typedData, allowedPrimaryTypes: ["Permit"] } }),
    ).toBe("allowed");

    const seaport = {
      domain: domain({ name: "Seaport", verifyingContract: TOKEN }),
      types: {
        OrderComponents: [
          { name: "offerer", type: "address" },
          { name: "offer", type: "OfferItem[]" },
          { name: "consideration", type: "ConsiderationItem[]" },
        ],
        OfferItem: [
          { name: "token", type: "address" },
          { name: "startAmount", type: "uint256" },
        ],
        ConsiderationItem: [
          { name: "token", type: "address" },
          { name: "startAmount", type: "uint256" },
          { name: "recipient", type: "address" },
        ],
      },
      primaryType: "OrderComponents",
      message: {
        offerer: WALLET,
        offer: [{ token: TOKEN, startAmount: "500" }],
        consideration: [{ token: ZERO, startAmount: "1", recipient: ATTACKER }],
      },
    };
    expect(outcome(seaport, allowedDomain)).toMatch(
      /Seaport order \(offers 500 of 0x0+70c0 for 1 of 0x0+ to 0x0+bad0\)/,
    );

    const safeTx = {
      domain: { chainId: 8453, verifyingContract: TOKEN },
      types: {
        SafeTx: [
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "data", type: "bytes" },
          { name: "operation", type: "uint8" },
        ],
      },
      primaryType: "SafeTx",
      message: { to: TOKEN, value: "0", data: calldata.approve(ATTACKER), operation: 0 },
    };
    expect(outcome(safeTx, allowedDomain)).toMatch(
      /Safe transaction \(executes a call to 0x0+70c0 .*data 0x095ea7b3/,
    );

    const forward = {
      domain: domain({ verifyingContract: TOKEN }),
      types: {
        ForwardRequest: [
          { name: "from", type: "address" },
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "data", type: "bytes" },
        ],
      },
      primaryType: "ForwardRequest",
      message: { from: WALLET, to: TOKEN, value: "0", data: calldata.transfer(ATTACKER, 1n) },
    };
    expect(outcome(forward, allowedDomain)).toMatch(/ERC-2771 ForwardRequest/);

    const cow = {
      domain: domain({ name: "Gnosis Protocol", verifyingContract: TOKEN }),
      types: {
        Order: [
          { name: "sellToken", type: "address" },
          { name: "buyToken", type: "address" },
          { name: "receiver", type: "address" },
          { name: "sellAmount", type: "uint256" },
          { name: "buyAmount", type: "uint256" },
        ],
      },
      primaryType: "Order",
      message: { sellToken: TOKEN, buyToken: ZERO, receiver: ATTACKER, sellAmount: "10", buyAmount: "1" },
    };
    expect(outcome(cow, allowedDomain)).toMatch(/CoW Order .*receiver 0x0+bad0/);
  });

  it("always refuses EIP-3009 authorisations, whatever the policy", () => {
    const auth = {
      domain: domain({ verifyingContract: TOKEN }),
      types: {
        TransferWithAuthorization: [
          { name: "from", type: "address" },
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
        ],
      },
      primaryType: "TransferWithAuthorization",
      message: { from: WALLET, to: ATTACKER, value: "5" },
    };
    const everything = {
      typedData: {
        allowApprovals: true,
        allowedPrimaryTypes: ["TransferWithAuthorization"],
        domains: [{ verifyingContract: TOKEN }],
      },
    };
    expect(outcome(auth, everything)).toMatch(/^refused:eip3009/);
  });

  it("looks types up as own properties: prototype names are input errors or plain types, never crashes", () => {
    for (const primaryType of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
      expect(outcome({ domain: domain(), types: {}, primaryType, message: {} })).toBe("invalid_input");
      const own = JSON.parse(
        `{"domain":{"name":"x"},"types":{${JSON.stringify(primaryType)}:[{"name":"a","type":"string"}]},"primaryType":${JSON.stringify(primaryType)},"message":{"a":"b"}}`,
      );
      expect(["allowed", "invalid_input"]).toContain(outcome(own));
    }
    expect(
      outcome({
        domain: domain(),
        types: { A: [{ name: "b", type: "toString" }] },
        primaryType: "A",
        message: { b: 1 },
      }),
    ).toBe("invalid_input");
    expect(outcome("{not json")).toBe("invalid_input");
    expect(
      outcome({
        domain: domain(),
        types: { A: [{ name: "b", type: "uint256" }] },
        primaryType: "A",
        message: { b: "lots" },
      }),
    ).toBe("invalid_input");
  });
});
