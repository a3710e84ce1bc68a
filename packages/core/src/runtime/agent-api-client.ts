import {
  type AgentDetail,
  type AgentListResponse,
  type AgentWalletSignedResponse,
  type AgentWalletSignedTransactionResponse,
  type AgentWalletTransactionResponse,
  type Client,
  getV1Agents,
  getV1AgentsByAgentRef,
  postV1AgentsByAgentRefWalletSendTransaction,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AgentsByAgentRefWalletSignTransaction,
  postV1AgentsByAgentRefWalletSignTypedData,
  type SignMessageRequest,
  type SignTypedDataRequest,
  type TransactionRequest,
} from "@lucid-dreams/sdk";
import { AgentApiClientError, apiError } from "./agent-api-error.js";
import { AgentAuthErrorCode } from "./error-codes.js";
import { AgentAuthError, ConfigurationError, CoverageMismatchError } from "./errors.js";
import { mergeHeaders } from "./merge-headers.js";
import { callSdk } from "./sdk-call.js";
import { type SdkTarget, sdkTarget } from "./sdk-client.js";
import { SpanName, type Telemetry } from "./telemetry.js";
import type { FetchExecutor, HttpTransport } from "./transport/http-transport.js";

export { AgentApiClientError, isAgentApiClientError } from "./agent-api-error.js";
export type {
  AgentDetail,
  AgentListResponse,
  AgentWalletSignedResponse,
  AgentWalletSignedTransactionResponse,
  AgentWalletTransactionResponse,
};

/** Body of `signMessage`: `message`, optional `encoding`, `idempotency_key`, `authorization_context`. */
export type AgentWalletSignMessageRequest = SignMessageRequest;
/** Body of `signTypedData`: `typed_data` with `primary_type` (wire spelling). */
export type AgentWalletSignTypedDataRequest = SignTypedDataRequest;
/** Body of `signTransaction`: `caip2` and `params.transaction`. */
export type AgentWalletSignTransactionRequest = TransactionRequest;
/** Body of `sendTransaction`: `caip2` and `params.transaction`. */
export type AgentWalletSendTransactionRequest = TransactionRequest;

type Hex = `0x${string}`;

/** A signed message or typed data, with the signature at the top level. */
export type SignedMessageResult = AgentWalletSignedResponse & { signature: Hex };
/** A signed (not broadcast) transaction, ready for `eth_sendRawTransaction`. */
export type SignedTransactionResult = AgentWalletSignedTransactionResponse & {
  signedTransaction: Hex;
  transactionHash: Hex;
};
/** A broadcast transaction, with its hash at the top level. */
export type SentTransactionResult = AgentWalletTransactionResponse & { hash: Hex };

export interface AgentApiClientOptions {
  /** Lucid API base URL. Required unless `client` is given. */
  baseUrl?: string;
  /** The transport executing requests. Preferred over `fetch`. */
  transport?: HttpTransport;
  fetch?: FetchExecutor;
  headers?: HeadersInit;
  /** Agent used when a call does not name one. */
  agentRef?: string;
  client?: Client;
  /** Resolves the current access token; called lazily before each request. */
  getAccessToken: () => Promise<string | null | undefined>;
  /**
   * Called once when the server answers 401: force a token refresh. The call is then retried once (every
   * call here is safe to repeat: reads, and wallet calls that carry an idempotency key).
   */
  onUnauthorized?: () => Promise<void>;
  /** Makes idempotency keys for wallet calls that do not bring one. Default `crypto.randomUUID()`. */
  idempotencyKey?: () => string;
  /** Opens `agent.wallet.*` spans around the wallet calls. */
  telemetry?: Telemetry;
}

export interface AgentRequestOptions {
  headers?: HeadersInit;
  signal?: AbortSignal;
  meta?: Record<string, unknown>;
}

export interface AgentScopedRequestOptions extends AgentRequestOptions {
  /** Overrides the client's agent for this call. */
  agentRef?: string;
}

type SdkCall<T> = (
  options: SdkTarget & {
    auth: string;
    headers: Record<string, string>;
    signal?: AbortSignal;
    meta?: Record<string, unknown>;
  },
) => Promise<{ data?: T; error?: unknown; response?: Response }>;

/**
 * Authenticated calls to the agent API through the generated SDK: agents and the agent's server-held wallet.
 * Every sign and send carries an `idempotency_key` (the caller's, or one made for the logical call and kept
 * across its retries), so a retried call never signs or broadcasts twice.
 */
export class AgentApiClient {
  private readonly options: AgentApiClientOptions;

  constructor(options: AgentApiClientOptions) {
    if (!options.client && !options.baseUrl) {
      throw new ConfigurationError("AgentApiClient needs a baseUrl (or a generated-SDK client).", {
        hint: "Pass { baseUrl: 'https://…' } or set LUCID_BASE_URL.",
      });
    }
    this.options = options;
  }

  /** Agents the caller may see. Needs the `agents.read` scope. */
  listAgents(options: AgentRequestOptions = {}): Promise<AgentListResponse> {
    return this.call("listAgents", undefined, options, {}, (base) => getV1Agents(base));
  }

  /** One agent (default: the client's). Needs the `agents.read` scope. */
  getAgent(options: AgentScopedRequestOptions = {}): Promise<AgentDetail> {
    const agentRef = this.agentRef(options);
    return this.call("getAgent", agentRef, options, {}, (base) =>
      getV1AgentsByAgentRef({ ...base, path: { agentRef } }),
    );
  }

  /** Signs a message (EIP-191) with the agent's server-held wallet. */
  async signMessage(
    payload: AgentWalletSignMessageRequest,
    options: AgentScopedRequestOptions = {},
  ): Promise<SignedMessageResult> {
    const agentRef = this.agentRef(options);
    const body = this.withIdempotencyKey(payload);
    const response = await this.call("signMessage", agentRef, options, idempotencyHeader(body), (base) =>
      postV1AgentsByAgentRefWalletSignMessage({ ...base, path: { agentRef }, body }),
    );
    return {
      ...response,
      signature: requireHex(response.signed?.signature, "signMessage", "signed.signature"),
    };
  }

  /** Signs EIP-712 typed data with the agent's server-held wallet. */
  async signTypedData(
    payload: AgentWalletSignTypedDataRequest,
    options: AgentScopedRequestOptions = {},
  ): Promise<SignedMessageResult> {
    const agentRef = this.agentRef(options);
    const body = this.withIdempotencyKey(payload);
    const response = await this.call("signTypedData", agentRef, options, idempotencyHeader(body), (base) =>
      postV1AgentsByAgentRefWalletSignTypedData({ ...base, path: { agentRef }, body }),
    );
    return {
      ...response,
      signature: requireHex(response.signed?.signature, "signTypedData", "signed.signature"),
    };
  }

  /** Signs a transaction without broadcasting it (give nonce, gas and fees: nothing is filled in). */
  async signTransaction(
    payload: AgentWalletSignTransactionRequest,
    options: AgentScopedRequestOptions = {},
  ): Promise<SignedTransactionResult> {
    const agentRef = this.agentRef(options);
    const body = this.withIdempotencyKey(payload);
    const response = await this.call("signTransaction", agentRef, options, idempotencyHeader(body), (base) =>
      postV1AgentsByAgentRefWalletSignTransaction({ ...base, path: { agentRef }, body }),
    );
    return {
      ...response,
      signedTransaction: requireHex(
        response.signed?.signed_transaction,
        "signTransaction",
        "signed.signed_transaction",
      ),
      transactionHash: requireHex(
        response.signed?.transaction_hash,
        "signTransaction",
        "signed.transaction_hash",
      ),
    };
  }

  /** Signs and broadcasts a transaction with the agent's server-held wallet. Never broadcast twice by a retry. */
  async sendTransaction(
    payload: AgentWalletSendTransactionRequest,
    options: AgentScopedRequestOptions = {},
  ): Promise<SentTransactionResult> {
    const agentRef = this.agentRef(options);
    const body = this.withIdempotencyKey(payload);
    const response = await this.call("sendTransaction", agentRef, options, idempotencyHeader(body), (base) =>
      postV1AgentsByAgentRefWalletSendTransaction({ ...base, path: { agentRef }, body }),
    );
    return {
      ...response,
      hash: requireHex(response.transaction?.hash, "sendTransaction", "transaction.hash"),
    };
  }

  private withIdempotencyKey<T extends { idempotency_key?: string }>(
    payload: T,
  ): T & { idempotency_key: string } {
    const key = payload.idempotency_key ?? this.options.idempotencyKey?.() ?? crypto.randomUUID();
    return { ...payload, idempotency_key: key };
  }

  private agentRef(options: AgentScopedRequestOptions): string {
    const agentRef = options.agentRef ?? this.options.agentRef;
    if (!agentRef) {
      throw new ConfigurationError("No agent ref for this request.", {
        hint: "Pass { agentRef } to the client or the call, or set LUCID_AGENT_REF.",
      });
    }
    return agentRef;
  }

  /** One call with the bearer attached lazily; on 401, one forced refresh and one retry. */
  private async call<T>(
    operation: string,
    agentRef: string | undefined,
    options: AgentRequestOptions,
    extraHeaders: Record<string, string>,
    run: SdkCall<T>,
  ): Promise<T> {
    const attempt = async () => {
      const token = await this.options.getAccessToken();
      if (!token) {
        throw new AgentApiClientError(
          AgentAuthErrorCode.AccessTokenRequired,
          `${operation} needs an access token and none is available.`,
          {
            operation,
            agentRef,
            hint: "Authenticate first (runtime.authenticate()) or provide getAccessToken.",
          },
        );
      }
      const { client, baseUrl, transport } = this.options;
      const target = sdkTarget(client, baseUrl!, transport?.asFetch() ?? this.options.fetch);
      return callSdk(
        operation,
        () => {
          // No spreads of optional parts: this object is made on every call.
          const request: Parameters<SdkCall<T>>[0] = {
            ...target,
            auth: token,
            headers: mergeHeaders(this.options.headers, options.headers, extraHeaders),
          };
          if (options.signal) request.signal = options.signal;
          if (options.meta) request.meta = options.meta;
          return run(request);
        },
        (failure) => apiError(operation, agentRef, failure, this.options.baseUrl),
      );
    };
    const withRetry = async () => {
      try {
        return await attempt();
      } catch (error) {
        if (!this.options.onUnauthorized || !isUnauthorized(error)) throw error;
        await this.options.onUnauthorized();
        return attempt();
      }
    };
    const span = WALLET_SPANS[operation];
    return span && this.options.telemetry
      ? this.options.telemetry.withSpan(span, {}, withRetry)
      : withRetry();
  }
}

const WALLET_SPANS: Record<string, string> = {
  signMessage: SpanName.WalletSignMessage,
  signTypedData: SpanName.WalletSignTypedData,
  signTransaction: SpanName.WalletSignTransaction,
  sendTransaction: SpanName.WalletSendTransaction,
};

function idempotencyHeader(body: { idempotency_key: string }): Record<string, string> {
  return { "idempotency-key": body.idempotency_key };
}

/** A 401: the token expired, was revoked with its family, or is unknown. A refresh (or a new sign-in) may help. */
const isUnauthorized = (error: unknown) => AgentAuthError.isInstance(error) && error.status === 401;

function requireHex(value: unknown, operation: string, field: string): Hex {
  if (typeof value === "string" && /^0x[0-9a-fA-F]*$/.test(value)) return value as Hex;
  throw new CoverageMismatchError(`The ${operation} response has no valid ${field}.`, {
    hint: "The server does not speak the Lucid wallet contract; check the base URL.",
  });
}
