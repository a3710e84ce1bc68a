import { type Hex, hashMessage, hashTypedData } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseSiweMessage } from "viem/siwe";
import { describe, expect, it } from "vitest";
import { buildChallengePayload, type ChallengePayloadInput } from "./challenge-payload.js";
import { verifySignature } from "./verify-signature.js";

const account = privateKeyToAccount(generatePrivateKey());
const input = (format: ChallengePayloadInput["format"]): ChallengePayloadInput => ({
  format,
  baseUrl: "http://127.0.0.1:8787",
  address: account.address,
  chainId: 31337,
  agentRef: "demo-agent",
  credentialId: "cred_eoa_1",
  nonce: "abcdefghijklmnop1234",
  scopes: ["agents.read", "wallet.sign"],
  issuedAt: new Date("2030-01-01T00:00:00Z"),
  expiresAt: new Date("2030-01-01T00:05:00Z"),
});

describe("buildChallengePayload", () => {
  it("siwe: an EIP-4361 message for the credential's address, hashed as EIP-191", async () => {
    const built = buildChallengePayload(input("siwe"));
    if (built.payload.type !== "message") throw new Error("expected a message payload");
    const parsed = parseSiweMessage(built.payload.message);
    expect(parsed).toMatchObject({
      domain: "127.0.0.1:8787",
      address: account.address,
      uri: "http://127.0.0.1:8787",
      version: "1",
      chainId: 31337,
      nonce: "abcdefghijklmnop1234",
      statement: "Sign in to Lucid as agent demo-agent with credential cred_eoa_1.",
    });
    expect(parsed.expirationTime?.toISOString()).toBe("2030-01-01T00:05:00.000Z");
    expect(built.payloadHash).toBe(hashMessage(built.payload.message));
    const signature = await account.signMessage({ message: built.payload.message });
    expect(await verifySignature(built.signable, account.address, signature)).toBe(true);
  });

  it("raw: 32 random bytes signed as raw bytes", async () => {
    const a = buildChallengePayload(input("raw"));
    const b = buildChallengePayload(input("raw"));
    if (a.payload.type !== "message") throw new Error("expected a message payload");
    expect(a.payload.message).toMatch(/^0x[0-9a-f]{64}$/);
    expect(a.payload).not.toEqual(b.payload);
    const raw = a.payload.message as Hex;
    expect(a.payloadHash).toBe(hashMessage({ raw }));
    const asBytes = await account.signMessage({ message: { raw } });
    const asText = await account.signMessage({ message: raw });
    expect(await verifySignature(a.signable, account.address, asBytes)).toBe(true);
    expect(await verifySignature(a.signable, account.address, asText)).toBe(false);
  });

  it("typed_data: an EIP-712 AgentLogin whose wire form signs the same digest", async () => {
    const built = buildChallengePayload(input("typed_data"));
    if (built.payload.type !== "typed_data") throw new Error("expected typed data");
    const wire = built.payload.typed_data;
    expect(wire.primary_type).toBe("AgentLogin");
    expect(wire.domain).toEqual({ name: "Lucid", version: "1", chainId: 31337 });
    expect(wire.message).toMatchObject({
      agent: "demo-agent",
      credential: "cred_eoa_1",
      scopes: "agents.read wallet.sign",
    });
    const definition = {
      domain: wire.domain,
      types: wire.types,
      primaryType: wire.primary_type,
      message: wire.message,
    };
    expect(built.payloadHash).toBe(hashTypedData(definition));
    const signature = await account.signTypedData(definition);
    expect(await verifySignature(built.signable, account.address, signature)).toBe(true);
  });
});

describe("verifySignature", () => {
  it("is false, never throwing, for malformed or foreign signatures", async () => {
    const built = buildChallengePayload(input("siwe"));
    const other = privateKeyToAccount(generatePrivateKey());
    if (built.payload.type !== "message") throw new Error("expected a message payload");
    const foreign = await other.signMessage({ message: built.payload.message });
    for (const signature of [
      foreign,
      "0x",
      "0x1234",
      `0x${"00".repeat(65)}`,
      `0x${"zz".repeat(65)}`,
    ] as Hex[]) {
      expect(await verifySignature(built.signable, account.address, signature)).toBe(false);
    }
  });
});
