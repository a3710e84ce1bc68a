import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the viem workflow signs, verifies and lands a transaction against the embedded local server", async () => {
  const script = fileURLToPath(new URL("./viem.ts", import.meta.url));
  // No LUCID_* from the caller: the script must start its own local server.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("LUCID_")));
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000, env });
  expect(stdout).toContain("(LUCID_BASE_URL was not set)");
  expect(stdout).toMatch(/sign message\s+0x[0-9a-f]+…, verifies: true/);
  expect(stdout).toMatch(/sign typed data\s+0x[0-9a-f]+…, verifies: true/);
  expect(stdout).toMatch(/sign transaction\s+0x[0-9a-f]+…, signed by the account: true/);
  expect(stdout).toMatch(/send transaction\s+0x[0-9a-f]{64}\n\s+status success, block \d+, gas used 21000/);
  expect(stdout).toContain("every step verified");
}, 90_000);
