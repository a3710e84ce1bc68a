/** Runs fleet workers (child processes) and collects their reports. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface WorkerReport {
  pid: number;
  calls: number;
  failures: number;
  failureSample: string[];
  events: Record<string, number>;
  stats: Record<string, number>;
  fatal?: string;
}

const workerPath = fileURLToPath(new URL("./fixtures/fleet-worker.mjs", import.meta.url));

/** Forks `count` workers with `options`, starts them together, and resolves with every report. */
export async function runFleet(
  count: number,
  options: Record<string, unknown>,
  children: ChildProcess[],
): Promise<WorkerReport[]> {
  const ready: Promise<void>[] = [];
  const reports: Promise<WorkerReport>[] = [];
  for (let index = 0; index < count; index += 1) {
    const child = fork(workerPath, [JSON.stringify(options)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.push(child);
    ready.push(
      new Promise((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("close", (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
      }),
    );
    reports.push(
      new Promise((resolve, reject) => {
        child.on("message", (message) => {
          if (message !== "ready") resolve(message as WorkerReport);
        });
        child.once("close", (code) => reject(new Error(`worker exited (${code}) without a report`)));
      }),
    );
  }
  await Promise.all(ready);
  for (const child of children) child.send("go");
  return Promise.all(reports);
}

/** Kills every child still running and waits for its `close`. */
export async function stopChildren(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((resolve) => child.once("close", resolve));
      child.kill("SIGKILL");
      await closed;
    }),
  );
}
