import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FileStorageAdapter } from "./file-adapter.js";

/** 100 kills in CI; FILE_KILL_ITERATIONS=1000 for the full run. */
const ITERATIONS = Number(process.env.FILE_KILL_ITERATIONS ?? 100);
const writer = fileURLToPath(new URL("../../../test/fixtures/file-writer.mjs", import.meta.url));
const built = fileURLToPath(new URL("../../../dist/node.js", import.meta.url));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-auth-kill-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

it(`${ITERATIONS} SIGKILLs during writes leave no corrupt file and no residue after the next start`, async () => {
  if (!existsSync(built)) throw new Error("Build first (corepack pnpm build): dist/node.js is missing");
  const path = join(dir, "tokens.json");
  let corrupt = 0;
  let residueLeft = 0;
  let residueRemoved = 0;
  for (let iteration = 0; iteration < ITERATIONS; iteration += 1) {
    const child = fork(writer, [path], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
    const closed = new Promise((resolve) => child.once("close", resolve));
    // Kill after 1 to 4 completed writes: the signal then lands somewhere inside a later write.
    const writes = 1 + (iteration % 4);
    await new Promise<void>((resolve) => {
      child.on("message", (index) => {
        if (Number(index) + 1 >= writes) resolve();
      });
      child.once("close", () => resolve());
    });
    child.kill("SIGKILL");
    await closed;

    const next = new FileStorageAdapter({ path });
    try {
      const value = await next.get("k");
      if (typeof value !== "string" || !/^\d+:\d+:x+$/.test(value)) corrupt += 1;
      JSON.parse(await readFile(path, "utf8"));
    } catch {
      corrupt += 1;
    }
    residueRemoved += next.residueRemoved.length;
    const names = await readdir(dir);
    if (names.some((name) => name !== "tokens.json")) {
      residueLeft += 1;
      console.log("left:", names.join(" "));
    }
  }
  console.log(
    `file adapter: ${ITERATIONS} SIGKILLs during writes, ${corrupt} corrupt, ${residueRemoved} residue files removed on the next start, ${residueLeft} left`,
  );
  expect(corrupt).toBe(0);
  expect(residueLeft).toBe(0);
}, 600_000);
