import type {
  AgentScopedRequestOptions,
  AgentWalletSendTransactionRequest,
  AgentWalletSignMessageRequest,
  AgentWalletSignTransactionRequest,
  AgentWalletSignTypedDataRequest,
  SentTransactionResult,
  SignedMessageResult,
  SignedTransactionResult,
} from "./runtime/agent-api-client.js";
import { AgentRuntime, type AuthenticatedSession } from "./runtime/agent-runtime.js";
import { transportFor } from "./runtime/agent-runtime-options.js";
import { type AgentRuntimeConfig, loadAgentRuntimeConfig } from "./runtime/config-loader.js";
import { ConfigurationError, isConfigurationError } from "./runtime/errors.js";
import type { AgentAuthEvent, AgentAuthEventHandlers, EventHandler } from "./runtime/events.js";
import type { Logger } from "./runtime/logger.js";
import type { StorageAdapter } from "./runtime/storage/types.js";
import type { Telemetry, TelemetryOptions } from "./runtime/telemetry.js";
import type { FetchExecutor, HttpTransport } from "./runtime/transport/http-transport.js";
import type { Hex, WalletConnector, WalletMetadata } from "./runtime/wallet/base-connector.js";
import { createLocalEoaWalletConnector } from "./runtime/wallet/local-key-connector.js";
import {
  ServerOrchestratorWalletConnector,
  type ServerOrchestratorWalletConnectorOptions,
} from "./runtime/wallet/server-orchestrator-connector.js";
import { NotSupportedError } from "./runtime/wallet/wallet-errors.js";

/**
 * A local private key (0x + 64 hex digits): when set, `createWallet()` signs in and signs with it (a local EOA)
 * instead of the server-held wallet; `LUCID_AGENT_CREDENTIAL` must then name the credential bound to that key.
 */
export const ENV_PRIVATE_KEY = "LUCID_AGENT_PRIVATE_KEY";

/** Configuration of `createWallet`; every field falls back to the environment (`LUCID_*`). */
export interface CreateWalletConfig {
  /** Lucid API base URL. Falls back to `LUCID_BASE_URL`. */
  baseUrl?: string;
  /** Falls back to `LUCID_AGENT_REF`. */
  agentRef?: string;
  /** Falls back to `LUCID_AGENT_CREDENTIAL`. */
  credentialId?: string;
  /** Falls back to `LUCID_AGENT_REFRESH_TOKEN`. */
  refreshToken?: string;
  /** Falls back to `LUCID_AGENT_SCOPES`. */
  scopes?: string[];
}

/** Options of the default, server-orchestrated wallet. */
export type CreateWalletServerOptions = Omit<
  ServerOrchestratorWalletConnectorOptions,
  "agentRef" | "fetch" | "baseUrl"
> & {
  /** The orchestrator's base URL. Default `LUCID_SERVER_URL`, else the runtime's base URL. */
  baseUrl?: string;
  /** Owner/bootstrap token that signs the first challenge. Default `LUCID_SERVER_ACCESS_TOKEN`. */
  accessToken?: string | null;
};

export interface CreateWalletOptions {
  /** Runtime configuration; omitted fields come from the environment and `.lucid-agent.json`. */
  config?: CreateWalletConfig;
  wallet?: {
    /** A ready connector (for example a `LocalEoaWalletConnector`). */
    connector?: WalletConnector;
    /** A local private key: the wallet is a local EOA (viem must be installed). A secret. */
    privateKey?: string;
    /** Options of the default server-orchestrated connector. */
    server?: CreateWalletServerOptions;
  };
  fetch?: FetchExecutor;
  transport?: HttpTransport;
  storage?: StorageAdapter<string>;
  headers?: HeadersInit;
  /** Handlers registered before the first sign-in. */
  events?: { [E in AgentAuthEvent]?: EventHandler<E> | Array<EventHandler<E>> };
  /** The environment to read. Default `process.env` where there is one. */
  env?: Record<string, string | undefined>;
  logger?: Partial<Logger>;
  telemetry?: Telemetry | TelemetryOptions | false;
  now?: () => number;
}

/** The quick-start wallet: a runtime plus the signing calls of its wallet. */
export interface WalletClient {
  /** The runtime, for everything else. */
  readonly runtime: AgentRuntime;
  /** The connector that signs challenges (server-orchestrated by default). */
  readonly connector: WalletConnector;
  authenticate(): Promise<AuthenticatedSession>;
  ensureAccessToken(): Promise<string>;
  /**
   * Signs a message with the agent's wallet (the local key for a local-EOA wallet, else the server's). The
   * options (agent, headers, abort signal) apply to server calls.
   */
  signMessage(
    payload: AgentWalletSignMessageRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedMessageResult>;
  /** Signs EIP-712 typed data (`primary_type` on the wire). */
  signTypedData(
    payload: AgentWalletSignTypedDataRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedMessageResult>;
  /** Signs a transaction without broadcasting it. */
  signTransaction(
    payload: AgentWalletSignTransactionRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedTransactionResult>;
  /** Signs and broadcasts a transaction with the server-held wallet. */
  sendTransaction(
    payload: AgentWalletSendTransactionRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SentTransactionResult>;
  getWalletMetadata(): Promise<WalletMetadata | null>;
  /** True when the wallet signs with a key held here (a local EOA) rather than on the server. */
  readonly signsLocally: boolean;
  /** The wallet's address; asks the server for a server-held wallet it has not seen yet. */
  getAddress(): Promise<string | null>;
  on<E extends AgentAuthEvent>(event: E, handler: EventHandler<E>): () => void;
  shutdown(): Promise<void>;
}

/**
 * The one-call start: reads the `LUCID_*` environment when no config is given. The wallet is, in this order:
 * `wallet.connector`, `wallet.privateKey`, the local key in `LUCID_AGENT_PRIVATE_KEY` (unless `wallet.server` is
 * given), else the server-orchestrated wallet (its first challenge is signed with the owner token
 * `LUCID_SERVER_ACCESS_TOKEN`; after that the connector follows the runtime's own token by itself).
 */
export async function createWallet(options: CreateWalletOptions = {}): Promise<WalletClient> {
  const env =
    options.env ??
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
    {};
  const { config } = await loadAgentRuntimeConfig({ env, overrides: definedOnly(options.config ?? {}) });
  const transport = transportFor(options, config.baseUrl);
  const connector = await resolveConnector(options, config, env, transport);
  const events: AgentAuthEventHandlers = {};
  const runtime = await AgentRuntime.fromConfig({
    config,
    wallet: { signer: connector },
    transport,
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.telemetry !== undefined ? { telemetry: options.telemetry } : {}),
    ...(options.now ? { now: options.now } : {}),
    events,
  });
  for (const [event, handlers] of Object.entries(options.events ?? {})) {
    for (const handler of [handlers].flat()) {
      if (handler) runtime.on(event as AgentAuthEvent, handler as EventHandler);
    }
  }
  const ownsTransport = !options.transport;
  return new RuntimeWallet(runtime, connector, ownsTransport ? transport : undefined);
}

async function resolveConnector(
  options: CreateWalletOptions,
  config: AgentRuntimeConfig,
  env: Record<string, string | undefined>,
  transport: HttpTransport,
): Promise<WalletConnector> {
  if (options.wallet?.connector) return options.wallet.connector;
  if (options.wallet?.privateKey)
    return createLocalEoaWalletConnector({ privateKey: options.wallet.privateKey });
  // The local-key path from the environment (`lucid-local-server --wallet local` prints it). Explicit server
  // options win over it.
  const envKey = env[ENV_PRIVATE_KEY]?.trim();
  if (envKey && !options.wallet?.server) {
    try {
      return await createLocalEoaWalletConnector({ privateKey: envKey });
    } catch (error) {
      if (!isConfigurationError(error)) throw error;
      throw new ConfigurationError(`${ENV_PRIVATE_KEY} is not a private key: ${error.message}`, {
        hint: `Set ${ENV_PRIVATE_KEY} to 0x followed by 64 hex digits, or unset it to use the server-held wallet (the value itself is not shown here).`,
        cause: error,
      });
    }
  }
  const server = options.wallet?.server ?? {};
  return new ServerOrchestratorWalletConnector({
    ...server,
    baseUrl: server.baseUrl ?? env.LUCID_SERVER_URL ?? config.baseUrl,
    agentRef: config.agentRef,
    accessToken: server.accessToken ?? env.LUCID_SERVER_ACCESS_TOKEN ?? null,
    fetch: transport.asFetch(),
  });
}

/** True for a connector that signs with a key it holds (a local EOA), as opposed to a server-held wallet. */
const signsLocally = (connector: WalletConnector) =>
  !(connector instanceof ServerOrchestratorWalletConnector) &&
  typeof connector.signMessage === "function" &&
  typeof connector.signTypedData === "function";

class RuntimeWallet implements WalletClient {
  readonly runtime: AgentRuntime;
  readonly connector: WalletConnector;
  readonly signsLocally: boolean;
  readonly #transport: (HttpTransport & { close?: () => Promise<void> }) | undefined;

  constructor(runtime: AgentRuntime, connector: WalletConnector, transport: HttpTransport | undefined) {
    this.runtime = runtime;
    this.connector = connector;
    this.signsLocally = signsLocally(connector);
    this.#transport = transport;
  }

  authenticate() {
    return this.runtime.authenticate();
  }

  ensureAccessToken() {
    return this.runtime.ensureAccessToken();
  }

  async signMessage(
    payload: AgentWalletSignMessageRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedMessageResult> {
    if (!this.signsLocally) return this.runtime.api.signMessage(payload, options);
    const message = payload.encoding === "hex" ? { raw: payload.message as Hex } : payload.message;
    return this.#localResult(await this.connector.signMessage!(message));
  }

  async signTypedData(
    payload: AgentWalletSignTypedDataRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedMessageResult> {
    if (!this.signsLocally) return this.runtime.api.signTypedData(payload, options);
    const { primary_type, ...rest } = payload.typed_data;
    return this.#localResult(await this.connector.signTypedData!({ ...rest, primaryType: primary_type }));
  }

  async signTransaction(
    payload: AgentWalletSignTransactionRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SignedTransactionResult> {
    if (!this.signsLocally) return this.runtime.api.signTransaction(payload, options);
    if (!this.connector.signTransaction) {
      throw new NotSupportedError("This local wallet cannot sign transactions.", {
        hint: "Use a signer with signTransaction (a viem LocalAccount does).",
      });
    }
    const chainId = payload.caip2.split(":")[1];
    const signedTransaction = (await this.connector.signTransaction({
      ...(chainId ? { chainId } : {}),
      ...payload.params.transaction,
    })) as Hex;
    const { keccak256 } = await import("viem");
    const base = await this.#localResult(null);
    return {
      account: base.account,
      wallet: base.wallet,
      signed: { signed_transaction: signedTransaction, transaction_hash: keccak256(signedTransaction) },
      signedTransaction,
      transactionHash: keccak256(signedTransaction),
    };
  }

  async sendTransaction(
    payload: AgentWalletSendTransactionRequest,
    options?: AgentScopedRequestOptions,
  ): Promise<SentTransactionResult> {
    if (!this.signsLocally) return this.runtime.api.sendTransaction(payload, options);
    throw new NotSupportedError(
      "A local-key wallet cannot broadcast by itself: it has no chain connection.",
      {
        hint: "Use createViemAccount(wallet, { chainId }) with a viem wallet client, or signTransaction and broadcast the result.",
      },
    );
  }

  getWalletMetadata() {
    return this.connector.getWalletMetadata();
  }

  async getAddress(): Promise<string | null> {
    const known =
      (await this.connector.getAddress?.()) ?? (await this.connector.getWalletMetadata())?.address ?? null;
    if (known) return known;
    const agent = (await this.runtime.api.getAgent()) as { wallet?: { address?: string } };
    return agent.wallet?.address ?? null;
  }

  on<E extends AgentAuthEvent>(event: E, handler: EventHandler<E>) {
    return this.runtime.on(event, handler);
  }

  async shutdown() {
    await this.runtime.shutdown();
    await this.#transport?.close?.();
  }

  /** A local signature in the same shape as the server's answers. */
  async #localResult(signature: string | null): Promise<SignedMessageResult> {
    const metadata = await this.connector.getWalletMetadata();
    const address = (await this.connector.getAddress?.()) ?? metadata?.address ?? null;
    const sig = (signature ?? "0x") as Hex;
    return {
      account: { id: this.runtime.config.agentRef, displayName: metadata?.label ?? null },
      wallet: {
        id: address ?? "local",
        address,
        chain: metadata?.caip2 ?? "eip155",
        provider: metadata?.provider ?? "local",
        chainType: "ethereum",
        externalId: null,
        privyWalletId: null,
        status: "active",
      },
      signed: { signature: sig },
      signature: sig,
    };
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
