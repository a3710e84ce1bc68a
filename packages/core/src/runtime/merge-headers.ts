/** Merges header sources left to right (later wins, names case-insensitive) into a plain object. */
export function mergeHeaders(...sources: Array<HeadersInit | undefined>): Record<string, string> {
  const merged = new Headers();
  for (const source of sources) {
    if (!source) continue;
    new Headers(source).forEach((value, key) => {
      merged.set(key, value);
    });
  }
  return Object.fromEntries(merged.entries());
}
