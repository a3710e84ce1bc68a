// Runs @lucid-dreams/local-server in a process of its own for the benchmarks (see server-process.mjs):
//   node bench-lib/local-server-child.mjs <directory to resolve the package from>
// Prints one JSON line `{ url, seed }` when ready; answers a `counters` line on stdin with a JSON line of the
// server's per-operation counts; closes the server (and its chain) and exits when stdin ends.
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

const from = process.argv[2] ?? process.cwd();
const entry = createRequire(join(from, "package.json")).resolve("@lucid-dreams/local-server");
const { startLocalServer } = await import(pathToFileURL(entry).href);
const server = await startLocalServer({ port: 0 });
// JSON has no bigint (the seed's token amounts): they cross as decimal strings.
const bigintAsString = (_key, value) => (typeof value === "bigint" ? value.toString() : value);
process.stdout.write(`${JSON.stringify({ url: server.url, seed: server.seed }, bigintAsString)}\n`);
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim() === "counters") process.stdout.write(`${JSON.stringify(server.counters.snapshot())}\n`);
});
lines.on("close", async () => {
  await server.close();
  process.exit(0);
});
