import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AgentRuntime } from "./agent-runtime.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import { LocalEoaWalletConnector } from "./wallet/local-key-connector.js";

let server: LocalServer;
const runtimes: AgentRuntime[] = [];
/** One clock for the server and the runtimes, moved by the tests. */
const clock = { now: Date.now() };

beforeAll(async () => {
  server = await startLocalServer({ port: 0, accessTtlSeconds: 60, now: () => clock.now });
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  server.faults.clear();
  server.counters.reset();
});
afterAll(async () => {
  await server.close();
});

/** A runtime on the shared clock. */
async function runtimeAt(options: { signer?: boolean; storage?: MemoryStorageAdapter } = {}) {
  const runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    ...(options.signer === false
      ? {}
      : {
          wallet: {
            signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
          },
        }),
    ...(options.storage ? { storage: options.storage } : {}),
    now: () => clock.now,
    backgroundRefresh: false,
    telemetry: false,
  });
  runtimes.push(runtime);
  return runtime;
}

const counts = (runtime: AgentRuntime) => {
  const seen: Record<string, number> = {};
  for (const name of [
    "authenticated",
    "tokenRefreshed",
    "refreshFailed",
    "credentialRevoked",
    "reauthenticationRequired",
  ] as const) {
    runtime.on(name, () => {
      seen[name] = (seen[name] ?? 0) + 1;
    });
  }
  return seen;
};

describe("a refresh whose answer is lost after the server rotated", () => {
  it("counts the refresh token as spent: signs in afresh, never presents it again, nothing revoked", async () => {
    const runtime = await runtimeAt();
    const events = counts(runtime);
    const first = await runtime.ensureAccessToken();
    const revokedBefore = server.admin.familyCounts().revoked;
    server.faults.inject("refresh", { dropResponse: true, times: 1 });
    clock.now += 55_000; // the held token is due for refresh
    const second = await runtime.ensureAccessToken();
    expect(second).not.toBe(first);
    expect(server.counters.get("refresh")).toBe(1); // presented once, never again
    expect(server.counters.get("exchange")).toBe(2); // the first sign-in, and the fresh one
    expect(server.admin.familyCounts().revoked).toBe(revokedBefore);
    expect(events).toMatchObject({ authenticated: 2, refreshFailed: 1 });
    expect(events.credentialRevoked).toBeUndefined();
    expect((await runtime.api.listAgents()).items.length).toBeGreaterThan(0);
  });

  it("without a signer: emits reauthenticationRequired and fails, still without presenting the token twice", async () => {
    const storage = new MemoryStorageAdapter<string>();
    const signedIn = await runtimeAt({ storage });
    await signedIn.ensureAccessToken();
    const runtime = await runtimeAt({ signer: false, storage });
    const events = counts(runtime);
    server.faults.inject("refresh", { dropResponse: true, times: 1 });
    clock.now += 61_000; // expired: nothing usable is held
    await expect(runtime.ensureAccessToken()).rejects.toMatchObject({ retryable: false });
    await expect(runtime.ensureAccessToken()).rejects.toThrow();
    expect(server.counters.get("refresh")).toBe(1);
    expect(events.reauthenticationRequired).toBeGreaterThanOrEqual(1);
  });

  it("adopts the tokens another process stored instead of signing in", async () => {
    const storage = new MemoryStorageAdapter<string>();
    const a = await runtimeAt({ storage });
    const b = await runtimeAt({ storage });
    await a.ensureAccessToken();
    await b.ensureAccessToken(); // adopted from storage: one sign-in
    expect(server.counters.get("exchange")).toBe(1);
    clock.now += 55_000;
    const fromA = await a.ensureAccessToken(); // A rotates and stores
    const fromB = await b.ensureAccessToken(); // B finds A's tokens first
    expect(fromB).toBe(fromA);
    expect(server.counters.get("refresh")).toBe(1);
    expect(server.counters.get("exchange")).toBe(1);
  });
});

describe("events and expiry", () => {
  it("fires tokenRefreshed exactly once per rotation", async () => {
    const runtime = await runtimeAt();
    const events = counts(runtime);
    await runtime.ensureAccessToken();
    for (let rotation = 0; rotation < 4; rotation += 1) {
      clock.now += 55_000;
      await runtime.ensureAccessToken();
      await runtime.ensureAccessToken(); // cached: no event
    }
    expect(server.counters.get("refresh")).toBe(4);
    expect(events.tokenRefreshed).toBe(4);
    expect(events.authenticated).toBe(1);
  });

  it("never hands out a token that expires within the skew margin", async () => {
    const runtime = await runtimeAt();
    const first = await runtime.ensureAccessToken();
    const session = await runtime.authenticate();
    // 1 ms before the skew margin (5 s) of a token whose refresh lead was also reached: not handed out
    clock.now = session.expiresAt.getTime() - 5_000;
    const next = await runtime.ensureAccessToken();
    expect(next).not.toBe(first);
    expect(server.counters.get("refresh")).toBe(1);
  });
});
