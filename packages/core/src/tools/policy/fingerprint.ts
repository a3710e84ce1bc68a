import { keccak256, stringToHex } from "viem";

/** JSON with sorted keys, bigints as decimal strings and `undefined` dropped: one text per value. */
export function canonicalJson(value: unknown): string {
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

/** A keccak-256 digest (hex, without 0x) of the canonical JSON of `value`. */
export const digestOf = (value: unknown): string => keccak256(stringToHex(canonicalJson(value))).slice(2);
