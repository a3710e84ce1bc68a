import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { resolve as resolvePath } from "node:path";
import type { Address, Hex } from "viem";
import { revokeCredential, setCredentialDisabled } from "./auth/revoke.js";
import { type AnvilProcess, startAnvil } from "./chain/anvil.js";
import { type ChainConnection, connectChain } from "./chain/chain-connection.js";
import { resolveAnvilPath } from "./chain/resolve-anvil-path.js";
import { agentConfigFile, buildEnv, type EnvWallet } from "./env.js";
import { createRequestListener } from "./http/request-listener.js";
import { createRouter } from "./http/router.js";
import { closeServer, listen } from "./http/server-lifecycle.js";
import { type LocalServerOptions, resolveOptions } from "./options.js";
import { createRoutes } from "./routes.js";
import { type SeededAgent, seedStore } from "./seed.js";
import type { ServerContext } from "./server-context.js";
import { createStore } from "./store/store.js";
import { type Counters, createCounters } from "./testing/counters.js";
import { createFaults, type Faults } from "./testing/faults.js";
import { createIdempotencyStore } from "./wallet/idempotency.js";
import { createKeyedMutex } from "./wallet/keyed-mutex.js";
import {
  deployLocalUsdc,
  LOCAL_USDC_DECIMALS,
  LOCAL_USDC_SYMBOL,
  SEEDED_USDC_BALANCE,
} from "./x402/local-usdc.js";
import { type LocalX402, type RunningX402, startX402 } from "./x402/start-x402.js";

/** The USDC-like ERC-20 (EIP-3009) the server deployed and funded every seeded wallet with. */
export interface LocalServerToken {
  address: Address;
  /** `USDC`. */
  symbol: string;
  /** 6. */
  decimals: number;
  /** What each seeded wallet (server-held and local EOA) was given, in base units (1000 USDC). */
  seededBalance: bigint;
}

/** What the server seeded, with the first agent's fields at the top level for convenience. */
export interface LocalServerSeed {
  /** First agent's ref (`demo-agent` by default). */
  agentRef: string;
  agentId: string;
  /** First agent's server-wallet credential (sign the challenge with the wallet endpoints). */
  credentialId: string;
  /** First agent's local-EOA credential (sign the challenge with `eoaPrivateKey`). */
  eoaCredentialId: string;
  eoaPrivateKey: Hex;
  eoaAddress: Address;
  /** First agent's server-held wallet address. */
  serverWalletAddress: Address;
  /** Owner token of every seeded agent (`lot_...`). */
  ownerToken: string;
  chainId: number;
  /** `eip155:<chainId>`. */
  caip2: string;
  /** JSON-RPC URL of the chain (anvil). */
  rpcUrl: string;
  /** Every seeded agent, in the order of `options.agents`. */
  agents: SeededAgent[];
  /** The USDC-like token on the chain. */
  token: LocalServerToken;
}

/** Test and admin controls that act on the server's state directly. */
export interface LocalServerAdmin {
  /**
   * Revokes a credential's sessions: bumps its `revocation_nonce` and revokes every token family issued for it
   * (their access and refresh tokens answer 401 `credential_revoked`). New challenges still work.
   * Returns false for an unknown credential.
   */
  revokeCredential(credentialId: string): boolean;
  /** Disables (or re-enables) a credential: disabling revokes its sessions and refuses its challenges. */
  setCredentialDisabled(credentialId: string, disabled: boolean): boolean;
  /** How many token families (sign-ins) exist, and how many of them were revoked (e.g. for a replayed refresh token). */
  familyCounts(): { total: number; revoked: number };
}

/** A running local Lucid-compatible server. */
export interface LocalServer {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  seed: LocalServerSeed;
  /**
   * The dotenv values the CLI prints (`LUCID_BASE_URL`, `LUCID_AGENT_REF`, `LUCID_AGENT_CREDENTIAL`, ...): the
   * first agent signing in with its server-held wallet (`LUCID_SERVER_ACCESS_TOKEN` signs the first challenge).
   */
  env: Record<string, string>;
  /**
   * The same for the first agent's local key (`lucid-local-server --wallet local`): `LUCID_AGENT_CREDENTIAL` is the
   * key's credential and `LUCID_AGENT_PRIVATE_KEY` the key, so `createWallet()` signs in with it.
   */
  localKeyEnv: Record<string, string>;
  /**
   * Writes the first agent's `.lucid-agent.json` (`agentId`, `agentRef`, `credentialId`, `apiBaseUrl`; no secret)
   * to `path`, for `AgentRuntime.load()`. `wallet: "local"` (default `"server"`) names the local key's credential.
   * Resolves to the absolute path written. The CLI's `--write-agent-json` calls it.
   */
  writeAgentJson(path: string, options?: { wallet?: EnvWallet }): Promise<string>;
  /** Per-operation request counts. */
  counters: Counters;
  /** Fault injection per operation. */
  faults: Faults;
  admin: LocalServerAdmin;
  /** The x402 seller and facilitator; undefined when started with `x402: false`. */
  x402: LocalX402 | undefined;
  /** Stops the HTTP server (closing keep-alive connections), the chain it spawned, and pending timers. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Starts a local Lucid-compatible server: spawns anvil (or connects to `options.chain`), seeds an owner and
 * its agents with funded wallets and credentials, and serves the Lucid agent API over `node:http`.
 *
 * @example
 * const server = await startLocalServer();
 * const client = createClient({ baseUrl: server.url });
 * // ... challenge, sign with privateKeyToAccount(server.seed.eoaPrivateKey), exchange ...
 * await server.close();
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const resolved = resolveOptions(options);
  let anvil: AnvilProcess | undefined;
  let server: Server | undefined;
  let x402: RunningX402 | undefined;
  const timers = new Set<NodeJS.Timeout>();
  try {
    let chain: ChainConnection;
    if (resolved.chain) {
      chain = await connectChain(resolved.chain.rpcUrl, resolved.chain.chainId);
    } else {
      anvil = await startAnvil({
        binaryPath: resolveAnvilPath({ explicit: resolved.anvilPath }),
        chainId: resolved.chainId,
        timeoutMs: resolved.anvilStartupTimeoutMs,
        log: resolved.log,
      });
      chain = await connectChain(anvil.rpcUrl, resolved.chainId);
    }

    const store = createStore();
    const seeded = await seedStore(store, chain, resolved.agents, resolved.now());
    const usdc = await deployLocalUsdc(chain);
    await Promise.all(
      seeded.agents.flatMap((agent) => [
        usdc.mint(agent.serverWalletAddress, SEEDED_USDC_BALANCE),
        usdc.mint(agent.eoaAddress, SEEDED_USDC_BALANCE),
      ]),
    );
    const token: LocalServerToken = {
      address: usdc.address,
      symbol: LOCAL_USDC_SYMBOL,
      decimals: LOCAL_USDC_DECIMALS,
      seededBalance: SEEDED_USDC_BALANCE,
    };
    if (resolved.x402) x402 = await startX402(chain, usdc.address, resolved.host, urlHost(resolved.host));

    let baseUrl = "";
    const ctx: ServerContext = {
      options: resolved,
      store,
      chain,
      idempotency: createIdempotencyStore({ now: resolved.now }),
      walletLocks: createKeyedMutex(),
      baseUrl: () => baseUrl,
    };
    const counters = createCounters();
    const faults = createFaults(resolved.random);
    const listener = createRequestListener({
      router: createRouter(createRoutes(ctx)),
      counters,
      faults,
      maxBodyBytes: resolved.maxBodyBytes,
      log: resolved.log,
      timers,
    });
    const httpServer = createServer(listener);
    server = httpServer;
    const address = await listen(httpServer, resolved.port, resolved.host);
    baseUrl = `http://${urlHost(resolved.host)}:${address.port}`;
    resolved.log(`lucid local server listening on ${baseUrl} (chain ${chain.caip2} at ${chain.rpcUrl})`);

    const first = seeded.agents[0]!;
    const seed: LocalServerSeed = {
      agentRef: first.agentRef,
      agentId: first.agentId,
      credentialId: first.credentialId,
      eoaCredentialId: first.eoaCredentialId,
      eoaPrivateKey: first.eoaPrivateKey,
      eoaAddress: first.eoaAddress,
      serverWalletAddress: first.serverWalletAddress,
      ownerToken: seeded.ownerToken,
      chainId: chain.chainId,
      caip2: chain.caip2,
      rpcUrl: chain.rpcUrl,
      agents: seeded.agents,
      token,
    };
    const spawned = anvil;
    const runningX402 = x402;
    let closing: Promise<void> | undefined;
    const envInput = {
      url: baseUrl,
      seed: seeded,
      chainId: chain.chainId,
      rpcUrl: chain.rpcUrl,
      token,
      x402: runningX402?.x402,
    };
    return {
      url: baseUrl,
      seed,
      env: buildEnv(envInput),
      localKeyEnv: buildEnv({ ...envInput, wallet: "local" }),
      async writeAgentJson(path, options = {}) {
        const absolute = resolvePath(path);
        const file = agentConfigFile({ url: baseUrl, seed }, options.wallet ?? "server");
        await writeFile(absolute, `${JSON.stringify(file, null, 2)}\n`);
        return absolute;
      },
      counters,
      faults,
      admin: {
        revokeCredential: (id) => revokeCredential(store, id),
        setCredentialDisabled: (id, disabled) => setCredentialDisabled(store, id, disabled),
        familyCounts: () => {
          let revoked = 0;
          for (const family of store.families.values()) if (family.revoked) revoked += 1;
          return { total: store.families.size, revoked };
        },
      },
      x402: runningX402?.x402,
      close() {
        closing ??= (async () => {
          faults.clear();
          for (const timer of timers) clearTimeout(timer);
          timers.clear();
          await closeServer(httpServer);
          await runningX402?.close();
          await spawned?.stop();
        })();
        return closing;
      },
    };
  } catch (error) {
    for (const timer of timers) clearTimeout(timer);
    if (server) await closeServer(server);
    await x402?.close();
    await anvil?.stop();
    throw error;
  }
}
