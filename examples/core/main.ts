/**
 * The runtime without an LLM: `AgentRuntime.fromConfig` with a local-key credential against the embedded local
 * Lucid server. Signs in (challenge -> local signature -> exchange), lists agents, signs a message with the
 * agent's server-held wallet, watches the `authenticated` and `tokenRefreshed` events (the server issues 2-second
 * access tokens, so the background refresh happens while you watch), persists the tokens in a file with
 * `FileStorageAdapter`, and starts a second runtime (a restart, or another process) that picks them up without
 * a new challenge.
 *
 * Run: `pnpm --filter @lucid-dreams/examples core` (starts its own local server and chain, needs no account).
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AgentRuntime,
  type AgentRuntimeConfig,
  createLocalEoaWalletConnector,
} from "@lucid-dreams/agent-auth";
import { FileStorageAdapter } from "@lucid-dreams/agent-auth/node";
import { startLocalServer } from "@lucid-dreams/local-server";
import { verifyMessage } from "viem";

const say = (step: string, detail = "") => console.log(`${step.padEnd(30)}${detail}`);
const time = (date: Date) => date.toISOString().slice(11, 23);

/** Resolves with the next `event` of `runtime`, or rejects after `ms`. */
function next<E extends "authenticated" | "tokenRefreshed">(runtime: AgentRuntime, event: E, ms = 15_000) {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event within ${ms} ms`)), ms);
    const stop = runtime.on(event, () => {
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

// Access tokens live 2 s: the runtime refreshes them in the background at half their lifetime.
const server = await startLocalServer({ port: 0, accessTtlSeconds: 2 });
const dir = await mkdtemp(join(tmpdir(), "lucid-core-example-"));
try {
  const { seed } = server;
  say("local Lucid server", `${server.url} (access tokens live 2 s)`);

  const config: AgentRuntimeConfig = {
    baseUrl: server.url,
    agentRef: seed.agentRef,
    // The credential bound to a key this process holds (a throwaway test key seeded by the local server).
    credentialId: seed.eoaCredentialId,
    scopes: ["agents.read", "wallet.sign"],
  };
  const signer = await createLocalEoaWalletConnector({ privateKey: seed.eoaPrivateKey, caip2: seed.caip2 });
  const tokenFile = join(dir, "tokens.json");

  // 1. A runtime with file storage; events carry the session (the access token is a secret: never print it).
  const runtime = await AgentRuntime.fromConfig({
    config,
    wallet: { signer },
    storage: new FileStorageAdapter({ path: tokenFile }),
  });
  runtime.on("authenticated", (event) => {
    say("event authenticated", `${event.credentialId}, expires ${time(event.expiresAt)}`);
  });
  runtime.on("tokenRefreshed", (event) => {
    say("event tokenRefreshed", `new access token, expires ${time(event.expiresAt)}`);
  });

  // 2. The first call signs in: challenge, signature by the local key, exchange.
  const { items } = await runtime.api.listAgents();
  say("list agents", items.map((agent) => `${agent.ref} (${agent.name})`).join(", "));

  // 3. Sign a message with the agent's server-held wallet (an idempotency key is added for you).
  const message = "gm from the core example";
  const signed = await runtime.api.signMessage({ message });
  const valid = await verifyMessage({
    address: signed.wallet.address as `0x${string}`,
    message,
    signature: signed.signature,
  });
  say("sign message (server wallet)", `${signed.signature.slice(0, 18)}…, verifies: ${valid}`);
  if (!valid) throw new Error("the signature does not verify");

  // 4. Wait for the background refresh (at half the 2 s lifetime), then look at what was persisted.
  await next(runtime, "tokenRefreshed");
  const file = JSON.parse(await readFile(tokenFile, "utf8")) as {
    version: number;
    entries: Record<string, string>;
  };
  const [storageKey, stored] = Object.entries(file.entries)[0] ?? [];
  const record = JSON.parse(stored ?? "{}") as Record<string, unknown>;
  const mode = ((await stat(tokenFile)).mode & 0o777).toString(8);
  say("token file", `${tokenFile} (mode ${mode}, format ${file.version})`);
  say("", `key ${storageKey}`);
  say("", `record fields ${Object.keys(record).sort().join(", ")}`); // the values are secrets: not printed
  if (typeof record.refreshToken !== "string" || !record.refreshToken.startsWith("lrt_")) {
    throw new Error("unexpected token record");
  }

  // 5. Stop this runtime (the tokens stay in the file) and start a second one on the same file, as a restart or
  //    another process would: it resumes the session from storage, without a new challenge.
  await runtime.shutdown();
  const challengesBefore = server.counters.get("challenge");
  const refreshesBefore = server.counters.get("refresh");
  const second = await AgentRuntime.fromConfig({
    config,
    wallet: { signer },
    storage: new FileStorageAdapter({ path: tokenFile }),
  });
  const agent = await second.api.getAgent();
  const challengesAfter = server.counters.get("challenge");
  const refreshed = server.counters.get("refresh") !== refreshesBefore;
  say("second runtime", `get agent ${agent.ref}, challenges ${challengesBefore} -> ${challengesAfter}`);
  if (challengesAfter !== challengesBefore) throw new Error("the second runtime signed in again");
  say(
    "",
    `resumed from the token file without a new challenge (${
      refreshed ? "refreshed with the stored refresh token" : "reused the stored access token"
    })`,
  );

  // 6. Log out: the tokens are dropped from memory and from the file.
  second.on("tokensCleared", (event) => say("event tokensCleared", event.reason ?? ""));
  await second.clearTokens("logout");
  const after = JSON.parse(await readFile(tokenFile, "utf8")) as { entries: Record<string, string> };
  say("token file after logout", `${Object.keys(after.entries).length} entries`);
  await second.shutdown();

  say("done", "every step verified");
} finally {
  await rm(dir, { recursive: true, force: true });
  await server.close();
}
