/**
 * The Lucid demo: an AI SDK agent with a wallet, end to end, against a local Lucid server and chain.
 *
 * 1. Starts the local Lucid-compatible server and its anvil chain, with 3-second access tokens.
 * 2. Signs the agent in (challenge -> signature by the agent's local key -> exchange) with `AgentRuntime`.
 * 3. Gives a model the wallet tools, `lucidTools(runtime, { policy })`, and lets it list the agents, sign a
 *    message and typed data (both verified against the agent's wallet address) and send a transaction; the send
 *    needs approval, which the host code gives programmatically (printed as such); the hash's receipt is read
 *    from the local chain.
 * 4. The model tries to send 1 ETH: the policy (0.05 ETH per transaction) refuses it before any wallet call, and
 *    before anyone is asked to approve it (the tools run the policy's checks ahead of the approval step).
 * 5. Waits for the runtime's automatic token refresh (its `tokenRefreshed` event), then the model uses the tools
 *    again with the refreshed token.
 * 6. The model checks its balances (`getBalance`: ETH and the local USDC), then buys the local server's
 *    paywalled report over x402 (`fetchPaidResource`): the seller answers 402, the host approves from the preview
 *    (host, amount, asset, pay-to), the wallet signs one EIP-3009 authorization, the local facilitator settles it
 *    on chain. The transcript shows the content, the settlement transaction and the USDC balance change.
 *
 * The transcript shows the model's turns, the tool calls with their inputs, the tool results and the runtime's
 * events. Tokens are never printed. With `OPENAI_API_KEY` set a real OpenAI model drives the tools (from the same
 * prompts); otherwise a scripted model does, and the transcript says so.
 *
 * Run: `pnpm demo` from the repository root (builds the packages, then runs this; needs no account).
 */
import {
  type AgentAuthEventMap,
  AgentRuntime,
  createLocalEoaWalletConnector,
} from "@lucid-dreams/agent-auth";
import { lucidToolPreview, lucidTools, responseMessages } from "@lucid-dreams/ai-sdk";
import { startLocalServer } from "@lucid-dreams/local-server";
import { generateText, type ModelMessage, stepCountIs, type ToolApprovalResponse } from "ai";
import {
  createPublicClient,
  defineChain,
  erc20Abi,
  formatEther,
  formatUnits,
  type Hex,
  http,
  verifyMessage,
  verifyTypedData,
} from "viem";
import { lastToolOutput, realModel, scriptedModel } from "../ai-sdk/model.js";
import { toolCallOutcome } from "../tool-call-outcome.js";

// ---- transcript ----------------------------------------------------------------------------------------------

/** Tokens are secrets: whatever is printed goes through this first. */
const redactTokens = (text: string) => text.replace(/\b(lat|lrt|lot)_[A-Za-z0-9_-]+/g, "$1_…(redacted)");
const say = (who: string, text = "") => console.log(redactTokens(`${who.padEnd(8)}${text}`));
/** Compact JSON; long hex (signatures, hashes) shortened, addresses kept whole. */
const short = (value: unknown) =>
  JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v)).replace(
    /"(0x[0-9a-fA-F]{10})[0-9a-fA-F]{31,}"/g,
    '"$1…"',
  );
const time = (date: Date) => date.toISOString().slice(11, 23);
const heading = (title: string) =>
  console.log(`\n── ${title} ${"─".repeat(Math.max(0, 100 - title.length))}`);

// ---- what the agent is asked to do ---------------------------------------------------------------------------

const RECIPIENT = "0x000000000000000000000000000000000000dEaD";
const MESSAGE = "gm from the Lucid demo";

const server = await startLocalServer({ port: 0, accessTtlSeconds: 3 });
const { seed } = server;
const agent = seed.agents[0]!;
const TYPED_DATA = {
  domain: { name: "Lucid demo", version: "1", chainId: seed.chainId },
  types: {
    Order: [
      { name: "item", type: "string" },
      { name: "quantity", type: "uint256" },
    ],
  },
  primaryType: "Order" as const,
  message: { item: "coffee", quantity: 2 },
};
const PROMPTS = {
  first:
    `List my Lucid agents. Then sign the message "${MESSAGE}". Then sign this EIP-712 typed data: ` +
    `${JSON.stringify(TYPED_DATA)}. Then send 0.01 ETH to ${RECIPIENT}.`,
  second: `Now send 1 ETH to ${RECIPIENT}.`,
  third: "What is my wallet address, and on which chain?",
  fourth: `Check my balances, then buy the report at ${server.x402!.resourceUrl}.`,
};
const POLICY = { allowedChains: [seed.caip2], maxValuePerTransaction: "0.05", budgetPerSession: "0.2" };

/** What a model would do with those prompts, for runs without an OpenAI key. */
function script() {
  const ok = (prompt: Parameters<typeof lastToolOutput>[0]) =>
    lastToolOutput(prompt) as { ok: boolean; result?: Record<string, unknown>; message?: string } | undefined;
  const send = (amount: string) => ({ chain: null, to: RECIPIENT, amount, unit: "ether", data: null });
  return scriptedModel([
    // turn 1
    { calls: [{ toolName: "listAgents", input: { limit: null } }] },
    { calls: [{ toolName: "signMessage", input: { message: MESSAGE, encoding: null } }] },
    { calls: [{ toolName: "signTypedData", input: { typedData: JSON.stringify(TYPED_DATA) } }] },
    { calls: [{ toolName: "sendTransaction", input: send("0.01") }] },
    {
      text: (prompt) =>
        `Done: signed both, and sent 0.01 ETH (transaction ${ok(prompt)?.result?.transactionHash}).`,
    },
    // turn 2
    { calls: [{ toolName: "sendTransaction", input: send("1") }] },
    { text: (prompt) => `I could not send 1 ETH: ${ok(prompt)?.message}` },
    // turn 3
    { calls: [{ toolName: "getWalletAddress", input: { chain: null } }] },
    {
      text: (prompt) => `Your wallet is ${ok(prompt)?.result?.address} on ${ok(prompt)?.result?.chain}.`,
    },
    // turn 4
    { calls: [{ toolName: "getBalance", input: { chain: null } }] },
    {
      calls: [
        { toolName: "fetchPaidResource", input: { url: server.x402!.resourceUrl, method: null, body: null } },
      ],
    },
    {
      text: (prompt) => {
        const result = ok(prompt)?.result as { body?: string; payment?: { amount: string; asset: string } };
        return `Bought the report for ${result?.payment?.amount} ${result?.payment?.asset}: ${result?.body}`;
      },
    },
  ]);
}

// ---- the demo ------------------------------------------------------------------------------------------------

let runtime: AgentRuntime | undefined;
try {
  heading("setup");
  say("lucid", `local Lucid server ${server.url}, chain ${seed.chainId} (anvil at ${seed.rpcUrl})`);
  say(
    "lucid",
    `agent ${agent.agentRef}, server-held wallet ${agent.serverWalletAddress}; access tokens live 3 s`,
  );
  const real = await realModel();
  const model = real?.model ?? script();
  say("model", real ? real.name : "no OPENAI_API_KEY: using a scripted model (set it to let OpenAI drive)");
  say("policy", short(POLICY));

  // Sign in with the agent's credential; the runtime keeps the tokens fresh in the background.
  runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: agent.agentRef,
      credentialId: agent.eoaCredentialId,
      scopes: ["agents.read", "wallet.sign", "wallet.send"],
    },
    wallet: {
      signer: await createLocalEoaWalletConnector({ privateKey: agent.eoaPrivateKey, caip2: seed.caip2 }),
    },
  });
  const onTokens =
    (name: string) => (event: AgentAuthEventMap["authenticated"] | AgentAuthEventMap["tokenRefreshed"]) =>
      say(
        "event",
        `${name}: access token ${event.accessToken} until ${time(event.expiresAt)}, scopes ${event.scopes.join(" ")}`,
      );
  runtime.on("authenticated", onTokens("authenticated"));
  runtime.on("tokenRefreshed", onTokens("tokenRefreshed"));
  runtime.on("refreshFailed", (event) => say("event", `refreshFailed: ${event.error.code}`));
  await runtime.authenticate();

  const sellerHost = new URL(server.x402!.sellerUrl).host;
  // The policy simulates each transaction on the chain before approval (rpc), and shows the human a preview.
  const tools = lucidTools(runtime, {
    policy: POLICY,
    rpc: { [seed.caip2]: seed.rpcUrl },
    tokens: { USDC: { address: seed.token.address, maxPerTransaction: "5", budget: "20" } },
    payments: {
      allowedHosts: [sellerHost],
      maxPerPayment: "0.05",
      // The host's approval step for payments: it sees what would be paid before anything is signed.
      approve: (preview) => {
        say(
          "host",
          `payment preview: ${preview.amount} ${preview.asset} to ${preview.payTo} for ${preview.host} on ${preview.network}`,
        );
        const approved = preview.host === sellerHost;
        say("host", approved ? "approved programmatically by the host code (a known seller)" : "denied");
        return approved;
      },
    },
  });
  const messages: ModelMessage[] = [];
  const outputs: Array<{ toolName: string; input: unknown; output: unknown }> = [];
  const awaitingApproval = new Set<string>();
  let approvalRequests = 0;

  /** The host's approval rule: recipients in its address book. A real app would ask a human here. */
  const hostApproves = (input: { to?: string }) => input.to?.toLowerCase() === RECIPIENT.toLowerCase();

  /** One user turn: generateText until the model stops; approvals are answered by the host code. */
  async function turn(title: string, prompt: string) {
    heading(title);
    say("user", prompt);
    messages.push({ role: "user", content: prompt });
    for (let round = 0; round < 4; round++) {
      const result = await generateText({
        model,
        system: "You act for the user's Lucid agent through its wallet tools. Amounts are in ether.",
        tools,
        messages,
        stopWhen: stepCountIs(8),
        experimental_onToolCallStart: ({ toolCall }) => {
          const approved = awaitingApproval.delete(toolCall.toolCallId);
          say(
            approved ? "run" : "model",
            `${approved ? "approved " : "→ "}${toolCall.toolName} ${short(toolCall.input)}`,
          );
        },
        experimental_onToolCallFinish: (event) => {
          const outcome = toolCallOutcome(event); // AI SDK 6 and 7 shape this event differently
          const output = outcome.ok ? outcome.output : { thrown: String(outcome.error) };
          outputs.push({ toolName: event.toolCall.toolName, input: event.toolCall.input, output });
          say("tool", `← ${event.toolCall.toolName} ${short(output)}`);
        },
        onStepFinish: (step) => {
          if (step.text) say("model", step.text);
        },
      });
      // AI SDK 7 keeps an approved call's result out of response.messages (last step only): responseMessages()
      // takes responseMessages there and response.messages on AI SDK 6.
      messages.push(...responseMessages(result));
      const requests = result.content.filter((part) => part.type === "tool-approval-request");
      if (requests.length === 0) return;
      const responses: ToolApprovalResponse[] = [];
      for (const request of requests) {
        approvalRequests += 1;
        const { toolName, input, toolCallId } = request.toolCall;
        say("model", `→ ${toolName} ${short(input)} (needs approval: nothing is signed or sent yet)`);
        // What the human would see: the policy's preview of the pending call (decoded, simulated, worst case).
        const preview = await lucidToolPreview(tools, { toolName, input, toolCallId, messages });
        say("preview", `${preview.summary} (${preview.simulation})`);
        const approved = hostApproves(input as { to?: string });
        say(
          "host",
          approved
            ? `approved programmatically by the host code (recipient ${RECIPIENT} is in its address book)`
            : "denied programmatically by the host code (unknown recipient)",
        );
        if (approved) awaitingApproval.add(toolCallId);
        responses.push({ type: "tool-approval-response", approvalId: request.approvalId, approved });
      }
      messages.push({ role: "tool", content: responses });
    }
  }

  /** The last result of `toolName`, or undefined when the model did not call it. */
  const resultOf = (toolName: string) => outputs.filter((entry) => entry.toolName === toolName).at(-1);
  /** A check that must hold; with a real model, a step the model skipped is noted instead. */
  const missing = (what: string) => {
    if (!real) throw new Error(`the scripted model did not ${what}`);
    say("note", `the model did not ${what}`);
  };

  // Turn 1: list, sign, sign typed data, send (with approval).
  await turn("turn 1: list agents, sign, sign typed data, send", PROMPTS.first);
  heading("checks");
  const signed = resultOf("signMessage")?.output as { ok: boolean; result?: { signature: Hex } } | undefined;
  if (signed?.result) {
    const input = resultOf("signMessage")?.input as { message: string };
    const valid = await verifyMessage({
      address: agent.serverWalletAddress,
      message: input.message,
      signature: signed.result.signature,
    });
    say(
      "check",
      `message signature verifies against ${agent.agentRef}'s wallet ${agent.serverWalletAddress}: ${valid}`,
    );
    if (!valid) throw new Error("the message signature does not verify");
  } else missing("sign the message");
  const typed = resultOf("signTypedData");
  const typedOutput = typed?.output as { ok: boolean; result?: { signature: Hex } } | undefined;
  if (typed && typedOutput?.result) {
    const data = JSON.parse((typed.input as { typedData: string }).typedData) as typeof TYPED_DATA;
    const valid = await verifyTypedData({
      address: agent.serverWalletAddress,
      domain: data.domain,
      types: data.types,
      primaryType: data.primaryType,
      message: { ...data.message, quantity: BigInt(data.message.quantity) },
      signature: typedOutput.result.signature,
    });
    say("check", `typed data signature (${data.primaryType}) verifies against the same wallet: ${valid}`);
    if (!valid) throw new Error("the typed data signature does not verify");
  } else missing("sign the typed data");
  const sent = resultOf("sendTransaction")?.output as
    | { ok: boolean; result?: { transactionHash: Hex } }
    | undefined;
  if (sent?.result) {
    const chain = defineChain({
      id: seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [seed.rpcUrl] } },
    });
    const client = createPublicClient({ chain, transport: http(seed.rpcUrl) });
    const receipt = await client.waitForTransactionReceipt({ hash: sent.result.transactionHash });
    const transaction = await client.getTransaction({ hash: sent.result.transactionHash });
    say("chain", `transaction ${receipt.transactionHash}`);
    say(
      "chain",
      `receipt: ${receipt.status} in block ${receipt.blockNumber}, ${formatEther(transaction.value)} ETH from ${receipt.from} to ${receipt.to}`,
    );
    if (receipt.status !== "success") throw new Error("the transaction failed on chain");
  } else missing("send the transaction");
  say("check", `wallet sends so far (server count): ${server.counters.get("sendTransaction")}`);

  // Turn 2: over the policy's limit: refused by the policy; no approval asked, nothing reaches the wallet.
  const sendsBefore = server.counters.get("sendTransaction");
  const approvalsBefore = approvalRequests;
  await turn("turn 2: a send over the policy's limit", PROMPTS.second);
  const refused = resultOf("sendTransaction")?.output as { ok: boolean; code?: string } | undefined;
  heading("checks");
  if (refused?.code === "policy_refused") {
    const sendsAfter = server.counters.get("sendTransaction");
    const asked = approvalRequests - approvalsBefore;
    say("check", `policy_refused before any wallet call (wallet sends ${sendsBefore} -> ${sendsAfter})`);
    say("check", `approvals asked for the refused send: ${asked} (the policy runs before the approval step)`);
    if (sendsAfter !== sendsBefore || asked !== 0)
      throw new Error("the refused send went further than the policy");
  } else missing("try the 1 ETH send");

  // The access token lives 3 s: wait for the runtime's own refresh (its event, not a timer), then use the tools.
  heading("token refresh");
  say("wait", "for the runtime's automatic token refresh (no sleep: the next tokenRefreshed event)");
  const refreshesBefore = server.counters.get("refresh");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no tokenRefreshed event within 15 s")), 15_000);
    const stop = runtime!.on("tokenRefreshed", () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
  say(
    "check",
    `refreshed with the refresh token (server refreshes ${refreshesBefore} -> ${server.counters.get("refresh")})`,
  );
  await turn("turn 3: the tools after the refresh", PROMPTS.third);
  const address = resultOf("getWalletAddress")?.output as
    | { ok: boolean; result?: { address: string } }
    | undefined;
  if (address?.result) {
    const same = address.result.address === agent.serverWalletAddress;
    say("check", `the tools work with the refreshed token (same wallet: ${same})`);
    if (!same) throw new Error("the wallet address changed");
  } else missing("read the wallet address");

  // Turn 4: balances, then an x402 purchase approved from its preview; the settlement is read from the chain.
  const usdcOf = (owner: Hex) =>
    createPublicClient({
      chain: defineChain({
        id: seed.chainId,
        name: "local",
        nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
        rpcUrls: { default: { http: [seed.rpcUrl] } },
      }),
      transport: http(seed.rpcUrl),
    }).readContract({ address: seed.token.address, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
  const usdcBefore = await usdcOf(agent.serverWalletAddress);
  await turn("turn 4: balances, then buy a paywalled report (x402)", PROMPTS.fourth);
  heading("checks");
  const bought = resultOf("fetchPaidResource")?.output as
    | { ok: boolean; result?: { body: string; payment: { transactionHash: Hex; amount: string } | null } }
    | undefined;
  if (bought?.result?.payment) {
    say("check", `content: ${bought.result.body}`);
    const receipt = await createPublicClient({
      transport: http(seed.rpcUrl),
    }).getTransactionReceipt({ hash: bought.result.payment.transactionHash });
    say("chain", `settlement ${receipt.transactionHash}: ${receipt.status} in block ${receipt.blockNumber}`);
    const usdcAfter = await usdcOf(agent.serverWalletAddress);
    say(
      "check",
      `USDC balance ${formatUnits(usdcBefore, seed.token.decimals)} -> ${formatUnits(usdcAfter, seed.token.decimals)} (paid ${bought.result.payment.amount} USDC)`,
    );
    if (receipt.status !== "success" || usdcBefore - usdcAfter !== server.x402!.price) {
      throw new Error("the payment did not settle as expected");
    }
  } else missing("buy the report");

  heading("done");
  say("done", "every step verified; no token was printed");
} finally {
  await runtime?.shutdown();
  await server.close();
}
