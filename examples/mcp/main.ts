/**
 * The Lucid tools for any MCP client: starts the embedded local Lucid server, runs `lucid-mcp` (the bin of
 * `@lucid-dreams/mcp`) over stdio with the server's environment and a policy file, the way a desktop assistant
 * would, and drives it with the MCP SDK's own `Client`: lists the tools, signs a message (verified against the
 * agent's address), sends 0.01 ETH after the "human" approves it through elicitation (the client's form), gets
 * a 2 ETH send refused by the policy before anyone is asked, and a 0.04 ETH send declined by the human.
 *
 * Run: `pnpm --filter @lucid-dreams/examples mcp` (starts its own local server and chain, needs no account).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startLocalServer } from "@lucid-dreams/local-server";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { createPublicClient, type Hex, http, verifyMessage } from "viem";

const say = (step: string, detail = "") => console.log(`${step.padEnd(30)}${detail}`);
const lucidMcp = join(
  dirname(createRequire(import.meta.url).resolve("@lucid-dreams/mcp/package.json")),
  "dist/cli.js",
);

const server = await startLocalServer({ port: 0 });
const dir = await mkdtemp(join(tmpdir(), "lucid-mcp-example-"));
const client = new Client(
  { name: "example-assistant", version: "1.0.0" },
  { capabilities: { elicitation: { form: {} } } },
);
try {
  say("local Lucid server", server.url);
  await writeFile(
    join(dir, "policy.json"),
    JSON.stringify({ maxValuePerTransaction: "1", allowedChains: [server.seed.caip2] }),
  );

  // The "human": approves sends of at most 0.02 ETH, shows what it was asked.
  client.setRequestHandler(ElicitRequestSchema, async ({ params }) => {
    // The first line of the question is the policy's one-line summary: "Send 0.01 ETH to 0x000...dEaD, ...".
    const amount = /^Send ([\d.]+) ETH/.exec(params.message)?.[1] ?? "?";
    const approve = Number(amount) <= 0.02;
    say(
      "human asked",
      `${params.message.split("\n", 1)[0]} amount ${amount} -> ${approve ? "approve" : "decline"}`,
    );
    return approve ? { action: "accept", content: { approve: true } } : { action: "decline" };
  });
  // Exactly what a desktop client's "mcpServers" entry does: a command, its arguments and its environment.
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [lucidMcp, "--policy", join(dir, "policy.json")],
      env: { PATH: process.env.PATH ?? "", ...server.env },
      cwd: dir,
      stderr: "ignore",
    }),
  );

  const { tools } = await client.listTools();
  say(
    "tools",
    tools
      .map((tool) => `${tool.name}${tool.annotations?.destructiveHint ? " (destructive)" : ""}`)
      .join(", "),
  );

  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })).structuredContent as {
      ok: boolean;
      result?: Record<string, string>;
      code?: string;
      message?: string;
    };

  const signed = await call("signMessage", { message: "gm from MCP", encoding: null });
  const verifies = await verifyMessage({
    address: server.seed.serverWalletAddress,
    message: "gm from MCP",
    signature: signed.result?.signature as Hex,
  });
  say("signMessage", `${signed.result?.signature?.slice(0, 18)}…, verifies: ${verifies}`);

  const to = "0x000000000000000000000000000000000000dEaD";
  const transfer = (amount: string) => ({ chain: null, to, amount, unit: "ether", data: null });
  const sent = await call("sendTransaction", transfer("0.01"));
  const receipt = await createPublicClient({ transport: http(server.seed.rpcUrl) }).waitForTransactionReceipt(
    {
      hash: sent.result?.transactionHash as Hex,
    },
  );
  say("sendTransaction 0.01", `${sent.result?.transactionHash?.slice(0, 18)}…, receipt: ${receipt.status}`);

  const refused = await call("sendTransaction", transfer("2"));
  say("sendTransaction 2", `${refused.code}: ${refused.message}`);
  const declined = await call("sendTransaction", transfer("0.04"));
  say("sendTransaction 0.04", `${declined.code}: ${declined.message}`);

  if (
    !verifies ||
    receipt.status !== "success" ||
    refused.code !== "policy_refused" ||
    declined.code !== "approval_denied"
  ) {
    throw new Error("a step did not go as expected");
  }
  say("done", "every step verified");
} finally {
  await client.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
