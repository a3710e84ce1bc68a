/**
 * Authentication of CDP (Coinbase Developer Platform) requests, signed with jose:
 * - `Authorization: Bearer <JWT>` with the API key: ES256 for a PEM EC key (SEC1 or PKCS#8), EdDSA for a base64
 *   Ed25519 key (seed and public key, 64 bytes); claims `sub`, `iss: "cdp"`, `aud: ["cdp_service"]`,
 *   `uris: ["POST host/path"]`, `iat`, `nbf`, `exp`; header `kid`, `typ`, `nonce`.
 * - `X-Wallet-Auth: <JWT>` with the Wallet Secret (base64 PKCS#8 P-256), ES256; claims `uris`, `iat`, `nbf`,
 *   `jti` and, for a non-empty body, `reqHash` = SHA-256 hex of the exact JSON sent.
 */
import { type CryptoKey, SignJWT } from "jose";
import { ConfigurationError } from "../errors.js";
import { sha256Hex, toHex } from "../util/hash.js";
import {
  fromBase64,
  importEd25519Key,
  importEs256Key,
  importProviderKey,
  parsePem,
} from "./provider-keys.js";

/** An imported CDP API key and the JWS algorithm it signs with. */
export interface CdpApiKey {
  key: CryptoKey;
  algorithm: "ES256" | "EdDSA";
}

const AS_DOWNLOADED =
  "Use the secret exactly as the CDP portal shows it (a PEM EC key, or a base64 Ed25519 key).";

/** Imports `CDP_API_KEY_SECRET`: a PEM P-256 key, or a base64 Ed25519 key. Throws `ConfigurationError`. */
export async function importCdpApiKey(secret: string): Promise<CdpApiKey> {
  let pem: ReturnType<typeof parsePem>;
  let bytes: Uint8Array | undefined;
  try {
    pem = parsePem(secret);
    if (!pem) bytes = fromBase64(secret);
  } catch (cause) {
    throw new ConfigurationError("The CDP apiKeySecret is neither a valid PEM key nor base64.", {
      hint: AS_DOWNLOADED,
      cause,
    });
  }
  if (pem) {
    const { label, der } = pem;
    const key = await importProviderKey(
      () => importEs256Key(der, label === "EC PRIVATE KEY" ? "sec1" : "pkcs8"),
      {
        message: "The CDP apiKeySecret is a PEM key but not a P-256 (ES256) private key.",
        hint: "Use the key exactly as downloaded from the CDP portal (-----BEGIN EC PRIVATE KEY-----...), or an Ed25519 key.",
      },
    );
    return { key, algorithm: "ES256" };
  }
  if (bytes?.length !== 64) {
    throw new ConfigurationError("The CDP apiKeySecret is base64 but not a 64-byte Ed25519 key.", {
      hint: "Ed25519 CDP keys are 64 bytes (seed and public key) in base64; EC keys are PEM.",
    });
  }
  const [seed, publicKey] = [bytes.slice(0, 32), bytes.slice(32)];
  const key = await importProviderKey(() => importEd25519Key(seed, publicKey), {
    message: "The CDP apiKeySecret is not a valid Ed25519 key (seed and public key do not match).",
    hint: AS_DOWNLOADED,
  });
  return { key, algorithm: "EdDSA" };
}

/** Imports `CDP_WALLET_SECRET` (base64 PKCS#8 DER of a P-256 key). Throws `ConfigurationError`. */
export function importCdpWalletSecret(secret: string): Promise<CryptoKey> {
  return importProviderKey(() => importEs256Key(fromBase64(secret), "pkcs8"), {
    message: "The CDP walletSecret is not a base64 P-256 PKCS#8 private key.",
    hint: "Use the Wallet Secret exactly as shown in the CDP portal (base64 PKCS#8).",
  });
}

/** 16 random bytes as 32 hex digits (JWT `nonce` and `jti`). */
const randomHex = (): string => toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));

/** The bearer JWT of one request to `uri` (`"POST host/path"`), valid from `now` (seconds) for `expiresIn` s. */
export function signCdpBearerJwt(
  apiKey: CdpApiKey,
  apiKeyId: string,
  uri: string,
  now: number,
  expiresIn: number,
): Promise<string> {
  const claims = { sub: apiKeyId, iss: "cdp", aud: ["cdp_service"], uris: [uri] };
  return new SignJWT({ ...claims, iat: now, nbf: now, exp: now + expiresIn })
    .setProtectedHeader({ alg: apiKey.algorithm, kid: apiKeyId, typ: "JWT", nonce: randomHex() })
    .sign(apiKey.key);
}

/** The `X-Wallet-Auth` JWT of one request to `uri` whose body is the JSON text `json`. */
export async function signCdpWalletJwt(
  key: CryptoKey,
  uri: string,
  json: string,
  now: number,
): Promise<string> {
  const claims: Record<string, unknown> = { uris: [uri], iat: now, nbf: now, jti: randomHex() };
  if (json !== "{}") claims.reqHash = await sha256Hex(json);
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "JWT" }).sign(key);
}
