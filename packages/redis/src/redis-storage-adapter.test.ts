import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentAuthErrorCode, isAgentAuthError } from "@lucid-dreams/agent-auth";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient, type TestClient } from "../test/clients.js";
import { type RedisServer, redisForFile, requireRedis, startRedis } from "../test/redis-server.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

const run = requireRedis();
const db = redisForFile(run);
let agents = 0;

const agent = () => {
  agents += 1;
  return `agent-${agents}`;
};

describe.runIf(run).each(CLIENT_KINDS)("RedisStorageAdapter (%s)", (kind) => {
  let test: TestClient;
  let client: TestClient["client"];
  beforeAll(async () => {
    test = await connectClient(kind, db.server.url);
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
    expect(await db.client.hGet(`p:{${agentRef}}:store:tokens`, "v")).toBe("one");
    await storage.clear("tokens");
    expect(await storage.get("tokens")).toBeNull();
  });

  it("lets one holder at a time run withLock across adapter instances (separate connections)", async () => {
    const agentRef = agent();
    const clients = await Promise.all(Array.from({ length: 4 }, () => connectClient(kind, db.server.url)));
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
      expect(await db.client.exists(`lucid:{${agentRef}}:lease:tokens`)).toBe(0);
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
    test = await connectClient(kind, db.server.url);
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
    await db.server.stop();
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
      await db.server.start();
    }
    await test.ready();
    // Redis came back empty (no persistence): the value written during the outage is written back by the next
    // read that Redis answers (on a loaded machine a read may still pass its 200 ms and answer from memory).
    expect(await readUntilRedisAnswers(storage, "tokens")).toBe("during");
    expect(await new RedisStorageAdapter({ client, agentRef }).get("tokens")).toBe("during");
    // once; or not counted, when a write-back that timed out was still carried out (its answer came late)
    expect(storage.stats.writeBacks).toBeLessThanOrEqual(1);
  });

  it("does not write back over a value another worker stored after the outage", async () => {
    const agentRef = agent();
    const storage = new RedisStorageAdapter({ client, agentRef, commandTimeoutMs: 200 });
    await storage.set("tokens", "before");
    await db.server.stop();
    try {
      await storage.set("tokens", "local-during-outage");
    } finally {
      await db.server.start();
    }
    await test.ready();
    const other = new RedisStorageAdapter({ client, agentRef });
    await other.set("tokens", "other-after-restart");
    expect(await readUntilRedisAnswers(storage, "tokens")).toBe("other-after-restart");
    expect(storage.stats.writeBacks).toBe(0);
  });
});

/**
 * `storage.get(key)` again until Redis answers it (not this process's memory: no local fallback counted), at
 * most 50 times: counts reads, never times them. Fails when Redis never answers.
 */
async function readUntilRedisAnswers(storage: RedisStorageAdapter, key: string): Promise<string | null> {
  for (let read = 0; read < 50; read += 1) {
    const fallbacks = storage.stats.localFallbacks;
    const value = await storage.get(key);
    if (storage.stats.localFallbacks === fallbacks) return value;
  }
  throw new Error(`Redis did not answer 50 reads of ${key} in a row`);
}

/**
 * A process that refreshed tokens in memory during an outage writes them back when Redis returns. Meanwhile a
 * live lease holder (another worker) may have rotated the tokens: its newer token must win. The write-back is a
 * compare-and-set on the etag (a random id of each write) the process last saw, not on the `ver` counter,
 * which restarts from zero when Redis loses its data.
 */
describe.runIf(run).each(CLIENT_KINDS)("an outage-era write-back vs a live lease holder (%s)", (kind) => {
  let durable: RedisServer;
  let dir: string;
  let stale: TestClient;
  let live: TestClient;
  let look: ReturnType<typeof createClient>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "redis-writeback-"));
    durable = await startRedis({ persistDir: dir }); // keeps its data across the restart (fsync'd AOF)
    [stale, live] = await Promise.all([connectClient(kind, durable.url), connectClient(kind, durable.url)]);
    look = createClient({ url: durable.url, socket: { reconnectStrategy: () => 20 } });
    look.on("error", () => undefined);
    await look.connect();
  });
  afterAll(async () => {
    await Promise.all([stale?.close(), live?.close(), look?.close()]);
    await durable?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Stores T1, then refreshes to `during` in memory while Redis is stopped; Redis restarts with T1. */
  async function outageRefresh(agentRef: string, during: string) {
    const process = new RedisStorageAdapter({ client: stale.client, agentRef, commandTimeoutMs: 200 });
    const holder = new RedisStorageAdapter({ client: live.client, agentRef, leaseTtlMs: 60_000 });
    await process.set("tokens", "T1");
    await durable.stop();
    try {
      await process.withLock("tokens", () => process.set("tokens", during));
      expect(await process.get("tokens")).toBe(during); // served from memory
      expect(process.stats.localFallbacks).toBeGreaterThan(0);
    } finally {
      await durable.start();
    }
    await Promise.all([stale.ready(), live.ready(), look.isReady ? undefined : once(look, "ready")]);
    return { process, holder, store: `lucid:{${agentRef}}:store:tokens` };
  }

  it("is refused when the holder wrote a newer token; the process adopts it, even while the lease is held", async () => {
    const { process, holder, store } = await outageRefresh(agent(), "T2-outage");
    await holder.withLock("tokens", async () => {
      expect(await holder.get("tokens")).toBe("T1"); // Redis kept T1: the outage refresh is not there
      await holder.set("tokens", "T3-holder");
      // The outage-era process comes back while the holder still holds the lease.
      expect(await readUntilRedisAnswers(process, "tokens")).toBe("T3-holder");
      expect(process.stats.writeBacks).toBe(0);
      // The refused write-back took no fence: the holder's next write still lands.
      await holder.set("tokens", "T3-holder-final");
    });
    expect(await look.hGet(store, "v")).toBe("T3-holder-final");
    expect(await readUntilRedisAnswers(process, "tokens")).toBe("T3-holder-final"); // adopted for good, never retried
    expect(process.stats.writeBacks).toBe(0);
    expect(holder.stats.fencedWrites).toBe(0);
  });

  it("is refused after Redis lost its data and the holder wrote first (versions restarted from zero)", async () => {
    const agentRef = agent();
    const { process, holder, store } = await outageRefresh(agentRef, "T2-outage");
    await look.del([store, `lucid:{${agentRef}}:fence:tokens`]); // the data loss: counters start over
    await holder.withLock("tokens", () => holder.set("tokens", "T3-holder"));
    expect(await look.hGet(store, "ver")).toBe("1"); // lower than anything the process saw before
    expect(await readUntilRedisAnswers(process, "tokens")).toBe("T3-holder");
    expect(process.stats.writeBacks).toBe(0);
    expect(await look.hGet(store, "v")).toBe("T3-holder");
  });

  it("never brings back tokens the holder cleared (signed out) after Redis came back", async () => {
    const { process, holder, store } = await outageRefresh(agent(), "T2-outage");
    await holder.withLock("tokens", () => holder.clear("tokens"));
    expect(await readUntilRedisAnswers(process, "tokens")).toBeNull();
    expect(process.stats.writeBacks).toBe(0);
    expect(await look.hExists(store, "v")).toBe(0);
  });

  it("lands only before the holder's first write, and then fences the holder, which re-reads instead of overwriting", async () => {
    const { process, holder, store } = await outageRefresh(agent(), "T2-outage");
    await expect(
      holder.withLock("tokens", async () => {
        expect(await holder.get("tokens")).toBe("T1");
        // Nobody wrote since the outage: the write-back lands, with a fence newer than the holder's lease.
        expect(await readUntilRedisAnswers(process, "tokens")).toBe("T2-outage");
        // once; or not counted, when a write-back that timed out was still carried out (its answer came late):
        // either way it landed, as the holder's fenced write below shows
        expect(process.stats.writeBacks).toBeLessThanOrEqual(1);
        await holder.set("tokens", "T3-holder"); // before presenting T1's refresh token: refused
      }),
    ).rejects.toMatchObject({ code: AgentAuthErrorCode.StorageFenced });
    expect(holder.stats.fencedWrites).toBe(1);
    expect(await holder.get("tokens")).toBe("T2-outage");
    expect(await look.hGet(store, "v")).toBe("T2-outage");
  });
});

const noHeartbeat = {
  setInterval: () => 0,
  clearInterval: () => undefined,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
