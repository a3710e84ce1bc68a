import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("the LangChain example runs a createAgent loop with the Lucid toolkit against the embedded local server", async () => {
  const script = fileURLToPath(new URL("./main.ts", import.meta.url));
  // A scripted model and the embedded server, whatever the caller's environment holds.
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  delete env.LUCID_BASE_URL;
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000, env });
  expect(stdout).toMatch(/model\s+scripted fakeModel\(\) \(no LLM is called/);
  expect(stdout).toMatch(/approve callback\s+sendTransaction .*approved by the example/);
  expect(stdout).toMatch(/getWalletAddress \(success\)\s+\{"address":"0x[0-9a-fA-F]{40}"/);
  expect(stdout).toMatch(/signMessage \(success\)\s+0x[0-9a-f]+… by 0x[0-9a-fA-F]{40}, verifies: true/);
  expect(stdout).toMatch(/sendTransaction \(success\)\s+0\.01 ETH, 0x[0-9a-f]+…, success in block \d+/);
  expect(stdout).toMatch(
    /signTypedData \(error\)\s+policy_refused: EIP-2612 Permit \(lets spender 0x0+bEEF spend 1000000/,
  );
  expect(stdout).toContain("every tool result checked");
  // tokens never reach the output
  expect(stdout).not.toMatch(/lat_[A-Za-z0-9_-]{8,}/);
  expect(stdout).not.toMatch(/lrt_[A-Za-z0-9_-]{8,}/);
  expect(stdout).not.toMatch(/lot_[A-Za-z0-9_-]{8,}/);
}, 90_000);
