// The local server in its own process, so that a benchmark's client-side figures (latency, CPU per call) do not
// include the server's work. `startServerProcess(packageDir)` resolves @lucid-dreams/local-server from there.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "local-server-child.mjs");

/** Starts the server process; resolves with `{ url, seed, counters(), close() }` once it is ready. */
export async function startServerProcess(packageDir) {
  const child = spawn(process.execPath, [CHILD, packageDir], { stdio: ["pipe", "pipe", "inherit"] });
  const closed = new Promise((resolve) => child.once("close", resolve));
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (line) => waiting.shift()?.(JSON.parse(line)));
  const nextLine = () =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      closed.then(() => reject(new Error("the local server process ended")));
    });
  const { url, seed } = await nextLine();
  return {
    url,
    seed,
    pid: child.pid,
    /** The server's per-operation request counts. */
    counters() {
      const answer = nextLine();
      child.stdin.write("counters\n");
      return answer;
    },
    /** Closes the server (ending its stdin) and waits for the process to close. */
    async close() {
      child.stdin.end();
      await closed;
    },
  };
}
