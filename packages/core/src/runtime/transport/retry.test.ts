import { describe, expect, it } from "vitest";
import { isConfigurationError } from "../errors.js";
import {
  backoffDelay,
  canResend,
  DEFAULT_RETRY_POLICY,
  isReplayableBody,
  isRetryableStatus,
  parseRetryAfter,
  resolveRetryPolicy,
  retryDelay,
} from "./retry.js";

const policy = resolveRetryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });

describe("resolveRetryPolicy", () => {
  it("fills the defaults", () => {
    expect(resolveRetryPolicy()).toEqual({
      maxAttempts: 3,
      baseDelayMs: 200,
      maxDelayMs: 5000,
      retryOnStatus: [408, 429, 502, 503, 504],
    });
    expect(resolveRetryPolicy({ maxAttempts: 5, retryOnStatus: [500] })).toMatchObject({
      maxAttempts: 5,
      baseDelayMs: 200,
      retryOnStatus: [500],
    });
  });

  it("rejects impossible values with a ConfigurationError", () => {
    for (const bad of [
      { maxAttempts: 0 },
      { maxAttempts: 1.5 },
      { baseDelayMs: -1 },
      { maxDelayMs: Infinity },
    ]) {
      let caught: unknown;
      try {
        resolveRetryPolicy(bad);
      } catch (error) {
        caught = error;
      }
      expect(isConfigurationError(caught)).toBe(true);
    }
  });
});

describe("canResend", () => {
  const none = new Headers();
  const keyed = new Headers({ "Idempotency-Key": "k-1" });

  it('"auto" resends GET/HEAD/OPTIONS and requests with an Idempotency-Key only', () => {
    expect(canResend("auto", "GET", none)).toBe(true);
    expect(canResend("auto", "head", none)).toBe(true);
    expect(canResend("auto", "OPTIONS", none)).toBe(true);
    expect(canResend("auto", "POST", none)).toBe(false);
    expect(canResend("auto", "PUT", none)).toBe(false);
    expect(canResend("auto", "DELETE", none)).toBe(false);
    expect(canResend("auto", "POST", keyed)).toBe(true);
    expect(canResend("auto", "POST", new Headers({ "Idempotency-Key": "  " }))).toBe(false);
  });

  it('"safe" always resends and "never" never does', () => {
    expect(canResend("safe", "POST", none)).toBe(true);
    expect(canResend("never", "GET", none)).toBe(false);
    expect(canResend("never", "POST", keyed)).toBe(false);
  });
});

describe("isRetryableStatus", () => {
  it("follows retryOnStatus", () => {
    for (const status of [408, 429, 502, 503, 504])
      expect(isRetryableStatus(status, DEFAULT_RETRY_POLICY)).toBe(true);
    for (const status of [200, 400, 401, 403, 404, 500, 501]) {
      expect(isRetryableStatus(status, DEFAULT_RETRY_POLICY)).toBe(false);
    }
  });
});

describe("backoffDelay (full jitter)", () => {
  it("scales random() over [0, min(maxDelayMs, baseDelayMs * 2^n))", () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(0);
    expect(backoffDelay(0, policy, () => 0.5)).toBe(50);
    expect(backoffDelay(1, policy, () => 0.5)).toBe(100);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(799);
    // 100 * 2^4 = 1600 is capped at 1000.
    expect(backoffDelay(4, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(20, policy, () => 0.999)).toBe(999);
  });

  it("stays within the bounds for any random value", () => {
    for (let retryIndex = 0; retryIndex < 8; retryIndex++) {
      const ceiling = Math.min(1000, 100 * 2 ** retryIndex);
      for (const value of [0, 0.1, 0.25, 0.5, 0.75, 0.9999, 1, -1, 2]) {
        const delay = backoffDelay(retryIndex, policy, () => value);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");

  it("reads seconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
  });

  it("reads an HTTP date relative to now, and a past date as 0", () => {
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now)).toBe(0);
  });

  it("ignores absent or malformed values", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("-3", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("retryDelay", () => {
  const base = { retryIndex: 0, policy, random: () => 0.5, nowMs: 0 };

  it("uses Retry-After when present, capped at maxDelayMs", () => {
    expect(retryDelay({ ...base, retryAfter: "0" })).toBe(0);
    expect(retryDelay({ ...base, retryAfter: "0.25" })).toBe(250);
    expect(retryDelay({ ...base, retryAfter: "120" })).toBe(1000);
  });

  it("falls back to jittered backoff without a usable Retry-After", () => {
    expect(retryDelay({ ...base, retryAfter: null })).toBe(50);
    expect(retryDelay({ ...base, retryAfter: "later" })).toBe(50);
  });
});

describe("isReplayableBody", () => {
  it("accepts bodies fetch can send again and refuses one-shot streams", () => {
    expect(isReplayableBody(undefined)).toBe(true);
    expect(isReplayableBody(null)).toBe(true);
    expect(isReplayableBody("text")).toBe(true);
    expect(isReplayableBody(new ArrayBuffer(2))).toBe(true);
    expect(isReplayableBody(new Uint8Array(2))).toBe(true);
    expect(isReplayableBody(new Blob(["x"]))).toBe(true);
    expect(isReplayableBody(new URLSearchParams("a=1"))).toBe(true);
    expect(isReplayableBody(new FormData())).toBe(true);
    expect(isReplayableBody(new ReadableStream())).toBe(false);
    expect(isReplayableBody({ [Symbol.asyncIterator]: () => ({}) })).toBe(false);
  });
});
