/**
 * Smoke test of the design document's usage examples: each file runs as its own process (as a user runs it,
 * with tsx) against the local server it starts, and must exit 0 and print its key line.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);

/** Runs an example with a clean environment (no LUCID_* from the caller) and returns its stdout. */
async function runExample(name: string): Promise<string> {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("LUCID_")));
  const { stdout } = await run(process.execPath, ["--import", "tsx", script], { timeout: 60_000, env });
  return stdout;
}

const hash = /0x[0-9a-f]{64}/;

describe.concurrent("design document usage examples", () => {
  it("quick start with createWallet: authenticates and signs with the server wallet, printing no token", async () => {
    const stdout = await runExample("quick-start-create-wallet");
    expect(stdout).toMatch(/^agent authenticated demo-agent until \d{4}-\d{2}-\d{2}T/m);
    expect(stdout).not.toMatch(/lat_|lrt_|lot_/);
    expect(stdout).toMatch(/^signature \{\s+signature: '0x[0-9a-f]{130}'/m);
    expect(stdout).toContain("signature verifies against the server wallet true");
  });

  it("integrate with viem: the transaction lands on the local chain", async () => {
    const stdout = await runExample("integrate-with-viem");
    expect(stdout).toMatch(new RegExp(`^submitted transaction ${hash.source}$`, "m"));
    expect(stdout).toMatch(/^transaction landed: success in block \d+$/m);
  });

  it("bootstrap with explicit config: lists agents and logs the background refresh", async () => {
    const stdout = await runExample("bootstrap-explicit-config");
    expect(stdout).toContain("agent count 1");
    expect(stdout).toMatch(/^tokens rotated \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/m);
  });

  it("bootstrap from .lucid-agent.json: reads the file and reports its scopes", async () => {
    const stdout = await runExample("bootstrap-from-lucid-agent-json");
    expect(stdout).toMatch(/^loaded agent config from .*\.lucid-agent\.json$/m);
    expect(stdout).toContain("authenticated agent ref demo-agent");
    expect(stdout).toContain("active scopes [ 'agents.read', 'wallet.sign', 'wallet.send' ]");
  });

  it("server wallet connector: signs in through the server wallet and signs a message", async () => {
    const stdout = await runExample("server-wallet-connector");
    expect(stdout).toMatch(/^signed in as demo-agent with credential cred_server_/m);
    expect(stdout).toMatch(/signature verifies: true$/m);
  });

  it("sign a transaction on eip155:8453: the signed transaction recovers to the server wallet", async () => {
    const stdout = await runExample("sign-transaction");
    expect(stdout).toMatch(
      /^signed transaction \{\s+signed_transaction: '0x[0-9a-f]+',\s+transaction_hash: '0x/m,
    );
    expect(stdout).toMatch(/is the server wallet: true$/m);
  });

  it("no example prints a token", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const dir = fileURLToPath(new URL(".", import.meta.url));
    for (const name of await readdir(dir)) {
      if (!name.endsWith(".ts") || name.endsWith(".test.ts")) continue;
      const source = await readFile(`${dir}${name}`, "utf8");
      expect(source, name).not.toMatch(/console\.log\([^)]*(accessToken|refreshToken|ownerToken)/);
    }
  });

  it("customize transport and storage: every request goes through the instrumented fetch", async () => {
    const stdout = await runExample("customize-transport-and-storage");
    expect(stdout).toContain("instrumented fetch calls: 3");
    expect(stdout).toContain(
      "POST /v1/auth/agents/demo-agent/challenge (x-lucid-sdk-version: agent-auth/0.1.0)",
    );
    expect(stdout).toContain("GET /v1/agents/demo-agent (x-lucid-sdk-version: agent-auth/0.1.0)");
  });
});
