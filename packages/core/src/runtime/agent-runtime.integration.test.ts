import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import {
  createClient,
  postV1AuthAgentsByAgentRefChallenge,
  postV1AuthAgentsByAgentRefExchange,
  postV1AuthAgentsByAgentRefRefresh,
} from "@lucid-dreams/sdk";
import { verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AgentRuntime } from "./agent-runtime.js";
import { isCredentialRevoked } from "./errors.js";
import type { AgentAuthEventMap } from "./events.js";
import { LocalEoaWalletConnector } from "./wallet/local-key-connector.js";
import { ServerOrchestratorWalletConnector } from "./wallet/server-orchestrator-connector.js";

let server: LocalServer;
const runtimes: AgentRuntime[] = [];

beforeAll(async () => {
  server = await startLocalServer({ port: 0, accessTtlSeconds: 2 });
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  server.faults.clear();
  server.counters.reset();
});
afterAll(async () => {
  await server.close();
});

/** A runtime for the seeded agent's local-key credential. */
async function eoaRuntime(
  options: { signer?: boolean; refreshToken?: string; backgroundRefresh?: boolean } = {},
) {
  const runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
      ...(options.refreshToken ? { refreshToken: options.refreshToken } : {}),
    },
    ...(options.signer === false
      ? {}
      : {
          wallet: {
            signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
          },
        }),
    backgroundRefresh: options.backgroundRefresh ?? false,
  });
  runtimes.push(runtime);
  return runtime;
}

/** Resolves with the next payload of `event`. */
function nextEvent<E extends keyof AgentAuthEventMap>(runtime: AgentRuntime, event: E) {
  return new Promise<AgentAuthEventMap[E]>((resolve) => {
    const off = runtime.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}

/** A session made directly with the generated SDK, to hand out or replay its refresh token. */
async function rawSession() {
  const client = createClient({ baseUrl: server.url });
  const path = { agentRef: server.seed.agentRef };
  const { data } = await postV1AuthAgentsByAgentRefChallenge({
    client,
    path,
    body: { credential_id: server.seed.eoaCredentialId },
  });
  const payload = data!.challenge.payload as { message: string };
  const signature = await privateKeyToAccount(server.seed.eoaPrivateKey).signMessage({
    message: payload.message,
  });
  const tokens = await postV1AuthAgentsByAgentRefExchange({
    client,
    path,
    body: { challenge_id: data!.challenge.id, signature },
  });
  return { client, path, tokens: tokens.data! };
}

describe("AgentRuntime against the local server", () => {
  it("signs in with a local key, emits authenticated, and calls the API", async () => {
    const runtime = await eoaRuntime();
    const authenticated = nextEvent(runtime, "authenticated");
    const session = await runtime.authenticate();
    expect(session.scopes).toEqual(expect.arrayContaining(["agents.read", "wallet.sign", "wallet.send"]));
    expect((await authenticated).accessToken).toBe(session.accessToken);
    const agents = await runtime.api.listAgents();
    expect(agents.items.map((agent) => agent.ref)).toEqual([server.seed.agentRef]);
    expect(server.counters.get("challenge")).toBe(1);
    expect(server.counters.get("exchange")).toBe(1);
  });

  it("1000 concurrent ensureAccessToken() on an empty cache: one challenge, one exchange, one token", async () => {
    const runtime = await eoaRuntime();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => runtime.ensureAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(server.counters.get("challenge")).toBe(1);
    expect(server.counters.get("exchange")).toBe(1);
  });

  it("1000 concurrent ensureAccessToken() on an expired token: exactly one refresh", async () => {
    let now = Date.now();
    const runtime = await AgentRuntime.fromConfig({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
      wallet: {
        signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
      },
      backgroundRefresh: false,
      now: () => now,
    });
    runtimes.push(runtime);
    const first = await runtime.ensureAccessToken();
    now += 60_000; // past the 2 s access TTL on the runtime's clock; the refresh token is still valid
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => runtime.ensureAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(server.counters.get("refresh")).toBe(1);
    expect(server.counters.get("challenge")).toBe(1);
  });

  it("refreshes in the background before expiry (timer unref'd) and emits tokenRefreshed", async () => {
    const runtime = await eoaRuntime({ backgroundRefresh: true });
    const first = await runtime.ensureAccessToken();
    const refreshed = await nextEvent(runtime, "tokenRefreshed");
    expect(refreshed.accessToken).not.toBe(first);
    expect(await runtime.ensureAccessToken()).toBe(refreshed.accessToken);
    expect(server.counters.get("refresh")).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(refreshed)).not.toContain("lrt_"); // no refresh token in events
  });

  it("after a revocation, a 401 on an API call falls back to a fresh challenge and retries once", async () => {
    const runtime = await eoaRuntime();
    await runtime.ensureAccessToken();
    const revoked = nextEvent(runtime, "credentialRevoked");
    const reauthenticated = nextEvent(runtime, "authenticated");
    server.admin.revokeCredential(server.seed.eoaCredentialId);
    const agents = await runtime.api.listAgents();
    expect(agents.items).toHaveLength(1);
    expect((await revoked).reason).toBe("credential_revoked");
    await reauthenticated;
    expect(server.counters.get("challenge")).toBe(2);
    expect(server.counters.get("listAgents")).toBe(2);
  });

  it("without a signer, a replayed (revoked) refresh token ends in reauthenticationRequired", async () => {
    const { client, path, tokens } = await rawSession();
    // someone else uses the refresh token first: the runtime's copy is now a replay
    await postV1AuthAgentsByAgentRefRefresh({ client, path, body: { refresh_token: tokens.refresh_token } });
    const runtime = await eoaRuntime({ signer: false, refreshToken: tokens.refresh_token });
    const required = nextEvent(runtime, "reauthenticationRequired");
    const error = await runtime.ensureAccessToken().catch((e: unknown) => e);
    expect(isCredentialRevoked(error)).toBe(true);
    expect((await required).reason).toContain("no wallet signer");
  });

  it("resumes from a configured refresh token without a challenge", async () => {
    const { tokens } = await rawSession();
    server.counters.reset();
    const runtime = await eoaRuntime({ signer: false, refreshToken: tokens.refresh_token });
    await runtime.ensureAccessToken();
    expect(server.counters.get("refresh")).toBe(1);
    expect(server.counters.get("challenge")).toBe(0);
  });

  it("a transient 401 on an API call forces one refresh and one retry", async () => {
    const runtime = await eoaRuntime();
    await runtime.ensureAccessToken();
    server.faults.inject("listAgents", { status: 401, body: { error: "token_expired" }, times: 1 });
    await runtime.api.listAgents();
    expect(server.counters.get("refresh")).toBe(1);
    expect(server.counters.get("listAgents")).toBe(2);
  });

  it("signs its first challenge with the server wallet via the owner token, and again after a revocation", async () => {
    const connector = new ServerOrchestratorWalletConnector({
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      accessToken: server.seed.ownerToken,
    });
    const runtime = await AgentRuntime.fromConfig({
      config: { baseUrl: server.url, agentRef: server.seed.agentRef, credentialId: server.seed.credentialId },
      wallet: { signer: connector },
      backgroundRefresh: false,
    });
    runtimes.push(runtime);
    const signed = await runtime.api.signMessage({ message: "gm" });
    expect(
      await verifyMessage({
        address: server.seed.serverWalletAddress,
        message: "gm",
        signature: signed.signature,
      }),
    ).toBe(true);
    // the revoked agent token is dropped from the connector, which signs the new challenge with the owner token
    server.admin.revokeCredential(server.seed.credentialId);
    await runtime.api.listAgents();
    expect(server.counters.get("challenge")).toBe(2);
  });

  it("keeps an owner token set by hand (the design's setAccessToken) as the fallback after a revocation", async () => {
    const connector = new ServerOrchestratorWalletConnector({
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
    });
    connector.setAccessToken(server.seed.ownerToken);
    const runtime = await AgentRuntime.fromConfig({
      config: { baseUrl: server.url, agentRef: server.seed.agentRef, credentialId: server.seed.credentialId },
      wallet: { signer: connector },
      backgroundRefresh: false,
    });
    runtimes.push(runtime);
    await runtime.authenticate();
    server.admin.revokeCredential(server.seed.credentialId);
    await runtime.api.listAgents();
    expect(server.counters.get("challenge")).toBe(2);
  });
});
