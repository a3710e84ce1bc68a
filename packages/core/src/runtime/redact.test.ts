import { describe, expect, it } from "vitest";
import { ConfigurationError, RefreshFailedError } from "./errors.js";
import { isSecretKey, REDACTED, redact, redactString } from "./redact.js";

const SIGNATURE = `0x${"1b".repeat(65)}`;
const PRIVATE_KEY = `0x${"4c".repeat(32)}`;

describe("isSecretKey", () => {
  it.each([
    "accessToken",
    "access_token",
    "ACCESS-TOKEN",
    "refreshToken",
    "refresh_token",
    "token",
    "authorization",
    "Authorization",
    "privateKey",
    "private_key",
    "secret",
    "appSecret",
    "walletSecret",
    "password",
    "signature",
    "signed",
    "apiKey",
    "api_key",
    "x-api-key",
    "credentialSecret",
    "bootstrapToken",
    "x-wallet-auth",
    "privy-authorization-signature",
    "cookie",
  ])("%s is secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    "tokenType",
    "token_type",
    "expiresAt",
    "accessTokenExpiresAt",
    "refresh_expires_at",
    "agentRef",
    "credentialId",
    "scopes",
    "idempotencyKey",
    "nonce",
  ])("%s is not secret", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe("redactString", () => {
  it.each([
    ["Authorization: Bearer lat_abcdefghijk", "lat_abcdefghijk"],
    ["bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "eyJhbGciOiJFUzI1NiJ9"],
    ["refresh with lrt_0123456789 failed", "lrt_0123456789"],
    ["one-time lot_zzzzzzzz", "lot_zzzzzzzz"],
    [`signature ${SIGNATURE} rejected`, SIGNATURE],
    [`key=${PRIVATE_KEY}`, PRIVATE_KEY],
    [`bare ${"4c".repeat(32)} key`, "4c".repeat(32)],
    ['{"refresh_token":"opaque-refresh-value"}', "opaque-refresh-value"],
    ["password=hunter2hunter2&user=x", "hunter2hunter2"],
    ["Basic YXBwOnNlY3JldHNlY3JldA==", "YXBwOnNlY3JldHNlY3JldA=="],
    ["wallet-auth:MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg", "MIGHAgEAMBMGByqG"],
    ["-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----", "MHcCAQEEIB"],
  ])("removes the secret from %j", (text, secret) => {
    const redacted = redactString(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain(REDACTED);
  });

  it("keeps ordinary text, short hex and long hex (signed transactions) intact", () => {
    expect(redactString("The refresh token expired; authenticate again.")).toBe(
      "The refresh token expired; authenticate again.",
    );
    expect(redactString("address 0x1111111111111111111111111111111111111111")).toContain(
      "0x1111111111111111111111111111111111111111",
    );
    const signedTx = `0x02${"ab".repeat(100)}`;
    expect(redactString(signedTx)).toBe(signedTx);
  });
});

describe("redact", () => {
  it("replaces values of secret keys at any depth and keeps the rest", () => {
    expect(
      redact({
        agentRef: "agent-1",
        tokens: {
          accessToken: "lat_x",
          refresh_token: "lrt_y",
          token_type: "bearer",
          expiresAt: new Date(0),
        },
        headers: { Authorization: "Bearer lat_zzzzzzzzzz", "content-type": "application/json" },
        list: [{ privateKey: PRIVATE_KEY }, { signed: { signature: SIGNATURE } }],
        empty: { password: "" },
      }),
    ).toEqual({
      agentRef: "agent-1",
      tokens: {
        accessToken: REDACTED,
        refresh_token: REDACTED,
        token_type: "bearer",
        expiresAt: "1970-01-01T00:00:00.000Z",
      },
      headers: { Authorization: REDACTED, "content-type": "application/json" },
      list: [{ privateKey: REDACTED }, { signed: REDACTED }],
      empty: { password: "" },
    });
  });

  it("handles cycles, bigints, Maps, Sets, Headers, URLs, bytes and functions", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: "loop", self: "[circular]" });
    expect(redact({ value: 10n ** 20n })).toEqual({ value: "100000000000000000000" });
    expect(
      redact(
        new Map<string, unknown>([
          ["apiKey", "k"],
          ["ok", 1],
        ]),
      ),
    ).toEqual({ apiKey: REDACTED, ok: 1 });
    expect(redact(new Set(["lat_abcdef"]))).toEqual([REDACTED]);
    expect(redact(new Headers({ authorization: "Bearer lat_secret_value", accept: "x" }))).toEqual({
      authorization: REDACTED,
      accept: "x",
    });
    const url = redact(new URL("https://user:pass@example.com/cb?token=abcdef&x=1")) as string;
    expect(url).toMatch(/^https:\/\/.*example\.com\/cb\?token=.*redacted.*&x=1$/);
    expect(url).not.toMatch(/user|pass|abcdef/);
    expect(redact({ bytes: new Uint8Array(4), fn: () => 1 })).toEqual({ bytes: "[4 bytes]" });
    expect(redact(Number.NaN)).toBe("NaN");
  });

  it("reduces errors to name, redacted message, code, status, hint and cause", () => {
    const cause = new Error(`upstream said Bearer lat_leaked_token_123`);
    const error = new RefreshFailedError("Refresh with lrt_0123456789abcdef failed.", { status: 401, cause });
    expect(redact(error)).toEqual({
      name: "RefreshFailedError",
      message: `Refresh with ${REDACTED} failed.`,
      code: "refresh_failed",
      status: 401,
      retryable: true,
      cause: { name: "Error", message: `upstream said Bearer ${REDACTED}` },
    });
    const withHint = redact(new ConfigurationError("bad", { hint: `use key ${PRIVATE_KEY}` })) as {
      hint: string;
    };
    expect(withHint.hint).toBe(`use key ${REDACTED}`);
  });

  it("never throws, even on hostile objects", () => {
    const hostile = {
      get boom() {
        throw new Error("no");
      },
    };
    expect(redact(hostile)).toBe("[unserialisable]");
  });
});
