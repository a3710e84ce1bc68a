/**
 * A real redis-server for tests: started on a free loopback port with no persistence, stopped in teardown
 * (waiting for the process's `close`). When redis-server is not on PATH, `redisAvailable` is false and the
 * suites skip with one line, except under CI=true, where `requireRedis()` throws.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { createClient } from "redis";
import { afterAll, beforeAll } from "vitest";

export const REDIS_MISSING = "install redis-server (Debian package redis-server)";

export const redisAvailable = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;

/** Throws under CI=true when redis-server is missing; otherwise returns whether the suite should run. */
export function requireRedis(): boolean {
  if (redisAvailable) return true;
  if (process.env.CI === "true") throw new Error(`redis-server is missing: ${REDIS_MISSING}`);
  console.warn(`skipped: ${REDIS_MISSING}`);
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** Stops the server (SIGTERM, waits for `close`). */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty, unless started with `persistDir`). */
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is read or answered. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
}

function launch(port: number, persistDir: string | undefined, clusterDir?: string): Promise<ChildProcess> {
  // No persistence, unless the test needs the data to survive a restart (then an fsync'd append-only file).
  const persistence =
    persistDir === undefined
      ? ["--save", "", "--appendonly", "no"]
      : ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", persistDir];
  const cluster =
    clusterDir === undefined
      ? []
      : [
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          `${clusterDir}/nodes-${port}.conf`,
          // CLUSTER SLOTS then names the node by this address (ioredis cannot use the empty default)
          "--cluster-announce-ip",
          "127.0.0.1",
        ];
  return new Promise((resolve, reject) => {
    const child = spawn(
      "redis-server",
      [...persistence, ...cluster, "--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        child.stdout?.off("data", onData);
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.resume();
    child.once("close", (code) => reject(new Error(`redis-server exited (${code}): ${output.slice(-500)}`)));
    child.once("error", reject);
  });
}

/**
 * Starts a redis-server on a free port; with `persistDir`, its data survives `stop()` / `start()`; with
 * `clusterDir`, it runs in cluster mode (its node file there) and the caller assigns the slots.
 */
export async function startRedis(
  options: { persistDir?: string; clusterDir?: string } = {},
): Promise<RedisServer> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const port = await freePort();
    try {
      let child: ChildProcess | null = await launch(port, options.persistDir, options.clusterDir);
      const stop = async () => {
        const current = child;
        child = null;
        if (current === null || current.exitCode !== null || current.signalCode !== null) return;
        const closed = new Promise((resolve) => current.once("close", resolve));
        current.kill("SIGCONT"); // a paused server would not act on SIGTERM
        current.kill("SIGTERM");
        await closed;
      };
      return {
        port,
        url: `redis://127.0.0.1:${port}`,
        stop,
        async start() {
          if (child !== null) return;
          child = await launch(port, options.persistDir, options.clusterDir);
        },
        pause() {
          child?.kill("SIGSTOP");
        },
        resume() {
          child?.kill("SIGCONT");
        },
      };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** A redis-server and a node-redis client connected to it, for one test file (see `redisForFile`). */
export interface RedisForFile {
  readonly server: RedisServer;
  /** node-redis, to look at the keys directly whatever client the code under test uses. */
  readonly client: ReturnType<typeof createClient>;
}

/**
 * Starts a redis-server and connects a node-redis client to it before the file's tests and closes both after
 * (nothing when `run` is false). Call it at the top level of a test file; read its fields inside tests. The
 * client reconnects every 20 ms, for the tests that stop and start the server.
 */
export function redisForFile(run: boolean): RedisForFile {
  const redis = {} as { server: RedisServer; client: ReturnType<typeof createClient> };
  beforeAll(async () => {
    if (!run) return;
    redis.server = await startRedis();
    redis.client = createClient({ url: redis.server.url, socket: { reconnectStrategy: () => 20 } });
    redis.client.on("error", () => undefined);
    await redis.client.connect();
  });
  afterAll(async () => {
    if (!run) return;
    await redis.client?.close();
    await redis.server?.stop();
  });
  return redis;
}
