/**
 * Private keys of the hosted-wallet connectors (Coinbase CDP, Privy), imported with jose: P-256 keys (ES256) as
 * PKCS#8 or SEC1 (`EC PRIVATE KEY`) DER, and Ed25519 keys (EdDSA) as a seed and public key. Loaded only by the
 * `/coinbase` and `/privy` entries, never by the root entry.
 */
import { base64url, type CryptoKey, importJWK, importPKCS8 } from "jose";
import { ConfigurationError } from "../errors.js";
import { NotSupportedError } from "./wallet-errors.js";

/** Bytes of base64 or base64url text (whitespace and padding ignored). Throws `TypeError` on invalid input. */
export const fromBase64 = (text: string): Uint8Array =>
  base64url.decode(
    text
      .replace(/[\s=]+/g, "")
      .replace(/\+/g, "-")
      .replace(/\//g, "_"),
  );

/** Standard (padded) base64 of `bytes`. */
export const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * The label (`EC PRIVATE KEY`, `PRIVATE KEY`) and DER bytes of the first PEM block of `text` (`\n` escapes, as
 * env files keep them, are read as newlines), or `null` when `text` has no PEM block. Throws `TypeError` when the
 * block's body is not base64.
 */
export const parsePem = (text: string): { label: string; der: Uint8Array } | null => {
  const match = PEM_BLOCK.exec(text.replace(/\\n/g, "\n"));
  return match ? { label: match[1] ?? "", der: fromBase64(match[2] ?? "") } : null;
};

// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, DER.
const EC_P256_ALGORITHM = [
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07,
];

/** A DER length of at most 255 (a P-256 key is ~140 bytes); longer is not a P-256 key. */
const derLength = (length: number): number[] => {
  if (length > 0xff) throw new TypeError("Too long for a P-256 key.");
  return length < 0x80 ? [length] : [0x81, length];
};

/** Wraps a SEC1 `ECPrivateKey` of a P-256 key into PKCS#8 (`PrivateKeyInfo { 0, algorithm, OCTET STRING }`). */
export const sec1ToPkcs8 = (sec1: Uint8Array): Uint8Array => {
  const body = [0x02, 0x01, 0x00, ...EC_P256_ALGORITHM, 0x04, ...derLength(sec1.length), ...sec1];
  return new Uint8Array([0x30, ...derLength(body.length), ...body]);
};

/** Imports a P-256 private key (PKCS#8, or SEC1 wrapped into PKCS#8) for ES256 signing. */
export const importEs256Key = (der: Uint8Array, format: "pkcs8" | "sec1"): Promise<CryptoKey> => {
  const pkcs8 = format === "sec1" ? sec1ToPkcs8(der) : der;
  return importPKCS8(`-----BEGIN PRIVATE KEY-----\n${toBase64(pkcs8)}\n-----END PRIVATE KEY-----`, "ES256");
};

/** Imports an Ed25519 private key from its 32-byte seed and 32-byte public key, for EdDSA signing. */
export const importEd25519Key = (seed: Uint8Array, publicKey: Uint8Array): Promise<CryptoKey> =>
  importJWK(
    { kty: "OKP", crv: "Ed25519", d: base64url.encode(seed), x: base64url.encode(publicKey) },
    "EdDSA",
  );

/**
 * Runs a key import: a runtime without the algorithm gives `NotSupportedError`, any other failure (not base64, not
 * DER, another key type or curve, mismatched halves) the `ConfigurationError` of `invalid`, which must not quote
 * the key.
 */
export async function importProviderKey(
  load: () => Promise<CryptoKey>,
  invalid: { message: string; hint: string },
): Promise<CryptoKey> {
  try {
    return await load();
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "NotSupportedError") {
      throw new NotSupportedError("This runtime's WebCrypto cannot sign with this key type.", {
        hint: "Use Node >= 20, Bun, Deno or an edge runtime whose WebCrypto has ECDSA P-256 and Ed25519.",
        cause,
      });
    }
    throw new ConfigurationError(invalid.message, { hint: invalid.hint, cause });
  }
}
