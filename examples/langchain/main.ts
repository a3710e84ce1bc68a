/**
 * LangChain JS with the Lucid toolkit: a `createAgent` run whose model reads the agent's wallet address, signs a
 * message, sends 0.01 ETH (after the example's approval callback said yes) and tries to sign an EIP-2612 permit,
 * which the policy refuses. Every signature is verified with viem and every transaction waited for on chain.
 *
 * Run: `pnpm --filter @lucid-dreams/examples langchain` (after `pnpm build`). It starts its own local Lucid server
 * and chain unless LUCID_BASE_URL is set (then `createWallet()` reads the LUCID_* variables). With OPENAI_API_KEY
 * set, the model is OpenAI's (OPENAI_MODEL, default gpt-4o-mini) through `@langchain/openai`; without it, a
 * scripted `fakeModel()` plays the model, and the output says so.
 */
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";
import { createWallet } from "@lucid-dreams/agent-auth";
import { LucidToolkit } from "@lucid-dreams/langchain";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createAgent } from "langchain";
import { createPublicClient, http, verifyMessage } from "viem";

const say = (step: string, detail = "") => console.log(`${step.padEnd(28)}${detail}`);
const recipient = "0x000000000000000000000000000000000000bEEF";
const prompt =
  `Tell me my wallet address, sign the message "gm from LangChain", send 0.01 ETH to ${recipient}, ` +
  "then sign an EIP-2612 permit letting that address spend my tokens.";

// The embedded local server, unless LUCID_BASE_URL points at one.
const server: LocalServer | undefined = process.env.LUCID_BASE_URL
  ? undefined
  : await startLocalServer({ port: 0 });
const env = { ...process.env, ...server?.env };
const rpcUrl = server?.seed.rpcUrl ?? process.env.LUCID_CHAIN_RPC_URL;

/** The model: OpenAI's when a key is set, else a scripted stand-in that makes the calls a model would make. */
async function chooseModel() {
  if (process.env.OPENAI_API_KEY) {
    const name = process.env.OPENAI_MODEL ?? "gpt-4o-mini";
    const { ChatOpenAI } = await import("@langchain/openai");
    say("model", `${name} through @langchain/openai`);
    return new ChatOpenAI({ model: name });
  }
  say("model", "scripted fakeModel() (no LLM is called; set OPENAI_API_KEY to use a real model)");
  const permit = {
    domain: { name: "Token", version: "1", chainId: server?.seed.chainId ?? 8453 },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: recipient, spender: recipient, value: "1000000", nonce: 0, deadline: 2000000000 },
  };
  return fakeModel()
    .respondWithTools([
      { name: "getWalletAddress", args: { chain: null }, id: "call-address" },
      { name: "signMessage", args: { message: "gm from LangChain", encoding: null }, id: "call-sign" },
    ])
    .respondWithTools([
      {
        name: "sendTransaction",
        args: { chain: null, to: recipient, amount: "0.01", unit: "ether", data: null },
        id: "call-send",
      },
    ])
    .respondWithTools([
      { name: "signTypedData", args: { typedData: JSON.stringify(permit) }, id: "call-permit" },
    ])
    .respond(
      new AIMessage(
        "Your address is in the transcript above; I signed the message and sent 0.01 ETH. The permit was refused by your wallet's policy.",
      ),
    );
}

try {
  if (server)
    say("local Lucid server", `${server.url} (chain ${server.seed.chainId} at ${server.seed.rpcUrl})`);
  // The quick start: LUCID_BASE_URL, LUCID_AGENT_REF, LUCID_AGENT_CREDENTIAL, ... from the environment.
  const wallet = await createWallet({ env });
  const model = await chooseModel();

  const toolkit = new LucidToolkit(wallet, {
    policy: { maxValuePerTransaction: "0.05", budgetPerSession: "0.1" },
    // sendTransaction needs approval: this is where your UI asks a human. The example approves and says so.
    approve: ({ tool, input, toolCallId }) => {
      say("approve callback", `${tool} ${JSON.stringify(input)} (${toolCallId}): approved by the example`);
      return true;
    },
  });
  const agent = createAgent({ model, tools: toolkit.getTools() });
  say("user", prompt);
  const { messages } = await agent.invoke({ messages: [new HumanMessage(prompt)] });

  // What each tool answered, with the model's arguments, checked against the wallet and the chain.
  const calls = new Map(
    messages
      .filter((message): message is AIMessage => AIMessage.isInstance(message))
      .flatMap((message) => message.tool_calls ?? [])
      .map((call) => [call.id, call]),
  );
  const chain = rpcUrl ? createPublicClient({ transport: http(rpcUrl) }) : undefined;
  let problems = 0;
  for (const message of messages) {
    if (!ToolMessage.isInstance(message)) continue;
    const answer = JSON.parse(String(message.content)) as {
      ok: boolean;
      result?: Record<string, string>;
      code?: string;
      message?: string;
    };
    const name = `${message.name} (${message.status})`;
    if (!answer.ok) {
      say(name, `${answer.code}: ${answer.message}`);
      continue;
    }
    const result = answer.result ?? {};
    if (message.name === "signMessage") {
      const args = calls.get(message.tool_call_id)?.args as { message: string };
      const verifies = await verifyMessage({
        address: result.address as `0x${string}`,
        message: args.message,
        signature: result.signature as `0x${string}`,
      });
      // Against the embedded server, the signer must be the agent's server-held wallet.
      const expected = server?.seed.serverWalletAddress ?? result.address;
      if (!verifies || result.address?.toLowerCase() !== expected?.toLowerCase()) problems++;
      say(name, `${result.signature?.slice(0, 18)}… by ${result.address}, verifies: ${verifies}`);
    } else if (message.name === "sendTransaction" && chain) {
      const receipt = await chain.waitForTransactionReceipt({
        hash: result.transactionHash as `0x${string}`,
      });
      if (receipt.status !== "success") problems++;
      say(
        name,
        `${result.amountEther} ETH, ${result.transactionHash?.slice(0, 18)}…, ${receipt.status} in block ${receipt.blockNumber}`,
      );
    } else {
      say(name, JSON.stringify(result));
    }
  }
  say("assistant", String(messages.at(-1)?.content));
  await wallet.shutdown();
  if (problems > 0) throw new Error(`${problems} tool result(s) did not check out`);
  say("done", "every tool result checked");
} finally {
  await server?.close();
}
