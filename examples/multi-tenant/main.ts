/**
 * A multi-tenant server: one `node:http` server, ONE Lucid tool set (`lucidTools(resolver)`) for the whole
 * process, and for each request the session (an `AgentRuntime`) of the tenant that request belongs to. The
 * tenant comes from the request's header (in production: from your authentication), reaches the tools through
 * `generateText({ ...lucidCallContext(tools, context) })` (AI SDK 6's `experimental_context` and AI SDK 7's
 * `toolsContext` at once), and is never something the model can choose.
 *
 * Two tenants, each with its own Lucid agent and wallet on the embedded local server, send a request at the same
 * time; each message comes back signed by its own tenant's wallet. A request for an unknown tenant is refused.
 * Everything listens on loopback (port 0) and closes itself.
 *
 * Run: `pnpm --filter @lucid-dreams/examples multi-tenant`
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AgentRuntime, ConfigurationError, createLocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { type LucidToolSet, lucidCallContext, lucidTools } from "@lucid-dreams/ai-sdk";
import { startLocalServer } from "@lucid-dreams/local-server";
import { generateText, stepCountIs } from "ai";
import { verifyMessage } from "viem";
import { realModel, scriptedModel } from "../ai-sdk/model.js";

const say = (who: string, text = "") => console.log(`${who.padEnd(10)}${text}`);

/** What the host puts in each request's context for the tools. */
interface RequestContext {
  tenant: string;
}

const lucid = await startLocalServer({
  port: 0,
  agents: [
    { ref: "acme-agent", name: "ACME's agent" },
    { ref: "globex-agent", name: "Globex's agent" },
  ],
});
const tenants = new Map<string, AgentRuntime>();
let tools: LucidToolSet;
const http = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    say("server", `request failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: "internal_error" }));
  });
});

try {
  say(
    "lucid",
    `local Lucid server ${lucid.url}, agents ${lucid.seed.agents.map((a) => a.agentRef).join(", ")}`,
  );

  // 1. One runtime per tenant, created once and reused by all of the tenant's requests. Each signs in with its
  //    agent's own credential; the tokens stay inside the runtime.
  const [acme, globex] = lucid.seed.agents;
  for (const [tenant, agent] of [
    ["acme", acme],
    ["globex", globex],
  ] as const) {
    if (!agent) throw new Error("the local server seeded too few agents");
    const runtime = await AgentRuntime.fromConfig({
      config: {
        baseUrl: lucid.url,
        agentRef: agent.agentRef,
        credentialId: agent.eoaCredentialId,
        scopes: ["agents.read", "wallet.sign"],
      },
      wallet: {
        signer: await createLocalEoaWalletConnector({
          privateKey: agent.eoaPrivateKey,
          caip2: lucid.seed.caip2,
        }),
      },
    });
    tenants.set(tenant, runtime);
    say("tenant", `${tenant} -> ${agent.agentRef} (wallet ${agent.serverWalletAddress})`);
  }

  // 2. ONE tool set for every request: the resolver picks the session from the request's context (a thrown
  //    ConfigurationError reaches the model as { ok: false, code: "configuration_error", ... }).
  tools = lucidTools(
    ({ context }) => {
      const runtime = tenants.get((context as RequestContext).tenant);
      if (!runtime) throw new ConfigurationError("No Lucid agent for this tenant.");
      return runtime;
    },
    { tools: ["getWalletAddress", "signMessage"] },
  );

  // 3. The server starts listening on loopback, port 0.
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const real = await realModel();
  say("server", `${url}; model: ${real ? real.name : "no OPENAI_API_KEY: using a scripted model"}`);

  // 4. Two tenants ask at the same time; then a tenant the server does not know.
  const ask = async (tenant: string, message: string) => {
    const response = await fetch(`${url}/sign`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-tenant-id": tenant },
      body: JSON.stringify({ message }),
    });
    return { status: response.status, body: (await response.json()) as SignResponse };
  };
  const requests = [
    { tenant: "acme", message: "gm from ACME" },
    { tenant: "globex", message: "gm from Globex" },
  ];
  const answers = await Promise.all(requests.map(({ tenant, message }) => ask(tenant, message)));
  for (const [index, { tenant, message }] of requests.entries()) {
    const { status, body } = answers[index]!;
    if (status !== 200 || !body.signature || !body.address) {
      throw new Error(`tenant ${tenant}: HTTP ${status} ${JSON.stringify(body)}`);
    }
    const signer = lucid.seed.agents.find((agent) => agent.serverWalletAddress === body.address);
    const valid = await verifyMessage({ address: body.address, message, signature: body.signature });
    say(
      "client",
      `tenant ${tenant}: "${message}" signed by ${signer?.agentRef ?? "an unknown wallet"} (${body.address}), verifies: ${valid}`,
    );
    if (!valid || signer?.agentRef !== `${tenant}-agent`)
      throw new Error(`tenant ${tenant} got the wrong signer`);
  }
  const stranger = await ask("initech", "gm from nobody");
  say("client", `tenant initech: HTTP ${stranger.status} ${stranger.body.error}`);
  if (stranger.status !== 401) throw new Error("an unknown tenant was served");
  say("done", "one tool set, a session per request; each tenant signed with its own wallet");
} finally {
  http.close();
  http.closeAllConnections();
  await Promise.all([...tenants.values()].map((runtime) => runtime.shutdown()));
  await lucid.close();
}

// ---------------------------------------------------------------------------------------------------------------

interface SignResponse {
  text?: string;
  signature?: `0x${string}`;
  address?: `0x${string}`;
  error?: string;
}

/** POST /sign { message } with `x-tenant-id`: the tenant's model signs the message with the tenant's wallet. */
async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const tenant = request.headers["x-tenant-id"];
  if (request.method !== "POST" || request.url !== "/sign") {
    return reply(response, 404, { error: "not_found" });
  }
  // Authentication stand-in: a real server derives the tenant from the caller's session or API key.
  if (typeof tenant !== "string" || !tenants.has(tenant)) {
    return reply(response, 401, { error: "unknown_tenant" });
  }
  const { message } = JSON.parse(await readBody(request)) as { message: string };
  const real = await realModel();
  const result = await generateText({
    model:
      real?.model ??
      scriptedModel([
        { calls: [{ toolName: "signMessage", input: { message, encoding: null } }] },
        { text: "Signed." },
      ]),
    tools,
    stopWhen: stepCountIs(4),
    prompt: `Sign this exact message with my wallet: ${message}`,
    // The per-call context, for AI SDK 6 (experimental_context) and 7 (toolsContext) at once.
    ...lucidCallContext(tools, { tenant } satisfies RequestContext),
  });
  const output = result.steps
    .flatMap((step) => step.toolResults)
    .find((part) => part.toolName === "signMessage")?.output as
    | { ok: boolean; result?: { signature: `0x${string}`; address: `0x${string}` } }
    | undefined;
  say("server", `tenant ${tenant}: signMessage ${output?.ok ? "ok" : JSON.stringify(output)}`);
  return reply(response, 200, {
    text: result.text,
    signature: output?.result?.signature,
    address: output?.result?.address,
  });
}

function reply(response: ServerResponse, status: number, body: SignResponse): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of request) body += chunk;
  return body;
}
