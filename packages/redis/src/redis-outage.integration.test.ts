import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createClient } from "redis";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLedgerTotal } from "../test/ledger-state.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

const run = requireRedis();
const WORKERS = 2;
const BUDGET = 60n;

let redis: RedisServer;
let server: LocalServer;
let dir: string;

beforeAll(async () => {
  if (!run) return;
  dir = await mkdtemp(join(tmpdir(), "redis-outage-"));
  redis = await startRedis({ persistDir: dir });
  server = await startLocalServer({ port: 0, accessTtlSeconds: 3 });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.runIf(run)("Redis stopped and restarted mid-run", () => {
  it("keeps tokens usable, refuses spends while down (fail closed), never overspends, and recovers", async () => {
    let phase: "before" | "down" | "after" = "before";
    const workers = await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        const client = createClient({ url: redis.url, socket: { reconnectStrategy: () => 50 } });
        client.on("error", () => undefined);
        await client.connect();
        const storage = new RedisStorageAdapter({
          client,
          agentRef: server.seed.agentRef,
          leaseTtlMs: 2_000,
          commandTimeoutMs: 300,
        });
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
          storageKey: "outage",
          telemetry: false,
          logger: { debug() {}, info() {}, warn() {}, error() {} },
        });
        // The ledger's timeout only matters for a command in flight when Redis stops (node-redis fails those at
        // once); a generous one keeps a loaded machine from turning a slow answer into a refusal.
        const worker = {
          client,
          runtime,
          ledger: new RedisSpendLedger({ client, commandTimeoutMs: 5_000 }),
          readyAgain: false,
        };
        client.on("ready", () => {
          // Before the restart Redis is either up (connected once) or stopped: any later `ready` is after it.
          if (phase !== "before") worker.readyAgain = true;
        });
        return worker;
      }),
    );
    let calls = 0;
    let failedCalls = 0;
    let reserved = 0;
    let refusedUnavailable = 0;
    let exceeded = 0;
    let otherErrors = 0;
    let reservesAfterRestart = 0;
    /** Reserves refused after their worker's client was connected again: recovery must need none. */
    let refusedAfterReconnect = 0;
    let attemptsAfterRestart = 0;
    const limits = [{ rule: "budget", amount: BUDGET }];
    let nextKey = 0;
    const refusedKeys: string[] = [];

    const loop = async (worker: (typeof workers)[number]) => {
      // Until 40 reserves answered after the restart (the budget is then used up), or 400 attempts did not get there (a recovery that fails).
      while (
        phase !== "after" ||
        ((reservesAfterRestart < 40 || calls < 150) && attemptsAfterRestart < 400)
      ) {
        if (phase === "after") attemptsAfterRestart += 1;
        await new Promise((resolve) => setImmediate(resolve)); // let the outage and the timers run
        try {
          await worker.runtime.api.listAgents();
        } catch {
          failedCalls += 1;
        }
        calls += 1;
        nextKey += 1;
        const key = `k${nextKey}`;
        const reconnected = worker.readyAgain;
        try {
          const result = await worker.ledger.reserve({
            scope: "agent:outage",
            key,
            fingerprint: "f",
            items: [{ asset: "wei", amount: 1n, limits }],
          });
          if (result.status === "reserved") {
            reserved += 1;
            await worker.ledger.commit("agent:outage", key).catch(() => undefined);
          } else if (result.status === "exceeded") exceeded += 1;
          if (phase === "after") reservesAfterRestart += 1;
        } catch (error) {
          if (isRedisAdapterError(error, RedisErrorCode.Unavailable) && error.retryable) {
            refusedUnavailable += 1;
            if (reconnected) refusedAfterReconnect += 1;
            refusedKeys.push(key); // nothing was sent for it: give it back once Redis answers again
          } else otherErrors += 1;
        }
      }
    };
    const outage = (async () => {
      // The outage is scheduled by counted calls, not by time.
      while (calls < 40) await new Promise((resolve) => setImmediate(resolve));
      await redis.stop();
      phase = "down";
      const downAt = calls;
      while (calls < downAt + 40) await new Promise((resolve) => setImmediate(resolve));
      await redis.start();
      phase = "after";
    })();
    await Promise.all([...workers.map(loop), outage]);
    // A refused reserve may still have reached Redis just before its timeout: release (idempotent) gives it back.
    for (const key of refusedKeys) await workers[0]!.ledger.release("agent:outage", key);

    const check = createClient({ url: redis.url });
    await check.connect();
    const total = await readLedgerTotal(check, "lucid:ledger:{agent:outage}:v3", "wei");
    await check.close();
    console.log(
      `redis outage: ${calls} calls, ${failedCalls} failed; reserves: ${reserved} reserved, ${exceeded} over budget, ` +
        `${refusedUnavailable} refused while Redis was down, ${refusedAfterReconnect} after the client reconnected; ` +
        `ledger total ${total}/${BUDGET} (recovery time: node bench/run-all.mjs outage-recovery)`,
    );
    for (const worker of workers) {
      await worker.runtime.shutdown();
      await worker.client.close();
    }
    expect(failedCalls).toBe(0);
    expect(otherErrors).toBe(0);
    expect(refusedUnavailable).toBeGreaterThan(0);
    // Never exceeded; used up but for reserves that reached Redis just before their timeout (released after).
    expect(BigInt(reserved)).toBeLessThanOrEqual(BUDGET);
    expect(BigInt(reserved)).toBeGreaterThan(BUDGET - 5n);
    expect(exceeded).toBeGreaterThan(0);
    expect(total).toBe(BigInt(reserved)); // nothing lost, nothing counted twice
    // Recovery, counted in operations: every worker's client reconnected, and no reserve was refused after that
    // (the scripts are loaded again by EVAL after NOSCRIPT; nothing in the ledger waits for a timer).
    expect(workers.every((worker) => worker.readyAgain)).toBe(true);
    expect(reservesAfterRestart).toBeGreaterThanOrEqual(40);
    expect(refusedAfterReconnect).toBe(0);
  }, 120_000);
});
