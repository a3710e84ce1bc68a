import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createClient, postV1AuthAgentsByAgentRefChallenge } from "@lucid-dreams/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(packageDir, "dist", "cli.js");
const children: ChildProcess[] = [];

beforeAll(() => {
  // The CLI test runs the built file, which `pnpm test` builds first (turbo's test task depends on build).
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` first.`);
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});

function run(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  const waiters: Array<{ pattern: RegExp; resolve: (match: RegExpExecArray) => void }> = [];
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stderr);
      if (!match) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(match);
    }
  });
  // `close`, not `exit`: by then stdout and stderr have been read to the end.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  /** Resolves with the first match of `pattern` in stderr, once there is one. */
  const stderrMatch = (pattern: RegExp) => {
    const match = pattern.exec(stderr);
    return match
      ? Promise.resolve(match)
      : new Promise<RegExpExecArray>((resolve) => {
          waiters.push({ pattern, resolve });
        });
  };
  return { child, exited, stderr: () => stderr, stderrMatch };
}

function readEnv(child: ChildProcess): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const eq = line.indexOf("=");
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
      if (line.startsWith("LUCID_CHAIN_RPC_URL=")) resolve(env);
    });
    child.once("close", (code) => reject(new Error(`cli exited with ${code} before printing its env`)));
  });
}

describe("lucid-local-server CLI", () => {
  it("prints the dotenv lines, serves, and stops cleanly (with anvil) on SIGTERM", async () => {
    const { child, exited, stderr } = run(["--port", "0", "--access-ttl", "120"]);
    const env = await readEnv(child);
    // One family (the one every README uses); the local key under EOA names, so createWallet() keeps the server wallet.
    expect(Object.keys(env)).toEqual([
      "LUCID_BASE_URL",
      "LUCID_AGENT_REF",
      "LUCID_AGENT_ID",
      "LUCID_AGENT_CREDENTIAL",
      "LUCID_SERVER_URL",
      "LUCID_SERVER_ACCESS_TOKEN",
      "LUCID_AGENT_EOA_CREDENTIAL",
      "LUCID_AGENT_EOA_PRIVATE_KEY",
      "LUCID_AGENT_WALLET_ADDRESS",
      "LUCID_CHAIN_ID",
      "LUCID_CHAIN_RPC_URL",
      "LUCID_TOKEN_ADDRESS",
      "LUCID_TOKEN_SYMBOL",
      "LUCID_X402_URL",
      "LUCID_X402_FACILITATOR_URL",
    ]);
    expect(env.LUCID_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.LUCID_TOKEN_SYMBOL).toBe("USDC");
    expect((await fetch(env.LUCID_X402_URL!)).status).toBe(402);
    expect(env.LUCID_AGENT_REF).toBe("demo-agent");

    const client = createClient({ baseUrl: env.LUCID_BASE_URL! });
    const challenge = await postV1AuthAgentsByAgentRefChallenge({
      client,
      path: { agentRef: env.LUCID_AGENT_REF! },
      body: { credential_id: env.LUCID_AGENT_EOA_CREDENTIAL! },
    });
    expect(challenge.response.status).toBe(201);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stderr()).toContain("SIGTERM");
    await expect(fetch(env.LUCID_CHAIN_RPC_URL!, { method: "POST", body: "{}" })).rejects.toThrow();
    await expect(fetch(`${env.LUCID_BASE_URL}/v1/agents`)).rejects.toThrow();
    await expect(fetch(env.LUCID_X402_URL!)).rejects.toThrow();
    await expect(fetch(`${env.LUCID_X402_FACILITATOR_URL}/supported`)).rejects.toThrow();
  });

  it("--wallet local --write-agent-json: prints the local key's variables and writes .lucid-agent.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lucid-cli-"));
    try {
      const path = join(dir, ".lucid-agent.json");
      const { child, exited } = run(["--", "--wallet", "local", "--write-agent-json", path]);
      const env = await readEnv(child);
      expect(Object.keys(env)).toEqual([
        "LUCID_BASE_URL",
        "LUCID_AGENT_REF",
        "LUCID_AGENT_ID",
        "LUCID_AGENT_CREDENTIAL",
        "LUCID_AGENT_PRIVATE_KEY",
        "LUCID_AGENT_WALLET_ADDRESS",
        "LUCID_CHAIN_ID",
        "LUCID_CHAIN_RPC_URL",
        "LUCID_TOKEN_ADDRESS",
        "LUCID_TOKEN_SYMBOL",
        "LUCID_X402_URL",
        "LUCID_X402_FACILITATOR_URL",
      ]);
      expect(env.LUCID_AGENT_CREDENTIAL).toMatch(/^cred_eoa_/);
      const file = JSON.parse(readFileSync(path, "utf8")) as Record<string, string>;
      expect(file).toEqual({
        agentId: env.LUCID_AGENT_ID,
        agentRef: "demo-agent",
        credentialId: env.LUCID_AGENT_CREDENTIAL,
        apiBaseUrl: env.LUCID_BASE_URL,
      });
      expect(JSON.stringify(file)).not.toContain(env.LUCID_AGENT_PRIVATE_KEY!.slice(2));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops on SIGINT too", async () => {
    const { child, exited } = run([]);
    const env = await readEnv(child);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    await expect(fetch(env.LUCID_CHAIN_RPC_URL!, { method: "POST", body: "{}" })).rejects.toThrow();
  });

  it("stops the chain it is starting when signalled during startup", async () => {
    const { child, exited, stderrMatch } = run([]);
    const rpcUrl = (await stderrMatch(/anvil \(pid \d+\) listening on (http:\/\/\S+)\n/))[1]!;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    await expect(fetch(rpcUrl, { method: "POST", body: "{}" })).rejects.toThrow();
  });

  it("exits 1 with the reason when anvil cannot start", async () => {
    const { exited, stderr } = run(["--anvil-path", "/nonexistent/anvil"]);
    expect(await exited).toBe(1);
    expect(stderr()).toContain("could not start (anvil_not_found)");
  });

  it("refuses a bad flag with exit 2 and a clear message", async () => {
    const { exited, stderr } = run(["--challenge-format", "jwt"]);
    expect(await exited).toBe(2);
    expect(stderr()).toContain("--challenge-format must be one of siwe, typed_data, raw");
    expect(stderr()).toContain("Usage:");
  });

  it("prints help with exit 0", async () => {
    const { child, exited } = run(["--help"]);
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    expect(await exited).toBe(0);
    expect(out).toContain("Usage: lucid-local-server");
  });
});
