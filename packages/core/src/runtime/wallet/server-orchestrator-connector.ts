/**
 * A connector whose key lives on the Lucid server: challenges are signed through the agent wallet endpoints
 * (`sign-message`, `sign-typed-data`) of the generated SDK, with a bearer token.
 *
 * Tokens: the runtime calls `setAccessToken` on every `authenticated`/`tokenRefreshed` event (and `null` on
 * `tokensCleared`), so the connector keeps its bearer in sync by itself. The very first login has no runtime
 * token yet: pass an owner/bootstrap token as `accessToken` (e.g. `LUCID_SERVER_ACCESS_TOKEN`); it is used
 * whenever no runtime token is set, including after the runtime's token was cleared.
 */
import {
  getV1AgentsByAgentRef,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AgentsByAgentRefWalletSignTypedData,
  type TypedData,
} from "@lucid-dreams/sdk";
import {
  AgentAuthError,
  type AgentAuthErrorOptions,
  ChallengeFailedError,
  ConfigurationError,
} from "../errors.js";
import { callSdk, describeHttpFailure, networkError, type SdkFailure } from "../sdk-call.js";
import { type SdkTarget, sdkTarget } from "../sdk-client.js";
import type { FetchExecutor } from "../transport/http-transport.js";
import type { AgentChallengeInput, WalletConnector, WalletMetadata } from "./base-connector.js";
import {
  challengeToSignable,
  detectMessageEncoding,
  extractSignature,
  extractWalletMetadata,
  isEip155Caip2,
  isHexBytes,
  typedDataToWire,
} from "./challenge.js";
import { WalletErrorCode } from "./wallet-errors.js";

/** Options of `ServerOrchestratorWalletConnector`. */
export interface ServerOrchestratorWalletConnectorOptions {
  /** Base URL of the Lucid API (e.g. `https://lucid.daydream.systems`). */
  baseUrl: string;
  /** The agent whose wallet signs. */
  agentRef: string;
  /** Fetch to use, e.g. a transport's `asFetch()`. Default `globalThis.fetch`. */
  fetch?: FetchExecutor;
  /** Extra headers on every request (an `authorization` header here is ignored). */
  headers?: HeadersInit;
  /** Owner/bootstrap bearer token (e.g. from `LUCID_SERVER_ACCESS_TOKEN`), used when no runtime token is set. */
  accessToken?: string | null;
  /** Merged into `authorization_context` of every request (`reason` defaults to `lucid.agent.auth.exchange`). */
  authorizationContext?: Record<string, unknown>;
}

const DEFAULT_AUTHORIZATION_CONTEXT = { reason: "lucid.agent.auth.exchange" } as const;

/** Thrown when the connector must call the server but has no bearer token at all. */
export class ServerOrchestratorMissingAccessTokenError extends AgentAuthError {
  declare readonly code: "missing_access_token";
  constructor(options: AgentAuthErrorOptions = {}) {
    super(
      WalletErrorCode.MissingAccessToken,
      "The server wallet connector has no bearer token to call the Lucid wallet endpoints with.",
      {
        hint:
          "Set LUCID_SERVER_ACCESS_TOKEN (an owner token allowed to sign for this agent) and pass it as " +
          "accessToken, or call setAccessToken(token) before the first login.",
        retryable: false,
        ...options,
      },
    );
    this.name = "ServerOrchestratorMissingAccessTokenError";
  }
}

/**
 * The Lucid server refused or failed to sign the challenge. `isChallengeFailed(e)` is true for it; `status` and
 * `serverCode` (`unauthorized`, `forbidden`, `insufficient_scope`, ...) say why.
 */
export class ServerOrchestratorSigningError extends ChallengeFailedError {
  constructor(message: string, options: AgentAuthErrorOptions = {}) {
    super(message, options);
    this.name = "ServerOrchestratorSigningError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const stripBearer = (token: string) => token.trim().replace(/^bearer\s+/i, "");

const hintForStatus = (status: number): string => {
  if (status === 401) {
    return (
      "The bearer token was rejected (missing, expired or revoked). For the first login pass a valid owner " +
      "token as accessToken (LUCID_SERVER_ACCESS_TOKEN); afterwards the runtime keeps it in sync via setAccessToken."
    );
  }
  if (status === 403) {
    return "The token may not sign for this agent: it needs the wallet.sign scope and access to the agent.";
  }
  if (status === 404) return "Check agentRef and baseUrl: the server does not know this agent.";
  if (status === 409) return "A request with the same idempotency key is still running; retry shortly.";
  if (status === 429) return "Rate limited: retry after the server's Retry-After delay.";
  if (status >= 500) return "The server failed; retrying later may succeed.";
  return "Check the request and the server logs.";
};

/** Signs challenges with the agent wallet held by the Lucid server (the hosted "server orchestrator"). */
export class ServerOrchestratorWalletConnector implements WalletConnector {
  readonly #agentRef: string;
  readonly #target: SdkTarget;
  readonly #baseUrl: string;
  readonly #headers: Record<string, string>;
  readonly #authorizationContext: Record<string, unknown>;
  #bootstrapToken: string | null;
  #sessionToken: string | null = null;
  #metadata: WalletMetadata | null = null;

  constructor(options: ServerOrchestratorWalletConnectorOptions) {
    if (!options?.baseUrl || typeof options.baseUrl !== "string") {
      throw new ConfigurationError("ServerOrchestratorWalletConnector needs a baseUrl.", {
        hint: 'Pass baseUrl, e.g. process.env.LUCID_SERVER_URL ?? process.env.LUCID_BASE_URL ?? "https://lucid.daydream.systems".',
      });
    }
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (cause) {
      throw new ConfigurationError("ServerOrchestratorWalletConnector's baseUrl is not a URL.", {
        hint: "Pass an absolute http(s) URL such as https://lucid.daydream.systems.",
        cause,
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ConfigurationError("ServerOrchestratorWalletConnector's baseUrl must be http(s).", {
        hint: "Pass an absolute http(s) URL such as https://lucid.daydream.systems.",
      });
    }
    if (!options.agentRef || typeof options.agentRef !== "string") {
      throw new ConfigurationError("ServerOrchestratorWalletConnector needs an agentRef.", {
        hint: "Pass the agent's ref or id, e.g. process.env.LUCID_AGENT_REF.",
      });
    }
    const fetchImpl = options.fetch ?? (globalThis.fetch as FetchExecutor | undefined);
    if (typeof fetchImpl !== "function") {
      throw new ConfigurationError("No fetch implementation is available.", {
        hint: "Pass options.fetch (e.g. a transport's asFetch()).",
      });
    }
    const headers = new Headers(options.headers);
    headers.delete("authorization");
    // The shared generated client, with this connector's base URL and fetch on every call.
    this.#baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.#target = sdkTarget(undefined, this.#baseUrl, fetchImpl);
    this.#headers = Object.fromEntries(headers.entries());
    this.#agentRef = options.agentRef;
    this.#bootstrapToken = options.accessToken ? stripBearer(options.accessToken) || null : null;
    this.#authorizationContext = { ...DEFAULT_AUTHORIZATION_CONTEXT, ...options.authorizationContext };
  }

  /**
   * Sets the runtime's bearer token (`null` clears it and falls back to the bootstrap `accessToken`). The runtime
   * calls this on `authenticated`, `tokenRefreshed` and `tokensCleared`. When no bootstrap token was given, the
   * first token set here is kept as the fallback.
   */
  setAccessToken(token: string | null): void {
    this.#sessionToken = token ? stripBearer(token) || null : null;
    // Without a bootstrap token, the first token given (e.g. an owner token set by hand) becomes the fallback.
    this.#bootstrapToken ??= this.#sessionToken;
  }

  /** True when a bearer token (runtime or bootstrap) is available. */
  hasAccessToken(): boolean {
    return this.#token() !== null;
  }

  #token(): string | null {
    return this.#sessionToken ?? this.#bootstrapToken;
  }

  #requireToken(): string {
    const token = this.#token();
    if (!token) throw new ServerOrchestratorMissingAccessTokenError();
    return token;
  }

  /**
   * Signs the challenge on the server: text and raw-byte payloads through `sign-message` (`encoding: "hex"` for
   * raw bytes), EIP-712 payloads through `sign-typed-data`. The idempotency key is `challenge:<id>`, so a retry
   * never signs twice. Caches the wallet metadata the server returns.
   */
  async signChallenge(challenge: AgentChallengeInput): Promise<string> {
    const token = this.#requireToken();
    try {
      return await this.#signChallengeWith(token, challenge);
    } catch (error) {
      // The runtime's own token may be expired or revoked by now: the bootstrap token may still sign.
      const bootstrap = this.#bootstrapToken;
      const rejected = (error as { status?: number }).status === 401;
      if (!rejected || !bootstrap || bootstrap === token) throw error;
      return this.#signChallengeWith(bootstrap, challenge);
    }
  }

  async #signChallengeWith(token: string, challenge: AgentChallengeInput): Promise<string> {
    const signable = challengeToSignable(challenge);
    const challengeId = String((challenge as { id?: unknown }).id ?? "");
    const common = {
      idempotency_key: `challenge:${challengeId}`,
      authorization_context: { ...this.#authorizationContext, challenge_id: challengeId },
    };
    const base = { ...this.#target, headers: this.#headers, auth: token, path: { agentRef: this.#agentRef } };
    const data = await callSdk(
      "signing the challenge on the Lucid server",
      () =>
        signable.kind === "typed_data"
          ? postV1AgentsByAgentRefWalletSignTypedData({
              ...base,
              body: { typed_data: typedDataToWire(signable.typedData) as TypedData, ...common },
            })
          : postV1AgentsByAgentRefWalletSignMessage({
              ...base,
              body: {
                message: signable.kind === "raw" ? signable.hex : signable.message,
                encoding: detectMessageEncoding(signable.kind === "raw" ? signable.hex : signable.message),
                ...common,
              },
            }),
      (failure) => this.#failure(failure),
    );
    const signature = extractSignature(data);
    if (!signature || !isHexBytes(signature)) {
      throw new ServerOrchestratorSigningError("The server's signing response has no 0x-hex signature.", {
        hint: "Check that baseUrl points at a Lucid server (the response must contain signed.signature).",
      });
    }
    const metadata = extractWalletMetadata(data);
    if (metadata) this.#metadata = metadata;
    return signature;
  }

  /** The shared SDK-call mapping: no answer is a `TransportError`, a refusal a `ServerOrchestratorSigningError`. */
  #failure(failure: SdkFailure): AgentAuthError {
    if (failure.kind === "network") {
      return networkError("Calling the Lucid wallet endpoint", this.#baseUrl, failure.cause);
    }
    const { status, serverCode } = failure;
    const options: AgentAuthErrorOptions = {
      status,
      hint: hintForStatus(status),
      retryable: status === 409 || status === 429 || status >= 500,
    };
    if (serverCode !== undefined) options.serverCode = serverCode;
    return new ServerOrchestratorSigningError(
      `The Lucid server refused to sign the challenge: ${describeHttpFailure(failure)}.`,
      options,
    );
  }

  /** Wallet metadata from the last signing response (or `getAddress` lookup); `null` before any. */
  async getWalletMetadata(): Promise<WalletMetadata | null> {
    return this.#metadata ? { ...this.#metadata } : null;
  }

  /**
   * The wallet address: cached from signing responses, else looked up with `GET /v1/agents/{agentRef}`
   * (`wallet.address` or `billing.wallet.address`) when a token is available; `null` when unknown.
   */
  async getAddress(): Promise<string | null> {
    if (this.#metadata?.address) return this.#metadata.address;
    const token = this.#token();
    if (!token) return null;
    let result: { data?: unknown; response?: Response };
    try {
      result = await getV1AgentsByAgentRef({
        ...this.#target,
        headers: this.#headers,
        auth: token,
        path: { agentRef: this.#agentRef },
      });
    } catch {
      return null;
    }
    if (!result.response?.ok || !isRecord(result.data)) return null;
    const agent = result.data;
    const wallet = isRecord(agent.wallet)
      ? agent.wallet
      : isRecord(agent.billing) && isRecord(agent.billing.wallet)
        ? agent.billing.wallet
        : undefined;
    const address = typeof wallet?.address === "string" ? wallet.address : null;
    if (address) {
      this.#metadata = {
        ...this.#metadata,
        address,
        caip2: typeof wallet?.caip2 === "string" ? wallet.caip2 : (this.#metadata?.caip2 ?? null),
      };
    }
    return address;
  }

  /** Any EVM chain (`eip155:<id>`): the server wallet is an EOA and the server takes the chain per request. */
  supportsCaip2(caip2: string): boolean {
    return typeof caip2 === "string" && isEip155Caip2(caip2);
  }
}
