import type { WalletClient } from "../create-wallet.js";
import type {
  AgentScopedRequestOptions,
  AgentWalletSendTransactionRequest,
  AgentWalletSignMessageRequest,
  AgentWalletSignTransactionRequest,
  AgentWalletSignTypedDataRequest,
  SentTransactionResult,
  SignedMessageResult,
  SignedTransactionResult,
} from "../runtime/agent-api-client.js";
import type { AgentRuntime } from "../runtime/agent-runtime.js";
import { ConfigurationError } from "../runtime/errors.js";

/**
 * What the host injects into the tools: an `AgentRuntime` (the server-held wallet) or a `WalletClient` from
 * `createWallet` (server-held or local key). The model never sees it.
 */
export type LucidSession = AgentRuntime | WalletClient;

/** The tools' view of a session: the agent, its wallet address and chain, and the wallet calls. */
export interface ToolSession {
  readonly agentRef: string;
  readonly signsLocally: boolean;
  /** The wallet's address and CAIP-2 chain (from the agent's record, asked once per session). */
  wallet(signal?: AbortSignal): Promise<{ address: string; caip2: string | null }>;
  listAgents(signal?: AbortSignal): Promise<Array<Record<string, unknown>>>;
  getAgent(agentRef: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  signMessage(body: AgentWalletSignMessageRequest, signal?: AbortSignal): Promise<SignedMessageResult>;
  signTypedData(body: AgentWalletSignTypedDataRequest, signal?: AbortSignal): Promise<SignedMessageResult>;
  signTransaction(
    body: AgentWalletSignTransactionRequest,
    signal?: AbortSignal,
  ): Promise<SignedTransactionResult>;
  sendTransaction(
    body: AgentWalletSendTransactionRequest,
    signal?: AbortSignal,
  ): Promise<SentTransactionResult>;
}

const sessions = new WeakMap<object, ToolSession>();

/** The tool view of `session`, built once per session object. */
export function toToolSession(session: LucidSession): ToolSession {
  if (typeof session !== "object" || session === null || !("api" in session || "runtime" in session)) {
    throw new ConfigurationError("The Lucid tools got no session.", {
      hint: "Pass an AgentRuntime or a createWallet() client to the tools, or return one from the session resolver.",
    });
  }
  let toolSession = sessions.get(session);
  if (!toolSession) {
    toolSession = "runtime" in session ? fromWalletClient(session) : fromRuntime(session);
    sessions.set(session, toolSession);
  }
  return toolSession;
}

const options = (signal: AbortSignal | undefined): AgentScopedRequestOptions => (signal ? { signal } : {});

function fromRuntime(runtime: AgentRuntime): ToolSession {
  const api = runtime.api;
  let wallet: Promise<{ address: string; caip2: string | null }> | undefined;
  return {
    agentRef: runtime.config.agentRef,
    signsLocally: false,
    wallet(signal) {
      wallet ??= api
        .getAgent(options(signal))
        .then(walletOf)
        .catch((error: unknown) => {
          wallet = undefined;
          throw error;
        });
      return wallet;
    },
    listAgents: async (signal) =>
      (await api.listAgents(options(signal))).items as Array<Record<string, unknown>>,
    getAgent: async (agentRef, signal) =>
      (await api.getAgent({ agentRef, ...options(signal) })) as Record<string, unknown>,
    signMessage: (body, signal) => api.signMessage(body, options(signal)),
    signTypedData: (body, signal) => api.signTypedData(body, options(signal)),
    signTransaction: (body, signal) => api.signTransaction(body, options(signal)),
    sendTransaction: (body, signal) => api.sendTransaction(body, options(signal)),
  };
}

function fromWalletClient(client: WalletClient): ToolSession {
  const base = fromRuntime(client.runtime);
  if (!client.signsLocally) return base;
  return {
    ...base,
    signsLocally: true,
    async wallet() {
      const metadata = await client.getWalletMetadata();
      const address = await client.getAddress();
      if (!address) {
        throw new ConfigurationError("The local wallet has no address.", { hint: "Check the local signer." });
      }
      return { address, caip2: metadata?.caip2 ?? null };
    },
    signMessage: (body) => client.signMessage(body),
    signTypedData: (body) => client.signTypedData(body),
    signTransaction: (body) => client.signTransaction(body),
    sendTransaction: (body) => client.sendTransaction(body),
  };
}

function walletOf(agent: unknown): { address: string; caip2: string | null } {
  const wallet = (agent as { wallet?: { address?: unknown; caip2?: unknown } }).wallet;
  if (typeof wallet?.address !== "string") {
    throw new ConfigurationError("The agent has no wallet address on the server.", {
      hint: "Check that the agent has a wallet (GET /v1/agents/{agentRef} returns wallet.address).",
    });
  }
  return { address: wallet.address, caip2: typeof wallet.caip2 === "string" ? wallet.caip2 : null };
}
