import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isConfigurationError } from "../errors.js";
import { importPrivyAuthorizationKey, p1363ToDer, signPrivyRequest } from "./privy-authorization.js";

/** RFC 8785 canonical JSON for these plain inputs, written independently of the code under test. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(",")}]`
    : value !== null && typeof value === "object"
      ? `{${Object.keys(value)
          .sort()
          .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
          .join(",")}}`
      : JSON.stringify(value);

const p256 = () => generateKeyPairSync("ec", { namedCurve: "prime256v1" });
const walletAuth = (der: Buffer) => `wallet-auth:${der.toString("base64")}`;

describe("privy-authorization-signature", () => {
  it("is a DER ECDSA P-256 signature over the canonical request that node:crypto verifies (many signatures)", async () => {
    const { privateKey, publicKey } = p256();
    const key = await importPrivyAuthorizationKey(
      walletAuth(privateKey.export({ type: "pkcs8", format: "der" })),
    );
    const headers = { "privy-app-id": "app_1", "privy-idempotency-key": "k" };
    // Enough signatures that r and s both start with a high bit (DER zero padding) and with zero bytes.
    for (let index = 0; index < 64; index++) {
      const request = {
        url: "https://api.privy.io/v1/wallets/w/rpc",
        body: { n: index, a: [1, "x"] },
        headers,
      };
      const signature = await signPrivyRequest(key, request);
      const payload = canonical({ version: 1, method: "POST", ...request });
      expect(verify("sha256", Buffer.from(payload), publicKey, Buffer.from(signature, "base64"))).toBe(true);
      const other = canonical({ version: 1, method: "POST", ...request, url: "https://evil.example/rpc" });
      expect(verify("sha256", Buffer.from(other), publicKey, Buffer.from(signature, "base64"))).toBe(false);
    }
  });

  it("encodes r and s as minimal DER integers", () => {
    const r = new Uint8Array(32).fill(0x80);
    const s = new Uint8Array(32);
    s[31] = 1;
    const der = p1363ToDer(new Uint8Array([...r, ...s]));
    expect([...der]).toEqual([0x30, 38, 0x02, 33, 0, ...r, 0x02, 1, 1]);
  });

  it.each([
    ["a P-384 key", () => generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey],
    ["an Ed25519 key", () => generateKeyPairSync("ed25519").privateKey],
    ["an RSA key", () => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey],
  ])("refuses %s with a ConfigurationError that does not quote it", async (_, make) => {
    const value = walletAuth(make().export({ type: "pkcs8", format: "der" }));
    const error = await importPrivyAuthorizationKey(value).catch((caught: unknown) => caught);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toMatch(/not a base64 P-256 PKCS#8 private key/);
    expect(`${(error as Error).message} ${(error as { hint?: string }).hint}`).not.toContain(
      value.slice(12, 40),
    );
  });

  it.each([
    ["text that is not base64", "wallet-auth:%%%"],
    [
      "a truncated key",
      walletAuth(p256().privateKey.export({ type: "pkcs8", format: "der" }).subarray(0, 60)),
    ],
    ["a PEM block instead of base64", p256().privateKey.export({ type: "pkcs8", format: "pem" }).toString()],
  ])("refuses %s with a ConfigurationError", async (_, value) => {
    await expect(importPrivyAuthorizationKey(value)).rejects.toSatisfy(isConfigurationError);
  });
});
