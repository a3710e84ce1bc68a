import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

/** The example runs on AI SDK 6 (the `ai` dependency) and on AI SDK 7 (`ai7`, through ../ai7/register.mjs). */
const AI_SDK_VERSIONS: Array<[string, string[]]> = [
  ["6", []],
  ["7", ["--import", fileURLToPath(new URL("../ai7/register.mjs", import.meta.url))]],
];

it.each(AI_SDK_VERSIONS)(
  "the demo runs the whole agent flow with a scripted model and prints a readable transcript (AI SDK %s)",
  async (_version, aiFlags) => {
    const script = fileURLToPath(new URL("./main.ts", import.meta.url));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("LUCID_") && !key.startsWith("OPENAI_")),
    );
    const { stdout } = await run(process.execPath, [...aiFlags, "--import", "tsx", script], {
      timeout: 60_000,
      env,
    });
    expect(stdout).toContain("no OPENAI_API_KEY: using a scripted model");
    expect(stdout).toMatch(/^event {3}authenticated: access token lat_…\(redacted\)/m);
    // model turns, tool calls with their inputs, tool results
    expect(stdout).toMatch(/^user {4}List my Lucid agents\./m);
    expect(stdout).toMatch(/^model {3}→ listAgents \{"limit":null\}$/m);
    expect(stdout).toMatch(/^tool {4}← listAgents \{"ok":true,"result":\{"agents":\[\{"ref":"demo-agent"/m);
    expect(stdout).toMatch(
      /^check {3}message signature verifies against demo-agent's wallet 0x[0-9a-fA-F]{40}: true$/m,
    );
    expect(stdout).toContain("typed data signature (Order) verifies against the same wallet: true");
    // the send: approval by the host code, then the receipt from the local chain
    expect(stdout).toMatch(
      /→ sendTransaction .*"amount":"0\.01".* \(needs approval: nothing is signed or sent yet\)/,
    );
    expect(stdout).toMatch(
      /^preview Send 0\.01 ETH to 0x000\.\.\.dEaD, fee at most 0\.0000\d+ ETH, balance after \d+\.\d+ ETH \(simulated\)$/m,
    );
    expect(stdout).toContain("approved programmatically by the host code");
    expect(stdout).toMatch(
      /^chain {3}receipt: success in block \d+, 0\.01 ETH from 0x[0-9a-f]{40} to 0x0{36}dead$/m,
    );
    // the policy refusal, with no wallet call
    expect(stdout).toMatch(/← sendTransaction \{"ok":false,"code":"policy_refused","message":"1 ETH exceeds/);
    expect(stdout).toContain("policy_refused before any wallet call (wallet sends 1 -> 1)");
    expect(stdout).toContain("approvals asked for the refused send: 0");
    // the automatic refresh, then the tools again
    expect(stdout).toMatch(/^event {3}tokenRefreshed: access token lat_…\(redacted\)/m);
    expect(stdout).toContain("the tools work with the refreshed token (same wallet: true)");
    // x402: balances, the purchase approved from its preview, the content, the settlement and the USDC change
    expect(stdout).toMatch(/← getBalance \{"ok":true,.*"tokens":\[\{"symbol":"USDC",.*"amount":"1000"/);
    expect(stdout).toMatch(
      /^host {4}payment preview: 0\.01 USDC to 0x[0-9a-fA-F]{40} for 127\.0\.0\.1:\d+ on eip155:31337$/m,
    );
    expect(stdout).toContain('content: {"title":"Local market report"');
    expect(stdout).toMatch(/^chain {3}settlement 0x[0-9a-f]{64}: success in block \d+$/m);
    expect(stdout).toContain("USDC balance 1000 -> 999.99 (paid 0.01 USDC)");
    expect(stdout).toContain("every step verified");
    expect(stdout).not.toMatch(/(lat|lrt|lot)_[A-Za-z0-9_-]{8,}/); // tokens never printed
  },
  90_000,
);
