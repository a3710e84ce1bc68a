import { AgentAuthError, ConfigurationError } from "./errors.js";
import type { Logger } from "./logger.js";
import { accessTokenSkew, DEFAULT_ACCESS_TOKEN_SKEW_MS } from "./refresh-decision.js";
import { type ClearTimer, computeRefreshAt, RefreshTimer, type SetTimer } from "./refresh-schedule.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import { isStorageError, StorageErrorCode } from "./storage/storage-error.js";
import type { StorageAdapter } from "./storage/types.js";
import { isTokenManagerError, TokenManagerError, TokenManagerErrorCode } from "./token-manager-error.js";
import { parseStoredTokenRecord, type StoredTokenRecord, serializeTokens } from "./token-serialization.js";
import type { CachedAccessToken, CancelHandle, TokenBundleInput, TokenSnapshot } from "./token-types.js";
import { sha256HexSync } from "./util/hash.js";

/** The storage key `TokenManager` uses unless told otherwise. */
export const DEFAULT_TOKEN_STORAGE_KEY = "lucid-agent-auth:tokens";

/** Default refresh lead: refresh 30 s before the access token expires (clamped to half its lifetime). */
export const DEFAULT_REFRESH_LEAD_TIME_MS = 30_000;

/** How many retired refresh tokens (as hashes) a manager remembers to refuse replays. */
const RETIRED_REFRESH_TOKENS_KEPT = 64;

/** After a background refresh, the timer never fires again sooner than this (guards loops on skewed clocks). */
const MIN_REFIRE_DELAY_MS = 1_000;

/** The credential's revocation nonce changed between two token bundles. */
export interface RevocationNonceChange {
  previous: string;
  next: string;
  credentialId: string | null;
}

/** Why the held tokens changed: `set` (setTokens), `storage` (hydrated or adopted from storage), `clear`. */
export type TokenChangeSource = "set" | "storage" | "clear";

/** Options of `TokenManager`. All optional. */
export interface TokenManagerOptions {
  /** Where tokens persist. Default: a new `MemoryStorageAdapter` (nothing survives a restart). */
  storage?: StorageAdapter<string>;
  /** The key under which the serialised tokens are stored. Default `"lucid-agent-auth:tokens"`. */
  storageKey?: string;
  /** Refresh this long before expiry, clamped to half the token's lifetime. Default 30 000 ms. */
  refreshLeadTimeMs?: number;
  /** Wall clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /**
   * An access token is never handed out during its last `min(accessTokenSkewMs, lifetime / 4)` ms, so it does
   * not expire in flight. Default 5 000.
   */
  accessTokenSkewMs?: number;
  /** Timer used by `scheduleRefresh`. Default `setTimeout`; the handle is `unref()`'d when possible. */
  setTimer?: SetTimer;
  /** Cancels a `setTimer` handle. Default `clearTimeout`. */
  clearTimer?: ClearTimer;
  /** Receives debug/info/warn records; never a token. */
  logger?: Logger;
  /** Receives errors of background refreshes (scheduleRefresh). Without it they go to `logger.warn`. */
  onError?: (error: unknown) => void;
  /**
   * Called when a new bundle carries a different revocation nonce than the held one (both non-null): the
   * credential was rotated or revoked and re-issued. The bundle is still accepted (the server is the authority).
   */
  onRevocationNonceChange?: (change: RevocationNonceChange) => void;
  /** Called after the held tokens changed (a copy of the new snapshot, or `null` after `clear`). */
  onTokensChanged?: (snapshot: TokenSnapshot | null, source: TokenChangeSource) => void;
}

/** Options of `refreshSingleFlight`. */
export interface RefreshSingleFlightOptions {
  /**
   * Refresh even if the held access token still looks valid (for example after the server answered 401).
   * A token that another process stored meanwhile is still adopted instead of refreshing again.
   */
  force?: boolean;
}

/** Options of `scheduleRefresh`. */
export interface ScheduleRefreshOptions {
  /** Receives errors of this schedule's background refreshes; overrides the manager's `onError`. */
  onError?: (error: unknown) => void;
}

/** The held tokens and everything derived from them once, so the hot path never allocates. */
interface TokenState {
  readonly accessToken: string;
  /** Epoch ms; kept as numbers (a `Date` is built only for a copy handed out). */
  readonly accessTokenExpiresAtMs: number;
  readonly refreshToken: string;
  readonly scopes: readonly string[];
  readonly revocationNonce: string | null;
  readonly credentialId: string | null;
  /** Frozen; built on the first `getCachedAccessToken` for these tokens, then handed out as is. */
  cached: CachedAccessToken | null;
  readonly refreshAtMs: number;
  readonly refreshTokenExpiresAtMs: number;
  /** When the tokens were issued (about when they were stored), epoch ms. */
  readonly issuedAtMs: number;
}

interface Schedule {
  readonly trigger: () => Promise<TokenBundleInput>;
  readonly onError: ((error: unknown) => void) | undefined;
  /** The state the timer last fired for; the timer is not re-armed for the same state. */
  firedFor: TokenState | null;
}

/**
 * Holds the agent's access and refresh tokens, persists them, and coordinates refreshes.
 *
 * - `getCachedAccessToken()` / `peekValidAccessToken()` are synchronous and allocation-free: the hot path of
 *   `ensureAccessToken()`. A token counts as valid until `expiresAt - min(refreshLeadTimeMs, lifetime / 2)`.
 * - `setTokens()` persists first and only then swaps the in-memory tokens, so a new access token is never
 *   handed out before its refresh token is durable. Memory follows the order in which writes complete, and
 *   tokens read from storage never replace tokens set after the read began.
 * - `refreshSingleFlight()` makes exactly one refresh happen across concurrent callers of this process and,
 *   with a storage that implements `withLock` (e.g. `FileStorageAdapter`), across processes sharing it.
 * - Replay guard: the manager remembers (as SHA-256 hashes, the last 64) every refresh token that was replaced
 *   by a different one in this process, and refuses with `replayed_refresh_token` to set or adopt any of them
 *   again. Setting a bundle with the same refresh token as the held one is allowed (servers that do not rotate
 *   refresh tokens). A revocation nonce change is reported through `onRevocationNonceChange` and accepted.
 *
 * Call order for a runtime: construct, `await hydrate()` once, then `peekValidAccessToken()` on every request
 * and `refreshSingleFlight(refresh)` when it returns `null`; `scheduleRefresh(trigger)` once tokens exist;
 * `dispose()` on shutdown.
 */
export class TokenManager {
  readonly #storage: StorageAdapter<string>;
  readonly #storageKey: string;
  readonly #refreshLeadTimeMs: number;
  readonly #skewMs: number;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #options: TokenManagerOptions;
  readonly #timer: RefreshTimer;
  /** Hashes of retired refresh tokens, oldest first; created when the first one is retired. */
  #retired: Set<string> | null = null;
  #state: TokenState | null = null;
  /** The last storage read found the held tokens marked with another refresh in flight (`refreshStartedAt`). */
  #storedRefreshStarted = false;
  #inflight: Promise<unknown> | null = null;
  #schedule: Schedule | null = null;

  constructor(options: TokenManagerOptions = {}) {
    const lead = options.refreshLeadTimeMs ?? DEFAULT_REFRESH_LEAD_TIME_MS;
    if (typeof lead !== "number" || !Number.isFinite(lead) || lead < 0) {
      throw new ConfigurationError(`refreshLeadTimeMs must be a finite number >= 0, got ${String(lead)}.`, {
        hint: "Pass the lead time in milliseconds, e.g. 30000, or leave it out for the default.",
      });
    }
    if (options.storageKey !== undefined && (typeof options.storageKey !== "string" || !options.storageKey)) {
      throw new ConfigurationError("storageKey must be a non-empty string.", {
        hint: `Leave it out for the default "${DEFAULT_TOKEN_STORAGE_KEY}".`,
      });
    }
    this.#options = options;
    this.#storage = options.storage ?? new MemoryStorageAdapter<string>();
    this.#storageKey = options.storageKey ?? DEFAULT_TOKEN_STORAGE_KEY;
    this.#refreshLeadTimeMs = lead;
    const skew = options.accessTokenSkewMs ?? DEFAULT_ACCESS_TOKEN_SKEW_MS;
    if (typeof skew !== "number" || !Number.isFinite(skew) || skew < 0) {
      throw new ConfigurationError(`accessTokenSkewMs must be a finite number >= 0, got ${String(skew)}.`, {
        hint: "Pass milliseconds, e.g. 5000, or leave it out for the default.",
      });
    }
    this.#skewMs = skew;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#timer = new RefreshTimer({
      now: this.#now,
      setTimer: options.setTimer,
      clearTimer: options.clearTimer,
    });
  }

  /** The storage key in use. */
  get storageKey(): string {
    return this.#storageKey;
  }

  /** The skew margin for a token of `lifetimeMs` (see `accessTokenSkewMs`). */
  skewFor(lifetimeMs: number): number {
    return accessTokenSkew(lifetimeMs, this.#skewMs);
  }

  /** When the held tokens were issued (epoch ms), or `null`. */
  get heldIssuedAt(): number | null {
    return this.#state?.issuedAtMs ?? null;
  }

  /**
   * Reads the stored tokens once and, if there are any, holds them (even when the access token expired: the
   * refresh token may still work). Returns a copy of the held snapshot, or `null` when storage is empty.
   * Throws `TokenManagerError`: `corrupt_storage`, `unsupported_token_format` or `storage_failure`.
   */
  async hydrate(): Promise<TokenSnapshot | null> {
    const expected = this.#state;
    const record = await this.#readStored();
    if (record === null) return null;
    this.#adopt(record, expected);
    return this.getSnapshot();
  }

  /**
   * Re-reads storage and adopts what is there if it differs from the held tokens (another process refreshed or
   * re-authenticated). Returns a copy of the adopted snapshot, or `null` when storage is empty, holds the same
   * tokens, or holds a refresh token this process already retired. Use it after a refresh was rejected: if
   * another process rotated the tokens first, continue with its tokens instead of failing.
   */
  async reloadFromStorage(): Promise<TokenSnapshot | null> {
    const expected = this.#state;
    const record = await this.#readStored();
    if (record === null) return null;
    return this.#adopt(record, expected) ? this.getSnapshot() : null;
  }

  /**
   * True when the last read of the storage inside `refreshSingleFlight` found the held tokens marked by
   * `markRefreshStarted` and never replaced: a refresh with the held refresh token began (here or in another
   * process that lost its lock) and its result was never stored. That refresh token must not be presented again.
   */
  get heldRefreshTokenMaybeSpent(): boolean {
    return this.#storedRefreshStarted;
  }

  /**
   * Stores the held tokens again, marked `refreshStartedAt: now`, before their refresh token is presented. Call
   * it inside `refreshSingleFlight`; the next `setTokens` replaces the mark. If this process then dies or loses
   * its lock before storing the result, whoever reads the record next knows the refresh token may be spent.
   */
  async markRefreshStarted(): Promise<void> {
    const state = this.#state;
    if (state === null) return;
    const text = serializeTokens(toSnapshot(state), state.issuedAtMs, { refreshStartedAt: this.#now() });
    try {
      await this.#storage.set(this.#storageKey, text);
    } catch (error) {
      throw this.#storageFailure("write", error);
    }
  }

  /** A copy of the held tokens (valid or not), or `null`. */
  getSnapshot(): TokenSnapshot | null {
    const state = this.#state;
    return state === null ? null : toSnapshot(state);
  }

  /**
   * The held access token while it is valid (`now < expiresAt - lead`), else `null`. Synchronous, no I/O, no
   * allocation: the returned object is built once per token set, frozen and shared; do not mutate it.
   */
  getCachedAccessToken(): CachedAccessToken | null {
    const state = this.#state;
    if (state === null || this.#now() >= state.refreshAtMs) return null;
    state.cached ??= freezeCached(state);
    return state.cached;
  }

  /** The held access token string while it is valid, else `null`: the cheapest check, for the hot path. */
  peekValidAccessToken(): string | null {
    const state = this.#state;
    return state !== null && this.#now() < state.refreshAtMs ? state.accessToken : null;
  }

  /** The held refresh token while it has not expired, else `null` (check before calling the refresh endpoint). */
  peekValidRefreshToken(): string | null {
    const state = this.#state;
    return state !== null && this.#now() < state.refreshTokenExpiresAtMs ? state.refreshToken : null;
  }

  /**
   * Validates and stores a token bundle: persists it first, then holds it, then re-arms a scheduled refresh.
   * If persisting fails, the previous tokens stay held and `TokenManagerError` (`storage_failure`) is thrown.
   * Also throws `invalid_tokens` for a malformed bundle and `replayed_refresh_token` for a refresh token this
   * process already used and replaced. Returns a copy of the new snapshot.
   */
  setTokens(bundle: TokenBundleInput): Promise<TokenSnapshot> {
    let snapshot: TokenSnapshot;
    try {
      snapshot = normalizeBundle(bundle);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#persistAndHold(snapshot, false);
  }

  /**
   * `holdIfFenced`: for a bundle the server has just issued to this process's refresh. When the storage refuses
   * the write as `storage_fenced` (a newer writer stored first: this holder was paused past its lease, or another
   * worker wrote back tokens it kept through a Redis outage), the storage is re-read and the newer writer's tokens
   * are adopted when their access token is valid; otherwise the refreshed bundle (valid: the server just issued
   * it) is held in memory only. Either way the caller gets a working token and the newer value stays stored.
   * Any other storage failure keeps the previous tokens and throws.
   */
  async #persistAndHold(snapshot: TokenSnapshot, holdIfFenced: boolean): Promise<TokenSnapshot> {
    if (this.#isRetired(snapshot.refreshToken)) throw replayedError();
    const issuedAt = this.#now();
    const text = serializeTokens(snapshot, issuedAt);
    try {
      await this.#storage.set(this.#storageKey, text);
    } catch (error) {
      if (!(holdIfFenced && isStorageError(error, StorageErrorCode.Fenced))) {
        throw this.#storageFailure("write", error);
      }
      const expected = this.#state;
      const record = await this.#readStored().catch(() => null);
      if (record !== null && this.#adopt(record, expected)) {
        const adopted = this.#state;
        if (adopted !== null && this.#now() < adopted.refreshAtMs) return toSnapshot(adopted);
      }
      this.#logger?.warn(
        { event: "agent_auth.tokens_not_persisted", code: StorageErrorCode.Fenced },
        "a newer writer stored tokens first and they are not usable; holding the refreshed tokens in memory only",
      );
    }
    // Applied in the continuation of the write, so memory follows the order in which writes completed.
    this.#apply(this.#buildState(snapshot, issuedAt), "set");
    return cloneSnapshot(snapshot);
  }

  /** Forgets the tokens: disarms the refresh timer, drops them from memory, then clears the storage key. */
  async clear(): Promise<void> {
    this.#timer.cancel();
    const had = this.#state !== null;
    this.#state = null;
    if (had) this.#notify(null, "clear");
    const storage = this.#storage;
    try {
      // `delete` for adapters written against the original package, which had no `clear`.
      if (typeof storage.clear === "function") await storage.clear(this.#storageKey);
      else await storage.delete?.(this.#storageKey);
    } catch (error) {
      throw this.#storageFailure("clear", error);
    }
  }

  /**
   * Runs `fn` once for all concurrent callers: while a call is in flight, later callers get the same promise
   * (whatever `fn` they passed) and `fn` is not called again. When the storage implements `withLock`, `fn`
   * runs inside `storage.withLock(storageKey, ...)`, so it is also exclusive across processes. `fn` must not
   * call `withRefreshLock` or `refreshSingleFlight` itself (it would wait for itself).
   */
  withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inflight !== null) return this.#inflight as Promise<T>;
    const run = this.#runLocked(fn);
    const inflight = run.finally(() => {
      if (this.#inflight === inflight) this.#inflight = null;
    });
    this.#inflight = inflight;
    return inflight;
  }

  /**
   * The refresh to call when `peekValidAccessToken()` returns `null`. Inside `withRefreshLock` (one flight per
   * process, and the storage lock across processes) it re-reads storage first: tokens stored by another process
   * are adopted, and if the held access token is then valid it is returned without calling `refresh`.
   * Otherwise `refresh(current)` runs (with a copy of the held snapshot, or `null`) and its bundle goes through
   * `setTokens`, except that a write refused as `storage_fenced` (a newer writer stored first) does not fail the
   * caller: the newer stored tokens are adopted when valid, else the refreshed bundle is held in memory only.
   * Returns a copy of the resulting snapshot. Errors of `refresh` are rethrown unchanged.
   */
  refreshSingleFlight(
    refresh: (current: TokenSnapshot | null) => Promise<TokenBundleInput>,
    options: RefreshSingleFlightOptions = {},
  ): Promise<TokenSnapshot> {
    return this.withRefreshLock(async () => {
      const expected = this.#state;
      const record = await this.#readStored();
      const adopted = record !== null && this.#adopt(record, expected);
      const state = this.#state;
      this.#storedRefreshStarted =
        record !== null && record.refreshStartedAt != null && sameTokens(record.snapshot, state);
      if (state !== null && this.#now() < state.refreshAtMs && (adopted || !options.force)) {
        return toSnapshot(state);
      }
      const bundle = await refresh(state === null ? null : toSnapshot(state));
      this.#storedRefreshStarted = false;
      return this.#persistAndHold(normalizeBundle(bundle), true);
    });
  }

  /**
   * Arms one background timer that refreshes at `expiresAt - lead` through `refreshSingleFlight(trigger)`.
   * Replaces an earlier schedule. The timer is re-armed after every change of the held tokens (including
   * `setTokens` from elsewhere and tokens adopted from storage); `clear()` disarms it until tokens are set
   * again; `cancel()` or `dispose()` ends the schedule. The timer never keeps the process alive. Errors go to
   * `options.onError`, else the manager's `onError`, else `logger.warn`; they are never unhandled rejections.
   * After a failed background refresh the timer stays disarmed until new tokens are set.
   * Throws `TokenManagerError` (`tokens_unavailable`) when no tokens are held.
   */
  scheduleRefresh(
    trigger: () => Promise<TokenBundleInput>,
    options: ScheduleRefreshOptions = {},
  ): CancelHandle {
    if (this.#state === null) {
      throw new TokenManagerError(
        TokenManagerErrorCode.TokensUnavailable,
        "Cannot schedule a refresh without tokens.",
        {
          hint: "Call setTokens() (after authenticating) or hydrate() first.",
        },
      );
    }
    const schedule: Schedule = { trigger, onError: options.onError, firedFor: null };
    this.#schedule = schedule;
    this.#arm();
    return {
      cancel: () => {
        if (this.#schedule !== schedule) return;
        this.#schedule = null;
        this.#timer.cancel();
      },
    };
  }

  /** Ends any refresh schedule and disarms its timer. The tokens stay held. */
  dispose(): void {
    this.#schedule = null;
    this.#timer.cancel();
  }

  #arm(): void {
    const schedule = this.#schedule;
    const state = this.#state;
    if (schedule === null || state === null) {
      this.#timer.cancel();
      return;
    }
    if (schedule.firedFor === state) return;
    let at = state.refreshAtMs;
    if (schedule.firedFor !== null) at = Math.max(at, this.#now() + MIN_REFIRE_DELAY_MS);
    this.#timer.schedule(at, () => this.#fire(schedule));
  }

  #fire(schedule: Schedule): void {
    if (this.#schedule !== schedule) return;
    const state = this.#state;
    if (state === null) return;
    if (this.#now() < state.refreshAtMs) {
      // Fired early (timer and wall clock disagree by a little): wait for the due time instead.
      this.#timer.schedule(state.refreshAtMs, () => this.#fire(schedule));
      return;
    }
    schedule.firedFor = state;
    this.refreshSingleFlight(() => schedule.trigger()).then(
      () => this.#arm(),
      (error: unknown) => {
        const onError = schedule.onError ?? this.#options.onError;
        if (onError) {
          try {
            onError(error);
          } catch {
            // a throwing error handler must not become an unhandled rejection
          }
        } else {
          this.#logger?.warn(
            { event: "agent_auth.token_refresh_failed", code: errorCode(error) },
            "background token refresh failed",
          );
        }
      },
    );
  }

  async #runLocked<T>(fn: () => Promise<T>): Promise<T> {
    const storage = this.#storage;
    if (typeof storage.withLock !== "function") return fn();
    let fnFailed = false;
    try {
      return await storage.withLock(this.#storageKey, async () => {
        try {
          return await fn();
        } catch (error) {
          fnFailed = true;
          throw error;
        }
      });
    } catch (error) {
      if (fnFailed) throw error;
      throw this.#storageFailure("lock", error);
    }
  }

  async #readStored(): Promise<StoredTokenRecord | null> {
    let text: string | null;
    try {
      text = await this.#storage.get(this.#storageKey);
    } catch (error) {
      throw this.#storageFailure("read", error);
    }
    return parseStoredTokenRecord(text, { source: `storage key "${this.#storageKey}"` });
  }

  /**
   * Holds a record read from storage, unless its refresh token was retired or the held tokens changed since
   * `expected` was captured (before the read): a newer `setTokens` must never be overwritten by what was read
   * before it. Returns whether the record was adopted.
   */
  #adopt(record: StoredTokenRecord, expected: TokenState | null): boolean {
    if (sameTokens(record.snapshot, expected)) return false;
    if (this.#state !== expected) return false;
    if (this.#isRetired(record.snapshot.refreshToken)) {
      this.#logger?.warn(
        { event: "agent_auth.stored_tokens_ignored", reason: "retired_refresh_token" },
        "stored tokens carry a refresh token this process already replaced; ignoring them",
      );
      return false;
    }
    const now = this.#now();
    const issuedAt = record.savedAt === null ? now : Math.min(record.savedAt.getTime(), now);
    this.#apply(this.#buildState(record.snapshot, issuedAt), "storage");
    return true;
  }

  /** Whether `refreshToken` was held here and replaced by another one (hashed only when any was retired). */
  #isRetired(refreshToken: string): boolean {
    return this.#retired?.has(sha256HexSync(refreshToken)) === true;
  }

  #buildState(snapshot: TokenSnapshot, issuedAtMs: number): TokenState {
    const expiresAtMs = snapshot.accessTokenExpiresAt.getTime();
    return {
      accessToken: snapshot.accessToken,
      accessTokenExpiresAtMs: expiresAtMs,
      refreshToken: snapshot.refreshToken,
      scopes: [...snapshot.scopes],
      revocationNonce: snapshot.revocationNonce,
      credentialId: snapshot.credentialId,
      cached: null,
      refreshAtMs: Math.min(
        computeRefreshAt(expiresAtMs, issuedAtMs, this.#refreshLeadTimeMs),
        expiresAtMs - accessTokenSkew(expiresAtMs - issuedAtMs, this.#skewMs),
      ),
      refreshTokenExpiresAtMs: snapshot.refreshTokenExpiresAt.getTime(),
      issuedAtMs,
    };
  }

  #apply(next: TokenState, source: TokenChangeSource): void {
    const previous = this.#state;
    this.#state = next;
    if (previous !== null && previous.refreshToken !== next.refreshToken) {
      this.#retired ??= new Set();
      const retired = this.#retired;
      retired.add(sha256HexSync(previous.refreshToken));
      if (retired.size > RETIRED_REFRESH_TOKENS_KEPT) {
        const oldest = retired.values().next().value;
        if (oldest !== undefined) retired.delete(oldest);
      }
    }
    const previousNonce = previous?.revocationNonce ?? null;
    const nextNonce = next.revocationNonce;
    if (previousNonce !== null && nextNonce !== null && previousNonce !== nextNonce) {
      this.#logger?.warn(
        { event: "agent_auth.revocation_nonce_changed", credentialId: next.credentialId },
        "the credential's revocation nonce changed; accepting the new tokens",
      );
      this.#callback(() =>
        this.#options.onRevocationNonceChange?.({
          previous: previousNonce,
          next: nextNonce,
          credentialId: next.credentialId,
        }),
      );
    }
    this.#logger?.debug(
      {
        event: "agent_auth.tokens_held",
        source,
        accessTokenExpiresAt: new Date(next.accessTokenExpiresAtMs).toISOString(),
        refreshAt: new Date(next.refreshAtMs).toISOString(),
      },
      "holding new tokens",
    );
    this.#arm();
    this.#notify(next, source);
  }

  #notify(state: TokenState | null, source: TokenChangeSource): void {
    const listener = this.#options.onTokensChanged;
    if (listener) this.#callback(() => listener(state === null ? null : toSnapshot(state), source));
  }

  #callback(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#logger?.warn(
        { event: "agent_auth.callback_failed", code: errorCode(error) },
        "a token manager callback threw",
      );
    }
  }

  #storageFailure(operation: "read" | "write" | "clear" | "lock", error: unknown): TokenManagerError {
    if (isTokenManagerError(error)) return error;
    const where = `storage key "${this.#storageKey}"`;
    const detail = error instanceof Error ? firstLine(error.message) : String(error);
    if (isStorageError(error, StorageErrorCode.Corrupt)) {
      return new TokenManagerError(
        TokenManagerErrorCode.CorruptStorage,
        `Could not ${operation} ${where}: ${detail}`,
        {
          hint: error.hint,
          cause: error,
        },
      );
    }
    return new TokenManagerError(
      TokenManagerErrorCode.StorageFailure,
      `Could not ${operation} ${where}: ${detail}`,
      {
        hint:
          (AgentAuthError.isInstance(error) ? error.hint : undefined) ??
          "Check the storage adapter (its error is in `cause`); the tokens held in memory were left unchanged.",
        retryable: AgentAuthError.isInstance(error) ? error.retryable : true,
        cause: error,
      },
    );
  }
}

function firstLine(message: string): string {
  const end = message.indexOf("\n");
  return end === -1 ? message : message.slice(0, end);
}

function errorCode(error: unknown): string | undefined {
  return AgentAuthError.isInstance(error) ? error.code : undefined;
}

function replayedError(): TokenManagerError {
  return new TokenManagerError(
    TokenManagerErrorCode.ReplayedRefreshToken,
    "Refusing tokens whose refresh token was already used and replaced in this process.",
    {
      hint: "A stale token bundle was passed to setTokens (for example a late response or an old copy). Use the tokens the manager holds, or authenticate again.",
    },
  );
}

type TokenPair = Pick<TokenSnapshot, "accessToken" | "refreshToken">;

function sameTokens(a: TokenPair, b: TokenPair | null | undefined): boolean {
  return b != null && a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

function freezeCached(held: TokenState): CachedAccessToken {
  return Object.freeze({
    token: held.accessToken,
    expiresAt: new Date(held.accessTokenExpiresAtMs),
    scopes: Object.freeze([...held.scopes]) as string[],
    refreshToken: held.refreshToken,
    refreshTokenExpiresAt: new Date(held.refreshTokenExpiresAtMs),
    revocationNonce: held.revocationNonce,
  });
}

/** A fresh `TokenSnapshot` (new `Date`s and scopes array) of the held tokens. */
function toSnapshot(held: TokenState): TokenSnapshot {
  return {
    accessToken: held.accessToken,
    accessTokenExpiresAt: new Date(held.accessTokenExpiresAtMs),
    refreshToken: held.refreshToken,
    refreshTokenExpiresAt: new Date(held.refreshTokenExpiresAtMs),
    scopes: [...held.scopes],
    revocationNonce: held.revocationNonce,
    credentialId: held.credentialId,
  };
}

function cloneSnapshot(snapshot: TokenSnapshot): TokenSnapshot {
  return {
    accessToken: snapshot.accessToken,
    accessTokenExpiresAt: new Date(snapshot.accessTokenExpiresAt.getTime()),
    refreshToken: snapshot.refreshToken,
    refreshTokenExpiresAt: new Date(snapshot.refreshTokenExpiresAt.getTime()),
    scopes: [...snapshot.scopes],
    revocationNonce: snapshot.revocationNonce,
    credentialId: snapshot.credentialId,
  };
}

function normalizeBundle(bundle: TokenBundleInput): TokenSnapshot {
  const invalid = (problem: string) =>
    new TokenManagerError(TokenManagerErrorCode.InvalidTokens, `Invalid token bundle: ${problem}.`, {
      hint: "Pass the bundle returned by the exchange or refresh endpoint, converted to camelCase with absolute expiries.",
    });
  if (typeof bundle !== "object" || bundle === null) throw invalid("not an object");
  const token = (field: "accessToken" | "refreshToken") => {
    const value = bundle[field];
    if (typeof value !== "string" || value === "") throw invalid(`"${field}" must be a non-empty string`);
    return value;
  };
  const date = (field: "accessTokenExpiresAt" | "refreshTokenExpiresAt") => {
    const value: unknown = bundle[field];
    const parsed =
      value instanceof Date ? new Date(value.getTime()) : typeof value === "string" ? new Date(value) : null;
    if (parsed === null || !Number.isFinite(parsed.getTime())) {
      throw invalid(`"${field}" must be a Date or an ISO-8601 string`);
    }
    return parsed;
  };
  const nullableString = (field: "revocationNonce" | "credentialId") => {
    const value: unknown = bundle[field];
    if (value === undefined || value === null) return null;
    if (typeof value !== "string") throw invalid(`"${field}" must be a string or null`);
    return value;
  };
  const scopes: unknown = bundle.scopes ?? [];
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== "string")) {
    throw invalid('"scopes" must be an array of strings');
  }
  return {
    accessToken: token("accessToken"),
    accessTokenExpiresAt: date("accessTokenExpiresAt"),
    refreshToken: token("refreshToken"),
    refreshTokenExpiresAt: date("refreshTokenExpiresAt"),
    scopes: [...(scopes as string[])],
    revocationNonce: nullableString("revocationNonce"),
    credentialId: nullableString("credentialId"),
  };
}
