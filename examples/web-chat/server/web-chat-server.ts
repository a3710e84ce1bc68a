/**
 * The web chat's server (node:http): a cookie sign-in for two demo users, each mapped to its own agent of the
 * Lucid server, the chat route (`streamText` with `tools: lucidTools(resolver)`, the session resolved per request
 * from the signed-in user) and the built page.
 *
 * Only the server holds credentials: the browser gets a random session cookie, the UI message stream (tool
 * inputs and results, which never hold a token or a key) and the policy's preview of each call it must approve.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createOpenAI } from "@ai-sdk/openai";
import { AgentRuntime, isConfigurationError, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import type { LucidTokens, LucidToolPolicy, LucidToolPreview } from "@lucid-dreams/agent-auth/tools";
import { lucidToolPreview, lucidTools } from "@lucid-dreams/ai-sdk";
import type { LocalServer } from "@lucid-dreams/local-server";
import {
  convertToModelMessages,
  type LanguageModel,
  pipeUIMessageStreamToResponse,
  stepCountIs,
  streamText,
  type UIMessage,
  type UIMessageChunk,
  validateUIMessages,
} from "ai";
import { type Address, createPublicClient, defineChain, type Hex, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseCookies, readBody, sendJson, sendStatic } from "./http.js";
import { approvalPreview, type MissingPreview } from "./preview.js";
import { createScriptedModel } from "./scripted-model.js";

/** A demo user and the agent (of the Lucid server) whose wallet they use. */
export interface DemoUser {
  id: string;
  name: string;
  agentRef: string;
  walletAddress: Address;
}

/** Options of `startWebChat`. */
export interface WebChatOptions {
  /** The Lucid server with at least two seeded agents (the first is Alice's, the second Bob's). */
  lucid: Pick<LocalServer, "url" | "seed">;
  /** Directory of the built page (`vite build`); default `dist` beside this package. */
  clientDir?: string;
  /** Default 0 (a free port). */
  port?: number;
  host?: string;
  /** The model; default OpenAI when `OPENAI_API_KEY` is set, else the scripted demo model. */
  model?: LanguageModel;
  /** The wallet policy of the tools. Default: at most 0.1 ETH per transaction. */
  policy?: LucidToolPolicy;
  /**
   * The tokens `sendToken` may move. Default: the local server's USDC, at most 5 per transaction and 20 per
   * session.
   */
  tokens?: LucidTokens;
  /** Environment to read `OPENAI_API_KEY` / `OPENAI_MODEL` from. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Where chat errors are reported (one line each, e.g. a forged approval). Default `console.error`. */
  log?: (line: string) => void;
}

/** A running web chat. */
export interface WebChat {
  url: string;
  users: DemoUser[];
  /** `scripted` or the provider model id. */
  modelName: string;
  /** The Lucid session of a demo user (server-side only). */
  sessionOf(userId: string): AgentRuntime;
  close(): Promise<void>;
}

const COOKIE = "lucid_chat_session";
/** The system prompt for a real model. */
const SYSTEM = [
  "You are a wallet assistant. Use the tools to act on the user's agent wallet.",
  "Amounts are in ETH unless the user says wei. Never invent addresses: use the ones the user gives.",
  "After a tool result, say in one or two sentences what happened (include the transaction hash).",
].join(" ");

/** Starts the web chat on `options.port` (default: a free port). */
export async function startWebChat(options: WebChatOptions): Promise<WebChat> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const { lucid } = options;
  const [aliceAgent, bobAgent] = lucid.seed.agents;
  if (!aliceAgent || !bobAgent) throw new Error("The web chat needs a Lucid server with two agents.");
  const policy: LucidToolPolicy = options.policy ?? { maxValuePerTransaction: "0.1" };
  const tokens: LucidTokens = options.tokens ?? {
    [lucid.seed.token.symbol]: { address: lucid.seed.token.address, maxPerTransaction: "5", budget: "20" },
  };
  const clientDir = options.clientDir ?? join(import.meta.dirname, "..", "dist");

  const users: DemoUser[] = [
    {
      id: "alice",
      name: "Alice",
      agentRef: aliceAgent.agentRef,
      walletAddress: aliceAgent.serverWalletAddress,
    },
    { id: "bob", name: "Bob", agentRef: bobAgent.agentRef, walletAddress: bobAgent.serverWalletAddress },
  ];
  const runtimes = new Map<string, AgentRuntime>();
  try {
    for (const [user, agent] of [
      [users[0]!, aliceAgent],
      [users[1]!, bobAgent],
    ] as const) {
      runtimes.set(
        user.id,
        await AgentRuntime.fromConfig({
          config: { baseUrl: lucid.url, agentRef: agent.agentRef, credentialId: agent.eoaCredentialId },
          wallet: {
            signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(agent.eoaPrivateKey) }),
          },
          backgroundRefresh: false,
        }),
      );
    }
  } catch (error) {
    await Promise.all([...runtimes.values()].map((runtime) => runtime.shutdown()));
    throw error;
  }

  const chain = defineChain({
    id: lucid.seed.chainId,
    name: `Chain ${lucid.seed.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [lucid.seed.rpcUrl] } },
  });
  const chainClient = createPublicClient({ chain, transport: http(lucid.seed.rpcUrl) }) as PublicClient;

  let model: LanguageModel;
  let modelName: string;
  if (options.model) {
    model = options.model;
    modelName = typeof model === "string" ? model : model.modelId;
  } else if (env.OPENAI_API_KEY) {
    modelName = env.OPENAI_MODEL ?? "gpt-4.1-mini";
    model = createOpenAI({ apiKey: env.OPENAI_API_KEY })(modelName);
  } else {
    model = createScriptedModel();
    modelName = "scripted";
  }

  // One tool set; the session of each call is the signed-in user's (from the call's context). The policy
  // simulates each transaction on the chain's RPC before anyone is asked to approve it, and its preview of each
  // call that needs approval is kept in that request's context until the approval request is streamed.
  const tools = lucidTools(
    ({ context }) => {
      const userId = (context as ChatContext | undefined)?.userId;
      const runtime = userId ? runtimes.get(userId) : undefined;
      if (!runtime) throw new Error("No signed-in user for this tool call.");
      return runtime;
    },
    {
      policy,
      tokens,
      rpc: { [lucid.seed.caip2]: lucid.seed.rpcUrl },
      onApprovalPreview: (preview, call) => {
        (call.context as ChatContext | undefined)?.previews.set(call.toolCallId, preview);
      },
    },
  );
  // Signs approval requests, so the browser cannot forge an approval or change a call after approving it.
  const approvalSecret = randomBytes(32);
  const sessions = new Map<string, string>(); // cookie value -> user id

  const userOf = (request: IncomingMessage): DemoUser | undefined => {
    const cookie = parseCookies(request.headers.cookie)[COOKIE];
    const userId = cookie ? sessions.get(cookie) : undefined;
    return users.find((user) => user.id === userId);
  };

  async function chat(request: IncomingMessage, response: ServerResponse, user: DemoUser) {
    const body = JSON.parse(await readBody(request)) as { messages?: unknown };
    const messages = (await validateUIMessages({ messages: body.messages })) as UIMessage[];
    const modelMessages = await convertToModelMessages(messages);
    // Per request: a tool call id (chosen by the model) never reaches another request's or user's previews.
    const context: ChatContext = { userId: user.id, previews: new Map() };
    const previewOf = async (
      toolName: string,
      input: unknown,
      toolCallId: string,
    ): Promise<LucidToolPreview | MissingPreview> => {
      const seen = context.previews.get(toolCallId);
      if (seen) return seen;
      // onApprovalPreview got none: the tool has no preview (sendToken), or its checks could not run (the chain
      // was unreachable); ask the policy once more. `execute` checks everything again either way.
      try {
        return await lucidToolPreview(tools, {
          toolName,
          input,
          toolCallId,
          messages: modelMessages,
          context,
        });
      } catch (error) {
        return isConfigurationError(error) ? "not-previewed" : "unavailable";
      }
    };
    const result = streamText({
      model,
      system: SYSTEM,
      messages: modelMessages,
      tools,
      stopWhen: stepCountIs(5),
      experimental_context: context,
      experimental_toolApprovalSecret: approvalSecret,
      onError: ({ error }) => {
        const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
        log(`chat error for ${user.id}: ${name}: ${message.split("\n")[0]}`);
      },
    });
    const stream = result
      .toUIMessageStream({ originalMessages: messages, onError: () => "The chat failed; try again." })
      .pipeThrough(withPreviewsAndReceipts(previewOf, chainClient));
    pipeUIMessageStreamToResponse({ response, stream });
  }

  const server = createServer(async (request, response) => {
    try {
      const url = new URL(request.url ?? "/", "http://localhost");
      const method = request.method ?? "GET";
      if (url.pathname === "/api/sign-in" && method === "POST") {
        const { user: userId } = JSON.parse(await readBody(request)) as { user?: string };
        const user = users.find((candidate) => candidate.id === userId);
        if (!user) return sendJson(response, 400, { error: "unknown user" });
        const session = randomBytes(24).toString("base64url");
        sessions.set(session, user.id);
        response.setHeader("set-cookie", `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`);
        return sendJson(response, 200, publicUser(user, modelName));
      }
      if (url.pathname === "/api/sign-out" && method === "POST") {
        const cookie = parseCookies(request.headers.cookie)[COOKIE];
        if (cookie) sessions.delete(cookie);
        response.setHeader("set-cookie", `${COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
        return sendJson(response, 200, { ok: true });
      }
      if (url.pathname === "/api/me" && method === "GET") {
        const user = userOf(request);
        return sendJson(response, 200, user ? publicUser(user, modelName) : { user: null, model: modelName });
      }
      if (url.pathname === "/api/chat" && method === "POST") {
        const user = userOf(request);
        if (!user) return sendJson(response, 401, { error: "sign in first" });
        return await chat(request, response, user);
      }
      if (method === "GET" && !url.pathname.startsWith("/api/")) {
        return await sendStatic(response, clientDir, url.pathname);
      }
      sendJson(response, 404, { error: "not found" });
    } catch (error) {
      if (!response.headersSent) {
        sendJson(response, error instanceof SyntaxError || isValidationError(error) ? 400 : 500, {
          error: error instanceof SyntaxError || isValidationError(error) ? "bad request" : "internal error",
        });
      } else {
        response.destroy();
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    users,
    modelName,
    sessionOf(userId) {
      const runtime = runtimes.get(userId);
      if (!runtime) throw new Error(`unknown user ${userId}`);
      return runtime;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.all([...runtimes.values()].map((runtime) => runtime.shutdown()));
    },
  };
}

/** The per-request context of the tools: the signed-in user, and the policy's previews by tool call id. */
interface ChatContext {
  userId: string;
  previews: Map<string, LucidToolPreview | null>;
}

/**
 * Adds two data parts to the UI message stream: `data-preview` (id = the tool call id) before each approval
 * request, so the card never shows Approve without the preview, and `data-receipt` after a sent transaction.
 */
function withPreviewsAndReceipts(
  previewOf: (
    toolName: string,
    input: unknown,
    toolCallId: string,
  ) => Promise<LucidToolPreview | MissingPreview>,
  chainClient: PublicClient,
): TransformStream<UIMessageChunk, UIMessageChunk> {
  const calls = new Map<string, { toolName: string; input: unknown }>();
  return new TransformStream({
    async transform(chunk, controller) {
      if (chunk.type === "tool-input-available") {
        calls.set(chunk.toolCallId, { toolName: chunk.toolName, input: chunk.input });
      }
      if (chunk.type === "tool-approval-request") {
        const call = calls.get(chunk.toolCallId);
        if (call) {
          const preview = await previewOf(call.toolName, call.input, chunk.toolCallId);
          controller.enqueue({
            type: "data-preview",
            id: chunk.toolCallId,
            data: approvalPreview(call.toolName, call.input, preview),
          });
        }
      }
      controller.enqueue(chunk);
      if (chunk.type === "tool-output-available") {
        const output = chunk.output as { ok?: boolean; result?: { transactionHash?: Hex } } | undefined;
        const hash = output?.ok ? output.result?.transactionHash : undefined;
        if (hash) {
          const receipt = await chainClient
            .waitForTransactionReceipt({ hash, timeout: 60_000 })
            .catch(() => undefined);
          controller.enqueue({
            type: "data-receipt",
            id: chunk.toolCallId,
            data: receipt
              ? { hash, status: receipt.status, blockNumber: receipt.blockNumber.toString() }
              : { hash, status: "unknown" },
          });
        }
      }
    },
  });
}

function publicUser(user: DemoUser, modelName: string) {
  return {
    user: { id: user.id, name: user.name, agentRef: user.agentRef, walletAddress: user.walletAddress },
    model: modelName,
  };
}

function isValidationError(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === "AI_TypeValidationError";
}
