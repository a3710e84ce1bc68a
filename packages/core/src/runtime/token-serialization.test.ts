import { describe, expect, it } from "vitest";
import { isTokenManagerError, TokenManagerErrorCode } from "./token-manager-error.js";
import {
  parseStoredTokenRecord,
  parseStoredTokens,
  SUPPORTED_TOKEN_FORMAT_VERSIONS,
  serializeTokens,
  TOKEN_FORMAT_VERSION,
} from "./token-serialization.js";
import type { TokenSnapshot } from "./token-types.js";

const snapshot: TokenSnapshot = {
  accessToken: "secret-access",
  accessTokenExpiresAt: new Date("2025-01-01T12:15:00.000Z"),
  refreshToken: "secret-refresh",
  refreshTokenExpiresAt: new Date("2025-01-31T12:00:00.000Z"),
  scopes: ["wallet.sign", "wallet.send"],
  revocationNonce: "n-1",
  credentialId: "cred-1",
};
const savedAt = Date.parse("2025-01-01T12:00:00.000Z");

const v1 = () => JSON.parse(serializeTokens(snapshot, savedAt)) as Record<string, unknown>;

const parseError = (text: string) => {
  try {
    parseStoredTokens(text);
  } catch (error) {
    return error as Error & { code: string; hint?: string };
  }
  throw new Error("expected parseStoredTokens to throw");
};

describe("serializeTokens", () => {
  it("writes format version 1 with the documented keys, in order", () => {
    expect(TOKEN_FORMAT_VERSION).toBe(1);
    expect(serializeTokens(snapshot, savedAt)).toBe(
      JSON.stringify({
        v: 1,
        accessToken: "secret-access",
        accessTokenExpiresAt: "2025-01-01T12:15:00.000Z",
        refreshToken: "secret-refresh",
        refreshTokenExpiresAt: "2025-01-31T12:00:00.000Z",
        scopes: ["wallet.sign", "wallet.send"],
        revocationNonce: "n-1",
        credentialId: "cred-1",
        savedAt: "2025-01-01T12:00:00.000Z",
      }),
    );
    expect(JSON.parse(serializeTokens(snapshot, new Date(savedAt))).savedAt).toBe("2025-01-01T12:00:00.000Z");
  });

  it("round-trips through parseStoredTokens", () => {
    expect(parseStoredTokens(serializeTokens(snapshot, savedAt))).toEqual(snapshot);
    const nulls = { ...snapshot, scopes: [], revocationNonce: null, credentialId: null };
    expect(parseStoredTokens(serializeTokens(nulls))).toEqual(nulls);
    expect(parseStoredTokenRecord(serializeTokens(snapshot, savedAt))).toEqual({
      snapshot,
      savedAt: new Date(savedAt),
      format: 1,
    });
  });

  it("refuses a snapshot with a missing token or an invalid date", () => {
    const bad = [
      { ...snapshot, accessToken: "" },
      { ...snapshot, refreshToken: undefined },
      { ...snapshot, accessTokenExpiresAt: new Date(Number.NaN) },
      { ...snapshot, refreshTokenExpiresAt: "2025-01-01" },
    ];
    for (const value of bad) {
      expect(() => serializeTokens(value as unknown as TokenSnapshot)).toThrow(
        expect.objectContaining({ code: TokenManagerErrorCode.InvalidTokens }),
      );
    }
    expect(() => serializeTokens(snapshot, Number.NaN)).toThrow(/now/);
  });
});

describe("parseStoredTokens", () => {
  it("returns null when nothing is stored", () => {
    expect(parseStoredTokens(null)).toBeNull();
    expect(parseStoredTokens(undefined)).toBeNull();
    expect(parseStoredTokens("")).toBeNull();
  });

  it("refuses an unknown version, naming the versions it reads", () => {
    const error = parseError(JSON.stringify({ ...v1(), v: 2 }));
    expect(isTokenManagerError(error, TokenManagerErrorCode.UnsupportedFormat)).toBe(true);
    expect(error.message).toContain("format version 2");
    expect(error.message).toContain(`reads versions ${SUPPORTED_TOKEN_FORMAT_VERSIONS.join(", ")}`);
    expect(error.hint).toMatch(/upgrade/);
    expect(parseError(JSON.stringify({ version: 7, value: {} })).code).toBe("unsupported_token_format");
  });

  it.each([
    ["not JSON", "{v:1"],
    ["not an object", "[1]"],
    ["a JSON string", '"text"'],
    ["no version", JSON.stringify({ accessToken: "a" })],
    ["a string version", JSON.stringify({ ...v1(), v: "1" })],
    ["an empty access token", JSON.stringify({ ...v1(), accessToken: "" })],
    ["a missing refresh token", JSON.stringify({ ...v1(), refreshToken: undefined })],
    ["a numeric expiry", JSON.stringify({ ...v1(), accessTokenExpiresAt: 1735733700000 })],
    ["a date without time", JSON.stringify({ ...v1(), refreshTokenExpiresAt: "2025-01-31" })],
    ["an impossible date", JSON.stringify({ ...v1(), accessTokenExpiresAt: "2025-13-45T99:00:00Z" })],
    ["scopes that are not strings", JSON.stringify({ ...v1(), scopes: [1] })],
    ["missing scopes", JSON.stringify({ ...v1(), scopes: undefined })],
    ["a numeric nonce", JSON.stringify({ ...v1(), revocationNonce: 3 })],
    ["a missing credentialId", JSON.stringify({ ...v1(), credentialId: undefined })],
    ["a missing savedAt", JSON.stringify({ ...v1(), savedAt: undefined })],
  ])("refuses a record with %s as corrupt_storage, without echoing tokens", (_name, text) => {
    const error = parseError(text);
    expect(isTokenManagerError(error, TokenManagerErrorCode.CorruptStorage)).toBe(true);
    expect(error.message).not.toContain("secret-");
    expect(error.hint).toMatch(/Clear the stored tokens/);
  });

  it("names the source in its messages", () => {
    expect(() => parseStoredTokenRecord("nope", { source: 'storage key "k"' })).toThrow('(storage key "k")');
  });

  it("ignores unknown keys of a version 1 record", () => {
    expect(parseStoredTokens(JSON.stringify({ ...v1(), addedLater: true }))).toEqual(snapshot);
  });

  it("reads the @lucid-dreams/agent-auth 0.2.x format", () => {
    const legacy = JSON.stringify({
      version: 1,
      value: {
        accessToken: "a",
        accessTokenExpiresAt: "2025-01-01T12:15:00.000Z",
        refreshToken: "r",
        refreshTokenExpiresAt: "2025-01-31T12:00:00.000Z",
        revocationNonce: "n",
      },
    });
    expect(parseStoredTokenRecord(legacy)).toEqual({
      snapshot: {
        accessToken: "a",
        accessTokenExpiresAt: new Date("2025-01-01T12:15:00.000Z"),
        refreshToken: "r",
        refreshTokenExpiresAt: new Date("2025-01-31T12:00:00.000Z"),
        scopes: [],
        revocationNonce: "n",
        credentialId: null,
      },
      savedAt: null,
      format: "legacy",
    });
    expect(() => parseStoredTokens(JSON.stringify({ version: 1, value: { accessToken: "a" } }))).toThrow(
      expect.objectContaining({ code: "corrupt_storage" }),
    );
  });
});
