import { AgentAuthErrorCode, isAgentAuthError } from "@lucid-dreams/agent-auth";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient, type TestClient } from "../test/clients.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

const run = requireRedis();
let server: RedisServer;
/** node-redis, to look at the keys directly whatever client the adapters use. */
let raw: ReturnType<typeof createClient>;
let agents = 0;

beforeAll(async () => {
  if (!run) return;
  server = await startRedis();
  raw = createClient({ url: server.url, socket: { reconnectStrategy: () => 20 } });
  raw.on("error", () => undefined);
  await raw.connect();
});
afterAll(async () => {
  if (!run) return;
  await raw.close();
  await server.stop();
});

const agent = () => {
  agents += 1;
  return `agent-${agents}`;
};

describe.runIf(run).each(CLIENT_KINDS)("RedisStorageAdapter (%s)", (kind) => {
  let test: TestClient;
  let client: TestClient["client"];
  beforeAll(async () => {
    test = await connectClient(kind, server.url);
    client = test.client;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("stores, reads and clears values under a per-agent hash tag", async () => {
    const agentRef = agent();
    const storage = new RedisStorageAdapter({ client, agentRef, prefix: "p:" });
    expect(await storage.get("tokens")).toBeNull();
    await storage.set("tokens", "one");
    expect(await storage.get("tokens")).toBe("one");
    expect(await new RedisStorageAdapter({ client, agentRef, prefix: "p:" }).get("tokens")).toBe("one");
    expect(
      await new RedisStorageAdapter({ client, agentRef: agent(), prefix: "p:" }).get("tokens"),
    ).toBeNull();
    expect(await raw.hGet(`p:{${agentRef}}:store:tokens`, "v")).toBe("one");
    await storage.clear("tokens");
    expect(await storage.get("tokens")).toBeNull();
  });

  it("lets one holder at a time run withLock across adapter instances (separate connections)", async () => {
    const agentRef = agent();
    const clients = await Promise.all(Array.from({ length: 4 }, () => connectClient(kind, server.url)));
    try {
      const adapters = clients.map((c) => new RedisStorageAdapter({ client: c.client, agentRef, pollMs: 5 }));
      let active = 0;
      let maxActive = 0;
      let runs = 0;
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          adapters[index % 4]!.withLock("tokens", async () => {
            active += 1;
            maxActive = Math.max(maxActive, active);
            await new Promise((resolve) => setImmediate(resolve));
            runs += 1;
            active -= 1;
          }),
        ),
      );
      expect(maxActive).toBe(1);
      expect(runs).toBe(20);
      expect(await raw.exists(`lucid:{${agentRef}}:lease:tokens`)).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it("refuses the write of a holder whose lease expired after a later holder wrote (fencing)", async () => {
    const agentRef = agent();
    const slow = new RedisStorageAdapter({ client, agentRef, leaseTtlMs: 50, timers: noHeartbeat });
    const fast = new RedisStorageAdapter({ client, agentRef, leaseTtlMs: 5_000, pollMs: 5 });
    let resumeSlow!: () => void;
    let slowHasLease!: () => void;
    const leased = new Promise<void>((resolve) => {
      slowHasLease = resolve;
    });
    const slowRun = slow.withLock("tokens", async () => {
      slowHasLease();
      await new Promise<void>((resolve) => {
        resumeSlow = resolve;
      });
      await slow.set("tokens", "late");
    });
    const slowError = slowRun.catch((error: unknown) => error);
    await leased;
    // The slow holder's lease expires (TTL 50 ms, no heartbeat); the fast one gets it and writes.
    await fast.withLock("tokens", async () => {
      await fast.set("tokens", "newer");
    });
    resumeSlow();
    const error = await slowError;
    expect(isAgentAuthError(error, AgentAuthErrorCode.StorageFenced)).toBe(true);
    expect(String((error as Error).message)).not.toContain("late");
    expect(await fast.get("tokens")).toBe("newer");
    expect(slow.stats.fencedWrites).toBe(1);
  });

  it("a plain set outside withLock also fences out an older lease holder", async () => {
    const agentRef = agent();
    const holder = new RedisStorageAdapter({ client, agentRef });
    const other = new RedisStorageAdapter({ client, agentRef });
    await expect(
      holder.withLock("tokens", async () => {
        await other.set("tokens", "signed-in-elsewhere");
        await holder.set("tokens", "stale");
      }),
    ).rejects.toMatchObject({ code: AgentAuthErrorCode.StorageFenced });
    expect(await other.get("tokens")).toBe("signed-in-elsewhere");
  });

  it("times out with a typed, retryable error while another holder keeps the lease", async () => {
    const agentRef = agent();
    const holder = new RedisStorageAdapter({ client, agentRef, leaseTtlMs: 60_000 });
    let slept = 0;
    const waiter = new RedisStorageAdapter({
      client,
      agentRef,
      lockTimeoutMs: 200,
      timers: {
        ...noHeartbeat,
        sleep: async (ms) => {
          slept += ms;
        },
      },
    });
    await holder.withLock("tokens", async () => {
      await expect(waiter.withLock("tokens", async () => "never")).rejects.toMatchObject({
        code: AgentAuthErrorCode.StorageLockTimeout,
        retryable: true,
      });
    });
    expect(slept).toBeGreaterThanOrEqual(200);
  });

  it("validates its options with typed errors", () => {
    expect(() => new RedisStorageAdapter({ client, agentRef: "" })).toThrow(/agentRef/);
    expect(() => new RedisStorageAdapter({ client, agentRef: "a", prefix: "x{y}" })).toThrow(/prefix/);
    expect(() => new RedisStorageAdapter({ client: { get() {} } as never, agentRef: "a" })).toThrow(
      /node-redis/,
    );
    expect(() => new RedisStorageAdapter({ client, agentRef: "a", leaseTtlMs: 0 })).toThrow(/leaseTtlMs/);
  });
});

describe.runIf(run).each(CLIENT_KINDS)("RedisStorageAdapter while Redis is down (%s)", (kind) => {
  let test: TestClient;
  let client: TestClient["client"];
  beforeAll(async () => {
    test = await connectClient(kind, server.url);
    client = test.client;
  });
  afterAll(async () => {
    await test?.close();
  });

  it("answers from the last known value, keeps writes and writes them back when Redis returns", async () => {
    const agentRef = agent();
    const storage = new RedisStorageAdapter({ client, agentRef, commandTimeoutMs: 200 });
    await storage.set("tokens", "before");
    expect(await storage.get("tokens")).toBe("before");
    await server.stop();
    try {
      expect(await storage.get("tokens")).toBe("before");
      // refresh still works in this process: the in-process lock and a local write
      await storage.withLock("tokens", async () => {
        await storage.set("tokens", "during");
      });
      expect(await storage.get("tokens")).toBe("during");
      const fresh = new RedisStorageAdapter({ client, agentRef, commandTimeoutMs: 200 });
      await expect(fresh.get("tokens")).rejects.toMatchObject({
        code: AgentAuthErrorCode.StorageUnavailable,
        retryable: true,
      });
    } finally {
      await server.start();
    }
    await test.ready();
    // Redis came back empty (no persistence): the value written during the outage is written back.
    expect(await storage.get("tokens")).toBe("during");
    expect(storage.stats.writeBacks).toBe(1);
    expect(await new RedisStorageAdapter({ client, agentRef }).get("tokens")).toBe("during");
  });

  it("does not write back over a value another worker stored after the outage", async () => {
    const agentRef = agent();
    const storage = new RedisStorageAdapter({ client, agentRef, commandTimeoutMs: 200 });
    await storage.set("tokens", "before");
    await server.stop();
    try {
      await storage.set("tokens", "local-during-outage");
    } finally {
      await server.start();
    }
    await test.ready();
    const other = new RedisStorageAdapter({ client, agentRef });
    await other.set("tokens", "other-after-restart");
    expect(await storage.get("tokens")).toBe("other-after-restart");
    expect(storage.stats.writeBacks).toBe(0);
  });
});

const noHeartbeat = {
  setInterval: () => 0,
  clearInterval: () => undefined,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
