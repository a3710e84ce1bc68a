import { stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { isPolicyRefused } from "../tool-errors.js";
import { decideMessage } from "./message-rules.js";
import type { LucidToolPolicy } from "./policy-options.js";
import { resolvePolicy } from "./resolve-policy.js";
import { WALLET } from "./test-fixtures.js";

function rule(message: string, encoding: "utf-8" | "hex" = "utf-8", policy: LucidToolPolicy = {}): string {
  try {
    decideMessage(resolvePolicy(policy), message, encoding);
    return "allowed";
  } catch (error) {
    if (isPolicyRefused(error)) return error.rule;
    throw error;
  }
}

const siwe = (domain: string) =>
  `${domain} wants you to sign in with your Ethereum account:\n${WALLET}\n\nSign in\n\nURI: https://${domain}\nVersion: 1\nChain ID: 8453\nNonce: abcdefgh12\nIssued At: 2026-01-01T00:00:00Z`;

describe("decideMessage", () => {
  it("signs Sign-In-With-Ethereum messages only for listed domains, in text or hex", () => {
    expect(rule(siwe("evil.example"))).toBe("siwe_domain");
    expect(rule(stringToHex(siwe("evil.example")), "hex")).toBe("siwe_domain");
    expect(rule(`Please read:\n${siwe("evil.example")}`)).toBe("siwe_domain");
    expect(rule(siwe("app.example.com"), "utf-8", { messages: { siweDomains: ["app.example.com"] } })).toBe(
      "allowed",
    );
    expect(rule(siwe("evil.example"), "utf-8", { messages: { siweDomains: ["app.example.com"] } })).toBe(
      "siwe_domain",
    );
    const listed = { messages: { siweDomains: ["app.example.com"] } };
    expect(rule(`https://${siwe("app.example.com")}`, "utf-8", listed)).toBe("allowed");
    expect(rule(siwe("app.example.com.evil.example"), "utf-8", listed)).toBe("siwe_domain");
    expect(
      rule(siwe("app.example.com"), "utf-8", {
        allowedChains: ["eip155:1"],
        messages: { siweDomains: ["app.example.com"] },
      }),
    ).toBe("allowed_chains");
  });

  it("refuses a bare 32-byte value unless allowed, and caps the length", () => {
    const hash = `0x${"ab".repeat(32)}`;
    expect(rule(hash)).toBe("message_hash");
    expect(rule(hash.slice(2))).toBe("message_hash");
    expect(rule(` ${hash}\n`)).toBe("message_hash");
    expect(rule(hash, "hex")).toBe("message_hash");
    expect(rule(hash, "hex", { messages: { allowHashes: true } })).toBe("allowed");
    expect(rule(`0x${"ab".repeat(31)}`, "hex")).toBe("allowed");
    expect(rule("gm".repeat(2049))).toBe("message_length");
    expect(rule("gm".repeat(10), "utf-8", { messages: { maxLength: 5 } })).toBe("message_length");
    expect(rule("gm from the Lucid demo")).toBe("allowed");
  });
});
