import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";

/** The stored token record, as far as this test reads it. */
type StoredTokensV1 = { refreshStartedAt?: string | number | null; [field: string]: unknown };

import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createClient } from "redis";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { stopChildren } from "../test/fleet.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

const run = requireRedis();
const LEASE_TTL_MS = 2_000;
const holderPath = fileURLToPath(new URL("../test/fixtures/lease-holder.mjs", import.meta.url));
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

let redis: RedisServer;
let server: LocalServer;
let client: ReturnType<typeof createClient>;
const children: ChildProcess[] = [];
const runtimes: AgentRuntime[] = [];

beforeAll(async () => {
  if (!run) return;
  if (!existsSync(built)) throw new Error("Build first (corepack pnpm build): dist/index.js is missing");
  redis = await startRedis();
  server = await startLocalServer({ port: 0 });
  client = createClient({ url: redis.url });
  client.on("error", () => undefined);
  await client.connect();
});
afterEach(async () => {
  await stopChildren(children);
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  server?.faults.clear();
});
afterAll(async () => {
  await client?.close();
  await server?.close();
  await redis?.stop();
});

const config = () => ({
  baseUrl: server.url,
  agentRef: server.seed.agentRef,
  credentialId: server.seed.eoaCredentialId,
});

/** A runtime in this process with a signer, sharing the Redis storage. */
async function signerRuntime(storageKey: string) {
  const storage = new RedisStorageAdapter({
    client,
    agentRef: server.seed.agentRef,
    leaseTtlMs: LEASE_TTL_MS,
    pollMs: 10,
  });
  const runtime = await AgentRuntime.fromConfig({
    config: config(),
    wallet: {
      signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
    },
    storage,
    storageKey,
    backgroundRefresh: false,
    telemetry: false,
  });
  runtimes.push(runtime);
  return { runtime, storage };
}

/** Signs in once and stores tokens whose access token has expired (the refresh token is good). */
async function seedExpiredTokens(storageKey: string) {
  const { runtime, storage } = await signerRuntime(storageKey);
  await runtime.ensureAccessToken();
  const record = JSON.parse((await storage.get(storageKey))!) as StoredTokensV1;
  const expired = new Date(Date.now() - 60_000).toISOString();
  await storage.set(storageKey, JSON.stringify({ ...record, accessTokenExpiresAt: expired }));
  await runtime.shutdown();
  return record;
}

function forkHolder(
  storageKey: string,
  mode: string,
): { child: ChildProcess; messages: AsyncIterator<unknown> } {
  const child = fork(
    holderPath,
    [JSON.stringify({ redisUrl: redis.url, ...config(), leaseTtlMs: LEASE_TTL_MS, storageKey, mode })],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  children.push(child);
  const queue: unknown[] = [];
  const waiters: ((value: IteratorResult<unknown>) => void)[] = [];
  child.on("message", (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter({ value: message, done: false });
    else queue.push(message);
  });
  const messages: AsyncIterator<unknown> = {
    next: () =>
      queue.length > 0
        ? Promise.resolve({ value: queue.shift(), done: false })
        : new Promise((resolve) => waiters.push(resolve)),
  };
  return { child, messages };
}

async function waitForLeaseGone(key: string): Promise<number> {
  let polls = 0;
  while ((await client.pTTL(key)) > 0) {
    polls += 1;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return polls;
}

describe.runIf(run)("a lease holder that dies or stalls", () => {
  it("SIGKILLed during its refresh: another process takes over after the lease expires and signs in (the spent token is never presented)", async () => {
    const storageKey = "killed";
    await seedExpiredTokens(storageKey);
    const before = { refresh: server.counters.get("refresh"), exchange: server.counters.get("exchange") };
    const revokedBefore = server.admin.familyCounts().revoked;
    // The server holds the refresh for a while (then processes it: the token rotates, the answer is lost).
    server.faults.inject("refresh", { latencyMs: 300, times: 1 });
    const familiesBefore = server.admin.familyCounts().total;
    const { child, messages } = forkHolder(storageKey, "kill-during-refresh");
    expect((await messages.next()).value).toBe("ready");
    child.send("go");
    expect((await messages.next()).value).toBe("refresh-sent");
    // Kill it once the server has the request (it holds it 300 ms, then rotates the token for a dead socket).
    while (server.counters.get("refresh") === before.refresh)
      await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await closed;
    const leaseKey = `lucid:{${server.seed.agentRef}}:lease:${storageKey}`;
    expect(await client.pTTL(leaseKey)).toBeGreaterThan(0); // the dead holder still holds the lease

    const { runtime, storage } = await signerRuntime(storageKey);
    const token = await runtime.ensureAccessToken();
    const tookMs = Date.now() - killedAt;
    console.log(
      `lease takeover after SIGKILL: ${tookMs} ms (lease TTL ${LEASE_TTL_MS} ms), ${storage.stats.leaseWaits} polls`,
    );
    expect(storage.stats.leaseWaits).toBeGreaterThan(0); // it had to wait for the lease to expire
    expect(token).toMatch(/^lat_/);
    // The takeover is driven by the lease TTL: the waiter polled (every 10 ms at the earliest) for at most the
    // lease's remaining life. Counted, not timed: a loaded machine only makes the polls fewer.
    expect(storage.stats.leaseWaits).toBeLessThanOrEqual(Math.ceil((LEASE_TTL_MS / 10) * 1.25));
    // The killed holder's refresh token was presented once (by it); this process signed in instead of replaying it.
    expect(server.counters.get("refresh") - before.refresh).toBe(1);
    expect(server.counters.get("exchange") - before.exchange).toBe(1);
    expect(server.admin.familyCounts().revoked).toBe(revokedBefore);
    expect(server.admin.familyCounts().total).toBe(familiesBefore + 1);
    expect((await runtime.api.listAgents()).items.length).toBeGreaterThan(0);
  });

  it("SIGSTOPped past its lease and resumed: its late write is refused, and it adopts the newer tokens", async () => {
    const storageKey = "paused";
    await seedExpiredTokens(storageKey);
    const revokedBefore = server.admin.familyCounts().revoked;
    const { child, messages } = forkHolder(storageKey, "pause-before-write");
    expect((await messages.next()).value).toBe("ready");
    child.send("go");
    expect((await messages.next()).value).toBe("about-to-write"); // it refreshed and is about to store the result
    child.kill("SIGSTOP");
    try {
      await waitForLeaseGone(`lucid:{${server.seed.agentRef}}:lease:${storageKey}`);
      const { runtime, storage } = await signerRuntime(storageKey);
      const token = await runtime.ensureAccessToken();
      const stored = JSON.parse((await storage.get(storageKey))!) as StoredTokensV1;
      expect(stored.accessToken).toBe(token);
      child.kill("SIGCONT");
      child.send("continue");
      const report = (await messages.next()).value as {
        ok: boolean;
        causeCode?: string;
        fenced: number;
        sameAsStored?: boolean;
      };
      expect(report.fenced).toBe(1); // its late write was refused
      // Its caller is not failed: it re-read the storage and now holds the newer writer's tokens.
      expect(report).toMatchObject({ ok: true, sameAsStored: true });
      // The store still holds this process's tokens, which still work.
      expect(JSON.parse((await storage.get(storageKey))!).accessToken).toBe(token);
      expect((await runtime.api.listAgents()).items.length).toBeGreaterThan(0);
      expect(server.admin.familyCounts().revoked).toBe(revokedBefore);
    } finally {
      child.kill("SIGCONT");
    }
  });
});
