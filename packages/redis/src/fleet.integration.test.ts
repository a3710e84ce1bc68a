import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runFleet, stopChildren, type WorkerReport } from "../test/fleet.js";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";

const run = requireRedis();
const PROCESSES = 8;
/** Server time of one run (ms): a few rotations of a 2 s access token. FLEET_DURATION_MS=60000 for the long run. */
const DURATION_MS = Number(process.env.FLEET_DURATION_MS ?? 10_000);
const ACCESS_TTL_S = 2;
const built = fileURLToPath(new URL("../dist/index.js", import.meta.url));

let redis: RedisServer;
let server: LocalServer | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!run) return;
  if (!existsSync(built)) throw new Error("Build first (corepack pnpm build): dist/index.js is missing");
  redis = await startRedis();
});
afterEach(async () => {
  await stopChildren(children);
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await redis?.stop();
});

function summary(reports: WorkerReport[]) {
  const sum = (pick: (report: WorkerReport) => number) =>
    reports.reduce((total, report) => total + pick(report), 0);
  for (const report of reports) expect(report.fatal ?? "").toBe("");
  return {
    calls: sum((r) => r.calls),
    failures: sum((r) => r.failures),
    samples: reports.flatMap((r) => r.failureSample),
    revokedEvents: sum((r) => r.events.credentialRevoked ?? 0),
    tokenRefreshedEvents: sum((r) => r.events.tokenRefreshed ?? 0),
  };
}

const workerOptions = (local: LocalServer, storageKey: string) => ({
  redisUrl: redis.url,
  baseUrl: local.url,
  agentRef: local.seed.agentRef,
  credentialId: local.seed.eoaCredentialId,
  privateKey: local.seed.eoaPrivateKey,
  durationMs: DURATION_MS,
  concurrency: 4,
  storageKey,
});

describe.runIf(run)(`${PROCESSES} processes sharing one agent through Redis`, () => {
  it(
    `rotate a ${ACCESS_TTL_S} s token once per rotation, with no revocation and no failed call`,
    async () => {
      const local = await startLocalServer({ port: 0, accessTtlSeconds: ACCESS_TTL_S });
      server = local;
      const started = Date.now();
      const reports = await runFleet(PROCESSES, workerOptions(local, "steady"), children);
      const elapsed = Date.now() - started;
      const result = summary(reports);
      const refreshes = local.counters.get("refresh");
      const exchanges = local.counters.get("exchange");
      // A 2 s token is due for refresh at half its life: one rotation per second of the run.
      const rotations = DURATION_MS / ((ACCESS_TTL_S * 1000) / 2);
      console.log(
        `fleet steady: ${PROCESSES} processes, ${elapsed} ms, ${result.calls} calls, ${refreshes} refreshes, ` +
          `${exchanges} sign-ins, ~${rotations.toFixed(1)} rotations due, ${local.admin.familyCounts().revoked} revoked, ` +
          `${result.tokenRefreshedEvents} tokenRefreshed events`,
      );
      expect(result.failures, result.samples.join("\n")).toBe(0);
      expect(local.admin.familyCounts().revoked).toBe(0);
      expect(result.revokedEvents).toBe(0);
      expect(exchanges).toBe(1); // one sign-in for the whole fleet
      expect(result.calls).toBeGreaterThan(PROCESSES);
      // At most one refresh per rotation (5 % slack), and the fleet does keep rotating.
      expect(refreshes).toBeLessThanOrEqual(Math.ceil(rotations * 1.05) + 1);
      expect(refreshes).toBeGreaterThanOrEqual(Math.floor(rotations * 0.5));
      // Each process announces each rotation at most once.
      expect(result.tokenRefreshedEvents).toBeLessThanOrEqual(PROCESSES * (refreshes + exchanges));
    },
    120_000 + DURATION_MS,
  );

  it(
    "lose 30 % of refresh answers after the server rotated: no revocation, no failed call",
    async () => {
      const local = await startLocalServer({ port: 0, accessTtlSeconds: ACCESS_TTL_S });
      server = local;
      local.faults.inject("refresh", { dropResponse: true, probability: 0.3 });
      const reports = await runFleet(PROCESSES, workerOptions(local, "lossy"), children);
      const result = summary(reports);
      const refreshes = local.counters.get("refresh");
      const exchanges = local.counters.get("exchange");
      console.log(
        `fleet lossy: ${result.calls} calls, ${refreshes} refreshes (30 % of answers dropped), ${exchanges} sign-ins, ` +
          `${local.admin.familyCounts().revoked} revoked, ${result.failures} failed calls`,
      );
      expect(local.admin.familyCounts().revoked).toBe(0);
      expect(result.revokedEvents).toBe(0);
      expect(result.failures, result.samples.join("\n")).toBe(0);
      // every lost answer costs one sign-in at most (the spent refresh token is never presented again)
      expect(exchanges).toBeLessThanOrEqual(refreshes + 1);
      expect(refreshes).toBeGreaterThan(0);
    },
    120_000 + DURATION_MS,
  );
});
