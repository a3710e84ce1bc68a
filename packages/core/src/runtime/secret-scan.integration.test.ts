import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createWallet, type WalletClient } from "../create-wallet.js";
import { AgentRuntime } from "./agent-runtime.js";
import type { AgentAuthEvent, AgentAuthEventMap } from "./events.js";
import type { Logger } from "./logger.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import type { FetchExecutor } from "./transport/http-transport.js";
import { LocalEoaWalletConnector } from "./wallet/local-key-connector.js";
import { ServerOrchestratorWalletConnector } from "./wallet/server-orchestrator-connector.js";

let server: LocalServer;
const runtimes: AgentRuntime[] = [];
const wallets: WalletClient[] = [];

beforeAll(async () => {
  server = await startLocalServer({ port: 0, accessTtlSeconds: 60 });
});
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
  await Promise.all(wallets.splice(0).map((wallet) => wallet.shutdown()));
  server.faults.clear();
  server.counters.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});
afterAll(async () => {
  await server.close();
});

const EVENTS: AgentAuthEvent[] = [
  "authenticated",
  "tokenRefreshed",
  "refreshFailed",
  "credentialRevoked",
  "reauthenticationRequired",
  "tokensCleared",
];

type SecretKind = "access token" | "refresh token" | "owner token" | "private key" | "signature";

/** Everything secret seen during a scenario, and everything that must not contain it. */
class Collector {
  readonly secrets = new Map<string, SecretKind>();
  /** Log lines: captured records, or what the default logger wrote to stderr. */
  readonly logs: string[] = [];
  /** Event payloads as `{ name, payload }`. */
  readonly events: Array<{ name: AgentAuthEvent; payload: unknown }> = [];
  /** message, hint and JSON.stringify of every thrown error. */
  readonly errors: Array<{ where: string; text: string }> = [];

  addSecret(value: unknown, kind: SecretKind): void {
    if (typeof value !== "string" || value.length < 16) return;
    // compare hex case-insensitively and without 0x, so a re-encoded signature or key still matches
    const normalised = /^0x[0-9a-fA-F]+$/.test(value) ? value.slice(2).toLowerCase() : value;
    this.secrets.set(normalised, kind);
  }

  count(kind: SecretKind): number {
    return [...this.secrets.values()].filter((value) => value === kind).length;
  }

  logger(): Logger {
    const capture =
      (level: string) =>
      (obj: object | string, msg?: string): void => {
        this.logs.push(JSON.stringify({ level, obj, msg }));
      };
    return { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error") };
  }

  watch(target: Pick<AgentRuntime, "on">): void {
    for (const name of EVENTS) {
      target.on(name, (payload: AgentAuthEventMap[typeof name]) => {
        this.events.push({ name, payload });
        if (name === "authenticated" || name === "tokenRefreshed") {
          this.addSecret((payload as { accessToken: string }).accessToken, "access token");
        }
      });
    }
  }

  /** Awaits `promise`, expecting it to reject; records the error's message, hint and JSON form. */
  async failure(where: string, promise: Promise<unknown>): Promise<Error & { hint?: string; code?: string }> {
    const error = await promise.then(
      () => {
        throw new Error(`${where}: expected a rejection`);
      },
      (e: unknown) => e as Error & { hint?: string; code?: string },
    );
    this.errors.push({ where: `${where} message`, text: String(error.message) });
    this.errors.push({ where: `${where} hint`, text: String(error.hint) });
    this.errors.push({ where: `${where} JSON`, text: JSON.stringify(error) });
    return error;
  }

  /** A fetch that records, as the server sees them, every token and signature that crosses the wire. */
  fetch(): FetchExecutor {
    const record = (text: string) => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return;
      }
      const walk = (value: unknown) => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === "object") {
          for (const [key, entry] of Object.entries(value)) {
            if (key === "access_token") this.addSecret(entry, "access token");
            else if (key === "refresh_token") this.addSecret(entry, "refresh token");
            else if (key === "signature") this.addSecret(entry, "signature");
            else walk(entry);
          }
        }
      };
      walk(body);
    };
    return async (input, init) => {
      const request = input instanceof Request ? input.clone() : undefined;
      const headers = new Headers(init?.headers ?? request?.headers);
      const bearer = /^bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1];
      if (bearer?.startsWith("lat_")) this.addSecret(bearer, "access token");
      if (bearer?.startsWith("lot_")) this.addSecret(bearer, "owner token");
      const body = init?.body ?? (request ? await request.text() : undefined);
      if (typeof body === "string") record(body);
      else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
        record(new TextDecoder().decode(body as ArrayBuffer));
      }
      const response = await fetch(input, init);
      record(await response.clone().text());
      return response;
    };
  }

  /** A memory storage that also records every token it is asked to keep. */
  storage(): MemoryStorageAdapter<string> {
    const collector = this;
    return new (class extends MemoryStorageAdapter<string> {
      override async set(key: string, value: string): Promise<void> {
        const record = JSON.parse(value) as { accessToken: string; refreshToken: string };
        collector.addSecret(record.accessToken, "access token");
        collector.addSecret(record.refreshToken, "refresh token");
        await super.set(key, value);
      }
    })();
  }

  /** Every text that must be free of secrets, labelled. */
  texts(): Array<{ where: string; text: string }> {
    const texts = [...this.logs.map((text, index) => ({ where: `log line ${index}`, text })), ...this.errors];
    for (const [index, { name, payload }] of this.events.entries()) {
      // authenticated/tokenRefreshed carry the access token by design (for connectors); nothing else may
      const rest =
        name === "authenticated" || name === "tokenRefreshed"
          ? { ...(payload as object), accessToken: undefined }
          : payload;
      texts.push({ where: `event ${index} (${name})`, text: JSON.stringify(rest) });
    }
    return texts;
  }

  /** Where each secret leaked: `[{ where, kind, excerpt }]`, empty when nothing leaked. */
  leaks(): Array<{ where: string; kind: SecretKind; excerpt: string }> {
    const found: Array<{ where: string; kind: SecretKind; excerpt: string }> = [];
    for (const { where, text } of this.texts()) {
      const lower = text.toLowerCase();
      for (const [secret, kind] of this.secrets) {
        const at = /^[0-9a-f]+$/.test(secret) ? lower.indexOf(secret) : text.indexOf(secret);
        if (at >= 0) found.push({ where, kind, excerpt: text.slice(Math.max(0, at - 80), at + 20) });
      }
    }
    return found;
  }
}

/**
 * Sign-in, refresh, a refresh that fails on the network, a revocation with its fallback, a failed API call, a
 * signer-less runtime holding a revoked refresh token, clearing tokens, the server-orchestrated connector with
 * the owner token, and createWallet. `logger` undefined: the default logger.
 */
async function runFlows(collector: Collector, logger: Logger | undefined): Promise<void> {
  const { seed } = server;
  collector.addSecret(seed.ownerToken, "owner token");
  collector.addSecret(seed.eoaPrivateKey, "private key");
  const fetch = collector.fetch();
  const logging = logger ? { logger } : {};

  // --- local key: sign-in, refresh, failed refresh, revocation fallback, failed call, clear
  let now = Date.now();
  const storage = collector.storage();
  const eoa = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
    wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(seed.eoaPrivateKey) }) },
    storage,
    fetch,
    now: () => now,
    backgroundRefresh: false,
    telemetry: false,
    ...logging,
  });
  runtimes.push(eoa);
  collector.watch(eoa);
  await eoa.authenticate();
  await eoa.api.listAgents();

  now += 120_000; // past the 60 s access TTL on the runtime's clock: a refresh
  await eoa.ensureAccessToken();
  expect(server.counters.get("refresh")).toBe(1);

  now += 120_000; // the refresh endpoint is down (503 on every attempt): refreshFailed, willRetry
  const refreshDown = server.faults.inject("refresh", { status: 503, body: { error: "unavailable" } });
  await collector.failure("refresh while the server is down", eoa.ensureAccessToken());
  refreshDown.remove();
  now += 10_000; // past the runtime's 5 s backoff
  await eoa.ensureAccessToken();

  server.admin.revokeCredential(seed.eoaCredentialId); // 401 -> refresh refused -> new challenge
  await eoa.api.listAgents();

  server.faults.inject("listAgents", { status: 500, times: 1 });
  await collector.failure("listAgents answered 500", eoa.api.listAgents());
  await eoa.api.signMessage({ message: "gm from the local key's session" });

  // a revoked refresh token handed to a runtime that cannot sign: reauthenticationRequired
  const revokedRefreshToken = JSON.parse(
    (await storage.get(`lucid-agent-auth:${server.url}:${seed.agentRef}:${seed.eoaCredentialId}`))!,
  ).refreshToken as string;
  server.admin.revokeCredential(seed.eoaCredentialId);
  const signerless = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: seed.agentRef,
      credentialId: seed.eoaCredentialId,
      refreshToken: revokedRefreshToken,
    },
    fetch,
    backgroundRefresh: false,
    telemetry: false,
    ...logging,
  });
  runtimes.push(signerless);
  collector.watch(signerless);
  await collector.failure("signer-less runtime with a revoked refresh token", signerless.ensureAccessToken());
  await collector.failure("signer-less runtime, second call", signerless.api.listAgents());

  await eoa.clearTokens("logout");

  // --- server-held wallet, first challenge signed with the owner token; then a revocation
  const connector = new ServerOrchestratorWalletConnector({
    baseUrl: server.url,
    agentRef: seed.agentRef,
    accessToken: seed.ownerToken,
    fetch,
  });
  const orchestrated = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.credentialId },
    wallet: { signer: connector },
    storage: collector.storage(),
    fetch,
    backgroundRefresh: false,
    telemetry: false,
    ...logging,
  });
  runtimes.push(orchestrated);
  collector.watch(orchestrated);
  collector.addSecret((await orchestrated.api.signMessage({ message: "gm" })).signature, "signature");
  server.admin.revokeCredential(seed.credentialId);
  await orchestrated.api.listAgents();

  // a connector whose owner token is refused: the challenge cannot be signed
  const refused = await AgentRuntime.fromConfig({
    config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.credentialId },
    wallet: {
      signer: new ServerOrchestratorWalletConnector({
        baseUrl: server.url,
        agentRef: seed.agentRef,
        accessToken: `${seed.ownerToken}x`,
        fetch,
      }),
    },
    fetch,
    backgroundRefresh: false,
    telemetry: false,
    ...logging,
  });
  runtimes.push(refused);
  collector.watch(refused);
  await collector.failure("server wallet refusing the owner token", refused.authenticate());

  // --- createWallet from the environment (server-orchestrated by default)
  const wallet = await createWallet({
    env: server.env,
    fetch,
    storage: collector.storage(),
    ...logging,
  });
  wallets.push(wallet);
  collector.watch(wallet);
  await wallet.ensureAccessToken();
  collector.addSecret((await wallet.signMessage({ message: "gm from createWallet" })).signature, "signature");
  const typed = await wallet.signTypedData({
    typed_data: {
      domain: { name: "Scan", version: "1", chainId: seed.chainId },
      types: { Note: [{ name: "text", type: "string" }] },
      primary_type: "Note",
      message: { text: "hello" },
    },
  });
  collector.addSecret(typed.signature, "signature");
  expect(await wallet.getAddress()).toBe(seed.serverWalletAddress);
  await wallet.shutdown();

  // every event kind was seen, so the scan covers all of them
  expect(new Set(collector.events.map((event) => event.name))).toEqual(new Set(EVENTS));
  // the scan is not vacuous
  expect(collector.count("access token")).toBeGreaterThanOrEqual(6);
  expect(collector.count("refresh token")).toBeGreaterThanOrEqual(5);
  expect(collector.count("signature")).toBeGreaterThanOrEqual(6);
  expect(collector.count("owner token")).toBe(2); // the real one and the refused one
  expect(collector.count("private key")).toBe(1);
  expect(collector.errors.length).toBeGreaterThanOrEqual(5 * 3);
}

describe("no secret reaches a log line, an error or an event", () => {
  it("with a capturing logger that receives every level", async () => {
    const collector = new Collector();
    await runFlows(collector, collector.logger());
    expect(collector.logs.filter((line) => JSON.parse(line).level === "debug").length).toBeGreaterThan(0);
    expect(collector.leaks()).toEqual([]);
  }, 30_000);

  it("with the default logger at debug level (LUCID_AGENT_DEBUG=1), writing to stderr", async () => {
    vi.stubEnv("LUCID_AGENT_DEBUG", "1");
    const collector = new Collector();
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      collector.logs.push(args.map(String).join(" "));
    });
    await runFlows(collector, undefined);
    expect(collector.logs.length).toBeGreaterThan(0);
    expect(collector.logs.filter((line) => JSON.parse(line).level === "debug").length).toBeGreaterThan(0);
    expect(collector.leaks()).toEqual([]);
  }, 30_000);

  it("a server error message echoing the caller's token is redacted in the thrown error", async () => {
    // Servers and proxies do echo credentials back ("token lat_... has expired"); the wallet connector already
    // runs the server's message through redactString, the API and auth clients must too.
    const collector = new Collector();
    const { seed } = server;
    let now = Date.now();
    const storage = collector.storage();
    const runtime = await AgentRuntime.fromConfig({
      config: { baseUrl: server.url, agentRef: seed.agentRef, credentialId: seed.eoaCredentialId },
      wallet: { signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(seed.eoaPrivateKey) }) },
      storage,
      fetch: collector.fetch(),
      now: () => now,
      backgroundRefresh: false,
      telemetry: false,
      logger: collector.logger(),
    });
    runtimes.push(runtime);
    collector.watch(runtime);
    const accessToken = await runtime.ensureAccessToken();
    const { refreshToken } = JSON.parse(
      (await storage.get(`lucid-agent-auth:${server.url}:${seed.agentRef}:${seed.eoaCredentialId}`))!,
    ) as {
      refreshToken: string;
    };

    server.faults.inject("listAgents", {
      status: 500,
      times: 1,
      body: { error: "internal_error", message: `upstream rejected bearer ${accessToken}` },
    });
    await collector.failure("API call, server echoes the access token", runtime.api.listAgents());

    now += 120_000;
    server.faults.inject("refresh", {
      status: 503,
      body: { error: "unavailable", message: `could not rotate ${refreshToken}` },
    });
    await collector.failure("refresh, server echoes the refresh token", runtime.ensureAccessToken());

    expect(collector.errors.length).toBe(6);
    expect(collector.leaks()).toEqual([]);
  });
});
