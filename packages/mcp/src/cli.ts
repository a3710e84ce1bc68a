#!/usr/bin/env node
/**
 * `lucid-mcp`: the Lucid wallet tools for MCP clients, over stdio (one agent, from the environment or
 * `.lucid-agent.json`) or Streamable HTTP (`--http`, one agent per bearer token). Logs go to stderr; with
 * `--http`, stdout gets one line `LUCID_MCP_URL=<endpoint>` once it listens. SIGINT, SIGTERM and (stdio) the
 * end of stdin stop it with exit code 0; a bad flag or config exits 2, a failure to start exits 1.
 */
import { AgentAuthError, createWallet } from "@lucid-dreams/agent-auth";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createBearerAuthenticator } from "./bearer-authenticator.js";
import { type CliArgs, parseCliArgs, USAGE } from "./cli-args.js";
import { createLucidMcpServer } from "./create-lucid-mcp-server.js";
import { loadPolicyFile, type PolicyFileOptions, rpcFromEnvironment } from "./policy-file.js";
import { startLucidMcpHttpServer } from "./start-lucid-mcp-http-server.js";
import { createTenantSessions } from "./tenant-sessions.js";
import { loadTenantsFile } from "./tenants-file.js";

const log = (line: string) => process.stderr.write(`lucid-mcp: ${line}\n`);

/** Runs `stop` once on SIGINT, SIGTERM or `also`, then exits 0. */
function onShutdown(stop: () => Promise<void>, also?: (trigger: () => void) => void): void {
  let stopping = false;
  const trigger = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", trigger);
  process.once("SIGTERM", trigger);
  also?.(trigger);
}

async function serveStdio(policy: PolicyFileOptions): Promise<void> {
  const wallet = await createWallet();
  const server = createLucidMcpServer({ session: wallet, ...policy });
  const transport = new StdioServerTransport();
  onShutdown(
    async () => {
      await server.close();
      await wallet.shutdown();
    },
    (trigger) => {
      process.stdin.once("end", trigger);
      process.stdin.once("close", trigger);
      transport.onclose = trigger;
    },
  );
  await server.connect(transport);
  log(`serving the Lucid tools over stdio for agent ${wallet.runtime.config.agentRef}`);
}

async function serveHttp(args: CliArgs, policy: PolicyFileOptions): Promise<void> {
  const file = await loadTenantsFile(args.tenants!);
  const tenants = createTenantSessions(file);
  const authenticate = createBearerAuthenticator(
    file.tenants.map((entry) => ({ tenant: entry.name, token: entry.token })),
  );
  const server = await startLucidMcpHttpServer({
    ...policy,
    authenticate,
    session: (tenant) => tenants.session(tenant),
    ...(file.rpc ? { rpc: { ...policy.rpc, ...file.rpc } } : {}),
    port: args.port,
    host: args.host,
  });
  onShutdown(async () => {
    await server.close();
    await tenants.shutdown();
  });
  process.stdout.write(`LUCID_MCP_URL=${server.url}\n`);
  log(`serving the Lucid tools over Streamable HTTP at ${server.url} for ${file.tenants.length} tenant(s)`);
}

async function main(): Promise<void> {
  let args: CliArgs;
  let policy: PolicyFileOptions = { policy: {} };
  try {
    args = parseCliArgs(process.argv.slice(2));
    if (args.help) {
      process.stderr.write(`${USAGE}\n`);
      return;
    }
    if (args.policy) policy = await loadPolicyFile(args.policy);
    if (!args.http) policy = rpcFromEnvironment(policy, process.env);
  } catch (error) {
    fail(error, 2);
    return;
  }
  try {
    await (args.http ? serveHttp(args, policy) : serveStdio(policy));
  } catch (error) {
    fail(error, AgentAuthError.isInstance(error) && error.code === "configuration_error" ? 2 : 1);
  }
}

/** Prints a typed error's message and hint (never a stack or a cause, which could hold a secret). */
function fail(error: unknown, code: number): void {
  if (AgentAuthError.isInstance(error)) {
    log(error.message); // the message ends with the hint
  } else {
    log(`could not start: ${error instanceof Error ? error.name : "unknown error"}`);
  }
  process.exit(code);
}

await main();
