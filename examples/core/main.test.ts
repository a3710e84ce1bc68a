import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the core example signs in, refreshes in the background and resumes from the token file", async () => {
  const script = fileURLToPath(new URL("./main.ts", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000 });
  expect(stdout).toMatch(/event authenticated\s+cred_eoa_/);
  expect(stdout).toMatch(/list agents\s+demo-agent/);
  expect(stdout).toMatch(/sign message \(server wallet\)\s+0x[0-9a-f]+…, verifies: true/);
  expect(stdout).toMatch(/event tokenRefreshed\s+new access token/);
  expect(stdout).toMatch(/token file\s+.*tokens\.json \(mode 600, format 1\)/);
  expect(stdout).toMatch(/second runtime\s+get agent demo-agent, challenges 1 -> 1/);
  expect(stdout).toContain("resumed from the token file without a new challenge");
  expect(stdout).toMatch(/token file after logout\s+0 entries/);
  expect(stdout).toContain("every step verified");
  // tokens are printed redacted only
  expect(stdout).not.toMatch(/lat_[A-Za-z0-9_-]{8,}/);
  expect(stdout).not.toMatch(/lrt_[A-Za-z0-9_-]{8,}/);
}, 90_000);
