import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { TokenManager } from "../token-manager.js";
import { parseStoredTokens } from "../token-serialization.js";
import { FileStorageAdapter } from "./file-adapter.js";

const fixture = fileURLToPath(new URL("../../../test/fixtures/refresh-race.mjs", import.meta.url));
const builtAdapter = fileURLToPath(new URL("../../../dist/runtime/storage/file-adapter.js", import.meta.url));
const PROCESSES = 4;

let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-auth-race-"));
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  await rm(dir, { recursive: true, force: true });
});

interface RaceResult {
  ok: boolean;
  pid: number;
  accessToken?: string;
  error?: string;
}

it(`lets exactly one of ${PROCESSES} processes sharing a token file refresh an expired token`, async () => {
  if (!existsSync(builtAdapter)) {
    throw new Error("Build the package first: corepack pnpm --filter @lucid-dreams/agent-auth build");
  }
  const storePath = join(dir, "state", "tokens.json");
  const counterPath = join(dir, "refresh-calls.log");
  const now = Date.now();
  await new TokenManager({ storage: new FileStorageAdapter({ path: storePath }) }).setTokens({
    accessToken: "expired-access",
    accessTokenExpiresAt: new Date(now - 60_000),
    refreshToken: "initial-refresh",
    refreshTokenExpiresAt: new Date(now + 86_400_000),
    scopes: ["wallet.sign"],
  });

  const ready: Promise<void>[] = [];
  const results: Promise<RaceResult>[] = [];
  for (let index = 0; index < PROCESSES; index += 1) {
    const child = fork(fixture, [storePath, counterPath], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(child);
    ready.push(new Promise((resolve) => child.once("message", () => resolve())));
    results.push(
      new Promise((resolve, reject) => {
        child.on("message", (message) => {
          if (message !== "ready") resolve(message as RaceResult);
        });
        child.once("exit", (code) => reject(new Error(`child exited with ${code} before answering`)));
      }),
    );
  }
  await Promise.all(ready);
  for (const child of children) child.send("go");
  const answers = await Promise.all(results);

  for (const answer of answers) expect(answer.error ?? "").toBe("");
  const calls = (await readFile(counterPath, "utf8")).trim().split("\n");
  expect(calls).toHaveLength(1);
  const [refresherPid, spentRefreshToken] = calls[0]!.split(" ");
  expect(spentRefreshToken).toBe("initial-refresh");
  const winner = `access-from-${refresherPid}`;
  expect(answers.map((answer) => answer.accessToken)).toEqual(Array(PROCESSES).fill(winner));
  const stored = parseStoredTokens(
    await new FileStorageAdapter({ path: storePath }).get("lucid-agent-auth:tokens"),
  );
  expect(stored?.accessToken).toBe(winner);
  expect(stored?.refreshToken).toBe(`refresh-from-${refresherPid}`);
}, 30_000);
