import { AgentApiClient } from "./agent-api-client.js";
import { AgentAuthClient } from "./agent-auth-client.js";
import {
  type AgentRuntimeFromConfigOptions,
  type AgentRuntimeLoadOptions,
  type AgentRuntimeLoadResult,
  type AuthenticatedSession,
  checkConfig,
  defaultStorageKey,
  transportFor,
} from "./agent-runtime-options.js";
import { type AgentRuntimeConfig, loadAgentRuntimeConfig } from "./config-loader.js";
import { AgentAuthError, RefreshFailedError } from "./errors.js";
import {
  type AgentAuthEvent,
  type AgentAuthEventMap,
  createEventHub,
  type EventHandler,
  type EventHub,
  toEventError,
} from "./events.js";
import { createLogger, type Logger, wrapLogger } from "./logger.js";
import {
  classifyRefreshFailure,
  decideRefresh,
  MAX_RENEWAL_STEPS,
  type RefreshFailureKind,
  type RefreshTokenView,
} from "./refresh-decision.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import { createTelemetry, type Telemetry } from "./telemetry.js";
import { reauthenticationError, refresh, refreshErrorFacts, signIn, spentError } from "./token-grant.js";
import { type TokenChangeSource, TokenManager } from "./token-manager.js";
import type { CancelHandle, TokenBundleInput, TokenSnapshot } from "./token-types.js";
import type { HttpTransport } from "./transport/http-transport.js";
import { RecentSet } from "./util/recent-set.js";
import type { ChallengeSigner, WalletConnector } from "./wallet/base-connector.js";

export type {
  AgentRuntimeFromConfigOptions,
  AgentRuntimeLoadOptions,
  AgentRuntimeLoadResult,
  AgentRuntimeWallet,
  AuthenticatedSession,
} from "./agent-runtime-options.js";
export type { AgentRuntimeConfig };

/** After a refresh failed for lack of an answer, wait this long before trying again while the token lasts. */
const REFRESH_RETRY_BACKOFF_MS = 5_000;

/**
 * The agent runtime: authenticates on demand (challenge, wallet signature, exchange), keeps the access token
 * fresh in the background, persists tokens, and exposes the authenticated API as `runtime.api`.
 *
 * - `ensureAccessToken()` answers from memory while the token is valid: no I/O, no lock.
 * - Concurrent callers share one sign-in or refresh (and, with a storage that locks, so do processes).
 * - When the refresh token is expired, rejected or revoked, the runtime signs in again with a fresh challenge
 *   if its signer can; otherwise it emits `reauthenticationRequired` and fails with a typed error.
 * - An API call answered 401 triggers one forced refresh and one retry.
 */
export class AgentRuntime {
  /** Authenticated API calls (agents, the agent's server-held wallet). */
  readonly api: AgentApiClient;
  /** The resolved configuration (without secrets beyond what you passed in). */
  readonly config: Readonly<AgentRuntimeConfig>;

  /** The runtime's logger (every record redacted), for code that acts on the runtime's behalf, e.g. the LLM tools. */
  get logger(): Logger {
    return this.#logger;
  }

  readonly #auth: AgentAuthClient;
  readonly #tokens: TokenManager;
  readonly #signer: ChallengeSigner | WalletConnector | undefined;
  readonly #events: EventHub<AgentAuthEventMap>;
  readonly #logger: Logger;
  readonly #telemetry: Telemetry;
  readonly #now: () => number;
  readonly #backgroundRefresh: boolean;
  readonly #ownedTransport: (HttpTransport & { close?: () => Promise<void> }) | undefined;
  #schedule: CancelHandle | null = null;
  /** What the next token change was: a new sign-in or a refresh (drives the event emitted). */
  #pendingGrant: "authenticated" | "tokenRefreshed" = "tokenRefreshed";
  #refreshBackoffUntil = 0;
  #bootstrapRefreshTokenUsed = false;
  /** Refresh tokens this process presented (or may have): never presented again. The last 64. */
  readonly #spent = new RecentSet(64);
  /** The refresh token of the last `authenticated` / `tokenRefreshed` event: one event per rotation. */
  #announcedRefreshToken: string | null = null;
  #closed = false;

  /** Builds a runtime from explicit configuration (or, without `config`, from the environment). */
  static async fromConfig(options: AgentRuntimeFromConfigOptions = {}): Promise<AgentRuntime> {
    const config = options.config ?? (await loadAgentRuntimeConfig()).config;
    return new AgentRuntime(checkConfig(config), options);
  }

  /** Loads the configuration (`.lucid-agent.json`, environment, overrides) and builds a runtime from it. */
  static async load(options: AgentRuntimeLoadOptions = {}): Promise<AgentRuntimeLoadResult> {
    const loaded = await loadAgentRuntimeConfig(options.loader);
    const runtime = await AgentRuntime.fromConfig({ ...options, config: loaded.config });
    return { ...loaded, runtime };
  }

  private constructor(config: AgentRuntimeConfig, options: AgentRuntimeFromConfigOptions) {
    this.config = Object.freeze({ ...config });
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger ? wrapLogger(options.logger) : createLogger();
    this.#events = createEventHub<AgentAuthEventMap>({ logger: this.#logger });
    this.#telemetry =
      options.telemetry === false
        ? createTelemetry({ enabled: false })
        : isTelemetry(options.telemetry)
          ? options.telemetry
          : createTelemetry(options.telemetry);
    this.#signer = options.wallet?.signer;
    this.#backgroundRefresh = options.backgroundRefresh ?? true;

    const transport = transportFor(options, config.baseUrl);
    this.#ownedTransport = options.transport ? undefined : transport;

    this.#auth =
      options.authClient ??
      new AgentAuthClient({
        baseUrl: config.baseUrl,
        agentRef: config.agentRef,
        transport,
        telemetry: this.#telemetry,
      });
    this.#tokens =
      options.tokenManager ??
      new TokenManager({
        storage: options.storage ?? new MemoryStorageAdapter<string>(),
        storageKey: options.storageKey ?? defaultStorageKey(config),
        ...(options.refreshLeadTimeMs !== undefined ? { refreshLeadTimeMs: options.refreshLeadTimeMs } : {}),
        now: this.#now,
        logger: this.#logger,
        onError: (error) => this.#onBackgroundError(error),
        onTokensChanged: (snapshot, source) => this.#onTokensChanged(snapshot, source),
      });
    this.api =
      options.apiClient ??
      new AgentApiClient({
        baseUrl: config.baseUrl,
        agentRef: config.agentRef,
        transport,
        telemetry: this.#telemetry,
        getAccessToken: () => this.ensureAccessToken(),
        onUnauthorized: async () => {
          await this.#obtain(true);
        },
      });
    for (const [event, handler] of Object.entries(options.events ?? {})) {
      if (handler) this.#events.on(event as AgentAuthEvent, handler as EventHandler);
    }
  }

  /**
   * Returns a valid access token: from memory when it is still valid (the common case, no I/O), otherwise
   * after one shared refresh or sign-in.
   */
  async ensureAccessToken(): Promise<string> {
    const token = this.#tokens.peekValidAccessToken();
    if (token !== null) return token;
    return (await this.#obtain(false)).accessToken;
  }

  /** Makes sure a session exists (signing in if needed) and describes it. Starts background refresh. */
  async authenticate(): Promise<AuthenticatedSession> {
    await this.ensureAccessToken();
    const snapshot = this.#tokens.getSnapshot();
    if (!snapshot) throw new RefreshFailedError("The session ended while authenticating.");
    return this.#session(snapshot);
  }

  /** Subscribes to a runtime event; returns a function that unsubscribes. */
  on<E extends AgentAuthEvent>(event: E, handler: EventHandler<E>): () => void {
    return this.#events.on(event, handler);
  }

  /** Drops the tokens, here and in storage. The next call signs in again. */
  async clearTokens(reason = "cleared"): Promise<void> {
    this.#stopSchedule();
    await this.#tokens.clear();
    this.#events.emit("tokensCleared", { reason });
  }

  /** Stops background refresh and closes what the runtime opened (its transport's connections). Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopSchedule();
    this.#tokens.dispose();
    await this.#ownedTransport?.close?.();
  }

  /** One shared refresh or sign-in; starts background refresh after the first success. */
  async #obtain(force: boolean): Promise<TokenSnapshot> {
    const snapshot = await this.#tokens.refreshSingleFlight((current) => this.#renew(current, force), {
      force,
    });
    this.#startSchedule();
    return snapshot;
  }

  /**
   * Inside the refresh lock: asks `decideRefresh` what to do (see refresh-decision.ts for the retry layers)
   * and does it, at most `MAX_RENEWAL_STEPS` times. A refresh token that was (or may have been) presented is
   * never presented again.
   */
  async #renew(initial: TokenSnapshot | null, force = false): Promise<TokenBundleInput> {
    let current = initial;
    let stored: TokenSnapshot | null = null;
    let failure: RefreshFailureKind | null = null;
    let lastError: unknown;
    if (current !== null && this.#tokens.heldRefreshTokenMaybeSpent) this.#spent.add(current.refreshToken);
    for (let step = 0; step < MAX_RENEWAL_STEPS; step += 1) {
      const now = this.#now();
      const bootstrap = current === null ? this.#peekBootstrapRefreshToken() : undefined;
      const held: RefreshTokenView | null =
        current !== null
          ? this.#view(current)
          : bootstrap !== undefined
            ? {
                accessUsableUntil: 0,
                refreshDueAt: 0,
                refreshExpiresAt: Number.POSITIVE_INFINITY,
                refreshSpent: false,
              }
            : null;
      const decision = decideRefresh({
        now,
        force,
        held,
        stored: stored === null ? null : this.#view(stored),
        failure,
        backoffUntil: this.#refreshBackoffUntil,
        canSignIn: this.#signer !== undefined,
      });
      switch (decision.action) {
        case "keep":
          if (current === null) throw new RefreshFailedError("No tokens to keep.");
          return current;
        case "adopt":
          this.#logger.debug({ agentRef: this.config.agentRef }, "adopted the tokens another process stored");
          if (stored === null) throw new RefreshFailedError("No stored tokens to adopt.");
          return stored;
        case "signIn":
          return this.#signInOrGiveUp(lastError);
        case "giveUp":
          return this.#signInOrGiveUp(lastError ?? (current !== null ? spentError() : undefined));
        case "fail":
          throw (
            lastError ??
            new RefreshFailedError("The server refused to refresh; try again later.", { retryable: true })
          );
        case "refresh": {
          const refreshToken = current?.refreshToken ?? bootstrap;
          if (refreshToken === undefined) throw new RefreshFailedError("No refresh token.");
          if (current === null) this.#bootstrapRefreshTokenUsed = true;
          try {
            if (current !== null) await this.#tokens.markRefreshStarted();
            const bundle = await this.#refresh(refreshToken);
            this.#refreshBackoffUntil = 0;
            this.#spent.add(refreshToken);
            return bundle;
          } catch (error) {
            lastError = error;
            failure = classifyRefreshFailure(refreshErrorFacts(error));
            if (failure === "refused") {
              this.#refreshBackoffUntil = this.#now() + REFRESH_RETRY_BACKOFF_MS;
            } else {
              this.#spent.add(refreshToken);
            }
            this.#reportRefreshFailure(error, failure, current);
            // Another process may have stored newer tokens (it rotated first, or signed in): look before acting.
            stored = await this.#tokens.reloadFromStorage().catch(() => null);
            if (stored !== null && this.#spent.has(stored.refreshToken)) stored = null;
            if (stored !== null) current = stored;
          }
        }
      }
    }
    throw lastError ?? new RefreshFailedError("The token could not be renewed.", { retryable: true });
  }

  #view(snapshot: TokenSnapshot): RefreshTokenView {
    const expires = snapshot.accessTokenExpiresAt.getTime();
    const issuedAt =
      this.#tokens.getSnapshot()?.accessToken === snapshot.accessToken
        ? (this.#tokens.heldIssuedAt ?? this.#now())
        : this.#now();
    const usable = expires - this.#tokens.skewFor(expires - issuedAt);
    return {
      accessUsableUntil: usable,
      // The token manager calls the renewal only once the held token is due (or refused): due now, unless valid.
      refreshDueAt: this.#tokens.peekValidAccessToken() === snapshot.accessToken ? usable : 0,
      refreshExpiresAt: snapshot.refreshTokenExpiresAt.getTime(),
      refreshSpent: this.#spent.has(snapshot.refreshToken),
    };
  }

  #reportRefreshFailure(error: unknown, failure: RefreshFailureKind, current: TokenSnapshot | null): void {
    if (failure === "refused") {
      this.#logger.warn(
        { error: toEventError(error) },
        "refresh refused; keeping the current token while it lasts",
      );
      this.#events.emit("refreshFailed", { error: toEventError(error), willRetry: true, fallback: "none" });
      return;
    }
    if (failure === "revoked") {
      this.#events.emit("credentialRevoked", {
        reason: (AgentAuthError.isInstance(error) ? error.serverCode : undefined) ?? "credential_revoked",
        credentialId: current?.credentialId ?? this.config.credentialId,
      });
    }
    this.#events.emit("refreshFailed", {
      error: toEventError(error),
      willRetry: false,
      fallback: this.#signer ? "challenge" : "none",
    });
    this.#logger.info(
      { error: toEventError(error), failure, fallback: this.#signer ? "challenge" : "none" },
      failure === "ambiguous"
        ? "no answer to a refresh that may have reached the server: its refresh token counts as spent"
        : "the refresh token was refused",
    );
  }

  async #signInOrGiveUp(cause: unknown): Promise<TokenBundleInput> {
    if (!this.#signer) {
      const reason = cause
        ? "the refresh token was refused and no wallet signer is configured"
        : "no session and no wallet signer";
      this.#events.emit("reauthenticationRequired", { reason });
      throw reauthenticationError(this.config.agentRef, reason, cause);
    }
    // Our own token is expired or revoked by now: a server-orchestrated connector must not sign with it.
    if (cause !== undefined) (this.#signer as WalletConnector).setAccessToken?.(null);
    return this.#signIn(this.#signer);
  }

  /** challenge -> signature -> exchange. */
  async #signIn(signer: ChallengeSigner): Promise<TokenBundleInput> {
    const bundle = await signIn(this.#auth, signer, this.config, this.#logger);
    this.#pendingGrant = "authenticated";
    return bundle;
  }

  async #refresh(refreshToken: string): Promise<TokenBundleInput> {
    const bundle = await refresh(this.#auth, refreshToken, this.config.agentRef, this.#logger);
    this.#pendingGrant = "tokenRefreshed";
    return bundle;
  }

  /** A refresh token from the configuration, used once to resume a session without a challenge. */
  #peekBootstrapRefreshToken(): string | undefined {
    if (this.#bootstrapRefreshTokenUsed || !this.config.refreshToken) return undefined;
    return this.config.refreshToken;
  }

  #onTokensChanged(snapshot: TokenSnapshot | null, source: TokenChangeSource): void {
    const connector = this.#signer as WalletConnector | undefined;
    if (!snapshot) {
      connector?.setAccessToken?.(null);
      return;
    }
    // Tokens read from storage that already expired: nothing to announce (a refresh follows).
    if (source === "storage" && this.#now() >= snapshot.accessTokenExpiresAt.getTime()) return;
    connector?.setAccessToken?.(snapshot.accessToken);
    // One event per new token pair: rewrites of the same tokens (a kept token, an adopted copy) announce nothing.
    if (snapshot.refreshToken === this.#announcedRefreshToken) return;
    this.#announcedRefreshToken = snapshot.refreshToken;
    const event = this.#pendingGrant;
    this.#pendingGrant = "tokenRefreshed";
    this.#events.emit(event, this.#session(snapshot));
  }

  #session(snapshot: TokenSnapshot): AuthenticatedSession {
    return {
      accessToken: snapshot.accessToken,
      expiresAt: snapshot.accessTokenExpiresAt,
      refreshTokenExpiresAt: snapshot.refreshTokenExpiresAt,
      scopes: snapshot.scopes,
      agentRef: this.config.agentRef,
      credentialId: snapshot.credentialId,
    };
  }

  #startSchedule(): void {
    if (!this.#backgroundRefresh || this.#schedule || this.#closed) return;
    this.#schedule = this.#tokens.scheduleRefresh(() => this.#renew(this.#tokens.getSnapshot()));
  }

  #stopSchedule(): void {
    this.#schedule?.cancel();
    this.#schedule = null;
  }

  #onBackgroundError(error: unknown): void {
    this.#logger.warn(
      { error: toEventError(error) },
      "Background token refresh failed; the next call will retry.",
    );
  }
}

const isTelemetry = (value: unknown): value is Telemetry =>
  typeof value === "object" && value !== null && typeof (value as Telemetry).withSpan === "function";
