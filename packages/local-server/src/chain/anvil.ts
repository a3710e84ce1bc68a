import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { LocalServerError } from "../local-server-error.js";

/** Options of {@link startAnvil}. */
export interface StartAnvilOptions {
  binaryPath: string;
  chainId: number;
  host?: string;
  /** How long anvil may take to print its address; default 15000 ms. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** A running anvil process. */
export interface AnvilProcess {
  rpcUrl: string;
  pid: number;
  /** Stops anvil (SIGTERM, then SIGKILL after 3 s). Idempotent. */
  stop(): Promise<void>;
}

const LISTENING = /Listening on (\S+):(\d+)/;

/** Every anvil this process spawned and has not stopped; killed synchronously if the process exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  running.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const tracked of running) tracked.kill("SIGKILL");
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/**
 * Spawns anvil on a free port (`--port 0`) and resolves once it prints `Listening on host:port`. Its output is
 * drained for as long as it runs (so it never blocks on a full pipe). A process `exit` hook kills it if the
 * parent exits without calling `stop()` (a parent killed with SIGKILL cannot clean up).
 */
export function startAnvil(options: StartAnvilOptions): Promise<AnvilProcess> {
  const host = options.host ?? "127.0.0.1";
  const timeoutMs = options.timeoutMs ?? 15_000;
  const log = options.log ?? (() => {});
  const args = ["--port", "0", "--host", host, "--chain-id", String(options.chainId)];

  return new Promise<AnvilProcess>((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(options.binaryPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      reject(
        new LocalServerError("anvil_failed", `Could not spawn anvil (${options.binaryPath}).`, {
          cause: error,
        }),
      );
      return;
    }
    track(child);

    const stderrTail: string[] = [];
    let settled = false;
    let stopping: Promise<void> | undefined;

    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        if (!(await waitForExit(child, 3000))) {
          child.kill("SIGKILL");
          await waitForExit(child, 3000);
        }
      })();
      return stopping;
    };

    const fail = (error: LocalServerError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop();
      reject(error);
    };

    const timer = setTimeout(() => {
      fail(
        new LocalServerError(
          "anvil_timeout",
          `anvil did not start listening within ${timeoutMs} ms; check that ${options.binaryPath} runs (try it with --version).`,
        ),
      );
    }, timeoutMs);

    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (settled) return;
      const match = LISTENING.exec(line);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      const rpcUrl = `http://${match[1]}:${match[2]}`;
      log(`anvil (pid ${child.pid}) listening on ${rpcUrl}`);
      resolve({ rpcUrl, pid: child.pid!, stop });
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      if (settled) log(`anvil: ${line}`);
    });

    child.once("error", (error) => {
      const code = (error as NodeJS.ErrnoException).code;
      fail(
        new LocalServerError(
          code === "ENOENT" ? "anvil_not_found" : "anvil_failed",
          code === "ENOENT"
            ? `The anvil binary ${options.binaryPath} does not exist; pass anvilPath or LUCID_ANVIL_PATH.`
            : `anvil failed to start: ${error.message}.`,
          { cause: error },
        ),
      );
    });
    child.once("exit", () => {
      running.delete(child);
    });
    // `close`, not `exit`: `close` comes after stdout and stderr have ended, so every stderr line is in the tail.
    child.once("close", (code, signal) => {
      running.delete(child);
      if (settled && !stopping) log(`anvil exited unexpectedly (code ${code}, signal ${signal})`);
      fail(
        new LocalServerError(
          "anvil_failed",
          `anvil exited before listening (code ${code}, signal ${signal}): ${stderrTail.join(" | ") || "no output"}.`,
        ),
      );
    });
  });
}
