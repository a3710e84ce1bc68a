import { type Address, createWalletClient, getAddress, type Hex, http, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainConnection } from "../chain/chain-connection.js";
import { localUsdcAbi, localUsdcBytecode } from "../generated/local-usdc.gen.js";
import { LocalServerError } from "../local-server-error.js";

/** Decimals of the local USDC-like token. */
export const LOCAL_USDC_DECIMALS = 6;
/** The token's symbol. */
export const LOCAL_USDC_SYMBOL = "USDC";
/** Its EIP-712 domain, which EIP-3009 authorizations (and so x402 "exact" payments) are signed over. */
export const LOCAL_USDC_DOMAIN = { name: "USD Coin", version: "2" } as const;
/** What each seeded wallet (server-held and local EOA) is given: 1000 USDC. */
export const SEEDED_USDC_BALANCE = 1000n * 10n ** 6n;

/** The deployed token: its address and a way to mint more (the deployer is the minter). */
export interface LocalUsdc {
  address: Address;
  mint(to: Address, amount: bigint): Promise<void>;
}

/**
 * Deploys `LocalUsdc` (compiled from contracts/LocalUsdc.sol, committed as src/generated/local-usdc.gen.ts) from
 * a fresh funded key and returns its address. Anvil mines each transaction at once.
 */
export async function deployLocalUsdc(chain: ChainConnection): Promise<LocalUsdc> {
  const deployerKey: Hex = generatePrivateKey();
  const deployer = privateKeyToAccount(deployerKey);
  const wallet = createWalletClient({ account: deployer, chain: chain.chain, transport: http(chain.rpcUrl) });
  try {
    await chain.setBalance(deployer.address, parseEther("10"));
    const hash = await wallet.deployContract({ abi: localUsdcAbi, bytecode: localUsdcBytecode });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (!receipt.contractAddress || receipt.status !== "success") throw new Error("deployment reverted");
    const address = getAddress(receipt.contractAddress);
    // One sender, mined in order: a queue keeps nonces in sequence when mints are started together.
    let queue: Promise<unknown> = Promise.resolve();
    const mint = (to: Address, amount: bigint): Promise<void> => {
      const next = queue.then(async () => {
        const tx = await wallet.writeContract({
          address,
          abi: localUsdcAbi,
          functionName: "mint",
          args: [to, amount],
        });
        await chain.publicClient.waitForTransactionReceipt({ hash: tx, pollingInterval: 50 });
      });
      queue = next.catch(() => {});
      return next;
    };
    return { address, mint };
  } catch (error) {
    throw new LocalServerError(
      "seed_failed",
      `Could not deploy the local USDC token on ${chain.rpcUrl}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
