/**
 * A fleet: several workers (separate OS processes) of ONE Lucid agent, sharing its tokens, its refresh and its
 * spend budget through Redis. Starts a redis-server (loopback, a free port, no persistence) and the embedded
 * local Lucid server with 2 s access tokens, runs the workers for a few rotations, and prints what happened:
 * one sign-in for the whole fleet, about one refresh per rotation, no revoked session, and a budget that
 * was never exceeded.
 *
 * Needs redis-server on PATH (Debian package redis-server).
 * Run: `pnpm --filter @lucid-dreams/examples fleet` (FLEET_WORKERS, FLEET_SECONDS to change the defaults)
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startLocalServer } from "@lucid-dreams/local-server";

const WORKERS = Number(process.env.FLEET_WORKERS ?? 4);
const SECONDS = Number(process.env.FLEET_SECONDS ?? 5);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, "close");
  return port;
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const redis = spawn(
    "redis-server",
    ["--save", "", "--appendonly", "no", "--port", String(port), "--bind", "127.0.0.1"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  redis.once("error", (error) => {
    console.error(
      `cannot start redis-server (${error.message}): install redis-server (Debian package redis-server)`,
    );
    process.exit(1);
  });
  let output = "";
  for await (const chunk of redis.stdout) {
    output += String(chunk);
    if (output.includes("Ready to accept connections")) break;
  }
  redis.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      redis.kill("SIGTERM");
      if (redis.exitCode === null) await once(redis, "close");
    },
  };
}

const redis = await startRedis();
const lucid = await startLocalServer({ port: 0, accessTtlSeconds: 2 });
const workerPath = fileURLToPath(new URL("./worker.ts", import.meta.url));
const children: ChildProcess[] = [];
try {
  console.log(
    `fleet: ${WORKERS} workers of agent ${lucid.seed.agentRef} for ${SECONDS} s (2 s access tokens)`,
  );
  const reports = await Promise.all(
    Array.from({ length: WORKERS }, (_, index) => {
      const options = {
        redisUrl: redis.url,
        baseUrl: lucid.url,
        agentRef: lucid.seed.agentRef,
        credentialId: lucid.seed.eoaCredentialId,
        privateKey: lucid.seed.eoaPrivateKey,
        durationMs: SECONDS * 1000,
        name: `worker-${index + 1}`,
      };
      const child = fork(workerPath, [JSON.stringify(options)], { execArgv: ["--import", "tsx"] });
      children.push(child);
      return new Promise<{ name: string; calls: number; reserved: number; events: Record<string, number> }>(
        (resolve, reject) => {
          child.once("message", (report) => resolve(report as never));
          child.once("close", (code) => reject(new Error(`${options.name} exited with ${code}`)));
        },
      );
    }),
  );
  for (const report of reports) {
    console.log(
      `  ${report.name}: ${report.calls} API calls, ${report.reserved} spends reserved, ` +
        `events ${JSON.stringify(report.events)}`,
    );
  }
  const reserved = reports.reduce((sum, report) => sum + report.reserved, 0);
  console.log(
    `server: ${lucid.counters.get("exchange")} sign-in(s), ${lucid.counters.get("refresh")} refreshes, ` +
      `${lucid.admin.familyCounts().revoked} revoked session(s); budget: ${reserved} x 1 000 wei reserved of 25 000`,
  );
} finally {
  for (const child of children) if (child.exitCode === null) child.kill();
  await lucid.close();
  await redis.stop();
}
