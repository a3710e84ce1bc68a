import type { Address, Hex, PrivateKeyAccount } from "viem";
import type { ChallengePayloadWire, Signable } from "../auth/challenge-payload.js";
import type { Scope } from "../auth/scopes.js";

/** The owner of agents; its token may use the wallet of every agent it owns. */
export interface OwnerRecord {
  id: string;
  name: string;
}

/** An agent's server-held wallet. */
export interface WalletRecord {
  id: string;
  address: Address;
  account: PrivateKeyAccount;
}

/** An agent. */
export interface AgentRecord {
  id: string;
  ref: string;
  name: string;
  description: string | null;
  ownerId: string;
  createdAt: number;
  wallet: WalletRecord;
}

/** A credential of an agent: an address whose signature of a challenge proves the agent. */
export interface CredentialRecord {
  id: string;
  agentId: string;
  address: Address;
  scopes: Scope[];
  /** Changes whenever the credential is revoked. */
  revocationNonce: string;
  /** A disabled credential gets no challenge and no token. */
  disabled: boolean;
}

/** A challenge: single use, bound to one credential. */
export interface ChallengeRecord {
  id: string;
  agentId: string;
  credentialId: string;
  nonce: string;
  scopes: Scope[];
  payload: ChallengePayloadWire;
  payloadHash: Hex;
  signable: Signable;
  issuedAt: number;
  expiresAt: number;
  consumed: boolean;
}

/** Every token descended from one exchange. Revoking the family kills all of them. */
export interface TokenFamily {
  id: string;
  agentId: string;
  credentialId: string;
  scopes: Scope[];
  /** The credential's revocation nonce when the family was created. */
  revocationNonce: string;
  revoked: boolean;
}

/** An access token, known by the SHA-256 of its value. */
export interface AccessTokenRecord {
  familyId: string;
  expiresAt: number;
}

/** A refresh token, known by the SHA-256 of its value. Single use. */
export interface RefreshTokenRecord {
  familyId: string;
  expiresAt: number;
  /** When it was rotated (ms), or null while unused. */
  usedAt: number | null;
}

/** The whole in-memory state of the server. Tokens are keyed by their SHA-256 hash, never stored in clear. */
export interface Store {
  owners: Map<string, OwnerRecord>;
  /** Owner token hash -> owner id. */
  ownerTokens: Map<string, string>;
  agents: Map<string, AgentRecord>;
  credentials: Map<string, CredentialRecord>;
  challenges: Map<string, ChallengeRecord>;
  families: Map<string, TokenFamily>;
  accessTokens: Map<string, AccessTokenRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
}

/** An empty store. */
export function createStore(): Store {
  return {
    owners: new Map(),
    ownerTokens: new Map(),
    agents: new Map(),
    credentials: new Map(),
    challenges: new Map(),
    families: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
  };
}

/** The agent whose id or ref is `agentRef`, if any. */
export function findAgent(store: Store, agentRef: string): AgentRecord | undefined {
  const byId = store.agents.get(agentRef);
  if (byId) return byId;
  for (const agent of store.agents.values()) {
    if (agent.ref === agentRef) return agent;
  }
  return undefined;
}

/** The credentials of one agent, in creation order. */
export function credentialsOf(store: Store, agentId: string): CredentialRecord[] {
  return [...store.credentials.values()].filter((credential) => credential.agentId === agentId);
}

/** Whether every token of the family is dead: revoked, or its credential revoked or disabled since. */
export function isFamilyRevoked(store: Store, family: TokenFamily): boolean {
  if (family.revoked) return true;
  const credential = store.credentials.get(family.credentialId);
  return !credential || credential.disabled || credential.revocationNonce !== family.revocationNonce;
}
