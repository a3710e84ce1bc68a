/**
 * What `AgentRuntime` is built from: its options, the session it describes, and the defaults it fills in (the
 * checked configuration, the storage key of its tokens, its transport).
 */
import type { AgentApiClient } from "./agent-api-client.js";
import type { AgentAuthClient } from "./agent-auth-client.js";
import type { AgentRuntime } from "./agent-runtime.js";
import type { AgentRuntimeConfig, ConfigLoaderOptions, LoadedAgentRuntimeConfig } from "./config-loader.js";
import { ConfigurationError } from "./errors.js";
import type { AgentAuthEventHandlers, AuthenticatedEvent } from "./events.js";
import type { Logger } from "./logger.js";
import type { StorageAdapter } from "./storage/types.js";
import type { Telemetry, TelemetryOptions } from "./telemetry.js";
import type { TokenManager } from "./token-manager.js";
import { createFetchTransport } from "./transport/fetch-transport.js";
import type { FetchExecutor, HttpTransport } from "./transport/http-transport.js";
import type { ChallengeSigner, WalletConnector } from "./wallet/base-connector.js";

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

/** The current session: the fields of the `authenticated` event. The refresh token is deliberately not part of it. */
export type AuthenticatedSession = AuthenticatedEvent;

/** `options.transport`, else the default: a fetch transport to `baseUrl` with `options.fetch` and `options.headers`. */
export function transportFor(
  options: {
    transport?: HttpTransport | undefined;
    fetch?: FetchExecutor | undefined;
    headers?: HeadersInit | undefined;
  },
  baseUrl: string,
): HttpTransport & { close?: () => Promise<void> } {
  return (
    options.transport ??
    createFetchTransport({
      baseUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.headers ? { defaultHeaders: options.headers } : {}),
    })
  );
}

/** The configuration with its required fields checked and the base URL's trailing slashes dropped. */
export function checkConfig(config: AgentRuntimeConfig): AgentRuntimeConfig {
  const missing = (["baseUrl", "agentRef", "credentialId"] as const).filter((field) => !config?.[field]);
  if (missing.length > 0) {
    throw new ConfigurationError(`The runtime configuration lacks ${missing.join(", ")}.`, {
      hint: "Pass them in config, or set LUCID_BASE_URL, LUCID_AGENT_REF and LUCID_AGENT_CREDENTIAL.",
    });
  }
  return { ...config, baseUrl: config.baseUrl.replace(/\/+$/, "") };
}

/** The last key `defaultStorageKey` built: runtimes of the same agent share one flat string. */
let lastStorageKey: { baseUrl: string; agentRef: string; credentialId: string; key: string } | null = null;

/** Keys tokens by server, agent and credential, so runtimes sharing a storage never mix sessions. */
export function defaultStorageKey(config: AgentRuntimeConfig): string {
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
