/**
 * The package's hashes, written once: SHA-256 as lower-case hex (Web Crypto), and a 64-bit FNV-1a for where a
 * short, non-cryptographic, synchronous digest is enough (or `crypto.subtle` is missing).
 */
import { NotSupportedError } from "../wallet/wallet-errors.js";

const encoder = new TextEncoder();

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lower-case hex of `bytes`, as one flat string (joined, not concatenated: a kept hash costs its length only). */
export const toHex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => HEX[byte]).join("");

/** Lower-case hex SHA-256 of `data` (text is UTF-8 encoded). Throws `NotSupportedError` without Web Crypto. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle) {
    throw new NotSupportedError("SHA-256 needs crypto.subtle, which this environment lacks.", {
      hint: "Run on Node >= 20, Bun, Deno, an edge runtime or a secure (https) browser context.",
    });
  }
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return toHex(new Uint8Array(await subtle.digest("SHA-256", bytes.slice().buffer as ArrayBuffer)));
}

/** 64-bit FNV-1a of the UTF-8 bytes of `text`, as hex (not cryptographic: never for secrets' integrity). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of encoder.encode(text)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16);
}
