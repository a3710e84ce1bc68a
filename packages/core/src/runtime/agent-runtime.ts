import { AgentApiClient } from "./agent-api-client.js";
import { AgentAuthClient } from "./agent-auth-client.js";
import {
  type AgentRuntimeConfig,
  type ConfigLoaderOptions,
  type LoadedAgentRuntimeConfig,
  loadAgentRuntimeConfig,
} from "./config-loader.js";
import {
  AgentAuthError,
  ConfigurationError,
  CredentialRevokedError,
  isCredentialRevoked,
  RefreshFailedError,
} from "./errors.js";
import {
  type AgentAuthEvent,
  type AgentAuthEventHandlers,
  type AgentAuthEventMap,
  createEventHub,
  type EventHandler,
  type EventHub,
  toEventError,
} from "./events.js";
import { createLogger, type Logger, wrapLogger } from "./logger.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import type { StorageAdapter } from "./storage/types.js";
import { createTelemetry, type Telemetry, type TelemetryOptions } from "./telemetry.js";
import { type TokenChangeSource, TokenManager } from "./token-manager.js";
import type { CancelHandle, TokenBundleInput, TokenSnapshot } from "./token-types.js";
import { createFetchTransport } from "./transport/fetch-transport.js";
import type { FetchExecutor, HttpTransport } from "./transport/http-transport.js";
import type { ChallengeSigner, WalletConnector } from "./wallet/base-connector.js";

export type { AgentRuntimeConfig };

/** The wallet side of the runtime: what signs the login challenge. */
export interface AgentRuntimeWallet {
  /**
   * Signs login challenges: a `ServerOrchestratorWalletConnector`, a `LocalEoaWalletConnector`, or anything with
   * `signChallenge`. Without one, the runtime can only refresh, and needs a new refresh token once that fails.
   */
  signer?: ChallengeSigner | WalletConnector;
}

/** Options of `AgentRuntime.fromConfig`. Everything but `config` has a default. */
export interface AgentRuntimeFromConfigOptions {
  /** Base URL, agent, credential, scopes. Default: loaded from the environment and `.lucid-agent.json`. */
  config?: AgentRuntimeConfig;
  wallet?: AgentRuntimeWallet;
  /** Executes every HTTP request. Default: `createFetchTransport({ baseUrl, fetch, defaultHeaders: headers })`. */
  transport?: HttpTransport;
  /** The fetch the default transport uses. */
  fetch?: FetchExecutor;
  /** Headers sent with every request (user agent, telemetry). */
  headers?: HeadersInit;
  /** Where tokens persist. Default: memory (a restart signs in again). */
  storage?: StorageAdapter<string>;
  /** Key of the tokens in `storage`. Default: one per base URL, agent and credential. */
  storageKey?: string;
  authClient?: AgentAuthClient;
  apiClient?: AgentApiClient;
  tokenManager?: TokenManager;
  /** Refresh this long before the access token expires (clamped to half its lifetime). Default 30 s. */
  refreshLeadTimeMs?: number;
  /** Refresh in the background before expiry. Default true. The timer never keeps the process alive. */
  backgroundRefresh?: boolean;
  /** Wall clock in epoch ms. Default `Date.now`. */
  now?: () => number;
  /** A pino-compatible logger; secrets are redacted before it sees a record. */
  logger?: Partial<Logger>;
  /** OpenTelemetry spans (`agent.auth.*`, `agent.wallet.*`). Default: on when `@opentelemetry/api` is installed. */
  telemetry?: Telemetry | TelemetryOptions | false;
  /** Handlers registered before anything happens. */
  events?: AgentAuthEventHandlers;
}

/** Options of `AgentRuntime.load`: `fromConfig` options plus the config loader's. */
export interface AgentRuntimeLoadOptions extends Omit<AgentRuntimeFromConfigOptions, "config"> {
  loader?: ConfigLoaderOptions;
}

/** What `AgentRuntime.load` resolves to: the runtime and where its configuration came from. */
export interface AgentRuntimeLoadResult extends LoadedAgentRuntimeConfig {
  runtime: AgentRuntime;
}

/** The current session. The refresh token is deliberately not part of it. */
export interface AuthenticatedSession {
  /** The bearer token. A secret: never log it. */
  accessToken: string;
  expiresAt: Date;
  refreshTokenExpiresAt: Date;
  scopes: string[];
  agentRef: string;
  credentialId: string | null;
}

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

    const transport =
      options.transport ??
      createFetchTransport({
        baseUrl: config.baseUrl,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.headers ? { defaultHeaders: options.headers } : {}),
      });
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
    const snapshot = await this.#tokens.refreshSingleFlight((current) => this.#renew(current), { force });
    this.#startSchedule();
    return snapshot;
  }

  /** Inside the refresh lock: refresh if possible, otherwise (or when refresh is refused) sign in again. */
  async #renew(current: TokenSnapshot | null): Promise<TokenBundleInput> {
    const refreshToken = current ? this.#tokens.peekValidRefreshToken() : this.#bootstrapRefreshToken();
    if (refreshToken) {
      if (
        current &&
        this.#now() < this.#refreshBackoffUntil &&
        this.#now() < current.accessTokenExpiresAt.getTime()
      ) {
        return current; // the server did not answer a moment ago and the token still works: keep it
      }
      try {
        const bundle = await this.#refresh(refreshToken);
        this.#refreshBackoffUntil = 0;
        return bundle;
      } catch (error) {
        const rejected = AgentAuthError.isInstance(error) && !error.retryable;
        if (!rejected) {
          this.#logger.warn(
            { error: toEventError(error) },
            "refresh failed; keeping the current token while it lasts",
          );
          this.#refreshBackoffUntil = this.#now() + REFRESH_RETRY_BACKOFF_MS;
          this.#events.emit("refreshFailed", {
            error: toEventError(error),
            willRetry: true,
            fallback: "none",
          });
          if (current && this.#now() < current.accessTokenExpiresAt.getTime()) return current;
          throw error;
        }
        if (isCredentialRevoked(error)) {
          this.#events.emit("credentialRevoked", {
            reason: error.serverCode ?? "credential_revoked",
            credentialId: current?.credentialId ?? this.config.credentialId,
          });
        }
        this.#events.emit("refreshFailed", {
          error: toEventError(error),
          willRetry: false,
          fallback: this.#signer ? "challenge" : "none",
        });
        // Another process may have rotated the token we just presented: adopt its tokens instead of failing.
        const adopted = await this.#tokens.reloadFromStorage();
        if (
          adopted &&
          adopted.refreshToken !== refreshToken &&
          this.#now() < adopted.accessTokenExpiresAt.getTime()
        ) {
          this.#logger.debug({ agentRef: this.config.agentRef }, "adopted the tokens another process stored");
          return adopted;
        }
        const fallback = this.#signer ? "challenge" : "none";
        this.#logger.info({ error: toEventError(error), fallback }, "the refresh token was refused");
        return this.#signInOrGiveUp(error);
      }
    }
    return this.#signInOrGiveUp(undefined);
  }

  async #signInOrGiveUp(cause: unknown): Promise<TokenBundleInput> {
    if (!this.#signer) {
      const reason = cause
        ? "the refresh token was refused and no wallet signer is configured"
        : "no session and no wallet signer";
      this.#events.emit("reauthenticationRequired", { reason });
      const hint =
        "Configure a wallet signer (wallet.signer) so the runtime can sign a new challenge, or provide a new refresh token.";
      throw isCredentialRevoked(cause)
        ? new CredentialRevokedError(`Agent ${this.config.agentRef} must authenticate again: ${reason}.`, {
            hint,
            cause,
          })
        : new RefreshFailedError(`Agent ${this.config.agentRef} must authenticate again: ${reason}.`, {
            hint,
            retryable: false,
            cause,
          });
    }
    // Our own token is expired or revoked by now: a server-orchestrated connector must not sign with it.
    if (cause !== undefined) (this.#signer as WalletConnector).setAccessToken?.(null);
    return this.#signIn(this.#signer);
  }

  /** challenge -> signature -> exchange. */
  async #signIn(signer: ChallengeSigner): Promise<TokenBundleInput> {
    const log = { agentRef: this.config.agentRef, credentialId: this.config.credentialId };
    this.#logger.debug(log, "signing in: requesting a challenge");
    const { challenge } = await this.#auth.requestChallenge({
      credential_id: this.config.credentialId,
      ...(this.config.scopes ? { scopes: this.config.scopes } : {}),
    });
    this.#logger.debug(
      { ...log, challengeId: challenge.id, expiresAt: challenge.expires_at },
      "signing the challenge",
    );
    const signature = await signer.signChallenge(challenge);
    const bundle = await this.#auth.exchange({
      challenge_id: challenge.id,
      signature,
      credential_id: this.config.credentialId,
    });
    this.#pendingGrant = "authenticated";
    this.#logger.debug(
      { ...log, expiresAt: bundle.expires_at, scopes: bundle.credential?.scopes },
      "signed in",
    );
    return toTokenBundle(bundle);
  }

  async #refresh(refreshToken: string): Promise<TokenBundleInput> {
    this.#logger.debug({ agentRef: this.config.agentRef }, "refreshing the access token");
    const bundle = await this.#auth.refresh({ refresh_token: refreshToken });
    this.#logger.debug(
      { agentRef: this.config.agentRef, expiresAt: bundle.expires_at },
      "access token refreshed",
    );
    this.#pendingGrant = "tokenRefreshed";
    return toTokenBundle(bundle);
  }

  /** A refresh token from the configuration, used once to resume a session without a challenge. */
  #bootstrapRefreshToken(): string | undefined {
    if (this.#bootstrapRefreshTokenUsed || !this.config.refreshToken) return undefined;
    this.#bootstrapRefreshTokenUsed = true;
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

/** Keys tokens by server, agent and credential, so runtimes sharing a storage never mix sessions. */
function defaultStorageKey(config: AgentRuntimeConfig): string {
  return `lucid-agent-auth:${config.baseUrl}:${config.agentRef}:${config.credentialId}`;
}

function toTokenBundle(bundle: {
  access_token: string;
  expires_at: string;
  refresh_token: string;
  refresh_expires_at: string;
  credential?: { id?: string; scopes?: string[]; revocation_nonce?: string | null };
}): TokenBundleInput {
  return {
    accessToken: bundle.access_token,
    accessTokenExpiresAt: bundle.expires_at,
    refreshToken: bundle.refresh_token,
    refreshTokenExpiresAt: bundle.refresh_expires_at,
    scopes: bundle.credential?.scopes ?? [],
    revocationNonce: bundle.credential?.revocation_nonce ?? null,
    credentialId: bundle.credential?.id ?? null,
  };
}

function checkConfig(config: AgentRuntimeConfig): AgentRuntimeConfig {
  const missing = (["baseUrl", "agentRef", "credentialId"] as const).filter((field) => !config?.[field]);
  if (missing.length > 0) {
    throw new ConfigurationError(`The runtime configuration lacks ${missing.join(", ")}.`, {
      hint: "Pass them in config, or set LUCID_BASE_URL, LUCID_AGENT_REF and LUCID_AGENT_CREDENTIAL.",
    });
  }
  return { ...config, baseUrl: config.baseUrl.replace(/\/+$/, "") };
}

const isTelemetry = (value: unknown): value is Telemetry =>
  typeof value === "object" && value !== null && typeof (value as Telemetry).withSpan === "function";
