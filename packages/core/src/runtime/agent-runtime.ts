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
import {
  classifyRefreshFailure,
  decideRefresh,
  MAX_RENEWAL_STEPS,
  type RefreshErrorFacts,
  type RefreshFailureKind,
  type RefreshTokenView,
} from "./refresh-decision.js";
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
  /** Refresh tokens this process presented (or may have): never presented again. Last 64. Created on first use. */
  #spent: Set<string> | null = null;
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
    if (current !== null && this.#tokens.heldRefreshTokenMaybeSpent) this.#spend(current.refreshToken);
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
            this.#spend(refreshToken);
            return bundle;
          } catch (error) {
            lastError = error;
            failure = classifyRefreshFailure(refreshErrorFacts(error));
            if (failure === "refused") {
              this.#refreshBackoffUntil = this.#now() + REFRESH_RETRY_BACKOFF_MS;
            } else {
              this.#spend(refreshToken);
            }
            this.#reportRefreshFailure(error, failure, current);
            // Another process may have stored newer tokens (it rotated first, or signed in): look before acting.
            stored = await this.#tokens.reloadFromStorage().catch(() => null);
            if (stored !== null && this.#spent?.has(stored.refreshToken) === true) stored = null;
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
      refreshSpent: this.#spent?.has(snapshot.refreshToken) === true,
    };
  }

  /** Remembers (in this process) that a refresh token was presented or may have been. */
  #spend(refreshToken: string): void {
    this.#spent ??= new Set();
    const spent = this.#spent;
    spent.add(refreshToken);
    if (spent.size > 64) {
      const oldest = spent.values().next().value;
      if (oldest !== undefined) spent.delete(oldest);
    }
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

function spentError(): RefreshFailedError {
  return new RefreshFailedError(
    "The refresh token was already presented (its answer was lost) and cannot be used again.",
    {
      retryable: false,
    },
  );
}

/** The facts `classifyRefreshFailure` needs, from a runtime error and its cause chain. */
function refreshErrorFacts(error: unknown): RefreshErrorFacts {
  let networkCode: string | undefined;
  let cause: unknown = error;
  for (let depth = 0; depth < 6 && typeof cause === "object" && cause !== null; depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
      networkCode = code;
      break;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  if (!AgentAuthError.isInstance(error)) return { networkCode };
  return { status: error.status, serverCode: error.serverCode, code: error.code, networkCode };
}

/** The last key `defaultStorageKey` built: runtimes of the same agent share one flat string. */
let lastStorageKey: { baseUrl: string; agentRef: string; credentialId: string; key: string } | null = null;

/** Keys tokens by server, agent and credential, so runtimes sharing a storage never mix sessions. */
function defaultStorageKey(config: AgentRuntimeConfig): string {
  const { baseUrl, agentRef, credentialId } = config;
  const last = lastStorageKey;
  if (
    last !== null &&
    last.baseUrl === baseUrl &&
    last.agentRef === agentRef &&
    last.credentialId === credentialId
  ) {
    return last.key;
  }
  // Joined rather than concatenated: one flat string, not a rope of four pieces kept for the runtime's life.
  const key = ["lucid-agent-auth", baseUrl, agentRef, credentialId].join(":");
  lastStorageKey = { baseUrl, agentRef, credentialId, key };
  return key;
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
