/** A valid header name (an HTTP token). */
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * A header value `Headers` keeps as is: bytes only (no code unit above 0xFF), no NUL, CR or LF, and no leading
 * or trailing space or tab (which `Headers` would trim).
 */
const headerValue = /^(?:[^\0\r\n\t \u0100-\uffff](?:[^\0\r\n\u0100-\uffff]*[^\0\r\n\t \u0100-\uffff])?)?$/;

/**
 * Merges header sources left to right (later wins, names case-insensitive) into a plain object with lower-case
 * names, as `Headers` would. Plain objects of strings (the usual case) are merged without building a
 * `Headers`; any other source, or a name or value that `Headers` would reject or change, sends the sources
 * through `Headers`, which throws or normalises as it does.
 */
export function mergeHeaders(...sources: Array<HeadersInit | undefined>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const source of sources) {
    if (!source) continue;
    if (Object.getPrototypeOf(source) !== Object.prototype) return mergeThroughHeaders(sources);
    const record = source as Record<string, unknown>;
    for (const name in record) {
      if (!Object.hasOwn(record, name)) continue;
      const value = record[name];
      if (typeof value !== "string" || !headerName.test(name) || !headerValue.test(value)) {
        return mergeThroughHeaders(sources);
      }
      const lower = name.toLowerCase();
      // `Headers` joins two spellings of one name in a source ("A: 1, 2"), and keeps `__proto__` as a name.
      if (lower === "__proto__" || (lower !== name && hasOtherSpelling(record, name, lower))) {
        return mergeThroughHeaders(sources);
      }
      merged[lower] = value;
    }
  }
  return merged;
}

function hasOtherSpelling(record: Record<string, unknown>, name: string, lower: string): boolean {
  for (const other in record) if (other !== name && other.toLowerCase() === lower) return true;
  return false;
}

function mergeThroughHeaders(sources: Array<HeadersInit | undefined>): Record<string, string> {
  const merged = new Headers();
  for (const source of sources) {
    if (!source) continue;
    new Headers(source).forEach((value, key) => {
      merged.set(key, value);
    });
  }
  return Object.fromEntries(merged.entries());
}
