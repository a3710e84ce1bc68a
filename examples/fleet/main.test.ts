import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const hasRedis = spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
if (!hasRedis && process.env.CI === "true")
  throw new Error("install redis-server (Debian package redis-server)");
if (!hasRedis) console.warn("skipped: install redis-server (Debian package redis-server)");

it.runIf(hasRedis)(
  "runs a fleet of workers sharing one agent through Redis",
  () => {
    const output = execFileSync(
      process.execPath,
      ["--import", "tsx", fileURLToPath(new URL("./main.ts", import.meta.url))],
      {
        encoding: "utf8",
        env: { ...process.env, FLEET_WORKERS: "3", FLEET_SECONDS: "3" },
      },
    );
    expect(output).toMatch(/server: 1 sign-in\(s\), \d+ refreshes, 0 revoked session\(s\)/);
    const reserved = Number(/budget: (\d+) x 1 000 wei reserved of 25 000/.exec(output)?.[1]);
    expect(reserved).toBe(25); // 3 workers x 10 tries: exactly the budget, never more
    expect(output.match(/API calls/g)).toHaveLength(3);
  },
  120_000,
);
