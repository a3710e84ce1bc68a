/**
 * Sorted-key JSON: the one canonical serialisation of the package (signing payloads, request hashes,
 * idempotency keys, the digests of tool calls and conversations). Written in one pass: a conversation of a few
 * hundred messages is digested on every tool call.
 */

const text = (value: unknown, stack: Set<object>): string | undefined => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `"${value}"`;
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === "function") return text(toJSON.call(value), stack);
      if (stack.has(value)) throw new TypeError("stableJsonStringify: the value contains a cycle.");
      stack.add(value);
      try {
        if (Array.isArray(value)) {
          let out = "[";
          for (let i = 0; i < value.length; i++) {
            out += `${i === 0 ? "" : ","}${text(value[i], stack) ?? "null"}`;
          }
          return `${out}]`;
        }
        const record = value as Record<string, unknown>;
        let out = "{";
        for (const key of Object.keys(record).sort()) {
          const item = text(record[key], stack);
          if (item === undefined) continue;
          out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${item}`;
        }
        return `${out}}`;
      } finally {
        stack.delete(value);
      }
    }
    default:
      // undefined, functions and symbols: dropped from objects, null in arrays and at the top (as JSON does)
      return undefined;
  }
};

/**
 * JSON with object keys sorted (recursively), bigints as decimal strings and `undefined` entries dropped, so
 * equal values always give the same text (for hashing, signing and idempotency keys). Throws on cycles.
 */
export const stableJsonStringify = (value: unknown): string => text(value, new Set()) ?? "null";
