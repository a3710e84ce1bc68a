#!/usr/bin/env node
import { parseCliArgs, USAGE } from "./cli-args.js";
import { formatDotenv } from "./env.js";
import { LocalServerError } from "./local-server-error.js";
import { type LocalServer, startLocalServer } from "./start-local-server.js";

const log = (line: string) => process.stderr.write(`[lucid-local-server] ${line}\n`);

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.kind === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (args.kind === "error") {
    process.stderr.write(`lucid-local-server: ${args.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  // Handle signals from the start: a signal during startup must still stop the anvil being spawned.
  let server: LocalServer | undefined;
  let stopping = false;
  const shutdown = (running: LocalServer) =>
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`error while stopping: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping`);
    if (server) void shutdown(server);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  try {
    server = await startLocalServer({ ...args.options, log });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = LocalServerError.isInstance(error) ? ` (${error.code})` : "";
    process.stderr.write(`lucid-local-server: could not start${code}: ${message}\n`);
    process.exit(LocalServerError.isInstance(error) && error.code === "invalid_option" ? 2 : 1);
  }
  if (stopping) {
    await shutdown(server);
    return;
  }

  const { output } = args;
  if (output.agentJsonPath !== undefined) {
    try {
      const path = await server.writeAgentJson(output.agentJsonPath, { wallet: output.wallet });
      log(`wrote ${path} (agent ${server.seed.agentRef}, ${output.wallet} wallet credential)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`lucid-local-server: could not write ${output.agentJsonPath}: ${message}\n`);
      await server.close();
      process.exit(1);
    }
  }
  process.stdout.write(formatDotenv(output.wallet === "local" ? server.localKeyEnv : server.env));
  log(
    `ready: ${server.url} (agent ${server.seed.agentRef}, chain ${server.seed.caip2} at ${server.seed.rpcUrl})`,
  );
}

void main();
