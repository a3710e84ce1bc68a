import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the SDK walkthrough runs end to end against the embedded local server", async () => {
  const script = fileURLToPath(new URL("./main.ts", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000 });
  expect(stdout).toContain("verifies: true");
  expect(stdout).toMatch(/send transaction\s+0x[0-9a-f]+…, success in block \d+/);
  expect(stdout).toContain("replay the used refresh token     HTTP 401 credential_revoked");
  expect(stdout).toContain("every step verified");
  // tokens are printed redacted only
  expect(stdout).not.toMatch(/lat_[A-Za-z0-9_-]{8,}/);
  expect(stdout).not.toMatch(/lrt_[A-Za-z0-9_-]{8,}/);
}, 90_000);
