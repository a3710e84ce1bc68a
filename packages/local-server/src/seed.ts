import { type Address, type Hex, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { KNOWN_SCOPES } from "./auth/scopes.js";
import type { ChainConnection } from "./chain/chain-connection.js";
import { hashSecret, randomAlphanumeric, randomId, randomSecret } from "./ids.js";
import { LocalServerError } from "./local-server-error.js";
import type { LocalServerAgentOptions } from "./options.js";
import type { Store } from "./store/store.js";

/** Balance given to each agent's server-held wallet. */
export const SERVER_WALLET_BALANCE = parseEther("100");
/** Balance given to each agent's local EOA (the key bound to the EOA credential). */
export const EOA_BALANCE = parseEther("10");

/** One seeded agent and what a client needs to authenticate as it. */
export interface SeededAgent {
  agentRef: string;
  agentId: string;
  name: string;
  /** Credential bound to the agent's server-held wallet (server-orchestrated login). */
  credentialId: string;
  /** Credential bound to a local private key (local-EOA login). */
  eoaCredentialId: string;
  /** The local private key bound to `eoaCredentialId`. A throwaway test key. */
  eoaPrivateKey: Hex;
  eoaAddress: Address;
  /** Address of the agent's server-held wallet (what the wallet endpoints sign with). */
  serverWalletAddress: Address;
}

/** What seeding created: one owner (with its token) and the agents it owns. */
export interface SeedResult {
  ownerId: string;
  /** Owner token (`lot_...`): may read the owner's agents and use their wallets. */
  ownerToken: string;
  agents: SeededAgent[];
}

/**
 * Seeds the store: one owner with an owner token, and per agent a server-held wallet (random key, 100 ETH), a
 * server-wallet credential and a local-EOA credential (random key, 10 ETH), both holding every scope.
 */
export async function seedStore(
  store: Store,
  chain: ChainConnection,
  agents: Required<LocalServerAgentOptions>[],
  now: number,
): Promise<SeedResult> {
  const ownerId = randomId("own_");
  const ownerToken = randomSecret("lot_");
  store.owners.set(ownerId, { id: ownerId, name: "Local owner" });
  store.ownerTokens.set(hashSecret(ownerToken), ownerId);

  const seeded: SeededAgent[] = [];
  const funding: Promise<void>[] = [];
  for (const spec of agents) {
    const walletAccount = privateKeyToAccount(generatePrivateKey());
    const eoaPrivateKey = generatePrivateKey();
    const eoaAccount = privateKeyToAccount(eoaPrivateKey);
    const agentId = randomId("agt_");
    const credentialId = `cred_server_${randomAlphanumeric(16)}`;
    const eoaCredentialId = `cred_eoa_${randomAlphanumeric(16)}`;
    store.agents.set(agentId, {
      id: agentId,
      ref: spec.ref,
      name: spec.name,
      description: spec.description === "" ? null : spec.description,
      ownerId,
      createdAt: now,
      wallet: { id: randomId("wal_"), address: walletAccount.address, account: walletAccount },
    });
    for (const [id, address] of [
      [credentialId, walletAccount.address],
      [eoaCredentialId, eoaAccount.address],
    ] as const) {
      store.credentials.set(id, {
        id,
        agentId,
        address,
        scopes: [...KNOWN_SCOPES],
        revocationNonce: randomId("rvn_"),
        disabled: false,
      });
    }
    funding.push(chain.setBalance(walletAccount.address, SERVER_WALLET_BALANCE));
    funding.push(chain.setBalance(eoaAccount.address, EOA_BALANCE));
    seeded.push({
      agentRef: spec.ref,
      agentId,
      name: spec.name,
      credentialId,
      eoaCredentialId,
      eoaPrivateKey,
      eoaAddress: eoaAccount.address,
      serverWalletAddress: walletAccount.address,
    });
  }
  try {
    await Promise.all(funding);
  } catch (error) {
    throw new LocalServerError(
      "seed_failed",
      `Could not fund the seeded wallets with anvil_setBalance on ${chain.rpcUrl}; use anvil (or a node with anvil_setBalance).`,
      { cause: error },
    );
  }
  return { ownerId, ownerToken, agents: seeded };
}
