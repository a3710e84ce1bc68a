import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { AgentRuntime } from "../agent-runtime.js";
import type { StoredTokensV1 } from "../token-serialization.js";
import { LocalEoaWalletConnector } from "../wallet/local-key-connector.js";
import { FileStorageAdapter } from "./file-adapter.js";

const fixture = fileURLToPath(
  new URL("../../../test/fixtures/runtime-shared-file-refresh.mjs", import.meta.url),
);
const builtEntries = ["../../../dist/index.js", "../../../dist/node.js"].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);
const PROCESSES = 4;
const STORAGE_KEY = "multiprocess-test:demo-agent:eoa";

let server: LocalServer;
let dir: string;
const runtimes: AgentRuntime[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-auth-shared-file-"));
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  server.counters.reset();
  await rm(dir, { recursive: true, force: true });
});

interface ChildResult {
  ok: boolean;
  pid: number;
  accessToken?: string;
  error?: string;
  events: Array<{ name: string; accessToken?: string; expired: boolean }>;
}

it(`${PROCESSES} processes sharing one token file send exactly one refresh to the server`, async () => {
  for (const entry of builtEntries) {
    if (!existsSync(entry)) throw new Error(`Build first (corepack pnpm build): ${entry} is missing`);
  }
  const storePath = join(dir, "state", "tokens.json");
  const storage = new FileStorageAdapter({ path: storePath });

  // 1. Sign in once in this process, persisting to the shared file.
  const runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    wallet: {
      signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
    },
    storage,
    storageKey: STORAGE_KEY,
    backgroundRefresh: false,
    telemetry: false,
  });
  runtimes.push(runtime);
  const original = await runtime.ensureAccessToken();
  await runtime.shutdown();

  // 2. Make the stored access token look expired; the refresh token stays valid.
  const text = await storage.get(STORAGE_KEY);
  expect(text).not.toBeNull();
  const record = JSON.parse(text!) as StoredTokensV1;
  expect(record.v).toBe(1);
  expect(record.accessToken).toBe(original);
  expect(new Date(record.refreshTokenExpiresAt).getTime()).toBeGreaterThan(Date.now() + 60_000);
  const expiredAt = new Date(Date.now() - 60_000).toISOString();
  await storage.set(STORAGE_KEY, JSON.stringify({ ...record, accessTokenExpiresAt: expiredAt }));
  server.counters.reset();

  // 3. Race 4 signer-less runtimes on the same file and key.
  const config = JSON.stringify({
    baseUrl: server.url,
    agentRef: server.seed.agentRef,
    credentialId: server.seed.eoaCredentialId,
    storePath,
    storageKey: STORAGE_KEY,
  });
  const ready: Promise<void>[] = [];
  const results: Promise<ChildResult>[] = [];
  for (let index = 0; index < PROCESSES; index += 1) {
    const child = fork(fixture, [config], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(child);
    ready.push(new Promise((resolve) => child.once("message", () => resolve())));
    results.push(
      new Promise((resolve, reject) => {
        child.on("message", (message) => {
          if (message !== "ready") resolve(message as ChildResult);
        });
        child.once("exit", (code) => reject(new Error(`child exited with ${code} before answering`)));
      }),
    );
  }
  await Promise.all(ready);
  for (const child of children) child.send("go");
  const answers = await Promise.all(results);

  for (const answer of answers) expect(answer.error ?? "").toBe("");
  expect(server.counters.get("refresh")).toBe(1);
  expect(server.counters.get("challenge")).toBe(0);
  expect(server.counters.get("exchange")).toBe(0);

  const tokens = answers.map((answer) => answer.accessToken);
  expect(new Set(tokens).size).toBe(1);
  expect(tokens[0]).toMatch(/^lat_/);
  expect(tokens[0]).not.toBe(original);
  // No sign-in anywhere; every child's last event hands its connector the one new token. (Adopting tokens from
  // the file also emits tokenRefreshed, so the refresher may emit one more before it, for the expired token.)
  for (const answer of answers) {
    const names = answer.events.map((event) => event.name);
    expect(names).not.toContain("authenticated");
    expect(names).not.toContain("refreshFailed");
    expect(names).not.toContain("reauthenticationRequired");
    expect(answer.events.at(-1)).toEqual({ name: "tokenRefreshed", accessToken: tokens[0], expired: false });
  }

  // the file holds the rotated pair, and the new access token works
  const stored = JSON.parse((await storage.get(STORAGE_KEY))!) as StoredTokensV1;
  expect(stored.accessToken).toBe(tokens[0]);
  expect(stored.refreshToken).not.toBe(record.refreshToken);
  const check = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    storage,
    storageKey: STORAGE_KEY,
    backgroundRefresh: false,
    telemetry: false,
  });
  runtimes.push(check);
  expect(await check.ensureAccessToken()).toBe(tokens[0]);
  const agents = await check.api.listAgents();
  expect(agents.items.map((agent) => agent.ref)).toEqual([server.seed.agentRef]);
  expect(server.counters.get("refresh")).toBe(1);
}, 30_000);
