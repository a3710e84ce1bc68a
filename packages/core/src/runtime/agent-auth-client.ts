import {
  type AgentChallengeRequest,
  type AgentChallengeResponse,
  type AgentExchangeRequest,
  type AgentExchangeResponse,
  type AgentRefreshRequest,
  type Client,
  postV1AuthAgentsByAgentRefChallenge,
  postV1AuthAgentsByAgentRefExchange,
  postV1AuthAgentsByAgentRefRefresh,
} from "@lucid-dreams/sdk";
import {
  type AgentAuthError,
  ChallengeFailedError,
  ConfigurationError,
  CoverageMismatchError,
  CredentialRevokedError,
  RefreshFailedError,
} from "./errors.js";
import { mergeHeaders } from "./merge-headers.js";
import { callSdk, describeHttpFailure, networkError, type SdkFailure } from "./sdk-call.js";
import { sdkTarget } from "./sdk-client.js";
import { SpanName, type Telemetry } from "./telemetry.js";
import type { FetchExecutor, HttpTransport, RetryMode } from "./transport/http-transport.js";

export type {
  AgentChallenge,
  AgentChallengeRequest,
  AgentChallengeResponse,
  AgentExchangeRequest,
  AgentExchangeResponse,
  AgentRefreshRequest,
  ChallengePayload,
  CredentialInfo,
} from "@lucid-dreams/sdk";

/** The generated SDK client type, for callers who bring their own. */
export type AgentAuthSdkClient = Client;

export interface AgentAuthClientOptions {
  /** Agent used when a call does not name one. */
  agentRef?: string;
  /** Lucid API base URL. Required unless `client` is given. */
  baseUrl?: string;
  /** The transport executing requests (retries, timeouts, headers). Preferred over `fetch`. */
  transport?: HttpTransport;
  /** A plain fetch, when no transport is given. */
  fetch?: FetchExecutor;
  /** Headers sent with every request. */
  headers?: HeadersInit;
  /** A generated-SDK client to use as is. */
  client?: AgentAuthSdkClient;
  /** Opens `agent.auth.challenge|exchange|refresh` spans around the calls. */
  telemetry?: Telemetry;
  /**
   * Retries of the challenge request, which is safe to repeat: after a 5xx (500 included), a 429 or no
   * answer, up to `attempts` tries in total with full-jitter exponential backoff from `baseDelayMs`
   * (each delay at most `maxDelayMs`). Default 4 attempts, 100 ms, 2 000 ms.
   */
  challengeRetry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Waits between challenge retries. Default `setTimeout`. */
  sleep?: (ms: number) => Promise<void>;
  /** Random numbers in [0, 1) for the backoff jitter. Default `Math.random`. */
  random?: () => number;
}

export interface AgentAuthRequestOptions {
  /** Overrides the client's agent for this call. */
  agentRef?: string;
  headers?: HeadersInit;
  signal?: AbortSignal;
  /** Forwarded to the generated SDK's `meta` bag. */
  meta?: Record<string, unknown>;
}

/**
 * Typed wrapper over the challenge, exchange and refresh endpoints, through the generated SDK only.
 * Failures become the runtime's error union: `ChallengeFailedError` (challenge, exchange),
 * `RefreshFailedError` and `CredentialRevokedError` (refresh), `TransportError` (no answer).
 *
 * Retries: a challenge creates nothing that matters if repeated, so the transport may retry it; exchange and
 * refresh consume single-use values (the challenge, the refresh token) and are never resent once sent.
 */
export class AgentAuthClient {
  private readonly options: AgentAuthClientOptions;

  constructor(options: AgentAuthClientOptions) {
    if (!options.client && !options.baseUrl) {
      throw new ConfigurationError("AgentAuthClient needs a baseUrl (or a generated-SDK client).", {
        hint: "Pass { baseUrl: 'https://…' } or set LUCID_BASE_URL.",
      });
    }
    this.options = options;
  }

  /**
   * Asks the server for a challenge the agent's wallet must sign. Retried with backoff after a 5xx, a 429 or
   * no answer (see `challengeRetry`): a challenge is safe to request again, and one failure must not fail
   * every caller waiting for the sign-in.
   */
  async requestChallenge(
    payload: AgentChallengeRequest,
    options: AgentAuthRequestOptions = {},
  ): Promise<AgentChallengeResponse> {
    const { attempts = 4, baseDelayMs = 100, maxDelayMs = 2_000 } = this.options.challengeRetry ?? {};
    const sleep =
      this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const random = this.options.random ?? Math.random;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.requestChallengeOnce(payload, options);
      } catch (error) {
        const retryable =
          typeof error === "object" &&
          error !== null &&
          (error as AgentAuthError).retryable === true &&
          options.signal?.aborted !== true;
        if (!retryable || attempt >= attempts) throw error;
        await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async requestChallengeOnce(
    payload: AgentChallengeRequest,
    options: AgentAuthRequestOptions,
  ): Promise<AgentChallengeResponse> {
    const agentRef = this.agentRef(options);
    const response = await this.traced(SpanName.AuthChallenge, () =>
      callSdk(
        "requesting a challenge",
        () =>
          postV1AuthAgentsByAgentRefChallenge({
            ...this.requestBase("safe", options),
            path: { agentRef },
            body: payload,
          }),
        (failure) => this.challengeError("Requesting a challenge", agentRef, failure),
      ),
    );
    if (typeof response?.challenge?.id !== "string") {
      throw new CoverageMismatchError("The challenge response has no challenge id.", {
        hint: "The server does not speak the Lucid agent auth contract; check the base URL.",
      });
    }
    return response;
  }

  /** Exchanges a signed challenge for an access token and a refresh token. Never retried. */
  async exchange(
    payload: AgentExchangeRequest,
    options: AgentAuthRequestOptions = {},
  ): Promise<AgentExchangeResponse> {
    const agentRef = this.agentRef(options);
    const bundle = await this.traced(SpanName.AuthExchange, () =>
      callSdk(
        "exchanging the challenge",
        () =>
          postV1AuthAgentsByAgentRefExchange({
            ...this.requestBase("never", options),
            path: { agentRef },
            body: payload,
          }),
        (failure) => this.challengeError("Exchanging the signed challenge", agentRef, failure),
      ),
    );
    return checkTokenBundle(bundle, "exchange");
  }

  /** Rotates the refresh token. Never retried: a refresh token is single-use. */
  async refresh(
    payload: AgentRefreshRequest,
    options: AgentAuthRequestOptions = {},
  ): Promise<AgentExchangeResponse> {
    const agentRef = this.agentRef(options);
    const bundle = await this.traced(SpanName.AuthRefresh, () =>
      callSdk(
        "refreshing the access token",
        () =>
          postV1AuthAgentsByAgentRefRefresh({
            ...this.requestBase("never", options),
            path: { agentRef },
            body: payload,
          }),
        (failure) => refreshError(agentRef, failure, this.options.baseUrl),
      ),
    );
    return checkTokenBundle(bundle, "refresh");
  }

  private traced<T>(span: string, fn: () => Promise<T>): Promise<T> {
    return this.options.telemetry ? this.options.telemetry.withSpan(span, {}, fn) : fn();
  }

  private agentRef(options: AgentAuthRequestOptions): string {
    const agentRef = options.agentRef ?? this.options.agentRef;
    if (!agentRef) {
      throw new ConfigurationError("No agent ref for this request.", {
        hint: "Pass { agentRef } to the client or the call, or set LUCID_AGENT_REF.",
      });
    }
    return agentRef;
  }

  private requestBase(retry: RetryMode, options: AgentAuthRequestOptions) {
    const fetch = this.options.transport?.asFetch({ retry }) ?? this.options.fetch;
    const base: {
      client: AgentAuthSdkClient;
      baseUrl?: string;
      fetch?: FetchExecutor;
      headers?: Record<string, string>;
      signal?: AbortSignal;
      meta?: Record<string, unknown>;
    } = sdkTarget(this.options.client, this.options.baseUrl!, fetch);
    // Headers only when there are some: an empty object would still cost the SDK a merge.
    if (this.options.headers !== undefined || options.headers !== undefined) {
      base.headers = mergeHeaders(this.options.headers, options.headers);
    }
    if (options.signal) base.signal = options.signal;
    if (options.meta) base.meta = options.meta;
    return base;
  }

  private challengeError(action: string, agentRef: string, failure: SdkFailure): AgentAuthError {
    if (failure.kind === "network") return networkError(action, this.options.baseUrl, failure.cause);
    return new ChallengeFailedError(
      `${action} for agent ${agentRef} failed: ${describeHttpFailure(failure)}.`,
      {
        status: failure.status,
        ...(failure.serverCode ? { serverCode: failure.serverCode } : {}),
        retryable: failure.status === 429 || failure.status >= 500,
        hint: challengeHint(failure),
      },
    );
  }
}

function challengeHint(failure: Extract<SdkFailure, { kind: "http" }>): string | undefined {
  switch (failure.serverCode) {
    case "invalid_signature":
      return "The wallet that signed is not the one bound to the credential: check credentialId and the signer.";
    case "challenge_expired":
      return "Sign and exchange the challenge before its expires_at; check the machine's clock.";
    case "not_found":
      return "Check the agent ref and credential id (LUCID_AGENT_REF, LUCID_AGENT_CREDENTIAL).";
    case "insufficient_scope":
      return "The credential does not hold the requested scopes; request fewer scopes.";
    default:
      return undefined;
  }
}

/** Refresh failures: revoked families, rejected or expired refresh tokens, or a server that did not answer. */
function refreshError(agentRef: string, failure: SdkFailure, baseUrl: string | undefined): AgentAuthError {
  if (failure.kind === "network") return networkError("Refreshing the access token", baseUrl, failure.cause);
  const detail = describeHttpFailure(failure);
  const serverCode = failure.serverCode ? { serverCode: failure.serverCode } : {};
  if (failure.serverCode === "credential_revoked") {
    return new CredentialRevokedError(`The credential of agent ${agentRef} was revoked (${detail}).`, {
      status: failure.status,
      ...serverCode,
      hint: "Authenticate again with a new challenge; if this keeps happening, a refresh token was used twice.",
    });
  }
  return new RefreshFailedError(`Refreshing the access token of agent ${agentRef} failed: ${detail}.`, {
    status: failure.status,
    ...serverCode,
    retryable: failure.status === 429 || failure.status >= 500,
    hint:
      failure.status === 401
        ? "The refresh token was rejected; authenticate again with a new challenge."
        : "Try again later.",
  });
}

/** Checks the fields the runtime relies on, so a wrong server fails here with a clear error. */
function checkTokenBundle(bundle: AgentExchangeResponse, operation: string): AgentExchangeResponse {
  const problems: string[] = [];
  if (typeof bundle?.access_token !== "string" || bundle.access_token === "") problems.push("access_token");
  if (typeof bundle?.refresh_token !== "string" || bundle.refresh_token === "")
    problems.push("refresh_token");
  if (Number.isNaN(Date.parse(bundle?.expires_at))) problems.push("expires_at");
  const refreshExpiry = bundle?.refresh_expires_at ?? bundle?.refresh_token_expires_at;
  if (typeof refreshExpiry !== "string" || Number.isNaN(Date.parse(refreshExpiry)))
    problems.push("refresh_expires_at");
  if (problems.length > 0) {
    throw new CoverageMismatchError(`The ${operation} response lacks valid ${problems.join(", ")}.`, {
      hint: "The server does not speak the Lucid agent auth contract; check the base URL.",
    });
  }
  return { ...bundle, refresh_expires_at: refreshExpiry as string };
}
