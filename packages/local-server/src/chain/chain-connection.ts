import {
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  defineChain,
  http,
  type PublicClient,
} from "viem";
import { LocalServerError } from "../local-server-error.js";
import { caip2Of } from "../wallet/caip2.js";

/** A JSON-RPC connection to the EVM node the wallets use. */
export interface ChainConnection {
  chainId: number;
  /** `eip155:<chainId>`. */
  caip2: string;
  rpcUrl: string;
  chain: Chain;
  publicClient: PublicClient;
  /** Sets an address's balance (`anvil_setBalance`). */
  setBalance(address: Address, wei: bigint): Promise<void>;
}

/**
 * Connects to the node at `rpcUrl` and checks its chain id (`eth_chainId`) against `expectedChainId` when
 * given. Throws `LocalServerError` `chain_unreachable` when the node does not answer or serves another chain.
 */
export async function connectChain(rpcUrl: string, expectedChainId?: number): Promise<ChainConnection> {
  const probe = createPublicClient({ transport: http(rpcUrl, { retryCount: 0 }) });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (error) {
    throw new LocalServerError(
      "chain_unreachable",
      `The EVM node at ${rpcUrl} did not answer eth_chainId; start it or fix chain.rpcUrl.`,
      { cause: error },
    );
  }
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new LocalServerError(
      "chain_unreachable",
      `The node at ${rpcUrl} serves chain ${chainId}, not ${expectedChainId}; fix chain.chainId or the node.`,
    );
  }
  const chain = defineChain({
    id: chainId,
    name: `Lucid local (${chainId})`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl, { retryCount: 1 });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const testClient = createTestClient({ chain, mode: "anvil", transport });
  return {
    chainId,
    caip2: caip2Of(chainId),
    rpcUrl,
    chain,
    publicClient,
    setBalance: (address, value) => testClient.setBalance({ address, value }),
  };
}
