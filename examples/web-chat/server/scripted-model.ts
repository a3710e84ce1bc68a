/**
 * The model the demo uses when no provider key is set: the AI SDK's own `MockLanguageModelV3`, answering the
 * demo prompts with the tool call a real model would make, and summing up tool results in a sentence.
 *
 * - "send 0.01 ETH to 0x…" -> sendTransaction
 * - "send 1 USDC to 0x…"   -> sendToken (a token of the host's list)
 * - "sign <message>"       -> signMessage
 * - "what is my address"   -> getWalletAddress
 * - "list my agents"       -> listAgents
 */
import { randomUUID } from "node:crypto";
import { MockLanguageModelV3 } from "ai/test";

type CallOptions = Parameters<MockLanguageModelV3["doStream"]>[0];
type LanguageModelV3Prompt = CallOptions["prompt"];
type StreamResult = Awaited<ReturnType<MockLanguageModelV3["doStream"]>>;
type LanguageModelV3StreamPart = StreamResult["stream"] extends ReadableStream<infer Part> ? Part : never;

const usage = {
  inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 0, text: 0, reasoning: 0 },
};

/** The help text the scripted model answers with when it does not recognise a prompt. */
export const SCRIPTED_HELP =
  'I am the scripted demo model (no OPENAI_API_KEY is set). Try: "send 0.01 ETH to 0x000000000000000000000000000000000000dEaD", "send 1 USDC to 0x000000000000000000000000000000000000dEaD", "sign hello", "what is my address" or "list my agents".';

interface ToolCall {
  toolName: string;
  input: Record<string, unknown>;
}

/** The tool call a demo prompt asks for, if any. */
export function toolCallFor(prompt: string): ToolCall | undefined {
  const token = /send\s+(\d+(?:\.\d+)?)\s*([A-Za-z][A-Za-z0-9]{1,10})\s+to\s+(0x[0-9a-fA-F]{40})\b/i.exec(
    prompt,
  );
  if (token && token[2]!.toLowerCase() !== "eth") {
    return { toolName: "sendToken", input: { chain: null, token: token[2], to: token[3], amount: token[1] } };
  }
  const send = /send\s+(\d+(?:\.\d+)?)\s*(?:eth)?\s+to\s+(0x[0-9a-fA-F]{40})\b/i.exec(prompt);
  if (send) {
    return {
      toolName: "sendTransaction",
      input: { chain: null, to: send[2], amount: send[1], unit: "ether", data: null },
    };
  }
  const sign = /^\s*sign\s+(?:the\s+message\s+)?["“']?(.+?)["”']?\s*$/i.exec(prompt);
  if (sign) return { toolName: "signMessage", input: { message: sign[1], encoding: null } };
  if (/\b(address|wallet)\b/i.test(prompt)) return { toolName: "getWalletAddress", input: { chain: null } };
  if (/\bagents?\b/i.test(prompt)) return { toolName: "listAgents", input: { limit: null } };
  return undefined;
}

interface ToolResultPart {
  type: "tool-result";
  toolName: string;
  output: { type: string; value?: unknown; reason?: string };
}

/** A sentence about one tool result. */
export function summarize(part: ToolResultPart): string {
  if (part.output.type === "execution-denied") return "Not sent: you denied the request.";
  const value = part.output.value as
    | { ok: true; result: Record<string, unknown> }
    | { ok: false; code: string; message: string }
    | undefined;
  if (!value || typeof value !== "object") return `${part.toolName} finished.`;
  if (!value.ok) {
    return value.code === "policy_refused"
      ? `The wallet policy refused this: ${value.message}`
      : `That did not work (${value.code}): ${value.message}`;
  }
  const result = value.result;
  switch (part.toolName) {
    case "sendTransaction":
      return `Sent ${result.amountEther} ETH to ${result.to}. Transaction ${result.transactionHash}.`;
    case "sendToken":
      return `Sent ${result.amount} ${result.token} to ${result.to}. Transaction ${result.transactionHash}.`;
    case "signMessage":
      return `Signed with ${result.address}: ${result.signature}`;
    case "getWalletAddress":
      return `Your wallet address is ${result.address} on ${result.chain}.`;
    case "listAgents": {
      const agents = (result.agents as Array<{ name: string; ref: string }>) ?? [];
      return `You have ${agents.length} agent(s): ${agents.map((agent) => `${agent.name} (${agent.ref})`).join(", ")}.`;
    }
    default:
      return `${part.toolName} finished.`;
  }
}

/** What the scripted model says next, given the prompt it was sent. */
export function nextTurn(prompt: LanguageModelV3Prompt): { text: string } | { call: ToolCall } {
  const last = prompt.at(-1);
  if (last?.role === "tool") {
    const results = last.content.filter((part) => part.type === "tool-result") as ToolResultPart[];
    return { text: results.map(summarize).join(" ") || "Done." };
  }
  if (last?.role === "user") {
    const text = last.content
      .filter((part) => part.type === "text")
      .map((part) => part.text)
      .join(" ");
    const call = toolCallFor(text);
    return call ? { call } : { text: SCRIPTED_HELP };
  }
  return { text: SCRIPTED_HELP };
}

/** A scripted `LanguageModelV3` for the demo prompts (streaming, so it drives `streamText` like a provider). */
export function createScriptedModel(): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    provider: "lucid-demo",
    modelId: "scripted",
    doStream: async ({ prompt }) => {
      const turn = nextTurn(prompt);
      const parts: LanguageModelV3StreamPart[] = [{ type: "stream-start", warnings: [] }];
      if ("call" in turn) {
        parts.push({
          type: "tool-call",
          // Unique per call: the wallet derives its idempotency key from the tool call id.
          toolCallId: `call_${randomUUID()}`,
          toolName: turn.call.toolName,
          input: JSON.stringify(turn.call.input),
        });
      } else {
        parts.push(
          { type: "text-start", id: "text" },
          { type: "text-delta", id: "text", delta: turn.text },
          { type: "text-end", id: "text" },
        );
      }
      parts.push({
        type: "finish",
        finishReason:
          "call" in turn ? { unified: "tool-calls", raw: "tool_calls" } : { unified: "stop", raw: "stop" },
        usage,
      });
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  });
}
