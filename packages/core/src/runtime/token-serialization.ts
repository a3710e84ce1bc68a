/**
 * The persisted token format: what `TokenManager` hands to `StorageAdapter#set` (a JSON string).
 *
 * Version 1, one JSON object, keys in this order:
 *
 * ```json
 * {
 *   "v": 1,
 *   "accessToken": "eyJ...",
 *   "accessTokenExpiresAt": "2025-01-01T12:15:00.000Z",
 *   "refreshToken": "rt_...",
 *   "refreshTokenExpiresAt": "2025-01-31T12:00:00.000Z",
 *   "scopes": ["wallet.sign"],
 *   "revocationNonce": "n-3" | null,
 *   "credentialId": "cred_123" | null,
 *   "savedAt": "2025-01-01T12:00:00.000Z"
 * }
 * ```
 *
 * - `v` is the format version; a reader refuses versions it does not know (`unsupported_token_format`) rather
 *   than guess. Adding an optional key does not change `v` (readers ignore unknown keys); renaming, removing
 *   or changing the meaning of one does.
 * - Timestamps are ISO-8601 strings with a time zone (`toISOString()` writes UTC with milliseconds).
 * - `savedAt` is when the bundle was stored, which is about when it was issued; it lets a process that reads
 *   the tokens later compute the same refresh window as the process that wrote them.
 * - Every field is required. A record that fails any check is refused as a whole (`corrupt_storage`); a
 *   reader never returns half-parsed tokens.
 * - `refreshStartedAt` (optional): a process began presenting this refresh token to the server at that time and
 *   has not stored the result yet. A process that later reads the same record (after the writer lost its lock)
 *   treats the refresh token as possibly spent and never presents it again.
 * - The record holds live secrets (the refresh token): keep it where only the agent's user can read it.
 *
 * The format of `@lucid-dreams/agent-auth@0.2.x` (`{ "version": 1, "value": { ... } }`) is still read (and
 * rewritten as version 1 on the next save).
 */

import { TokenManagerError, TokenManagerErrorCode } from "./token-manager-error.js";
import type { TokenSnapshot } from "./token-types.js";

/** The format version `serializeTokens` writes. */
export const TOKEN_FORMAT_VERSION = 1;

/** The format versions `parseStoredTokens` reads (besides the 0.2.x legacy envelope). */
export const SUPPORTED_TOKEN_FORMAT_VERSIONS: readonly number[] = [1];

/** The persisted record of format version 1, as JSON (see the module comment). */
export interface StoredTokensV1 {
  v: 1;
  accessToken: string;
  accessTokenExpiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
  scopes: string[];
  revocationNonce: string | null;
  credentialId: string | null;
  savedAt: string;
  /** A refresh with this record's refresh token began then and has not been stored (see the module comment). */
  refreshStartedAt?: string;
}

/** A parsed record: the tokens plus when they were saved (`null` for the 0.2.x legacy format). */
export interface StoredTokenRecord {
  snapshot: TokenSnapshot;
  savedAt: Date | null;
  /** Which format the text used: `1`, or `"legacy"` for the 0.2.x envelope. */
  format: 1 | "legacy";
  /** When a refresh with this refresh token began without its result being stored, or `null`. */
  refreshStartedAt?: Date | null;
}

/** Options of `serializeTokens`. */
export interface SerializeTokensOptions {
  /** Marks the refresh token as being presented to the server since then (`refreshStartedAt`). */
  refreshStartedAt?: number | Date;
}

/** Options of `parseStoredTokenRecord`. */
export interface ParseStoredTokensOptions {
  /** Names where the text came from in error messages, e.g. `storage key "lucid-agent-auth:tokens"`. */
  source?: string;
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const validDate = (date: unknown): date is Date => date instanceof Date && Number.isFinite(date.getTime());

/**
 * Serialises `snapshot` in the current format (version 1). `now` (epoch ms or a Date, default `Date.now()`)
 * becomes `savedAt`. Throws `TokenManagerError` (`invalid_tokens`) when a field is missing or a date is invalid.
 */
export function serializeTokens(
  snapshot: TokenSnapshot,
  now: number | Date = Date.now(),
  options: SerializeTokensOptions = {},
): string {
  const invalid = (field: string) =>
    new TokenManagerError(TokenManagerErrorCode.InvalidTokens, `Cannot serialise tokens: bad "${field}".`, {
      hint: "Pass a TokenSnapshot with non-empty tokens and valid Date expiries.",
    });
  if (!isRecord(snapshot)) throw invalid("snapshot");
  if (typeof snapshot.accessToken !== "string" || snapshot.accessToken === "") throw invalid("accessToken");
  if (typeof snapshot.refreshToken !== "string" || snapshot.refreshToken === "")
    throw invalid("refreshToken");
  if (!validDate(snapshot.accessTokenExpiresAt)) throw invalid("accessTokenExpiresAt");
  if (!validDate(snapshot.refreshTokenExpiresAt)) throw invalid("refreshTokenExpiresAt");
  const savedAt = new Date(now instanceof Date ? now.getTime() : now);
  if (!validDate(savedAt)) throw invalid("now");
  const scopes = snapshot.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== "string")) throw invalid("scopes");
  const record: StoredTokensV1 = {
    v: 1,
    accessToken: snapshot.accessToken,
    accessTokenExpiresAt: snapshot.accessTokenExpiresAt.toISOString(),
    refreshToken: snapshot.refreshToken,
    refreshTokenExpiresAt: snapshot.refreshTokenExpiresAt.toISOString(),
    scopes: [...scopes],
    revocationNonce: snapshot.revocationNonce ?? null,
    credentialId: snapshot.credentialId ?? null,
    savedAt: savedAt.toISOString(),
  };
  if (options.refreshStartedAt !== undefined) {
    const started = new Date(
      options.refreshStartedAt instanceof Date
        ? options.refreshStartedAt.getTime()
        : options.refreshStartedAt,
    );
    if (!validDate(started)) throw invalid("refreshStartedAt");
    record.refreshStartedAt = started.toISOString();
  }
  return JSON.stringify(record);
}

/**
 * Parses what `serializeTokens` wrote. Returns `null` only when nothing is stored (`null`, `undefined` or an
 * empty string). Throws `TokenManagerError` with code `unsupported_token_format` for an unknown version and
 * `corrupt_storage` for anything malformed. Messages name the bad field, never a token value.
 */
export function parseStoredTokens(text: string | null | undefined): TokenSnapshot | null {
  return parseStoredTokenRecord(text)?.snapshot ?? null;
}

/** Like `parseStoredTokens`, but also returns `savedAt` and which format the text used. */
export function parseStoredTokenRecord(
  text: string | null | undefined,
  options: ParseStoredTokensOptions = {},
): StoredTokenRecord | null {
  if (text === null || text === undefined || text === "") return null;
  const where = options.source ? ` (${options.source})` : "";
  const corrupt = (problem: string, cause?: unknown) =>
    new TokenManagerError(
      TokenManagerErrorCode.CorruptStorage,
      `Stored tokens${where} are corrupt: ${problem}.`,
      {
        hint: "Clear the stored tokens (delete the storage entry or file) and authenticate again; nothing was overwritten.",
        cause,
      },
    );
  if (typeof text !== "string") throw corrupt("the stored value is not a string");

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corrupt("not valid JSON", error);
  }
  if (!isRecord(parsed)) throw corrupt("not a JSON object");

  const unsupported = (version: unknown) =>
    new TokenManagerError(
      TokenManagerErrorCode.UnsupportedFormat,
      `Stored tokens${where} use format version ${JSON.stringify(version)}; this version of ` +
        `@lucid-dreams/agent-auth reads versions ${SUPPORTED_TOKEN_FORMAT_VERSIONS.join(", ")} (and the 0.2.x format).`,
      {
        hint: "They were probably written by a newer @lucid-dreams/agent-auth: upgrade this process, or clear the stored tokens and authenticate again.",
      },
    );

  if ("v" in parsed) {
    if (parsed.v === 1) return parseV1(parsed, corrupt);
    if (typeof parsed.v === "number") throw unsupported(parsed.v);
    throw corrupt('"v" is not a number');
  }
  if ("version" in parsed && "value" in parsed) {
    if (parsed.version === 1) return parseLegacy(parsed.value, corrupt);
    throw unsupported(parsed.version);
  }
  throw corrupt('no format version ("v")');
}

type Corrupt = (problem: string) => TokenManagerError;

const requireToken = (record: Record<string, unknown>, field: string, corrupt: Corrupt): string => {
  const value = record[field];
  if (typeof value !== "string" || value === "") throw corrupt(`"${field}" must be a non-empty string`);
  return value;
};

const requireTimestamp = (record: Record<string, unknown>, field: string, corrupt: Corrupt): Date => {
  const value = record[field];
  if (typeof value !== "string" || !ISO_TIMESTAMP.test(value)) {
    throw corrupt(`"${field}" must be an ISO-8601 timestamp`);
  }
  const date = new Date(value);
  if (!validDate(date)) throw corrupt(`"${field}" must be an ISO-8601 timestamp`);
  return date;
};

const requireScopes = (value: unknown, field: string, corrupt: Corrupt): string[] => {
  if (!Array.isArray(value) || value.some((scope) => typeof scope !== "string")) {
    throw corrupt(`"${field}" must be an array of strings`);
  }
  return [...(value as string[])];
};

const requireNullableString = (record: Record<string, unknown>, field: string, corrupt: Corrupt) => {
  const value = record[field];
  if (value !== null && typeof value !== "string") throw corrupt(`"${field}" must be a string or null`);
  return value;
};

function parseV1(record: Record<string, unknown>, corrupt: Corrupt): StoredTokenRecord {
  for (const field of ["revocationNonce", "credentialId", "scopes"]) {
    if (!(field in record)) throw corrupt(`"${field}" is missing`);
  }
  return {
    snapshot: {
      accessToken: requireToken(record, "accessToken", corrupt),
      accessTokenExpiresAt: requireTimestamp(record, "accessTokenExpiresAt", corrupt),
      refreshToken: requireToken(record, "refreshToken", corrupt),
      refreshTokenExpiresAt: requireTimestamp(record, "refreshTokenExpiresAt", corrupt),
      scopes: requireScopes(record.scopes, "scopes", corrupt),
      revocationNonce: requireNullableString(record, "revocationNonce", corrupt),
      credentialId: requireNullableString(record, "credentialId", corrupt),
    },
    savedAt: requireTimestamp(record, "savedAt", corrupt),
    format: 1,
    ...(record.refreshStartedAt === undefined
      ? {}
      : { refreshStartedAt: requireTimestamp(record, "refreshStartedAt", corrupt) }),
  };
}

function parseLegacy(value: unknown, corrupt: Corrupt): StoredTokenRecord {
  if (!isRecord(value)) throw corrupt('"value" is not a JSON object');
  const nonce = value.revocationNonce;
  if (nonce !== undefined && nonce !== null && typeof nonce !== "string") {
    throw corrupt('"value.revocationNonce" must be a string');
  }
  return {
    snapshot: {
      accessToken: requireToken(value, "accessToken", corrupt),
      accessTokenExpiresAt: requireTimestamp(value, "accessTokenExpiresAt", corrupt),
      refreshToken: requireToken(value, "refreshToken", corrupt),
      refreshTokenExpiresAt: requireTimestamp(value, "refreshTokenExpiresAt", corrupt),
      scopes:
        value.scopes === undefined || value.scopes === null
          ? []
          : requireScopes(value.scopes, "scopes", corrupt),
      revocationNonce: nonce ?? null,
      credentialId: null,
    },
    savedAt: null,
    format: "legacy",
  };
}
