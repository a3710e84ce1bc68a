/**
 * Small WebCrypto helpers for the provider connectors (Privy authorization signatures, Coinbase CDP JWTs):
 * base64, PEM/DER key import (P-256 PKCS#8 or SEC1, Ed25519), ECDSA signature encodings, SHA-256 and JWS.
 * Web APIs only (`crypto.subtle`, `btoa`/`atob`, `TextEncoder`).
 */
import { sha256Hex } from "../util/hash.js";
import { NotSupportedError } from "./wallet-errors.js";

export { sha256Hex } from "../util/hash.js";

const encoder = new TextEncoder();

/** `crypto.subtle`, or a `NotSupportedError` naming what is missing. */
export const getSubtle = (feature: string): SubtleCrypto => {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) {
    throw new NotSupportedError(
      `${feature} needs WebCrypto (globalThis.crypto.subtle), which this runtime lacks.`,
      {
        hint: "Run on Node >= 20, Bun, Deno or an edge runtime with WebCrypto, or polyfill globalThis.crypto.",
      },
    );
  }
  return subtle;
};

/** Standard base64 of `bytes`. */
export const toBase64 = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

/** base64url (no padding) of `bytes`. */
export const toBase64Url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** Bytes of base64 or base64url text (whitespace ignored). Throws `TypeError` on invalid input. */
export const fromBase64 = (text: string): Uint8Array => {
  const normalised = text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  const padded = normalised + "=".repeat((4 - (normalised.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new TypeError("Invalid base64.");
  }
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
};

/** UTF-8 bytes of `text`. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

/** 16 random bytes as 32 hex digits. */
export const randomHex = (bytes = 16): string => {
  const random = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(random);
  return Array.from(random, (byte) => byte.toString(16).padStart(2, "0")).join("");
};

/** A UUID (version 4 layout) derived from SHA-256 of `seed`: the same seed always gives the same UUID. */
export const uuidFromSeed = async (seed: string): Promise<string> => {
  const hex = await sha256Hex(seed);
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

// --- DER ---------------------------------------------------------------------------------------------------

const derLength = (length: number): number[] => {
  if (length < 0x80) return [length];
  const out: number[] = [];
  let rest = length;
  while (rest > 0) {
    out.unshift(rest & 0xff);
    rest >>= 8;
  }
  return [0x80 | out.length, ...out];
};

const derNode = (tag: number, content: Uint8Array): Uint8Array => {
  const header = [tag, ...derLength(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
};

const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

// AlgorithmIdentifier { id-ecPublicKey, prime256v1 }
const EC_P256_ALGORITHM = new Uint8Array([
  0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
  0x03, 0x01, 0x07,
]);

/** Wraps a SEC1 `ECPrivateKey` (`-----BEGIN EC PRIVATE KEY-----`) of a P-256 key into PKCS#8. */
export const sec1ToPkcs8 = (sec1: Uint8Array): Uint8Array =>
  derNode(0x30, concat(new Uint8Array([0x02, 0x01, 0x00]), EC_P256_ALGORITHM, derNode(0x04, sec1)));

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** The label (`EC PRIVATE KEY`, `PRIVATE KEY`) and DER bytes of a PEM block, or `null` if `text` has none. */
export const parsePem = (text: string): { label: string; der: Uint8Array } | null => {
  const match = PEM_BLOCK.exec(text.replace(/\\n/g, "\n"));
  if (!match) return null;
  return { label: match[1] ?? "", der: fromBase64(match[2] ?? "") };
};

/** Imports a P-256 private key for ECDSA signing from PKCS#8 or SEC1 DER. */
export const importP256PrivateKey = async (der: Uint8Array, format: "pkcs8" | "sec1"): Promise<CryptoKey> =>
  getSubtle("ECDSA P-256 signing").importKey(
    "pkcs8",
    buffer(format === "sec1" ? sec1ToPkcs8(der) : der),
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );

/** Imports an Ed25519 private key from its 32-byte seed and 32-byte public key. */
export const importEd25519PrivateKey = async (
  seed: Uint8Array,
  publicKey: Uint8Array,
): Promise<CryptoKey> => {
  try {
    return await getSubtle("Ed25519 signing").importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", d: toBase64Url(seed), x: toBase64Url(publicKey) },
      { name: "Ed25519" },
      false,
      ["sign"],
    );
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "NotSupportedError") {
      throw new NotSupportedError("This runtime's WebCrypto cannot sign with Ed25519.", {
        hint: "Use Node >= 20 (or another runtime with WebCrypto Ed25519), or an ECDSA (ES256) CDP API key.",
        cause,
      });
    }
    throw cause;
  }
};

/** ECDSA P-256 / SHA-256 signature of `data` in IEEE P1363 form (r || s, 64 bytes), as JWS wants it. */
export const signP256 = async (key: CryptoKey, data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(
    await getSubtle("ECDSA signing").sign({ name: "ECDSA", hash: "SHA-256" }, key, buffer(data)),
  );

/** Ed25519 signature of `data`. */
export const signEd25519 = async (key: CryptoKey, data: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await getSubtle("Ed25519 signing").sign({ name: "Ed25519" }, key, buffer(data)));

const derInteger = (value: Uint8Array): Uint8Array => {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const trimmed = value.slice(start);
  const needsPad = (trimmed[0] ?? 0) & 0x80;
  return derNode(0x02, needsPad ? concat(new Uint8Array([0]), trimmed) : trimmed);
};

/** Converts an IEEE P1363 ECDSA signature (r || s) into ASN.1 DER (`SEQUENCE { r, s }`). */
export const p1363ToDer = (signature: Uint8Array): Uint8Array => {
  const half = signature.length / 2;
  return derNode(0x30, concat(derInteger(signature.slice(0, half)), derInteger(signature.slice(half))));
};

/** A signed compact JWS (JWT): base64url(header).base64url(payload).base64url(signature). */
export const signJwt = async (
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: CryptoKey,
  algorithm: "ES256" | "EdDSA",
): Promise<string> => {
  const signingInput = `${toBase64Url(utf8(JSON.stringify(header)))}.${toBase64Url(utf8(JSON.stringify(payload)))}`;
  const signature =
    algorithm === "ES256"
      ? await signP256(key, utf8(signingInput))
      : await signEd25519(key, utf8(signingInput));
  return `${signingInput}.${toBase64Url(signature)}`;
};
