import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { isAddressEqual, verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createWallet, type WalletClient } from "./create-wallet.js";
import { AgentRuntime, type AgentRuntimeLoadOptions } from "./runtime/agent-runtime.js";
import type { AgentConfigFile } from "./runtime/config-loader.js";
import { ConfigurationError, isConfigurationError } from "./runtime/errors.js";
import type { AuthenticatedEvent } from "./runtime/events.js";
import { LocalEoaWalletConnector } from "./runtime/wallet/local-key-connector.js";

let server: LocalServer;
let dir: string;
const runtimes: AgentRuntime[] = [];
const wallets: WalletClient[] = [];

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-auth-config-"));
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  await Promise.all(wallets.splice(0).map((wallet) => wallet.shutdown()));
  server.counters.reset();
  await rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await server.close();
});

describe("createWallet() from the environment only", () => {
  it("signs in with the owner token, signs a message with the server wallet, and fires event handlers", async () => {
    const authenticated: AuthenticatedEvent[] = [];
    const alsoAuthenticated: string[] = [];
    const wallet = await createWallet({
      env: server.env,
      telemetry: false,
      events: {
        authenticated: [
          (event) => {
            authenticated.push(event);
          },
          (event) => {
            alsoAuthenticated.push(event.accessToken);
          },
        ],
      },
    });
    wallets.push(wallet);
    expect(wallet.runtime.config).toMatchObject({
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.credentialId,
    });

    const token = await wallet.ensureAccessToken();
    expect(token).toMatch(/^lat_/);
    expect(authenticated).toHaveLength(1);
    expect(authenticated[0]).toMatchObject({
      accessToken: token,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.credentialId,
    });
    expect(alsoAuthenticated).toEqual([token]);
    // the first challenge was signed by the server wallet, with LUCID_SERVER_ACCESS_TOKEN
    expect(server.counters.get("challenge")).toBe(1);
    expect(server.counters.get("signMessage")).toBe(1);
    expect(server.counters.get("exchange")).toBe(1);

    const signed = await wallet.signMessage({ message: "gm" });
    expect(
      await verifyMessage({
        address: server.seed.serverWalletAddress,
        message: "gm",
        signature: signed.signature,
      }),
    ).toBe(true);
    const address = await wallet.getAddress();
    expect(address).not.toBeNull();
    expect(isAddressEqual(address as `0x${string}`, server.seed.serverWalletAddress)).toBe(true);
    expect(await wallet.ensureAccessToken()).toBe(token); // from memory: no second sign-in
    expect(server.counters.get("challenge")).toBe(1);

    await wallet.shutdown();
    await wallet.shutdown(); // idempotent
  });

  it("signs in and signs locally with LUCID_AGENT_PRIVATE_KEY (lucid-local-server --wallet local)", async () => {
    const wallet = await createWallet({ env: server.localKeyEnv, telemetry: false });
    wallets.push(wallet);
    expect(wallet.signsLocally).toBe(true);
    expect(wallet.runtime.config.credentialId).toBe(server.seed.eoaCredentialId);
    await wallet.ensureAccessToken();
    // The challenge was signed here: the server wallet signed nothing.
    expect(server.counters.get("exchange")).toBe(1);
    expect(server.counters.get("signMessage")).toBe(0);
    const signed = await wallet.signMessage({ message: "gm" });
    expect(
      await verifyMessage({ address: server.seed.eoaAddress, message: "gm", signature: signed.signature }),
    ).toBe(true);
    expect(server.counters.get("signMessage")).toBe(0);
  });

  it("refuses a malformed LUCID_AGENT_PRIVATE_KEY without showing it", async () => {
    const error = await createWallet({
      env: { ...server.localKeyEnv, LUCID_AGENT_PRIVATE_KEY: "0xnot-a-key-secret-value" },
    }).catch((e: unknown) => e);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain("LUCID_AGENT_PRIVATE_KEY is not a private key");
    expect(`${(error as Error).message} ${(error as ConfigurationError).hint}`).not.toContain("secret-value");
  });

  it("rejects a bad LUCID_AGENT_SCOPES with a ConfigurationError naming the variable", async () => {
    const error = await createWallet({
      env: { ...server.env, LUCID_AGENT_SCOPES: '["wallet.sign", 42]' },
    }).catch((e: unknown) => e);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain("LUCID_AGENT_SCOPES");
  });
});

const WRONG = {
  baseUrl: "http://127.0.0.1:9", // nothing listens there
  agentRef: "no-such-agent",
  credentialId: "cred_eoa_doesnotexist",
};

async function writeConfigFile(content: AgentConfigFile | string) {
  const path = join(dir, ".lucid-agent.json");
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content), "utf8");
  return path;
}

/** AgentRuntime.load with the EOA signer; signs in to prove the resolved config reaches the right agent. */
async function loadAndAuthenticate(loader: NonNullable<AgentRuntimeLoadOptions["loader"]>) {
  const loaded = await AgentRuntime.load({
    loader,
    wallet: {
      signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
    },
    backgroundRefresh: false,
    telemetry: false,
  });
  runtimes.push(loaded.runtime);
  const session = await loaded.runtime.authenticate();
  expect(session).toMatchObject({
    agentRef: server.seed.agentRef,
    credentialId: server.seed.eoaCredentialId,
  });
  const agents = await loaded.runtime.api.listAgents();
  expect(agents.items.map((agent) => agent.ref)).toEqual([server.seed.agentRef]);
  return loaded;
}

describe("AgentRuntime.load: file < environment < overrides", () => {
  it("reads .lucid-agent.json from cwd when nothing else is set", async () => {
    const path = await writeConfigFile({
      apiBaseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    });
    const loaded = await loadAndAuthenticate({ cwd: dir, env: {} });
    expect(loaded.sourcePath).toBe(path);
    expect(loaded.sources).toEqual({ baseUrl: "file", agentRef: "file", credentialId: "file" });
  });

  it("the environment beats the file", async () => {
    await writeConfigFile({ apiBaseUrl: WRONG.baseUrl, ...WRONG });
    const loaded = await loadAndAuthenticate({
      cwd: dir,
      env: {
        LUCID_BASE_URL: server.url,
        LUCID_AGENT_REF: server.seed.agentRef,
        LUCID_AGENT_CREDENTIAL: server.seed.eoaCredentialId,
      },
    });
    expect(loaded.config).toMatchObject({
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    });
    expect(loaded.sources).toEqual({
      baseUrl: "env:LUCID_BASE_URL",
      agentRef: "env:LUCID_AGENT_REF",
      credentialId: "env:LUCID_AGENT_CREDENTIAL",
    });
  });

  it("within the environment, the README spelling wins; a disagreeing older LUCID_AGENT_* spelling is refused", async () => {
    const loaded = await loadAndAuthenticate({
      cwd: dir,
      env: {
        LUCID_BASE_URL: server.url,
        LUCID_AGENT_REF: server.seed.agentRef,
        LUCID_AGENT_CREDENTIAL: server.seed.eoaCredentialId,
        LUCID_AGENT_BASE_URL: `${server.url}/`,
        LUCID_AGENT_AGENT_REF: server.seed.agentRef,
        LUCID_AGENT_CREDENTIAL_ID: server.seed.eoaCredentialId,
      },
    });
    expect(loaded.sources).toEqual({
      baseUrl: "env:LUCID_BASE_URL",
      agentRef: "env:LUCID_AGENT_REF",
      credentialId: "env:LUCID_AGENT_CREDENTIAL",
    });
    // A user who points LUCID_AGENT_REF at another agent but keeps the older variable gets an error, not the
    // old agent.
    const error = await loadFails({
      cwd: dir,
      env: {
        LUCID_BASE_URL: server.url,
        LUCID_AGENT_REF: WRONG.agentRef,
        LUCID_AGENT_CREDENTIAL: server.seed.eoaCredentialId,
        LUCID_AGENT_AGENT_REF: server.seed.agentRef,
      },
    });
    expect(error.message).toContain("Conflicting agentRef");
    expect(error.message).toContain("LUCID_AGENT_REF and LUCID_AGENT_AGENT_REF");
  });

  it("overrides beat the environment and the file", async () => {
    await writeConfigFile({ apiBaseUrl: WRONG.baseUrl, ...WRONG });
    const loaded = await loadAndAuthenticate({
      cwd: dir,
      env: {
        LUCID_BASE_URL: WRONG.baseUrl,
        LUCID_AGENT_REF: WRONG.agentRef,
        LUCID_AGENT_CREDENTIAL: WRONG.credentialId,
      },
      overrides: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
    });
    expect(loaded.sources).toEqual({ baseUrl: "override", agentRef: "override", credentialId: "override" });
  });

  it("mixes sources per field", async () => {
    await writeConfigFile({
      apiBaseUrl: server.url,
      agentRef: WRONG.agentRef,
      credentialId: WRONG.credentialId,
    });
    const loaded = await loadAndAuthenticate({
      cwd: dir,
      env: { LUCID_AGENT_REF: server.seed.agentRef, LUCID_AGENT_CREDENTIAL: WRONG.credentialId },
      overrides: { credentialId: server.seed.eoaCredentialId },
    });
    expect(loaded.sources).toEqual({
      baseUrl: "file",
      agentRef: "env:LUCID_AGENT_REF",
      credentialId: "override",
    });
  });
});

/** Expects `AgentRuntime.load` to reject with a ConfigurationError; returns it. */
async function loadFails(loader: NonNullable<AgentRuntimeLoadOptions["loader"]>) {
  const error = await AgentRuntime.load({ loader, telemetry: false }).then(
    (loaded) => {
      runtimes.push(loaded.runtime);
      throw new Error("expected AgentRuntime.load to reject");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  expect(isConfigurationError(error)).toBe(true);
  expect((error as ConfigurationError).code).toBe("configuration_error");
  return error as ConfigurationError;
}

describe("AgentRuntime.load: bad configuration is a ConfigurationError naming the field and its source", () => {
  const goodEnv = () => ({
    LUCID_BASE_URL: server.url,
    LUCID_AGENT_REF: server.seed.agentRef,
    LUCID_AGENT_CREDENTIAL: server.seed.eoaCredentialId,
  });

  it("a malformed .lucid-agent.json (even when the environment has everything)", async () => {
    const path = await writeConfigFile('{ "agentRef": "demo-agent", ');
    const error = await loadFails({ cwd: dir, env: goodEnv() });
    expect(error.message).toContain(path);
    expect(error.message).toContain("not valid JSON");
    expect(error.hint).toContain(path);
  });

  it("a field of the wrong type in the file", async () => {
    const path = await writeConfigFile('{ "credentialId": 42 }');
    const error = await loadFails({ cwd: dir, env: {} });
    expect(error.message).toContain('"credentialId"');
    expect(error.message).toContain(path);
    expect(error.message).toContain("expected a string, got number");
  });

  it("LUCID_AGENT_SCOPES with a blank-containing entry", async () => {
    const error = await loadFails({
      cwd: dir,
      env: { ...goodEnv(), LUCID_AGENT_SCOPES: "wallet.sign, agents read" },
    });
    expect(error.message).toContain("Invalid scopes from environment variable LUCID_AGENT_SCOPES");
    expect(error.message).toContain('"agents read"');
  });

  it("LUCID_AGENT_SCOPES that is JSON but not an array of strings", async () => {
    const error = await loadFails({
      cwd: dir,
      env: { ...goodEnv(), LUCID_AGENT_SCOPES: '["wallet.sign", 42]' },
    });
    expect(error.message).toContain("LUCID_AGENT_SCOPES");
    expect(error.message).toMatch(/not an array of strings/);
  });

  it("LUCID_AGENT_SCOPES that is not valid JSON", async () => {
    const error = await loadFails({ cwd: dir, env: { ...goodEnv(), LUCID_AGENT_SCOPES: '["wallet.sign"' } });
    expect(error.message).toContain("LUCID_AGENT_SCOPES is not valid JSON");
  });

  it("a missing credential", async () => {
    await writeConfigFile({ apiBaseUrl: server.url, agentRef: server.seed.agentRef });
    const error = await loadFails({ cwd: dir, env: { LUCID_AGENT_REF: server.seed.agentRef } });
    expect(error.message).toContain("credentialId is missing");
    expect(error.hint).toContain("LUCID_AGENT_CREDENTIAL");
    expect(error.hint).toContain(join(dir, ".lucid-agent.json"));
    expect(error.hint).toContain("overrides.credentialId");
  });

  it("a base URL that is not http(s), from the environment", async () => {
    const error = await loadFails({
      cwd: dir,
      env: { ...goodEnv(), LUCID_BASE_URL: "ftp://example.com" },
    });
    expect(error.message).toContain("Invalid baseUrl from environment variable LUCID_BASE_URL");
    expect(error.message).toContain("ftp:");
  });

  it("an empty override", async () => {
    const error = await loadFails({ cwd: dir, env: goodEnv(), overrides: { agentRef: "  " } });
    expect(error.message).toContain("Invalid agentRef from overrides.agentRef");
  });
});
