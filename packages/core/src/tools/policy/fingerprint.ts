import { bytesToHex, sha256, stringToBytes } from "viem";
import { stableJsonStringify } from "../../runtime/util/stable-json.js";

interface NativeHash {
  update(text: string, encoding: "utf8"): NativeHash;
  digest(encoding: "hex"): string;
}

/**
 * The runtime's native SHA-256 (node:crypto on Node, Bun and Deno, reached without importing it so the module
 * still loads in browsers and edge runtimes), else viem's (@noble/hashes). Both compute the same digest.
 */
const nativeHash = (() => {
  try {
    const builtin = (
      globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
    ).process?.getBuiltinModule?.("node:crypto") as
      | { createHash?: (algorithm: string) => NativeHash }
      | undefined;
    return typeof builtin?.createHash === "function" ? builtin.createHash : undefined;
  } catch {
    return undefined;
  }
})();

/** The SHA-256 digest of a text's UTF-8 bytes, hex without 0x. */
export const sha256Hex: (text: string) => string = nativeHash
  ? (text) => nativeHash("sha256").update(text, "utf8").digest("hex")
  : (text) => bytesToHex(sha256(stringToBytes(text), "bytes")).slice(2);

/**
 * A SHA-256 digest (hex, without 0x) of the canonical JSON of `value`. SHA-256 rather than keccak-256: it is
 * computed on every tool call, over the whole conversation, and is many times cheaper (native where the runtime
 * has it).
 */
export const digestOf = (value: unknown): string => sha256Hex(stableJsonStringify(value));
