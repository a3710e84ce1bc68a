import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the MCP example drives lucid-mcp over stdio: signs, sends after approval, is refused by policy and by the human", async () => {
  const script = fileURLToPath(new URL("./main.ts", import.meta.url));
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000 });
  expect(stdout).toMatch(/tools\s+listAgents, getAgent, .*sendTransaction \(destructive\)/);
  expect(stdout).toMatch(/signMessage\s+0x[0-9a-f]+…, verifies: true/);
  // The question opens with the policy's summary; the chain's rpc comes from the server's environment, so the
  // send was simulated and the summary gives the balance after it.
  expect(stdout).toMatch(
    /human asked\s+Send 0\.01 ETH to 0x000\.\.\.dEaD, fee at most [\d.]+ ETH, balance after [\d.]+ ETH amount 0\.01 -> approve/,
  );
  expect(stdout).toMatch(/sendTransaction 0\.01\s+0x[0-9a-f]+…, receipt: success/);
  expect(stdout).toMatch(/sendTransaction 2\s+policy_refused: 2 ETH .*exceeds the policy's maximum/);
  expect(stdout).toMatch(/human asked\s+Send 0\.04 ETH to 0x000\.\.\.dEaD, .* amount 0\.04 -> decline/);
  expect(stdout).toMatch(/sendTransaction 0\.04\s+approval_denied/);
  expect(stdout).toContain("every step verified");
  expect(stdout).not.toMatch(/l(at|rt|ot)_[A-Za-z0-9_-]{8,}/);
}, 90_000);
