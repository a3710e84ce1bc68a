import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster } from "ioredis";
import { createClient, createCluster } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import type { RedisClientLike } from "./redis-client.js";
import { RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

// A Redis Cluster of one node holding every slot: enough to check that each script's keys share one slot
// (Redis refuses CROSSSLOT otherwise) and that the cluster clients of both libraries map the same way.
const run = requireRedis();
let server: RedisServer;
let dir: string;
let port: number;

beforeAll(async () => {
  if (!run) return;
  dir = await mkdtemp(join(tmpdir(), "redis-cluster-"));
  server = await startRedis({ clusterDir: dir });
  port = server.port;
  const admin = createClient({ url: server.url });
  await admin.connect();
  try {
    await admin.sendCommand(["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]);
    // The node takes its slots over at its next cluster cron; count the checks instead of timing them.
    for (let check = 0; ; check += 1) {
      const info = String(await admin.sendCommand(["CLUSTER", "INFO"]));
      if (info.includes("cluster_state:ok")) break;
      if (check > 200) throw new Error(`the one-node cluster did not come up: ${info}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await admin.close();
  }
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const clusters = {
  "node-redis createCluster": async () => {
    const cluster = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
    cluster.on("error", () => undefined);
    await cluster.connect();
    return { client: cluster as unknown as RedisClientLike, close: () => cluster.close() };
  },
  "ioredis Cluster": async () => {
    const cluster = new Cluster([{ host: "127.0.0.1", port }], {
      enableOfflineQueue: false,
      redisOptions: { autoResendUnfulfilledCommands: false },
    });
    cluster.on("error", () => undefined);
    if (cluster.status !== "ready") await once(cluster, "ready");
    return {
      client: cluster,
      close: async () => {
        await cluster.quit();
      },
    };
  },
};

describe.runIf(run).each(Object.keys(clusters) as (keyof typeof clusters)[])("Redis Cluster (%s)", (name) => {
  it("stores, fences and reserves with every script's keys in one slot", async () => {
    const { client, close } = await clusters[name]();
    try {
      const agentRef = name.replace(/\W/g, "-");
      const holder = new RedisStorageAdapter({ client, agentRef });
      const other = new RedisStorageAdapter({ client, agentRef });
      await holder.set("tokens", "one");
      expect(await other.get("tokens")).toBe("one");
      await expect(
        holder.withLock("tokens", async () => {
          await other.set("tokens", "newer");
          await holder.set("tokens", "stale");
        }),
      ).rejects.toMatchObject({ code: "storage_fenced" });
      expect(await holder.get("tokens")).toBe("newer");
      const ledger = new RedisSpendLedger({ client, prefix: `${agentRef}:` });
      const limits = [
        { rule: "total", amount: 5n },
        { rule: "1h", amount: 5n, windowMs: 3_600_000 },
      ];
      const items = [
        { asset: "eth", amount: 3n, limits },
        { asset: "usdc", amount: 1n, limits },
      ];
      expect(await ledger.reserve({ scope: "s", key: "a", fingerprint: "f", items })).toEqual({
        status: "reserved",
      });
      expect(await ledger.reserve({ scope: "s", key: "b", fingerprint: "f", items })).toMatchObject({
        status: "exceeded",
        asset: "eth",
        used: 3n,
      });
      await ledger.release("s", "a");
      expect(await ledger.reserve({ scope: "s", key: "b", fingerprint: "f", items })).toEqual({
        status: "reserved",
      });
    } finally {
      await close();
    }
  });
});

describe.runIf(run)("an ioredis Cluster that would queue or resend", () => {
  it("is refused with a typed error naming the Cluster options", () => {
    const cluster = new Cluster([{ host: "127.0.0.1", port: 1 }], { lazyConnect: true });
    let error: (Error & { code?: string; hint?: string }) | undefined;
    try {
      new RedisSpendLedger({ client: cluster });
    } catch (caught) {
      error = caught as Error & { code?: string; hint?: string };
    }
    expect(error?.code).toBe(RedisErrorCode.ClientInvalid);
    expect(error?.hint).toMatch(/redisOptions: \{ autoResendUnfulfilledCommands: false \}/);
  });
});
