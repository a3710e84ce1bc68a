import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AgentRuntime } from "./agent-runtime.js";
import { LocalEoaWalletConnector } from "./wallet/local-key-connector.js";

const fixture = fileURLToPath(new URL("../../test/fixtures/runtime-shutdown-exit.mjs", import.meta.url));
const builtEntries = ["../../dist/index.js", "../../dist/node.js"].map((path) =>
  fileURLToPath(new URL(path, import.meta.url)),
);

/**
 * What may still be listed as keeping the child's event loop alive after its last act: its stdout pipe (and a
 * pending write to it). A ref'ed timer (the refresh timer, about 15 minutes away) or a ref'ed socket (a
 * keep-alive connection, idling out after seconds) would be listed as `Timeout` or `TCPSocketWrap`.
 */
const MAY_REMAIN = new Set(["PipeWrap", "WriteWrap", "TTYWrap"]);
const holding = (run: ChildRun) => (run.report?.active ?? []).filter((kind) => !MAY_REMAIN.has(kind));

let server: LocalServer;
const runtimes: AgentRuntime[] = [];

beforeAll(async () => {
  // default access TTL (900 s): the background refresh timer is ~14.5 minutes away
  server = await startLocalServer({ port: 0 });
  for (const entry of builtEntries) {
    if (!existsSync(entry)) throw new Error(`Build first (corepack pnpm build): ${entry} is missing`);
  }
});
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.shutdown()));
});
afterAll(async () => {
  await server.close();
});

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  report: {
    done: boolean;
    agents: number;
    expiresInMs: number;
    shutdown: boolean;
    transport: string;
    /** `process.getActiveResourcesInfo()` after the child's work: what keeps its event loop alive. */
    active: string[];
  } | null;
  stderr: string;
}

/**
 * Runs the fixture until it exits by itself (its streams closed); kills it (and fails) after `limitMs`, a bound
 * for a hang only: the promptness is judged by what the child reports still holding its event loop.
 */
function runChild(env: Record<string, string>, limitMs = 60_000): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture], {
      env: {
        ...process.env,
        LUCID_TEST_BASE_URL: server.url,
        LUCID_TEST_AGENT_REF: server.seed.agentRef,
        LUCID_TEST_CREDENTIAL_ID: server.seed.eoaCredentialId,
        LUCID_TEST_PRIVATE_KEY: server.seed.eoaPrivateKey,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the child did not exit by itself within ${limitMs} ms; stdout: ${stdout}`));
    }, limitMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      const line = stdout.split("\n")[0] ?? "";
      resolve({
        code,
        signal,
        report: line ? (JSON.parse(line) as ChildRun["report"]) : null,
        stderr,
      });
    });
  });
}

describe("a process using the runtime exits by itself", () => {
  it("after shutdown(), without process.exit()", async () => {
    const run = await runChild({ LUCID_TEST_SHUTDOWN: "1" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({ done: true, agents: 1, shutdown: true, transport: "default" });
    expect(run.report!.expiresInMs).toBeGreaterThan(10 * 60_000); // the refresh timer was minutes away
    expect(holding(run)).toEqual([]);
  }, 90_000);

  it("without shutdown(): the refresh timer is unref'd and keep-alive sockets do not hold the loop", async () => {
    const run = await runChild({ LUCID_TEST_SHUTDOWN: "0" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({ done: true, agents: 1, shutdown: false });
    expect(holding(run)).toEqual([]);
  }, 90_000);

  it("with the Node undici transport (own keep-alive pool) left open, with and without shutdown()", async () => {
    for (const shutdown of ["1", "0"]) {
      const run = await runChild({
        LUCID_TEST_SHUTDOWN: shutdown,
        LUCID_TEST_TRANSPORT: "undici",
        LUCID_TEST_CLOSE_TRANSPORT: "0",
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.report).toMatchObject({ done: true, agents: 1, transport: "undici" });
      expect(holding(run)).toEqual([]);
    }
  }, 150_000);
});

interface TrackedTimer {
  delayMs: number;
  state: "pending" | "fired" | "cleared";
}

const packageSources = fileURLToPath(new URL("../", import.meta.url));
const thisFile = fileURLToPath(import.meta.url);

/**
 * True when the code calling setTimeout/setInterval is this package's (not undici's socket timers, which go
 * through the same global and belong to the shared fetch dispatcher).
 */
const calledFromPackage = () =>
  (new Error().stack ?? "")
    .split("\n")
    .some((frame) => frame.includes(packageSources) && !frame.includes(thisFile));

/** Records every timer this package's code creates through the global setTimeout/setInterval. */
function trackTimers() {
  const timers = new Map<unknown, TrackedTimer>();
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  const realSetInterval = globalThis.setInterval;
  const realClearInterval = globalThis.clearInterval;
  const clear = (handle: unknown) => {
    const tracked = timers.get(handle);
    if (tracked?.state === "pending") tracked.state = "cleared";
  };
  vi.spyOn(globalThis, "setTimeout").mockImplementation(((
    callback: (...args: unknown[]) => void,
    delay?: number,
    ...args: unknown[]
  ) => {
    const tracked: TrackedTimer = { delayMs: delay ?? 0, state: "pending" };
    const handle = realSetTimeout(
      (...callArgs: unknown[]) => {
        tracked.state = "fired";
        callback(...callArgs);
      },
      delay,
      ...args,
    );
    if (calledFromPackage()) timers.set(handle, tracked);
    return handle;
  }) as typeof setTimeout);
  vi.spyOn(globalThis, "clearTimeout").mockImplementation(((handle: Parameters<typeof clearTimeout>[0]) => {
    clear(handle);
    realClearTimeout(handle);
  }) as typeof clearTimeout);
  vi.spyOn(globalThis, "setInterval").mockImplementation(((
    callback: (...args: unknown[]) => void,
    delay?: number,
    ...args: unknown[]
  ) => {
    const handle = realSetInterval(callback, delay, ...args);
    if (calledFromPackage()) timers.set(handle, { delayMs: delay ?? 0, state: "pending" });
    return handle;
  }) as typeof setInterval);
  vi.spyOn(globalThis, "clearInterval").mockImplementation(((handle: Parameters<typeof clearInterval>[0]) => {
    clear(handle);
    realClearInterval(handle);
  }) as typeof clearInterval);
  return {
    pending: () => [...timers.values()].filter((timer) => timer.state === "pending"),
    created: () => timers.size,
  };
}

const activeTimeouts = () => process.getActiveResourcesInfo().filter((type) => type === "Timeout").length;

describe("shutdown() in process", () => {
  it("leaves no timer behind: the active Timeout count does not grow, and every runtime timer is gone", async () => {
    const before = activeTimeouts();
    const timers = trackTimers();
    const runtime = await AgentRuntime.fromConfig({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
      wallet: {
        signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
      },
      telemetry: false,
      // backgroundRefresh defaults to true
    });
    runtimes.push(runtime);
    await runtime.authenticate();
    await runtime.api.listAgents();

    // negative control: the tracker does see the background refresh timer (~14.5 minutes away) while it runs
    expect(timers.created()).toBeGreaterThan(0);
    expect(timers.pending().some((timer) => timer.delayMs > 10 * 60_000)).toBe(true);

    await runtime.shutdown();
    expect(timers.pending()).toEqual([]);
    expect(activeTimeouts()).toBeLessThanOrEqual(before);

    // idempotent, and nothing re-arms afterwards
    await runtime.shutdown();
    expect(timers.pending()).toEqual([]);
  });
});
