import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { errors, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { isConfigurationError } from "../errors.js";
import {
  importCdpApiKey,
  importCdpWalletSecret,
  signCdpBearerJwt,
  signCdpWalletJwt,
} from "./coinbase-auth.js";

const NOW = 1_750_000_000;
const URI = "POST api.cdp.coinbase.com/platform/v2/evm/accounts/0x01/sign/message";
const KEY_ID = "organizations/org-1/apiKeys/key-1";

const ec = (namedCurve: string) => generateKeyPairSync("ec", { namedCurve });
const pem = (key: ReturnType<typeof ec>["privateKey"], type: "sec1" | "pkcs8") =>
  key.export({ type, format: "pem" }).toString();
const ed25519Secret = () => {
  const pair = generateKeyPairSync("ed25519");
  const jwk = pair.privateKey.export({ format: "jwk" });
  const secret = Buffer.concat([
    Buffer.from(jwk.d ?? "", "base64url"),
    Buffer.from(jwk.x ?? "", "base64url"),
  ]);
  return { pair, secret: secret.toString("base64") };
};

/** The import's rejection, asserted to be a ConfigurationError that does not quote the secret. */
const rejection = async (promise: Promise<unknown>, secret: string) => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isConfigurationError(error)).toBe(true);
  const text = `${(error as Error).message} ${(error as { hint?: string }).hint ?? ""}`;
  for (const line of secret.split("\n").filter((part) => part.length > 16 && !part.startsWith("-----"))) {
    expect(text).not.toContain(line.slice(0, 24));
  }
  return error as Error;
};

describe("CDP bearer JWT", () => {
  it("is ES256 for a SEC1 PEM key and verifies with jose and with node:crypto", async () => {
    const { privateKey, publicKey } = ec("prime256v1");
    const apiKey = await importCdpApiKey(pem(privateKey, "sec1"));
    expect(apiKey.algorithm).toBe("ES256");
    const token = await signCdpBearerJwt(apiKey, KEY_ID, URI, NOW, 120);
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      algorithms: ["ES256"],
      issuer: "cdp",
      audience: "cdp_service",
      currentDate: new Date(NOW * 1000),
    });
    expect(payload).toEqual({
      sub: KEY_ID,
      iss: "cdp",
      aud: ["cdp_service"],
      uris: [URI],
      iat: NOW,
      nbf: NOW,
      exp: NOW + 120,
    });
    expect(protectedHeader).toMatchObject({ alg: "ES256", kid: KEY_ID, typ: "JWT" });
    expect(protectedHeader.nonce).toMatch(/^[0-9a-f]{32}$/);
    const [header, body, signature] = token.split(".");
    expect(
      verify(
        "sha256",
        Buffer.from(`${header}.${body}`),
        { key: publicKey, dsaEncoding: "ieee-p1363" },
        Buffer.from(signature ?? "", "base64url"),
      ),
    ).toBe(true);
  });

  it("is EdDSA for a base64 Ed25519 key, and a fresh nonce each time", async () => {
    const { pair, secret } = ed25519Secret();
    const apiKey = await importCdpApiKey(secret);
    expect(apiKey.algorithm).toBe("EdDSA");
    const first = await signCdpBearerJwt(apiKey, KEY_ID, URI, NOW, 60);
    const second = await signCdpBearerJwt(apiKey, KEY_ID, URI, NOW, 60);
    const options = { algorithms: ["EdDSA"], currentDate: new Date(NOW * 1000) };
    const a = await jwtVerify(first, pair.publicKey, options);
    const b = await jwtVerify(second, pair.publicKey, options);
    expect(a.payload.exp).toBe(NOW + 60);
    expect(a.protectedHeader.nonce).not.toBe(b.protectedHeader.nonce);
  });

  it("does not verify once tampered with, or under another key", async () => {
    const { privateKey, publicKey } = ec("prime256v1");
    const apiKey = await importCdpApiKey(pem(privateKey, "pkcs8"));
    const token = await signCdpBearerJwt(apiKey, KEY_ID, URI, NOW, 120);
    const [header, , signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ sub: KEY_ID, uris: ["POST evil.example/x"] })).toString(
      "base64url",
    );
    const options = { algorithms: ["ES256"], currentDate: new Date(NOW * 1000) };
    await expect(jwtVerify(`${header}.${forged}.${signature}`, publicKey, options)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    await expect(jwtVerify(token, ec("prime256v1").publicKey, options)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });
});

describe("CDP wallet JWT", () => {
  it("is ES256 over uris, iat, nbf, jti and the SHA-256 of the exact body", async () => {
    const { privateKey, publicKey } = ec("prime256v1");
    const der = privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
    const key = await importCdpWalletSecret(der);
    const json = '{"message":"gm"}';
    const token = await signCdpWalletJwt(key, URI, json, NOW);
    const { payload, protectedHeader } = await jwtVerify(token, publicKey, {
      algorithms: ["ES256"],
      currentDate: new Date(NOW * 1000),
    });
    expect(protectedHeader).toEqual({ alg: "ES256", typ: "JWT" });
    expect(payload).toEqual({
      uris: [URI],
      iat: NOW,
      nbf: NOW,
      jti: expect.stringMatching(/^[0-9a-f]{32}$/),
      reqHash: createHash("sha256").update(json).digest("hex"),
    });
    const empty = await jwtVerify(await signCdpWalletJwt(key, URI, "{}", NOW), publicKey);
    expect(empty.payload.reqHash).toBeUndefined();
  });
});

describe("CDP keys an attacker or a typo could pass", () => {
  it.each([
    ["an RSA PKCS#8 PEM", () => pem(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, "pkcs8")],
    ["a P-384 SEC1 PEM", () => pem(ec("secp384r1").privateKey, "sec1")],
    ["a P-384 PKCS#8 PEM", () => pem(ec("secp384r1").privateKey, "pkcs8")],
    ["an Ed25519 PKCS#8 PEM", () => pem(generateKeyPairSync("ed25519").privateKey as never, "pkcs8")],
    [
      "a truncated P-256 PEM",
      () => {
        const text = pem(ec("prime256v1").privateKey, "sec1");
        return text.replace(/\n[^\n]+\n-----END/, "\n-----END");
      },
    ],
  ])("refuses %s as the API key with a ConfigurationError", async (_, make) => {
    const secret = make();
    const error = await rejection(importCdpApiKey(secret), secret);
    expect(error.message).toMatch(/not a P-256 \(ES256\) private key/);
  });

  it("refuses a PEM block whose body is not base64, and text that is neither PEM nor base64", async () => {
    const bad = "-----BEGIN EC PRIVATE KEY-----\n%%%not base64%%%\n-----END EC PRIVATE KEY-----";
    expect((await rejection(importCdpApiKey(bad), bad)).message).toMatch(
      /neither a valid PEM key nor base64/,
    );
    expect((await rejection(importCdpApiKey("not a key!"), "")).message).toMatch(/neither/);
  });

  it("refuses base64 of the wrong length, and an Ed25519 seed whose public half is another key's", async () => {
    expect((await rejection(importCdpApiKey("c2hvcnQ="), "")).message).toMatch(/not a 64-byte Ed25519 key/);
    const mine = Buffer.from(ed25519Secret().secret, "base64");
    const theirs = Buffer.from(ed25519Secret().secret, "base64");
    const spliced = Buffer.concat([mine.subarray(0, 32), theirs.subarray(32)]).toString("base64");
    expect((await rejection(importCdpApiKey(spliced), spliced)).message).toMatch(/not a valid Ed25519 key/);
  });

  it.each([
    ["a P-384 key", () => ec("secp384r1").privateKey.export({ type: "pkcs8", format: "der" })],
    [
      "an Ed25519 key",
      () => generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "der" }),
    ],
    ["a SEC1 (not PKCS#8) key", () => ec("prime256v1").privateKey.export({ type: "sec1", format: "der" })],
    ["random bytes", () => Buffer.alloc(138, 7)],
  ])("refuses %s as the Wallet Secret with a ConfigurationError", async (_, make) => {
    const secret = make().toString("base64");
    const error = await rejection(importCdpWalletSecret(secret), secret);
    expect(error.message).toMatch(/walletSecret is not a base64 P-256 PKCS#8 private key/);
  });
});
