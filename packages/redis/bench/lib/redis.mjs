// Starts a redis-server for a benchmark (loopback, free port), or explains how to get one. No persistence,
// unless `persistDir` is given (then an fsync'd append-only file, so data survives `stop()` / `start()`).
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

function launch(port, persistDir) {
  const persistence =
    persistDir === undefined
      ? ["--save", "", "--appendonly", "no"]
      : ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", persistDir];
  const child = spawn("redis-server", [...persistence, "--port", String(port), "--bind", "127.0.0.1"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk) => {
      out += chunk;
      if (out.includes("Ready to accept connections")) {
        child.stdout.off("data", onData);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on("data", onData);
    child.once("close", () => reject(new Error("redis-server exited")));
  });
}

/** `{ url, stop(), start() }`: `start()` starts it again on the same port and resolves once it is ready. */
export async function startRedisForBench({ persistDir } = {}) {
  if (spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status !== 0) {
    console.log("  skipped: install redis-server (Debian package redis-server)");
    process.exit(0);
  }
  const port = await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
  let child = await launch(port, persistDir);
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const current = child;
      child = null;
      if (current === null || current.exitCode !== null || current.signalCode !== null) return;
      const closed = new Promise((resolve) => current.once("close", resolve));
      current.kill("SIGTERM");
      await closed;
    },
    async start() {
      if (child === null) child = await launch(port, persistDir);
    },
  };
}
