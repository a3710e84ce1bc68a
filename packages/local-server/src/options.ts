import { LocalServerError } from "./local-server-error.js";

/** What a challenge asks the wallet to sign. */
export type ChallengeFormat = "siwe" | "typed_data" | "raw";

/** The challenge formats, for validation and help text. */
export const CHALLENGE_FORMATS: readonly ChallengeFormat[] = ["siwe", "typed_data", "raw"];

/** One agent to seed. */
export interface LocalServerAgentOptions {
  /** The agent's ref (slug), unique. */
  ref: string;
  /** Display name; defaults to the ref. */
  name?: string;
  description?: string;
}

/** An EVM node to use instead of spawning anvil. It should be anvil (or accept `anvil_setBalance`). */
export interface ExternalChainOptions {
  rpcUrl: string;
  /** Checked against the node's `eth_chainId`; read from the node when omitted. */
  chainId?: number;
}

/** Options of {@link startLocalServer}. Every field is optional. */
export interface LocalServerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Access token lifetime in seconds; default 900. */
  accessTtlSeconds?: number;
  /** Refresh token lifetime in seconds; default 30 days. */
  refreshTtlSeconds?: number;
  /** Challenge lifetime in seconds; default 300. */
  challengeTtlSeconds?: number;
  /** What challenges ask to sign: an EIP-4361 SIWE message (default), EIP-712 typed data, or 32 raw bytes. */
  challengeFormat?: ChallengeFormat;
  /**
   * Seconds after a refresh token was rotated during which presenting it again yields a fresh pair instead of
   * revoking the family (for clients that lost the response). Default 0: any reuse revokes.
   */
  refreshReuseGraceSeconds?: number;
  /** Largest request body accepted, in bytes; default 64 KiB. */
  maxBodyBytes?: number;
  /** Chain id of the spawned anvil; default 31337. */
  chainId?: number;
  /** Use this node instead of spawning anvil. */
  chain?: ExternalChainOptions;
  /** Path of the anvil binary; default `LUCID_ANVIL_PATH`, then the binary of `@foundry-rs/anvil-<platform>`. */
  anvilPath?: string;
  /** How long anvil may take to start listening, in ms; default 15000. */
  anvilStartupTimeoutMs?: number;
  /** Agents to seed; default one agent `demo-agent` ("Demo agent"). */
  agents?: LocalServerAgentOptions[];
  /** Clock in ms since the epoch; default `Date.now`. Drives every expiry (challenges, tokens, idempotency). */
  now?: () => number;
  /** Uniform random number in [0, 1); default `Math.random`. Drives fault probabilities only (secrets use the CSPRNG). */
  random?: () => number;
  /** Receives log lines (startup, unexpected errors); default: discard. */
  log?: (line: string) => void;
  /**
   * Run the x402 seller (a paywalled route) and the local facilitator that settles its payments on the chain.
   * Default true; pass false to skip both when a test needs no x402 (the USDC-like token is deployed either way).
   */
  x402?: boolean;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  accessTtlMs: number;
  refreshTtlMs: number;
  challengeTtlMs: number;
  challengeFormat: ChallengeFormat;
  refreshReuseGraceMs: number;
  maxBodyBytes: number;
  chainId: number;
  chain: ExternalChainOptions | undefined;
  anvilPath: string | undefined;
  anvilStartupTimeoutMs: number;
  agents: Required<LocalServerAgentOptions>[];
  now: () => number;
  random: () => number;
  log: (line: string) => void;
  x402: boolean;
}

const DAY_SECONDS = 24 * 60 * 60;
const REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function positiveSeconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback * 1000;
  if (!Number.isFinite(value) || value <= 0) {
    throw new LocalServerError(
      "invalid_option",
      `${name} must be a positive number of seconds, got ${value}.`,
    );
  }
  return Math.round(value * 1000);
}

function integerIn(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalServerError(
      "invalid_option",
      `${name} must be an integer from ${min} to ${max}, got ${value}.`,
    );
  }
  return value;
}

function resolveAgents(agents: LocalServerAgentOptions[] | undefined): Required<LocalServerAgentOptions>[] {
  const list = agents ?? [{ ref: "demo-agent", name: "Demo agent" }];
  if (list.length === 0) throw new LocalServerError("invalid_option", "agents must list at least one agent.");
  const seen = new Set<string>();
  return list.map((agent) => {
    if (!REF_PATTERN.test(agent.ref)) {
      throw new LocalServerError(
        "invalid_option",
        `Agent ref "${agent.ref}" is not a slug; use letters, digits, ".", "_" or "-" (at most 64).`,
      );
    }
    if (seen.has(agent.ref))
      throw new LocalServerError("invalid_option", `Agent ref "${agent.ref}" is listed twice.`);
    seen.add(agent.ref);
    return { ref: agent.ref, name: agent.name ?? agent.ref, description: agent.description ?? "" };
  });
}

/** Applies the defaults and checks every option; a bad option throws `LocalServerError` `invalid_option`. */
export function resolveOptions(options: LocalServerOptions = {}): ResolvedOptions {
  const format = options.challengeFormat ?? "siwe";
  if (!CHALLENGE_FORMATS.includes(format)) {
    throw new LocalServerError(
      "invalid_option",
      `challengeFormat must be one of ${CHALLENGE_FORMATS.join(", ")}, got ${String(format)}.`,
    );
  }
  const grace = options.refreshReuseGraceSeconds ?? 0;
  if (!Number.isFinite(grace) || grace < 0) {
    throw new LocalServerError("invalid_option", `refreshReuseGraceSeconds must be >= 0, got ${grace}.`);
  }
  if (options.chain && typeof options.chain.rpcUrl !== "string") {
    throw new LocalServerError("invalid_option", "chain.rpcUrl must be the URL of an EVM JSON-RPC node.");
  }
  return {
    port: integerIn("port", options.port, 0, 0, 65535),
    host: options.host ?? "127.0.0.1",
    accessTtlMs: positiveSeconds("accessTtlSeconds", options.accessTtlSeconds, 900),
    refreshTtlMs: positiveSeconds("refreshTtlSeconds", options.refreshTtlSeconds, 30 * DAY_SECONDS),
    challengeTtlMs: positiveSeconds("challengeTtlSeconds", options.challengeTtlSeconds, 300),
    challengeFormat: format,
    refreshReuseGraceMs: Math.round(grace * 1000),
    maxBodyBytes: integerIn("maxBodyBytes", options.maxBodyBytes, 64 * 1024, 1, 64 * 1024 * 1024),
    chainId: integerIn(
      "chainId",
      options.chain?.chainId ?? options.chainId,
      31337,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    chain: options.chain,
    anvilPath: options.anvilPath,
    anvilStartupTimeoutMs: integerIn(
      "anvilStartupTimeoutMs",
      options.anvilStartupTimeoutMs,
      15_000,
      1,
      600_000,
    ),
    agents: resolveAgents(options.agents),
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    log: options.log ?? (() => {}),
    x402: options.x402 ?? true,
  };
}
