/**
 * Design document, "Usage Examples" > "Bootstrap from `.lucid-agent.json`", run against the embedded local
 * Lucid server. The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:bootstrap-from-lucid-agent-json`
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime, createLocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";

// Local setup (not part of the design): a local Lucid server, and the agent's `.lucid-agent.json` written by it
// (the same file `lucid-local-server --wallet local --write-agent-json .lucid-agent.json` writes: agentId, agentRef,
// the credential of the agent's local key, apiBaseUrl) in a temporary directory that becomes the working
// directory, so the design's `cwd: process.cwd()` finds it. No LUCID_* variable is set: the environment would win
// over the file.
const server = await startLocalServer({ port: 0 });
for (const name of Object.keys(process.env)) if (name.startsWith("LUCID_")) delete process.env[name];
const workdir = await mkdtemp(join(tmpdir(), "lucid-agent-json-"));
await server.writeAgentJson(join(workdir, ".lucid-agent.json"), { wallet: "local" });
const originalCwd = process.cwd();
process.chdir(workdir);

// Adapted: the design leaves `myWalletConnector` to the reader; here it is the local key the server seeded for
// the agent (a throwaway test key), wrapped in a LocalEoaWalletConnector.
const myWalletConnector = await createLocalEoaWalletConnector({ privateKey: server.seed.eoaPrivateKey });

try {
  const { runtime, config, sourcePath } = await AgentRuntime.load({
    wallet: { signer: myWalletConnector },
    loader: {
      // optional overrides; defaults align with CLI output
      cwd: process.cwd(),
    },
  });

  console.log("loaded agent config from", sourcePath ?? "environment only");
  console.log("authenticated agent ref", config.agentRef);

  // Adapted: the design reads `session.scopes` from `runtime.ensureAccessToken()`, but that returns the bearer
  // token string (`Promise<string>`, as the design's own AgentRuntime section says), so `session.scopes` would
  // not compile and would print `undefined`. `runtime.authenticate()` returns the session with its scopes.
  const session = await runtime.authenticate();
  console.log("active scopes", session.scopes);

  // Added (not in the design): release the runtime.
  await runtime.shutdown();
} finally {
  process.chdir(originalCwd);
  await rm(workdir, { recursive: true, force: true });
  await server.close();
}
