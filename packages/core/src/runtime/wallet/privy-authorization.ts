/**
 * Privy authorization signatures (`privy-authorization-signature`), for wallets that have an owner: an ECDSA
 * P-256 / SHA-256 signature, DER-encoded and base64, over the RFC 8785 canonical JSON of
 * `{ version: 1, method: "POST", url, body, headers }`, where `headers` holds the `privy-*` headers sent. The key
 * is the owner's authorization key as the Privy dashboard shows it, `wallet-auth:<base64 PKCS#8>`.
 */
import type { CryptoKey } from "jose";
import { stableJsonStringify } from "../util/stable-json.js";
import { fromBase64, importEs256Key, importProviderKey, toBase64 } from "./provider-keys.js";

/** Imports `wallet-auth:<base64 PKCS#8 P-256 private key>` (the prefix is optional). Throws `ConfigurationError`. */
export function importPrivyAuthorizationKey(value: string): Promise<CryptoKey> {
  const text = value.trim().replace(/^wallet-auth:/, "");
  return importProviderKey(() => importEs256Key(fromBase64(text), "pkcs8"), {
    message: "Privy authorizationPrivateKey is not a base64 P-256 PKCS#8 private key.",
    hint: "Pass the key as the dashboard shows it: wallet-auth:<base64 PKCS#8 P-256 private key>.",
  });
}

/** One ASN.1 DER INTEGER of an unsigned big-endian value of at most 32 bytes. */
const derInteger = (value: Uint8Array): number[] => {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const bytes = [...value.slice(start)];
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
};

/** The WebCrypto (IEEE P1363, r || s) ECDSA P-256 signature as DER `SEQUENCE { r, s }`. */
export const p1363ToDer = (signature: Uint8Array): Uint8Array => {
  const body = [...derInteger(signature.slice(0, 32)), ...derInteger(signature.slice(32))];
  return new Uint8Array([0x30, body.length, ...body]);
};

/** The `privy-authorization-signature` of a POST to `url` with JSON `body` and the `privy-*` `headers`. */
export async function signPrivyRequest(
  key: CryptoKey,
  request: { url: string; body: unknown; headers: Record<string, string> },
): Promise<string> {
  const payload = stableJsonStringify({ version: 1, method: "POST", ...request });
  const data = new TextEncoder().encode(payload);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, data);
  return toBase64(p1363ToDer(new Uint8Array(signature)));
}
