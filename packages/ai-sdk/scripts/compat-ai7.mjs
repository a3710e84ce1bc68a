#!/usr/bin/env node
/**
 * Checks the built adapter against AI SDK 7 (CI installs only AI SDK 6). Not part of `pnpm test`.
 *
 * 1. Installs `ai@7` and `zod@4` with npm in a temporary project, copies this package's `dist` into it (so its
 *    `import "ai"` resolves to AI SDK 7) and links `@lucid-dreams/agent-auth` to the workspace build.
 * 2. Type-checks a file that uses `lucidTools` with AI SDK 7's `generateText`, `toolsContext` and `toolApproval`.
 * 3. Runs real `generateText` loops (a scripted model) against the local server: a fixed session, per-request
 *    sessions from `toolsContext`, tool-level and call-level approval, a policy refusal.
 *
 * Run: `pnpm --filter @lucid-dreams/ai-sdk compat:ai7` after `pnpm build`. Needs network access to npm.
 * `AI_VERSION=7.0.x` picks a version; `KEEP=1` keeps the temporary project.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";
import { createPublicClient, http, verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const coreDir = join(packageDir, "..", "core");
const repoRoot = join(packageDir, "..", "..");
const aiVersion = process.env.AI_VERSION ?? "7";

const results = [];
function check(name, ok, detail = "") {
  results.push({ name, ok });
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

const dir = await mkdtemp(join(tmpdir(), "lucid-ai-sdk-ai7-"));
let server;
const runtimes = [];
try {
  // 1. A project with AI SDK 7, this package's build and the workspace's core.
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "ai7-compat", private: true, type: "module" }),
  );
  console.log(`installing ai@${aiVersion} and zod@4 in ${dir}`);
  execFileSync(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      "--engine-strict=false",
      `ai@${aiVersion}`,
      "zod@4",
    ],
    {
      cwd: dir,
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  const installed = JSON.parse(await readFile(join(dir, "node_modules/ai/package.json"), "utf8")).version;
  console.log(`ai ${installed} on Node ${process.version}`);
  const adapterDir = join(dir, "node_modules/@lucid-dreams/ai-sdk");
  await mkdir(adapterDir, { recursive: true });
  await cp(join(packageDir, "dist"), join(adapterDir, "dist"), { recursive: true });
  await cp(join(packageDir, "package.json"), join(adapterDir, "package.json"));
  await symlink(coreDir, join(dir, "node_modules/@lucid-dreams/agent-auth"), "dir");

  // 2. Types: the adapter's declarations used with AI SDK 7's generateText.
  await writeFile(
    join(dir, "check.ts"),
    `import type { AgentRuntime } from "@lucid-dreams/agent-auth";
import { lucidTools } from "@lucid-dreams/ai-sdk";
import { generateText, type LanguageModel, type ToolSet } from "ai";

declare const model: LanguageModel;
declare const runtime: AgentRuntime;
declare const runtimeFor: (tenant: string) => Promise<AgentRuntime>;

const fixed: ToolSet = lucidTools(runtime, { policy: { maxValuePerTransaction: "0.1" } });
await generateText({ model, prompt: "gm", tools: fixed });

const tools = lucidTools(({ context }) => runtimeFor((context as { tenant: string }).tenant));
// AI SDK 7 types toolsContext only for tools that declare a contextSchema; the Lucid tools do not: cast.
const toolsContext = Object.fromEntries(Object.keys(tools).map((name) => [name, { tenant: "acme" }]));
await generateText({
  model,
  prompt: "gm",
  tools,
  toolsContext: toolsContext as never,
  toolApproval: { sendTransaction: "user-approval" },
});
`,
  );
  // ... and the README's `ts ai7` snippets, with the prelude the AI SDK 6 snippet test uses.
  const readme = await readFile(join(packageDir, "README.md"), "utf8");
  const snippets = [...readme.matchAll(/```ts ai7\n([\s\S]*?)```/g)].map((match) => match[1]);
  await cp(join(packageDir, "scripts/readme-prelude.d.ts"), join(dir, "prelude.d.ts"));
  const snippetFiles = [];
  for (const [index, code] of snippets.entries()) {
    snippetFiles.push(`readme-ai7-${index}.ts`);
    await writeFile(join(dir, `readme-ai7-${index}.ts`), code);
  }
  await writeFile(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(repoRoot, "node_modules/@types")],
      },
      files: ["check.ts", "prelude.d.ts", ...snippetFiles],
    }),
  );
  try {
    execFileSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", dir], {
      stdio: "pipe",
    });
    check(
      `types: lucidTools in AI SDK 7 generateText (toolsContext, toolApproval), ${snippets.length} README snippets`,
      snippets.length > 0,
    );
  } catch (error) {
    check("types: lucidTools in AI SDK 7 generateText", false, String(error.stdout ?? error));
  }

  // 3. Runtime: real generateText loops against the local server.
  await writeFile(
    join(dir, "entry.mjs"),
    `export { generateText, stepCountIs } from "ai";
export { MockLanguageModelV3 } from "ai/test";
export { lucidTools } from "@lucid-dreams/ai-sdk";
`,
  );
  const ai = await import(pathToFileURL(join(dir, "entry.mjs")).href);

  server = await startLocalServer({
    port: 0,
    agents: [
      { ref: "alice-agent", name: "Alice" },
      { ref: "bob-agent", name: "Bob" },
    ],
  });
  const [alice, bob] = server.seed.agents;
  const runtimeFor = async (agent) => {
    const runtime = await AgentRuntime.fromConfig({
      config: { baseUrl: server.url, agentRef: agent.agentRef, credentialId: agent.eoaCredentialId },
      wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(agent.eoaPrivateKey) }) },
      backgroundRefresh: false,
    });
    runtimes.push(runtime);
    return runtime;
  };
  const aliceRuntime = await runtimeFor(alice);
  const bobRuntime = await runtimeFor(bob);

  const usage = {
    inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: 1, text: 1, reasoning: 0 },
  };
  let ids = 0;
  const model = (calls) => {
    let step = 0;
    return new ai.MockLanguageModelV3({
      doGenerate: async () =>
        step++ === 0 && calls.length > 0
          ? {
              content: calls.map(([toolName, input]) => ({
                type: "tool-call",
                toolCallId: `v7-call-${++ids}`,
                toolName,
                input: JSON.stringify(input),
              })),
              finishReason: { unified: "tool-calls", raw: "tool_calls" },
              usage,
              warnings: [],
            }
          : {
              content: [{ type: "text", text: "done" }],
              finishReason: { unified: "stop", raw: "stop" },
              usage,
              warnings: [],
            },
    });
  };
  const run = async (tools, calls, extra = {}) => {
    const scripted = model(calls);
    const result = await ai.generateText({
      model: scripted,
      tools,
      stopWhen: ai.stepCountIs(4),
      ...(extra.messages ? {} : { prompt: "Use the wallet." }),
      ...extra,
    });
    return {
      result,
      scripted,
      outputs: result.steps.flatMap((step) => step.toolResults).map((p) => p.output),
    };
  };

  // a fixed session
  {
    const { outputs } = await run(ai.lucidTools(aliceRuntime), [
      ["listAgents", { limit: null }],
      ["signMessage", { message: "gm from ai 7", encoding: null }],
    ]);
    const [listed, signed] = outputs;
    check("fixed session: listAgents", listed?.ok === true && listed.result.agents[0]?.ref === "alice-agent");
    const valid =
      signed?.ok === true &&
      (await verifyMessage({
        address: alice.serverWalletAddress,
        message: "gm from ai 7",
        signature: signed.result.signature,
      }));
    check("fixed session: signMessage verifies against the agent's wallet", valid);
  }

  // per-request sessions from toolsContext (AI SDK 7's per-tool context)
  {
    const sessions = { alice: aliceRuntime, bob: bobRuntime };
    const tools = ai.lucidTools(({ context }) => sessions[context?.tenant]);
    for (const [tenant, agent] of [
      ["alice", alice],
      ["bob", bob],
    ]) {
      const toolsContext = Object.fromEntries(Object.keys(tools).map((name) => [name, { tenant }]));
      const message = `gm from ${tenant}`;
      const { outputs } = await run(tools, [["signMessage", { message, encoding: null }]], { toolsContext });
      const valid =
        outputs[0]?.ok === true &&
        (await verifyMessage({
          address: agent.serverWalletAddress,
          message,
          signature: outputs[0].result.signature,
        }));
      check(`toolsContext resolver: ${tenant}'s signature verifies against ${tenant}'s wallet`, valid);
    }
    // A resolver may also read the request from AsyncLocalStorage: the same code for AI SDK 6 and 7.
    const request = new AsyncLocalStorage();
    const alsTools = ai.lucidTools(() => sessions[request.getStore()]);
    const { outputs: alsOutputs } = await request.run("bob", () =>
      run(alsTools, [["getWalletAddress", { chain: null }]]),
    );
    check(
      "AsyncLocalStorage resolver: the session of the request in scope",
      alsOutputs[0]?.ok === true && alsOutputs[0].result.address === bob.serverWalletAddress,
    );
    // AI SDK 6's experimental_context does not reach tools under AI SDK 7.
    const { outputs } = await run(tools, [["getWalletAddress", { chain: null }]], {
      experimental_context: { tenant: "alice" },
    });
    check(
      "experimental_context is not passed to tools under AI SDK 7 (use toolsContext)",
      outputs[0]?.ok === false && outputs[0].code === "configuration_error",
      JSON.stringify(outputs[0]),
    );
  }

  // approval: the tool's needsApproval (deprecated in AI SDK 7, still honoured), then toolApproval
  const chain = {
    id: server.seed.chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  };
  const client = createPublicClient({ chain, transport: http(server.seed.rpcUrl) });
  const send = {
    chain: null,
    to: "0x000000000000000000000000000000000000bEEF",
    amount: "0.01",
    unit: "ether",
    data: null,
  };
  for (const [label, tools, extra] of [
    ["tool-level needsApproval", ai.lucidTools(aliceRuntime), {}],
    [
      "call-level toolApproval",
      ai.lucidTools(aliceRuntime, { approval: { sendTransaction: false } }),
      { toolApproval: { sendTransaction: "user-approval" } },
    ],
  ]) {
    server.counters.reset();
    const prompt = [{ role: "user", content: "Send 0.01 ETH." }];
    const first = await run(tools, [["sendTransaction", send]], { messages: prompt, ...extra });
    const request = first.result.content.find((part) => part.type === "tool-approval-request");
    check(
      `${label}: approval requested, nothing sent`,
      request !== undefined && server.counters.get("sendTransaction") === 0,
    );
    if (!request) continue;
    const second = await run(tools, [], {
      ...extra,
      messages: [
        ...prompt,
        ...first.result.response.messages,
        {
          role: "tool",
          content: [{ type: "tool-approval-response", approvalId: request.approvalId, approved: true }],
        },
      ],
    });
    const seen = JSON.stringify(second.scripted.doGenerateCalls[0]?.prompt ?? []);
    const hash = /"transactionHash":"(0x[0-9a-f]{64})"/.exec(seen)?.[1];
    const receipt = hash ? await client.waitForTransactionReceipt({ hash }) : undefined;
    check(
      `${label}: approved call sent once, receipt on the local chain`,
      server.counters.get("sendTransaction") === 1 && receipt?.status === "success",
      hash ?? "no hash",
    );
  }

  // a policy refusal comes back as a result, without an approval request (the preflight runs first)
  {
    server.counters.reset();
    const tools = ai.lucidTools(aliceRuntime, { policy: { maxValuePerTransaction: "0.001" } });
    const { outputs, result } = await run(tools, [["sendTransaction", { ...send, amount: "1" }]]);
    check(
      "policy refusal: { ok: false, code: policy_refused }, no approval asked, no wallet call",
      outputs[0]?.ok === false &&
        outputs[0].code === "policy_refused" &&
        !result.content.some((part) => part.type === "tool-approval-request") &&
        server.counters.get("sendTransaction") === 0,
      JSON.stringify(outputs[0]),
    );
  }
} catch (error) {
  check("compatibility run", false, error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  await Promise.all(runtimes.map((runtime) => runtime.shutdown()));
  await server?.close();
  if (process.env.KEEP) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}

const failed = results.filter((result) => !result.ok);
console.log(
  failed.length === 0
    ? `AI SDK 7: all ${results.length} checks passed`
    : `AI SDK 7: ${failed.length} of ${results.length} checks failed`,
);
process.exit(failed.length === 0 ? 0 : 1);
