import { parseArgs } from "node:util";
import { CHALLENGE_FORMATS, type ChallengeFormat, type LocalServerOptions } from "./options.js";

/** Usage text of `lucid-local-server`. */
export const USAGE = `Usage: lucid-local-server [options]

Starts a local Lucid-compatible server (auth, agents, agent wallet) on a local anvil chain and prints
dotenv lines (LUCID_BASE_URL=..., LUCID_AGENT_REF=..., ...) on stdout. Logs go to stderr. Ctrl-C stops it.

Options:
  --port N                 TCP port (default 0: a free port)
  --host H                 interface to listen on (default 127.0.0.1)
  --access-ttl S           access token lifetime in seconds (default 900)
  --refresh-ttl S          refresh token lifetime in seconds (default 2592000, 30 days)
  --challenge-ttl S        challenge lifetime in seconds (default 300)
  --challenge-format F     siwe | typed_data | raw (default siwe)
  --refresh-grace S        seconds a rotated refresh token may be presented again (default 0)
  --chain-id N             chain id of the spawned anvil (default 31337)
  --rpc-url URL            use this EVM node (anvil) instead of spawning one
  --anvil-path P           anvil binary (default LUCID_ANVIL_PATH, then @foundry-rs/anvil-<platform>)
  --wallet W               which wallet of the agent the printed variables sign in with: server (default; the
                           server-held wallet, first challenge signed with LUCID_SERVER_ACCESS_TOKEN) or local
                           (LUCID_AGENT_PRIVATE_KEY, a throwaway key the server seeded)
  --write-agent-json P     also write the agent's .lucid-agent.json to P, with the credential of the
                           --wallet chosen (read by AgentRuntime.load; contains no secret)
  --no-x402                do not start the x402 seller and facilitator (the USDC token is still deployed)
  -h, --help               show this help
`;

/** The wallets `--wallet` chooses between. */
export const CLI_WALLETS = ["server", "local"] as const;

/** What the CLI does besides serving. */
export interface CliOutput {
  /** Which wallet the printed variables sign in with. */
  wallet: (typeof CLI_WALLETS)[number];
  /** Where to write a `.lucid-agent.json`, if anywhere. */
  agentJsonPath?: string;
}

/** The outcome of parsing the command line. */
export type CliArgs =
  | { kind: "help" }
  | { kind: "run"; options: LocalServerOptions; output: CliOutput }
  | { kind: "error"; message: string };

function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${value}".`);
  }
  return Number(value);
}

function seconds(name: string, value: string | undefined, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new Error(
      `--${name} must be a ${allowZero ? "non-negative" : "positive"} number of seconds, got "${value}".`,
    );
  }
  return n;
}

/**
 * Parses `lucid-local-server` arguments (without `node` and the script). Never throws. A leading `--` is skipped:
 * `pnpm run local-server -- --port 8787` passes it through.
 */
export function parseCliArgs(argv: string[]): CliArgs {
  try {
    const { values } = parseArgs({
      args: argv[0] === "--" ? argv.slice(1) : argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "access-ttl": { type: "string" },
        "refresh-ttl": { type: "string" },
        "challenge-ttl": { type: "string" },
        "challenge-format": { type: "string" },
        "refresh-grace": { type: "string" },
        "chain-id": { type: "string" },
        "rpc-url": { type: "string" },
        "anvil-path": { type: "string" },
        wallet: { type: "string" },
        "write-agent-json": { type: "string" },
        "no-x402": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) return { kind: "help" };
    const format = values["challenge-format"];
    if (format !== undefined && !CHALLENGE_FORMATS.includes(format as ChallengeFormat)) {
      throw new Error(`--challenge-format must be one of ${CHALLENGE_FORMATS.join(", ")}, got "${format}".`);
    }
    const options: LocalServerOptions = {};
    const port = integer("port", values.port, 0, 65535);
    if (port !== undefined) options.port = port;
    if (values.host !== undefined) options.host = values.host;
    const accessTtl = seconds("access-ttl", values["access-ttl"]);
    if (accessTtl !== undefined) options.accessTtlSeconds = accessTtl;
    const refreshTtl = seconds("refresh-ttl", values["refresh-ttl"]);
    if (refreshTtl !== undefined) options.refreshTtlSeconds = refreshTtl;
    const challengeTtl = seconds("challenge-ttl", values["challenge-ttl"]);
    if (challengeTtl !== undefined) options.challengeTtlSeconds = challengeTtl;
    if (format !== undefined) options.challengeFormat = format as ChallengeFormat;
    const grace = seconds("refresh-grace", values["refresh-grace"], true);
    if (grace !== undefined) options.refreshReuseGraceSeconds = grace;
    const chainId = integer("chain-id", values["chain-id"], 1, Number.MAX_SAFE_INTEGER);
    if (values["rpc-url"] !== undefined) {
      options.chain =
        chainId === undefined ? { rpcUrl: values["rpc-url"] } : { rpcUrl: values["rpc-url"], chainId };
    } else if (chainId !== undefined) {
      options.chainId = chainId;
    }
    if (values["anvil-path"] !== undefined) options.anvilPath = values["anvil-path"];
    const wallet = values.wallet ?? "server";
    if (!CLI_WALLETS.includes(wallet as CliOutput["wallet"])) {
      throw new Error(`--wallet must be one of ${CLI_WALLETS.join(", ")}, got "${wallet}".`);
    }
    const output: CliOutput = { wallet: wallet as CliOutput["wallet"] };
    const agentJson = values["write-agent-json"];
    if (agentJson !== undefined) {
      if (agentJson.trim() === "") throw new Error("--write-agent-json needs a file path.");
      output.agentJsonPath = agentJson;
    }
    if (values["no-x402"]) options.x402 = false;
    return { kind: "run", options, output };
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error) };
  }
}
