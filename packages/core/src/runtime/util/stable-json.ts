/**
 * Sorted-key JSON: the one canonical serialisation of the package (signing payloads, request hashes,
 * idempotency keys).
 */

const sortValue = (value: unknown, stack: Set<object>): unknown => {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return sortValue(toJSON.call(value), stack);
  if (stack.has(value)) throw new TypeError("stableJsonStringify: the value contains a cycle.");
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((entry) => {
        const sorted = sortValue(entry, stack);
        return sorted === undefined || typeof sorted === "function" || typeof sorted === "symbol"
          ? null
          : sorted;
      });
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = sortValue((value as Record<string, unknown>)[key], stack);
      if (entry === undefined || typeof entry === "function" || typeof entry === "symbol") continue;
      out[key] = entry;
    }
    return out;
  } finally {
    stack.delete(value);
  }
};

/**
 * JSON with object keys sorted (recursively), bigints as decimal strings and `undefined` entries dropped, so
 * equal values always give the same text (for hashing, signing and idempotency keys). Throws on cycles.
 */
export const stableJsonStringify = (value: unknown): string => {
  const sorted = sortValue(value, new Set());
  return JSON.stringify(sorted === undefined ? null : sorted);
};
