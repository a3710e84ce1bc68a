import { parseArgs } from "node:util";
import { ConfigurationError } from "@lucid-dreams/agent-auth/tools";

/** What `lucid-mcp` was asked to do. */
export interface CliArgs {
  help: boolean;
  /** The policy file (`--policy`). */
  policy?: string;
  /** `--http`: Streamable HTTP instead of stdio. */
  http: boolean;
  port: number;
  host: string;
  /** The tenants file (`--tenants`, required with `--http`). */
  tenants?: string;
}

/** The usage text of `lucid-mcp --help`. */
export const USAGE = `Usage:
  lucid-mcp [--policy policy.json]
      MCP over stdio for one agent: the session comes from LUCID_* variables or .lucid-agent.json.
  lucid-mcp --http --tenants tenants.json [--port N] [--host H] [--policy policy.json]
      MCP over Streamable HTTP at /mcp; each bearer token of tenants.json is bound to one agent.

Options:
  --policy FILE    the tool policy (limits, allowed chains, approvals) as JSON
  --http           serve Streamable HTTP instead of stdio
  --tenants FILE   with --http: bearer tokens and the agent of each
  --port N         with --http: the port (default 0: a free one, printed as LUCID_MCP_URL=...)
  --host H         with --http: the address to listen on (default 127.0.0.1)
  --help           this text`;

/** Parses the command line; throws `ConfigurationError` for anything it does not understand. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        policy: { type: "string" },
        http: { type: "boolean" },
        tenants: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
      },
    }));
  } catch (error) {
    throw new ConfigurationError(`${(error as Error).message.split("\n", 1)[0]}`, {
      hint: "Run lucid-mcp --help for the options.",
    });
  }
  const http = values.http === true;
  if (!http && (values.tenants !== undefined || values.port !== undefined || values.host !== undefined)) {
    throw new ConfigurationError("--tenants, --port and --host only apply with --http.", {
      hint: "Add --http to serve Streamable HTTP.",
    });
  }
  if (http && values.tenants === undefined && values.help !== true) {
    throw new ConfigurationError("--http needs --tenants tenants.json.", {
      hint: "The tenants file maps each bearer token to one agent; see the README.",
    });
  }
  const portText = (values.port as string | undefined) ?? "0";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigurationError(`--port ${portText} is not a port number.`, { hint: "Use 0 to 65535." });
  }
  return {
    help: values.help === true,
    http,
    port,
    host: (values.host as string | undefined) ?? "127.0.0.1",
    ...(values.policy !== undefined ? { policy: values.policy as string } : {}),
    ...(values.tenants !== undefined ? { tenants: values.tenants as string } : {}),
  };
}
