import { createPublicClient, http, type PublicClient } from "viem";
import { ConfigurationError } from "../runtime/errors.js";

/**
 * How the tools read a chain (balances, nonces, fees, simulation): a JSON-RPC URL or a viem `PublicClient` per
 * CAIP-2 chain id, from `LucidToolsOptions.rpc`. The tools never guess an RPC endpoint.
 */
export type LucidToolsRpc = Readonly<Record<string, string | PublicClient>>;

/** Builds the chain readers once per tool set: `clientFor(caip2)` returns the same client for the same chain. */
export function createChainClients(rpc: LucidToolsRpc = {}): (caip2: string) => PublicClient | undefined {
  const clients = new Map<string, PublicClient>();
  return (caip2) => {
    let client = clients.get(caip2);
    if (client) return client;
    if (!Object.hasOwn(rpc, caip2)) return undefined;
    const entry = rpc[caip2];
    if (typeof entry === "string") {
      if (!/^https?:\/\//.test(entry)) {
        throw new ConfigurationError(`The RPC URL for ${caip2} is not an http(s) URL.`, {
          hint: 'Pass rpc: { "eip155:8453": "https://..." } or a viem PublicClient.',
        });
      }
      client = createPublicClient({ transport: http(entry, { batch: true }) }) as PublicClient;
    } else if (entry && typeof entry === "object" && typeof entry.request === "function") {
      client = entry;
    } else {
      throw new ConfigurationError(`The RPC entry for ${caip2} is neither a URL nor a viem PublicClient.`, {
        hint: 'Pass rpc: { "eip155:8453": "https://..." } or a viem PublicClient.',
      });
    }
    clients.set(caip2, client);
    return client;
  };
}
