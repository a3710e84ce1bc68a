import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentAuthError, createLucidToolDescriptors } from "@lucid-dreams/agent-auth/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPolicyFile, rpcFromEnvironment } from "./policy-file.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lucid-mcp-policy-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

let files = 0;
async function file(content: unknown): Promise<string> {
  const path = join(dir, `policy-${files++}.json`);
  await writeFile(path, JSON.stringify(content));
  return path;
}
async function failure(content: unknown): Promise<AgentAuthError> {
  const error = await loadPolicyFile(await file(content)).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AgentAuthError.isInstance(error)) throw new Error(`expected an AgentAuthError, got ${String(error)}`);
  return error;
}

const USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const SPENDER = "0x000000000000000000000000000000000000bEEF";
const ROUTER = "0x00000000000000000000000000000000000c0fFE";

/** A file with every option the policy file knows. */
const FULL = {
  $schema: "./policy.schema.json",
  allowedChains: ["eip155:31337"],
  maxValuePerTransaction: "0.5",
  maxFeePerTransaction: { wei: "2000000000000000" },
  budgetPerSession: "2",
  budget: [
    { amount: "1", per: "24h" },
    { amount: "0.25", per: "1h" },
  ],
  budgetScope: "session",
  recipientAllowlist: [SPENDER],
  tokenRules: { [USDC]: { maxPerTransaction: "5000000", budget: "50000000", budgetPer: "24h" } },
  approvals: [{ token: USDC, spender: SPENDER, maxAmount: "1000000" }],
  allowTokenApprovals: false,
  contracts: [{ address: ROUTER, functions: ["swap(uint256,address)", "0x12345678"], chain: "eip155:31337" }],
  typedData: {
    allowApprovals: false,
    allowedPrimaryTypes: ["PermitSingle"],
    domains: [{ chainId: 31337, verifyingContract: ROUTER, name: "Router", primaryTypes: ["Order"] }],
  },
  messages: { siweDomains: ["app.example.com"], allowHashes: false, maxLength: 2048 },
  simulation: "required",
  rpc: { "eip155:31337": "http://127.0.0.1:8545" },
  // Limits in one place (tokenRules, base units): core refuses a token with limits in both.
  tokens: { USDC: { address: USDC, chain: "eip155:31337" } },
  payments: {
    allowedHosts: ["127.0.0.1:4021"],
    payTo: [SPENDER],
    networks: ["eip155:31337"],
    assets: ["USDC"],
    maxPerPayment: "0.05",
    budget: "1",
    maxBodyBytes: 65536,
    timeoutMs: 30000,
  },
  approval: { sendTransaction: true, sendToken: true },
  autoApprove: { fetchPaidResource: true },
  tools: ["getBalance", "sendToken", "fetchPaidResource"],
  defaultChain: "eip155:31337",
};

describe("loadPolicyFile: a full policy file", () => {
  it("maps every option to the tool policy, the rpc map, the token list and the payment rules", async () => {
    const options = await loadPolicyFile(await file(FULL));
    expect(options).toEqual({
      policy: {
        allowedChains: ["eip155:31337"],
        maxValuePerTransaction: "0.5",
        maxFeePerTransaction: 2000000000000000n,
        budgetPerSession: "2",
        budget: [
          { amount: "1", per: "24h" },
          { amount: "0.25", per: "1h" },
        ],
        budgetScope: "session",
        recipientAllowlist: [SPENDER],
        tokens: { [USDC]: { maxPerTransaction: "5000000", budget: "50000000", budgetPer: "24h" } },
        approvals: [{ token: USDC, spender: SPENDER, maxAmount: "1000000" }],
        allowTokenApprovals: false,
        contracts: FULL.contracts,
        typedData: FULL.typedData,
        messages: FULL.messages,
        simulation: "required",
      },
      rpc: FULL.rpc,
      tokens: FULL.tokens,
      payments: FULL.payments,
      approval: FULL.approval,
      autoApprove: FULL.autoApprove,
      tools: FULL.tools,
      defaultChain: "eip155:31337",
    });
  });

  it("gives options core accepts when it builds the tools", async () => {
    const options = await loadPolicyFile(await file(FULL));
    const names = createLucidToolDescriptors(options).map((descriptor) => descriptor.name);
    expect(names).toEqual(["getBalance", "sendToken", "fetchPaidResource"]);
  });

  it("loads the README's full example for the local stack", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const section = readme.slice(readme.indexOf("A full policy file for the local stack"));
    const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    const options = await loadPolicyFile(await file(JSON.parse(json ?? "null")));
    expect(options.policy).toMatchObject({ simulation: "required", budgetScope: "agent" });
    expect(options.tokens?.USDC?.address).toBe("0x5FbDB2315678afecb367f032d93F642f64180aa3");
    expect(options.tokens?.USDC?.maxPerTransaction).toBeUndefined(); // the limits are in tokenRules
    expect(options.payments?.maxPerPayment).toBe("0.05");
    expect(options.rpc).toBeUndefined();
    expect(createLucidToolDescriptors(options).map((descriptor) => descriptor.name)).toContain(
      "fetchPaidResource",
    );
  });

  it("accepts a single rolling budget and an empty file", async () => {
    expect((await loadPolicyFile(await file({ budget: { amount: "0.1", per: "1h" } }))).policy).toEqual({
      budget: { amount: "0.1", per: "1h" },
    });
    expect(await loadPolicyFile(await file({}))).toEqual({ policy: {} });
  });
});

describe("loadPolicyFile: each mistake is named with its path and what to write", () => {
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    [
      "an unknown key",
      { maxFeePerTx: "0.01" },
      "",
      /unknown key "maxFeePerTx"; the keys here are .*maxFeePerTransaction/,
    ],
    [
      "a fee as a number",
      { maxFeePerTransaction: 0.01 },
      "maxFeePerTransaction",
      /decimal string \("0\.05"\)/,
    ],
    ["a budget without a window", { budget: { amount: "1" } }, "budget", /"per": "24h"/],
    ["a budget window of a week", { budget: [{ amount: "1", per: "7d" }] }, "budget", /"per": "24h"/],
    ["a function budget scope", { budgetScope: "tenant" }, "budgetScope", /"agent" or "session"/],
    [
      "a token rule keyed by symbol",
      { tokenRules: { USDC: {} } },
      "tokenRules.USDC",
      /keys must be token contract addresses/,
    ],
    [
      "a token rule in decimals",
      { tokenRules: { [USDC]: { maxPerTransaction: "1.5" } } },
      `tokenRules.${USDC}.maxPerTransaction`,
      /whole number of the token's base units/,
    ],
    [
      "an approval without a cap",
      { approvals: [{ token: USDC, spender: SPENDER }] },
      "approvals[0].maxAmount",
      /./,
    ],
    [
      "a contract function that is neither signature nor selector",
      { contracts: [{ address: ROUTER, functions: ["swap"] }] },
      "contracts[0].functions[0]",
      /function signature \("swap\(uint256,address\)"\) or a selector/,
    ],
    [
      "a typed-data domain chain id as a string",
      { typedData: { domains: [{ chainId: "8453" }] } },
      "typedData.domains[0].chainId",
      /positive whole number of a chain id/,
    ],
    [
      "a misspelt message rule",
      { messages: { siweDomain: ["app.example.com"] } },
      "messages",
      /unknown key "siweDomain"; the keys here are siweDomains, allowHashes, maxLength/,
    ],
    [
      "a message length of zero",
      { messages: { maxLength: 0 } },
      "messages.maxLength",
      /positive whole number/,
    ],
    [
      "an unknown simulation mode",
      { simulation: "maybe" },
      "simulation",
      /"required", "best-effort" or "off"/,
    ],
    [
      "an rpc keyed by name",
      { rpc: { base: "https://mainnet.base.org" } },
      "rpc.base",
      /keys must be CAIP-2 EVM chain ids/,
    ],
    [
      "an rpc that is not http",
      { rpc: { "eip155:8453": "wss://base.example" } },
      'rpc["eip155:8453"]',
      /http\(s\) JSON-RPC URL/,
    ],
    [
      "a token without an address",
      { tokens: { USDC: { maxPerTransaction: "5" } } },
      "tokens.USDC.address",
      /EVM address/,
    ],
    [
      "a token limit in base units as a number",
      { tokens: { USDC: { address: USDC, budget: 50 } } },
      "tokens.USDC.budget",
      /decimal amount in the token's units/,
    ],
    [
      "an approve callback in the payments",
      { payments: { approve: true } },
      "payments",
      /unknown key "approve"/,
    ],
    [
      "a payment cap as a number",
      { payments: { maxPerPayment: 1 } },
      "payments.maxPerPayment",
      /decimal amount/,
    ],
    ["a bad pay-to", { payments: { payTo: ["0xdead"] } }, "payments.payTo[0]", /EVM address/],
    [
      "a body limit of -1",
      { payments: { maxBodyBytes: -1 } },
      "payments.maxBodyBytes",
      /positive whole number of bytes/,
    ],
    ["an unknown tool", { autoApprove: { drainWallet: true } }, "autoApprove", /drainWallet|tool name/],
  ];

  for (const [what, content, path, message] of cases) {
    it(`${what}: at ${path}`, async () => {
      const error = await failure(content);
      expect(error.code).toBe("configuration_error");
      if (path) expect(error.message).toContain(`→ at ${path}\n`);
      expect(error.message).toMatch(message);
      expect(error.hint).toMatch(/Policy file/);
    });
  }
});

describe("rpcFromEnvironment (the stdio bin's rpc default)", () => {
  const env = { LUCID_CHAIN_RPC_URL: "http://127.0.0.1:8545", LUCID_CHAIN_ID: "31337" };

  it("uses the local server's chain variables when the file gives no rpc", () => {
    expect(rpcFromEnvironment({ policy: {} }, env)).toEqual({
      policy: {},
      rpc: { "eip155:31337": "http://127.0.0.1:8545" },
    });
  });

  it("keeps the file's rpc, and sets none without both variables", () => {
    const file = { policy: {}, rpc: { "eip155:8453": "https://mainnet.base.org" } };
    expect(rpcFromEnvironment(file, env)).toBe(file);
    expect(rpcFromEnvironment({ policy: {} }, { LUCID_CHAIN_ID: "31337" })).toEqual({ policy: {} });
    expect(rpcFromEnvironment({ policy: {} }, { LUCID_CHAIN_RPC_URL: env.LUCID_CHAIN_RPC_URL })).toEqual({
      policy: {},
    });
  });

  it("refuses a malformed chain id or URL with a configuration error", () => {
    expect(() => rpcFromEnvironment({ policy: {} }, { ...env, LUCID_CHAIN_ID: "0x7a69" })).toThrow(
      /LUCID_CHAIN_ID must be a decimal chain id/,
    );
    expect(() =>
      rpcFromEnvironment({ policy: {} }, { ...env, LUCID_CHAIN_RPC_URL: "file:///etc/passwd" }),
    ).toThrow(/LUCID_CHAIN_RPC_URL must be an http\(s\) JSON-RPC URL/);
  });
});
