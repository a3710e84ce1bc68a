import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { createClient } from "redis";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopChildren } from "../test/fleet.js";
import { readLedgerTotal } from "../test/ledger-state.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";

const run = requireRedis();
const PROCESSES = 8;
const RESERVATIONS = 100;
const AMOUNT = 1_000n;
const BUDGET = 24_500n; // 24 sends fit, the 25th would not
const worker = fileURLToPath(new URL("../test/fixtures/ledger-worker.mjs", import.meta.url));
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

let redis: RedisServer;
let server: LocalServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!run) return;
  if (!existsSync(built)) throw new Error("Build first (corepack pnpm build): dist/index.js is missing");
  redis = await startRedis();
  server = await startLocalServer({ port: 0 });
});
afterAll(async () => {
  await stopChildren(children);
  await server?.close();
  await redis?.stop();
});

interface LedgerReport {
  reserved: number;
  exceeded: number;
  other: number;
  hashes: string[];
  fatal?: string;
}

describe.runIf(run)(
  `${PROCESSES} processes x ${RESERVATIONS} concurrent reservations against one budget`,
  () => {
    it("never reserve more than the budget, and the committed sum is what the chain shows", async () => {
      const asset = `${server.seed.caip2}/slip44:60`;
      const scope = `agent:${server.seed.agentRef}`;
      const to = "0x000000000000000000000000000000000000dEaD";
      const options = {
        redisUrl: redis.url,
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
        privateKey: server.seed.eoaPrivateKey,
        caip2: server.seed.caip2,
        prefix: "ledger-fleet:",
        scope,
        asset,
        to,
        amount: AMOUNT.toString(),
        budget: BUDGET.toString(),
        reservations: RESERVATIONS,
      };
      const ready: Promise<void>[] = [];
      const reports: Promise<LedgerReport>[] = [];
      for (let index = 0; index < PROCESSES; index += 1) {
        const child = fork(worker, [JSON.stringify(options)], {
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        children.push(child);
        ready.push(new Promise((resolve) => child.once("message", () => resolve())));
        reports.push(
          new Promise((resolve, reject) => {
            child.on("message", (message) => message !== "ready" && resolve(message as LedgerReport));
            child.once("close", (code) => reject(new Error(`worker exited (${code}) without a report`)));
          }),
        );
      }
      await Promise.all(ready);
      for (const child of children) child.send("go");
      const results = await Promise.all(reports);
      for (const result of results) expect(result.fatal ?? "").toBe("");

      const reserved = results.reduce((sum, r) => sum + r.reserved, 0);
      const exceeded = results.reduce((sum, r) => sum + r.exceeded, 0);
      const hashes = results.flatMap((r) => r.hashes);
      const failedSends = hashes.filter((hash) => hash.startsWith("failed:"));
      const committed = hashes.filter((hash) => hash.startsWith("0x")) as `0x${string}`[];
      // Never more reserved than the budget, and the budget is used up (24 fit).
      expect(BigInt(reserved) * AMOUNT).toBeLessThanOrEqual(BUDGET);
      expect(reserved).toBe(Number(BUDGET / AMOUNT));
      expect(reserved + exceeded).toBe(PROCESSES * RESERVATIONS);
      expect(failedSends).toEqual([]);

      // The chain: every committed send is there, and their values add up to what the ledger committed.
      const chain = createPublicClient({ transport: http(server.seed.rpcUrl) });
      let onChain = 0n;
      for (const hash of committed) {
        const receipt = await chain.waitForTransactionReceipt({ hash });
        expect(receipt.status).toBe("success");
        const tx = await chain.getTransaction({ hash });
        expect(tx.to?.toLowerCase()).toBe(to.toLowerCase());
        onChain += tx.value;
      }
      const redisClient = createClient({ url: redis.url });
      await redisClient.connect();
      const ledgerTotal = await readLedgerTotal(redisClient, `ledger-fleet:ledger:{${scope}}:v3`, asset);
      await redisClient.close();
      console.log(
        `ledger fleet: ${PROCESSES * RESERVATIONS} reservations, ${reserved} reserved (budget ${BUDGET / AMOUNT} sends), ` +
          `${committed.length} sent and committed, ${onChain} wei on chain, ledger total ${ledgerTotal}`,
      );
      expect(onChain).toBe(BigInt(committed.length) * AMOUNT);
      expect(ledgerTotal).toBe(onChain);
    }, 180_000);
  },
);
