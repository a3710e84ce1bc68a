import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentAuthError } from "@lucid-dreams/agent-auth/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBearerAuthenticator } from "./bearer-authenticator.js";
import { parseCliArgs } from "./cli-args.js";
import { loadPolicyFile } from "./policy-file.js";
import { loadTenantsFile } from "./tenants-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lucid-mcp-config-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let files = 0;
async function file(content: unknown): Promise<string> {
  const path = join(dir, `file-${files++}.json`);
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}
async function failure(promise: Promise<unknown>): Promise<AgentAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AgentAuthError.isInstance(error)) throw new Error(`expected an AgentAuthError, got ${String(error)}`);
  return error;
}

describe("loadPolicyFile", () => {
  it("maps the JSON to the tool policy: ether as decimal strings, wei as { wei } (a bigint)", async () => {
    const options = await loadPolicyFile(
      await file({
        allowedChains: ["eip155:8453"],
        maxValuePerTransaction: "0.05",
        budgetPerSession: { wei: "1000000000000000000000" },
        recipientAllowlist: ["0x000000000000000000000000000000000000dEaD"],
        typedData: { allowedPrimaryTypes: ["PermitSingle"] },
        approval: { sendTransaction: true, signTransaction: true },
        autoApprove: { signTransaction: true },
        tools: ["signMessage", "sendTransaction"],
        defaultChain: "eip155:8453",
      }),
    );
    expect(options).toEqual({
      policy: {
        allowedChains: ["eip155:8453"],
        maxValuePerTransaction: "0.05",
        budgetPerSession: 1000000000000000000000n,
        recipientAllowlist: ["0x000000000000000000000000000000000000dEaD"],
        typedData: { allowedPrimaryTypes: ["PermitSingle"] },
      },
      approval: { sendTransaction: true, signTransaction: true },
      autoApprove: { signTransaction: true },
      tools: ["signMessage", "sendTransaction"],
      defaultChain: "eip155:8453",
    });
  });

  it("names every wrong field: misspelt keys, bad amounts, chains, addresses, tool names", async () => {
    const error = await failure(
      loadPolicyFile(
        await file({
          maxValuePerTx: "1",
          budgetPerSession: "-1",
          maxValuePerTransaction: 0.05,
          allowedChains: ["base"],
          recipientAllowlist: ["0xdead"],
          autoApprove: { drainWallet: true },
        }),
      ),
    );
    expect(error.code).toBe("configuration_error");
    for (const field of [
      "maxValuePerTx",
      "budgetPerSession",
      "maxValuePerTransaction",
      "allowedChains",
      "recipientAllowlist",
      "drainWallet",
    ]) {
      expect(error.message).toContain(field);
    }
    expect(error.hint).toMatch(/policy file/);
  });

  it("says where invalid JSON breaks and when the file is missing", async () => {
    expect((await failure(loadPolicyFile(await file('{"maxValuePerTransaction": "1",}')))).message).toMatch(
      /not valid JSON/,
    );
    expect((await failure(loadPolicyFile(join(dir, "missing.json")))).message).toMatch(/no such file/);
  });
});

describe("loadTenantsFile", () => {
  const token = "t".repeat(40);
  const entry = (name: string, agentRef: string, tenantToken: string) => ({
    name,
    token: tenantToken,
    agentRef,
    credentialId: `cred_${name}`,
  });

  it("accepts distinct tenants", async () => {
    const loaded = await loadTenantsFile(
      await file({
        baseUrl: "http://127.0.0.1:1",
        tenants: [entry("a", "agent-a", token), entry("b", "agent-b", `${token}x`)],
      }),
    );
    expect(loaded.tenants.map((tenant) => tenant.name)).toEqual(["a", "b"]);
  });

  it("takes an rpc map for every tenant, and names a bad chain id or URL", async () => {
    const loaded = await loadTenantsFile(
      await file({
        rpc: { "eip155:31337": "http://127.0.0.1:8545" },
        tenants: [entry("a", "agent-a", token)],
      }),
    );
    expect(loaded.rpc).toEqual({ "eip155:31337": "http://127.0.0.1:8545" });
    const error = await failure(
      loadTenantsFile(
        await file({ rpc: { "eip155:1": "ftp://node" }, tenants: [entry("a", "agent-a", token)] }),
      ),
    );
    expect(error.message).toContain("http(s) JSON-RPC URL");
    expect(error.message).toContain("rpc");
  });

  it("refuses short tokens, shared tokens and shared agents without quoting any token", async () => {
    const short = "s3cr3t-short";
    const error = await failure(
      loadTenantsFile(
        await file({
          tenants: [entry("a", "agent-a", token), entry("b", "agent-a", token), entry("c", "agent-c", short)],
        }),
      ),
    );
    expect(error.message).toContain("the same token as another tenant");
    expect(error.message).toContain("tenants must not share a wallet");
    expect(error.message).toContain("at least 32 characters");
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain(short);
  });

  it("never quotes the file when its JSON is broken", async () => {
    const secret = "z".repeat(40);
    const error = await failure(loadTenantsFile(await file(`{"tenants": [{"token": "${secret}" oops}]}`)));
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.message).not.toContain(secret);
  });
});

describe("createBearerAuthenticator", () => {
  const alice = "a".repeat(32);
  const bob = "b".repeat(48);
  const authenticate = createBearerAuthenticator([
    { tenant: "alice", token: alice },
    { tenant: "bob", token: bob },
  ]);
  const request = (authorization?: string) => ({ headers: { authorization } }) as unknown as IncomingMessage;

  it("returns the tenant of a known token, and nothing for anything else", () => {
    expect(authenticate(request(`Bearer ${alice}`))).toBe("alice");
    expect(authenticate(request(`bearer ${bob}`))).toBe("bob");
    for (const header of [
      undefined,
      "",
      alice,
      `Bearer ${alice}x`,
      `Bearer ${alice.slice(1)}`,
      `Basic ${alice}`,
      `Bearer ${alice} ${bob}`,
    ]) {
      expect(authenticate(request(header))).toBeUndefined();
    }
  });

  it("refuses short and duplicate tokens at construction, without quoting them", () => {
    expect(() => createBearerAuthenticator([{ tenant: "x", token: "short-token" }])).toThrow(/too short/);
    expect(() => createBearerAuthenticator([{ tenant: "x", token: "short-token" }])).not.toThrow(
      /short-token/,
    );
    expect(() =>
      createBearerAuthenticator([
        { tenant: "x", token: alice },
        { tenant: "y", token: alice },
      ]),
    ).toThrow(/same bearer token/);
  });
});

describe("parseCliArgs", () => {
  it("reads stdio and HTTP invocations", () => {
    expect(parseCliArgs(["--policy", "p.json"])).toEqual({
      help: false,
      http: false,
      port: 0,
      host: "127.0.0.1",
      policy: "p.json",
    });
    expect(parseCliArgs(["--http", "--tenants", "t.json", "--port", "8080", "--host", "0.0.0.0"])).toEqual({
      help: false,
      http: true,
      port: 8080,
      host: "0.0.0.0",
      tenants: "t.json",
    });
  });

  it("refuses unknown flags, HTTP flags without --http, --http without tenants and bad ports", () => {
    expect(() => parseCliArgs(["--polcy", "p.json"])).toThrow(/Unknown option/);
    expect(() => parseCliArgs(["--port", "80"])).toThrow(/only apply with --http/);
    expect(() => parseCliArgs(["--http"])).toThrow(/needs --tenants/);
    expect(() => parseCliArgs(["--http", "--tenants", "t", "--port", "99999"])).toThrow(/not a port/);
  });
});
