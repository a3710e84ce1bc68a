/**
 * Redaction of secrets before anything reaches a log line, an event's error or an error message.
 *
 * `redact(value)` returns a JSON-safe deep copy: values under secret-looking keys become `"[redacted]"`, and
 * secrets embedded in strings (bearer tokens, Lucid tokens `lat_`/`lrt_`/`lot_`, JWTs, PEM private keys, 32-byte
 * hex keys, 65-byte hex signatures, `key=value` pairs naming a secret) are replaced wherever they appear.
 * Over-redaction is deliberate: a 32-byte hash (a transaction hash, a `payload_hash`) looks like a private key
 * and is redacted too.
 */

/** What replaces a secret. */
export const REDACTED = "[redacted]";

const MAX_DEPTH = 12;

/** Key names (lower-cased, without `_`/`-`) whose values are always secret. */
const SECRET_KEYS = new Set([
  "accesstoken",
  "refreshtoken",
  "idtoken",
  "token",
  "bearer",
  "authorization",
  "proxyauthorization",
  "cookie",
  "setcookie",
  "privatekey",
  "secret",
  "password",
  "passphrase",
  "passwd",
  "signature",
  "signed",
  "serversignature",
  "apikey",
  "xapikey",
  "credentialsecret",
  "mnemonic",
  "seed",
  "seedphrase",
  "xwalletauth",
  "privyauthorizationsignature",
  "authorizationkey",
]);

/** Suffixes (same normalisation) that mark a key as secret: `bootstrapToken`, `appSecret`, `walletSecret`... */
const SECRET_SUFFIXES = ["token", "secret", "password", "privatekey", "signature", "apikey", "mnemonic"];

const normaliseKey = (key: string) => key.toLowerCase().replace(/[-_\s.]/g, "");

/** True when values stored under `key` must never be logged. */
export const isSecretKey = (key: string): boolean => {
  const normalised = normaliseKey(key);
  if (SECRET_KEYS.has(normalised)) return true;
  return SECRET_SUFFIXES.some((suffix) => normalised.endsWith(suffix));
};

const STRING_PATTERNS: Array<[RegExp, string]> = [
  // PEM private keys (CDP API keys, P-256 authorization keys).
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  // Authorization header values.
  [/\b([Bb]earer|BEARER)\s+[A-Za-z0-9._~+/=:-]{8,}/g, `$1 ${REDACTED}`],
  [/\bBasic\s+[A-Za-z0-9+/=]{8,}/g, `Basic ${REDACTED}`],
  // JWTs (CDP bearer and wallet tokens, user JWTs).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Lucid access / refresh / one-time tokens.
  [/\b(lat|lrt|lot)_[A-Za-z0-9._~+/=-]+/g, REDACTED],
  // Privy authorization keys.
  [/\bwallet-auth:[A-Za-z0-9+/=_-]+/g, REDACTED],
  // `secret=value`, `"refresh_token": "value"`, `password: value` inside free text or serialised JSON.
  [
    /(["']?\b(?:access[_-]?token|refresh[_-]?token|id[_-]?token|token|api[_-]?key|secret|app[_-]?secret|client[_-]?secret|password|private[_-]?key|signature|authorization)\b["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&}\]]+)/gi,
    `$1"${REDACTED}"`,
  ],
  // 65-byte signatures and 32-byte private keys as hex, with or without 0x.
  [/\b(?:0x)?[0-9a-fA-F]{130}(?![0-9a-fA-F])/g, REDACTED],
  [/\b(?:0x)?[0-9a-fA-F]{64}(?![0-9a-fA-F])/g, REDACTED],
];

/** Replaces every secret-looking fragment of `text` (tokens, keys, signatures, JWTs) with `[redacted]`. */
export const redactString = (text: string): string => {
  let result = text;
  for (const [pattern, replacement] of STRING_PATTERNS) {
    result = result.replace(pattern, replacement);
  }
  return result;
};

const isPlainObjectLike = (value: object) => {
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype;
};

const redactError = (error: Error, seen: WeakSet<object>, depth: number): Record<string, unknown> => {
  const record = error as Error & { code?: unknown; status?: unknown; hint?: unknown; retryable?: unknown };
  const out: Record<string, unknown> = {
    name: error.name,
    message: redactString(String(error.message ?? "")),
  };
  if (typeof record.code === "string" || typeof record.code === "number") out.code = record.code;
  if (typeof record.status === "number") out.status = record.status;
  if (typeof record.retryable === "boolean") out.retryable = record.retryable;
  if (typeof record.hint === "string") out.hint = redactString(record.hint);
  if (error.cause !== undefined && depth < MAX_DEPTH) out.cause = walk(error.cause, seen, depth + 1);
  return out;
};

const walk = (value: unknown, seen: WeakSet<object>, depth: number): unknown => {
  switch (typeof value) {
    case "string":
      return redactString(value);
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "symbol":
      return value.toString();
    case "function":
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Date) {
    return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  }
  if (seen.has(object)) return "[circular]";
  if (depth >= MAX_DEPTH) return "[truncated]";
  seen.add(object);
  try {
    if (object instanceof Error) return redactError(object, seen, depth);
    if (object instanceof URL) return redactString(redactUrl(object));
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      return `[${object.byteLength} bytes]`;
    }
    if (typeof Headers !== "undefined" && object instanceof Headers) {
      return walkEntries(object.entries(), seen, depth);
    }
    if (object instanceof Map) {
      return walkEntries(
        Array.from(object.entries(), ([key, entry]) => [String(key), entry] as [string, unknown]),
        seen,
        depth,
      );
    }
    if (object instanceof Set) {
      return Array.from(object, (entry) => walk(entry, seen, depth + 1));
    }
    if (Array.isArray(object)) {
      return object.map((entry) => {
        const redacted = walk(entry, seen, depth + 1);
        return redacted === undefined ? null : redacted;
      });
    }
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (!isPlainObjectLike(object) && typeof toJSON === "function") {
      return walk(toJSON.call(object), seen, depth + 1);
    }
    return walkEntries(Object.entries(object), seen, depth);
  } finally {
    seen.delete(object);
  }
};

const walkEntries = (entries: Iterable<[string, unknown]>, seen: WeakSet<object>, depth: number) => {
  const out: Record<string, unknown> = {};
  for (const [key, entry] of entries) {
    if (isSecretKey(key)) {
      if (entry !== undefined && entry !== null && entry !== "") out[key] = REDACTED;
      else if (entry !== undefined) out[key] = entry;
      continue;
    }
    const redacted = walk(entry, seen, depth + 1);
    if (redacted !== undefined) out[key] = redacted;
  }
  return out;
};

const redactUrl = (url: URL): string => {
  const copy = new URL(url.href);
  if (copy.username) copy.username = REDACTED;
  if (copy.password) copy.password = REDACTED;
  for (const key of Array.from(copy.searchParams.keys())) {
    if (isSecretKey(key)) copy.searchParams.set(key, REDACTED);
  }
  return copy.href;
};

/**
 * A JSON-safe deep copy of `value` with every secret replaced by `"[redacted]"`: values under secret-looking
 * keys (`accessToken`, `refresh_token`, `authorization`, `privateKey`, `signature`, `apiKey`, ... case-insensitive),
 * and secrets inside any string. Errors become `{ name, message, code?, status?, hint?, retryable?, cause? }`,
 * Dates ISO strings, bigints decimal strings, cycles `"[circular]"`, byte arrays `"[N bytes]"`; functions are
 * dropped. Never throws.
 */
export const redact = <T = unknown>(value: T): unknown => {
  try {
    return walk(value, new WeakSet(), 0);
  } catch {
    return "[unserialisable]";
  }
};
