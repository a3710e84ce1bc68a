import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AgentAuthError } from "../../runtime/errors.js";
import { parseTypedData } from "../sign-typed-data.js";
import { isPolicyRefused } from "../tool-errors.js";
import { decideMessage } from "./message-rules.js";
import type { LucidToolPolicy } from "./policy-options.js";
import { resolvePolicy } from "./resolve-policy.js";
import { ATTACKER, calldata, FRIEND, TOKEN, WALLET } from "./test-fixtures.js";
import { decideTransaction } from "./transaction-rules.js";
import { checkTypedDataShape, decideTypedData } from "./typed-data-rules.js";

/** 10,000 inputs per decision function: the properties must hold for every one. */
const RUNS = 10_000;
const CHAIN = "eip155:8453";
const POLICY: LucidToolPolicy = {
  allowedChains: [CHAIN],
  maxValuePerTransaction: "0.05",
  budgetPerSession: "0.2",
  recipientAllowlist: [TOKEN, FRIEND],
  tokens: { [TOKEN]: { maxPerTransaction: "1000" } },
  approvals: [{ token: TOKEN, spender: FRIEND, maxAmount: "50" }],
};
const resolved = resolvePolicy(POLICY);

const address = fc.constantFrom(TOKEN, FRIEND, ATTACKER, WALLET, `0x${"00".repeat(20)}`);
const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2000n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }));
const innerCall = fc.oneof(
  fc.tuple(address, amount).map(([to, n]) => calldata.transfer(to, n)),
  fc.tuple(address, address, amount).map(([from, to, n]) => calldata.transferFrom(from, to, n)),
  fc.tuple(address, amount).map(([spender, n]) => calldata.approve(spender, n)),
  fc.tuple(address, amount).map(([spender, n]) => calldata.increaseAllowance(spender, n)),
  address.map((operator) => calldata.setApprovalForAll(operator)),
  fc.tuple(address, address, amount).map(([from, to, id]) => calldata.nftTransfer(from, to, id)),
  fc.tuple(address, address).map(([token, spender]) => calldata.permit2Approve(token, spender)),
  address.map((operator) => calldata.authorizeOperator(operator)),
  address.map((to) => calldata.delegate(to)),
  fc
    .uint8Array({ minLength: 0, maxLength: 80 })
    .map((bytes) => `0x${Buffer.from(bytes).toString("hex")}` as `0x${string}`),
);
const data = fc.oneof(
  fc.constant(null),
  innerCall,
  fc.array(innerCall, { maxLength: 3 }).map((calls) => calldata.multicall(calls)),
  fc
    .array(fc.tuple(address, innerCall), { maxLength: 3 })
    .map((calls) => calldata.aggregate3(calls.map(([target, callData]) => ({ target, callData })))),
  // truncated or corrupted calldata
  innerCall.map((d) => d.slice(0, Math.max(2, d.length - 6)) as `0x${string}`),
);
const wei = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 17n }), fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }));
const optionalWei = fc.option(wei, { nil: undefined });

describe("decision functions under 10,000 fuzzed inputs each", () => {
  it("decideTransaction: allows only what every rule allows, refuses with a typed error otherwise", () => {
    fc.assert(
      fc.property(
        fc.record({
          caip2: fc.constantFrom(CHAIN, "eip155:1"),
          to: address,
          value: wei,
          data,
          gas: optionalWei,
          maxFeePerGas: optionalWei,
          maxPriorityFeePerGas: optionalWei,
        }),
        (request) => {
          let decision: ReturnType<typeof decideTransaction>;
          try {
            decision = decideTransaction(resolved, request);
          } catch (error) {
            expect(isPolicyRefused(error), String(error)).toBe(true);
            return;
          }
          expect(request.caip2).toBe(CHAIN);
          expect([TOKEN, FRIEND]).toContain(request.to);
          expect(decision.cost).toBeLessThanOrEqual(5n * 10n ** 16n);
          expect(decision.fee).toBeLessThanOrEqual(10n ** 16n);
          expect(decision.decoded.unknown).toEqual([]);
          for (const effect of decision.decoded.effects) {
            if (effect.type === "transfer") {
              expect([TOKEN, FRIEND]).toContain(effect.to);
              expect(effect.token).toBe(TOKEN);
              expect(effect.amount).toBeLessThanOrEqual(1000n);
            } else if (effect.type === "approval") {
              expect(
                effect.amount === 0n ||
                  (effect.spender === FRIEND &&
                    effect.token === TOKEN &&
                    effect.amount !== "all" &&
                    effect.amount <= 50n),
              ).toBe(true);
            } else {
              throw new Error("a delegation was allowed");
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  const json = fc.jsonValue({ maxDepth: 4 });
  const typeName = fc.constantFrom(
    "Permit",
    "Note",
    "constructor",
    "toString",
    "__proto__",
    "SafeTx",
    "TransferWithAuthorization",
    "Order",
    "A",
  );
  const typedData = fc.record({
    domain: fc.oneof(
      json,
      fc.record(
        {
          name: fc.string(),
          chainId: fc.oneof(fc.integer(), fc.string()),
          verifyingContract: fc.oneof(address, fc.string()),
        },
        { requiredKeys: [] },
      ),
    ),
    types: fc.oneof(
      json,
      fc.dictionary(
        typeName,
        fc.array(
          fc.record({
            name: fc.constantFrom("spender", "value", "to", "a", "data"),
            type: fc.constantFrom("address", "uint256", "string", "bytes", "A", "toString", "uint8[]"),
          }),
          { maxLength: 4 },
        ),
        { maxKeys: 3 },
      ),
    ),
    primaryType: fc.oneof(typeName, fc.string()),
    message: fc.oneof(
      json,
      fc.dictionary(fc.constantFrom("spender", "value", "to", "a", "data"), json, { maxKeys: 4 }),
    ),
  });

  it("the typed-data path: never crashes; what passes has no contract domain and moves no assets", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          typedData.map((value) => JSON.stringify(value)),
          fc.string(),
        ),
        (text) => {
          let parsed: ReturnType<typeof parseTypedData>;
          try {
            parsed = parseTypedData(text);
            checkTypedDataShape(parsed);
            decideTypedData(resolved, parsed);
          } catch (error) {
            expect(AgentAuthError.isInstance(error), String(error)).toBe(true);
            expect(["invalid_input", "policy_refused"]).toContain((error as AgentAuthError).code);
            return;
          }
          expect(Object.hasOwn(parsed.domain, "verifyingContract")).toBe(false);
          expect(["Permit", "SafeTx", "TransferWithAuthorization"]).not.toContain(parsed.primaryType);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("decideMessage: never crashes; what passes is short, not a hash, not a sign-in", () => {
    const message = fc.oneof(
      fc.string({ maxLength: 5000 }),
      fc.uint8Array({ maxLength: 64 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
      fc
        .string()
        .map(
          (domain) =>
            `${domain} wants you to sign in with your Ethereum account:\n${WALLET}\n\nURI: https://x\nVersion: 1\nChain ID: 1\nNonce: 12345678\nIssued At: 2026-01-01T00:00:00Z`,
        ),
    );
    fc.assert(
      fc.property(message, fc.constantFrom("utf-8" as const, "hex" as const), (text, encoding) => {
        try {
          decideMessage(resolved, text, encoding);
        } catch (error) {
          expect(AgentAuthError.isInstance(error), String(error)).toBe(true);
          expect(["invalid_input", "policy_refused"]).toContain((error as AgentAuthError).code);
          return;
        }
        expect(text.length).toBeLessThanOrEqual(4096);
        expect(/wants you to sign in with your Ethereum account/i.test(text)).toBe(false);
        if (encoding === "utf-8") expect(/^(0x)?[0-9a-fA-F]{64}$/.test(text.trim())).toBe(false);
        else expect(text.length === 66 && /^0x[0-9a-fA-F]+$/.test(text)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});
