import { BackgroundRefresh } from "./background-refresh.js";
import { AgentAuthError } from "./errors.js";
import type { Logger } from "./logger.js";
import { accessTokenSkew } from "./refresh-decision.js";
import { RefreshTimer } from "./refresh-schedule.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import { isStorageError, StorageErrorCode } from "./storage/storage-error.js";
import {
  replayedError,
  storageFailure,
  TokenManagerError,
  TokenManagerErrorCode,
} from "./token-manager-error.js";
import {
  type RefreshSingleFlightOptions,
  resolveTokenManagerOptions,
  type ScheduleRefreshOptions,
  type TokenChangeSource,
  type TokenManagerOptions,
} from "./token-manager-options.js";
import type { StoredTokenRecord } from "./token-serialization.js";
import {
  buildTokenState,
  cloneSnapshot,
  freezeCached,
  normalizeBundle,
  sameTokens,
  type TokenState,
  toSnapshot,
} from "./token-state.js";
import { TokenStore } from "./token-store.js";
import type { CachedAccessToken, CancelHandle, TokenBundleInput, TokenSnapshot } from "./token-types.js";
import { sha256HexSync } from "./util/hash.js";
import { RecentSet } from "./util/recent-set.js";

export {
  DEFAULT_REFRESH_LEAD_TIME_MS,
  DEFAULT_TOKEN_STORAGE_KEY,
  type RefreshSingleFlightOptions,
  type RevocationNonceChange,
  type ScheduleRefreshOptions,
  type TokenChangeSource,
  type TokenManagerOptions,
} from "./token-manager-options.js";

/** How many retired refresh tokens (as hashes) a manager remembers to refuse replays. */
const RETIRED_REFRESH_TOKENS_KEPT = 64;

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
  readonly #storageKey: string;
  readonly #store: TokenStore;
  readonly #refreshLeadTimeMs: number;
  readonly #skewMs: number;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #options: TokenManagerOptions;
  readonly #background: BackgroundRefresh;
  /** SHA-256 hashes of the last retired refresh tokens. */
  readonly #retired = new RecentSet(RETIRED_REFRESH_TOKENS_KEPT);
  #state: TokenState | null = null;
  /** The last storage read found the held tokens marked with another refresh in flight (`refreshStartedAt`). */
  #storedRefreshStarted = false;
  #inflight: Promise<unknown> | null = null;

  constructor(options: TokenManagerOptions = {}) {
    const { storageKey, refreshLeadTimeMs, skewMs } = resolveTokenManagerOptions(options);
    this.#options = options;
    this.#storageKey = storageKey;
    this.#store = new TokenStore(options.storage ?? new MemoryStorageAdapter<string>(), storageKey);
    this.#refreshLeadTimeMs = refreshLeadTimeMs;
    this.#skewMs = skewMs;
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
    this.#background = new BackgroundRefresh({
      timer: new RefreshTimer({ now: this.#now, setTimer: options.setTimer, clearTimer: options.clearTimer }),
      now: this.#now,
      state: () => this.#state,
      refresh: (trigger) => this.refreshSingleFlight(trigger),
      onError: options.onError,
      logger: this.#logger,
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
    const record = await this.#store.read();
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
    const record = await this.#store.read();
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
    await this.#store.writeOrFail(toSnapshot(state), state.issuedAtMs, { refreshStartedAt: this.#now() });
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
    try {
      await this.#store.write(snapshot, issuedAt);
    } catch (error) {
      if (!(holdIfFenced && isStorageError(error, StorageErrorCode.Fenced))) {
        throw storageFailure(this.#storageKey, "write", error);
      }
      const expected = this.#state;
      const record = await this.#store.read().catch(() => null);
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
    this.#apply(this.#stateOf(snapshot, issuedAt), "set");
    return cloneSnapshot(snapshot);
  }

  /** Forgets the tokens: disarms the refresh timer, drops them from memory, then clears the storage key. */
  async clear(): Promise<void> {
    this.#background.disarm();
    const had = this.#state !== null;
    this.#state = null;
    if (had) this.#notify(null, "clear");
    await this.#store.clear();
  }

  /**
   * Runs `fn` once for all concurrent callers: while a call is in flight, later callers get the same promise
   * (whatever `fn` they passed) and `fn` is not called again. When the storage implements `withLock`, `fn`
   * runs inside `storage.withLock(storageKey, ...)`, so it is also exclusive across processes. `fn` must not
   * call `withRefreshLock` or `refreshSingleFlight` itself (it would wait for itself).
   */
  withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#inflight !== null) return this.#inflight as Promise<T>;
    const run = this.#store.runLocked(fn);
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
      const record = await this.#store.read();
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
    return this.#background.start(trigger, options.onError);
  }

  /** Ends any refresh schedule and disarms its timer. The tokens stay held. */
  dispose(): void {
    this.#background.stop();
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
    this.#apply(this.#stateOf(record.snapshot, issuedAt), "storage");
    return true;
  }

  /** Whether `refreshToken` was held here and replaced by another one (hashed only when any was retired). */
  #isRetired(refreshToken: string): boolean {
    return this.#retired.size > 0 && this.#retired.has(sha256HexSync(refreshToken));
  }

  #stateOf(snapshot: TokenSnapshot, issuedAtMs: number): TokenState {
    return buildTokenState(snapshot, issuedAtMs, this.#refreshLeadTimeMs, this.#skewMs);
  }

  #apply(next: TokenState, source: TokenChangeSource): void {
    const previous = this.#state;
    this.#state = next;
    if (previous !== null && previous.refreshToken !== next.refreshToken) {
      this.#retired.add(sha256HexSync(previous.refreshToken));
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
    this.#background.arm();
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
        {
          event: "agent_auth.callback_failed",
          code: AgentAuthError.isInstance(error) ? error.code : undefined,
        },
        "a token manager callback threw",
      );
    }
  }
}
