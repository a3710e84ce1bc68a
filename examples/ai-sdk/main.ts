/**
 * The Lucid wallet tools in a Vercel AI SDK `generateText` loop: `tools: lucidTools(wallet)`. The model lists
 * the agents, reads its wallet address and signs a message; the signature is verified with viem.
 *
 * Configuration: the standard LUCID_* variables (`LUCID_BASE_URL`, `LUCID_AGENT_REF`, `LUCID_AGENT_CREDENTIAL`,
 * `LUCID_SERVER_ACCESS_TOKEN`). When `LUCID_BASE_URL` is unset, the script starts the embedded local Lucid
 * server (with its anvil chain) in this process and uses the values it hands out. With `OPENAI_API_KEY` set, a
 * real OpenAI model drives the tools; otherwise a scripted model does (and says so).
 *
 * Run: `pnpm --filter @lucid-dreams/examples ai-sdk`
 */
import { createWallet, type WalletClient } from "@lucid-dreams/agent-auth";
import { lucidTools } from "@lucid-dreams/ai-sdk";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { generateText, stepCountIs } from "ai";
import { verifyMessage } from "viem";
import { toolCallOutcome } from "../tool-call-outcome.js";
import { lastToolOutput, realModel, scriptedModel } from "./model.js";

const say = (who: string, text = "") => console.log(`${who.padEnd(8)}${text}`);
const short = (value: unknown) =>
  JSON.stringify(value).replace(/"(0x[0-9a-fA-F]{12})[0-9a-fA-F]{29,}"/g, '"$1…"'); // addresses stay whole

const message = "gm from the Lucid AI SDK example";

// 1. Configuration from the environment, or from an embedded local server when none is set.
let server: LocalServer | undefined;
if (!process.env.LUCID_BASE_URL) {
  server = await startLocalServer({ port: 0 });
  Object.assign(process.env, server.env);
  say("setup", `embedded local Lucid server ${server.url} (LUCID_BASE_URL was not set)`);
}

let wallet: WalletClient | undefined;
try {
  // 2. The agent's wallet: createWallet() reads LUCID_* (tokens stay inside it; nothing here prints them).
  wallet = await createWallet();

  // 3. The model: OpenAI with a key, else a script that makes the calls a model would make for this prompt.
  const real = await realModel();
  const model =
    real?.model ??
    scriptedModel([
      { calls: [{ toolName: "listAgents", input: { limit: null } }] },
      { calls: [{ toolName: "getWalletAddress", input: { chain: null } }] },
      { calls: [{ toolName: "signMessage", input: { message, encoding: null } }] },
      {
        text: (prompt) => {
          const signed = lastToolOutput(prompt) as { result?: { signature?: string } } | undefined;
          return `Signed "${message}". Signature: ${signed?.result?.signature ?? "(none)"}`;
        },
      },
    ]);
  say("model", real ? real.name : "no OPENAI_API_KEY: using a scripted model");

  // 4. The loop: the tools act with this wallet; the model only chooses what to sign.
  const prompt = `List my Lucid agents, tell me my wallet address, then sign the message "${message}".`;
  say("user", prompt);
  const result = await generateText({
    model,
    tools: lucidTools(wallet),
    stopWhen: stepCountIs(6),
    prompt,
    experimental_onToolCallStart: ({ toolCall }) =>
      say("call", `${toolCall.toolName} ${short(toolCall.input)}`),
    experimental_onToolCallFinish: (event) => {
      const outcome = toolCallOutcome(event); // AI SDK 6 and 7 shape this event differently
      say(
        "result",
        `${event.toolCall.toolName} ${short(outcome.ok ? outcome.output : String(outcome.error))}`,
      );
    },
  });
  say("model", result.text);

  // 5. Check the signature the tool returned against the wallet address the tool reported.
  const results = result.steps.flatMap((step) => step.toolResults);
  const signed = results.find((part) => part.toolName === "signMessage")?.output as
    | { ok: boolean; result?: { signature: `0x${string}`; address: `0x${string}` } }
    | undefined;
  if (!signed?.ok || !signed.result) {
    if (!real) throw new Error("the scripted model's signMessage call failed");
    say("check", "the model did not sign the message");
  } else {
    const valid = await verifyMessage({
      address: signed.result.address,
      message,
      signature: signed.result.signature,
    });
    say("check", `signature by ${signed.result.address} verifies: ${valid}`);
    if (!valid) throw new Error("the signature does not verify");
    if (server && signed.result.address !== server.seed.serverWalletAddress) {
      throw new Error("the message was not signed by the agent's server-held wallet");
    }
  }
} finally {
  await wallet?.shutdown();
  await server?.close();
}
