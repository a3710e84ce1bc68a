/**
 * Retry decisions of the transports, as pure functions: which requests may be sent again, after which
 * failures, and how long to wait (capped exponential backoff with full jitter, or the server's `Retry-After`).
 */
import { ConfigurationError } from "../errors.js";
import type { RetryMode, RetryPolicy } from "./http-transport.js";

/** A `RetryPolicy` with every field set. */
export type ResolvedRetryPolicy = Readonly<Required<RetryPolicy>>;

/** The policy used when none is given: 3 attempts, 200 ms first step, 5 s cap, 408/429/502/503/504. */
export const DEFAULT_RETRY_POLICY: ResolvedRetryPolicy = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  retryOnStatus: Object.freeze([408, 429, 502, 503, 504]),
});

const isNonNegative = (value: number) => Number.isFinite(value) && value >= 0;

/** Fills a partial policy with the defaults; throws `ConfigurationError` on a negative or non-integer value. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  const resolved = {
    maxAttempts: policy.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseDelayMs: policy.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: policy.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    retryOnStatus: Object.freeze([...(policy.retryOnStatus ?? DEFAULT_RETRY_POLICY.retryOnStatus)]),
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new ConfigurationError(`retry.maxAttempts must be an integer >= 1, got ${resolved.maxAttempts}.`, {
      hint: "Use maxAttempts: 1 to turn retries off.",
    });
  }
  if (!isNonNegative(resolved.baseDelayMs) || !isNonNegative(resolved.maxDelayMs)) {
    throw new ConfigurationError("retry.baseDelayMs and retry.maxDelayMs must be finite numbers >= 0.");
  }
  return Object.freeze(resolved);
}

const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/** True for methods that never change server state (GET, HEAD, OPTIONS). */
export const isIdempotentMethod = (method: string): boolean => idempotentMethods.has(method.toUpperCase());

/** True when the headers carry a non-empty `Idempotency-Key`. */
export const hasIdempotencyKey = (headers: Headers): boolean =>
  (headers.get("idempotency-key") ?? "").trim() !== "";

/**
 * Whether a request may be sent more than once under `mode`:
 * `"safe"` always, `"never"` never, `"auto"` for GET/HEAD/OPTIONS or a request with an `Idempotency-Key` header.
 */
export function canResend(mode: RetryMode, method: string, headers: Headers): boolean {
  if (mode === "safe") return true;
  if (mode === "never") return false;
  return isIdempotentMethod(method) || hasIdempotencyKey(headers);
}

/** True when a response with `status` should be retried under `policy`. */
export const isRetryableStatus = (status: number, policy: ResolvedRetryPolicy): boolean =>
  policy.retryOnStatus.includes(status);

/**
 * Full-jitter backoff: a delay in `[0, min(maxDelayMs, baseDelayMs * 2^retryIndex))`, where `retryIndex` is 0
 * before the second attempt, 1 before the third, and so on. `random` returns a number in `[0, 1)`.
 */
export function backoffDelay(retryIndex: number, policy: ResolvedRetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryIndex));
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.floor(unit * ceiling);
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from `nowMs`.
 * Returns undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // An HTTP date names its day and month ("Wed, 21 Oct 2015 07:28:00 GMT"); anything else is malformed.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Inputs of `retryDelay`. */
export interface RetryDelayInput {
  /** 0 before the second attempt, 1 before the third, ... */
  retryIndex: number;
  policy: ResolvedRetryPolicy;
  random: () => number;
  /** The response's `Retry-After` header, if any. */
  retryAfter?: string | null;
  nowMs: number;
}

/** How long to wait before the next attempt: `Retry-After` when the server sent one (capped at `maxDelayMs`), else full-jitter backoff. */
export function retryDelay(input: RetryDelayInput): number {
  const asked = parseRetryAfter(input.retryAfter, input.nowMs);
  if (asked !== undefined) return Math.min(asked, input.policy.maxDelayMs);
  return backoffDelay(input.retryIndex, input.policy, input.random);
}

const replayableBodyTags = new Set(["ArrayBuffer", "Blob", "File", "FormData", "URLSearchParams"]);

/**
 * True when `body` can be sent again as is: absent, a string, an ArrayBuffer or typed array, a Blob, FormData or
 * URLSearchParams. A ReadableStream (or any other iterable source) can be read only once.
 */
export function isReplayableBody(body: unknown): boolean {
  if (body === null || body === undefined || typeof body === "string") return true;
  if (ArrayBuffer.isView(body)) return true;
  return replayableBodyTags.has(Object.prototype.toString.call(body).slice(8, -1));
}
