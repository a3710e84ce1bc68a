/**
 * The wallet connector contract: what the runtime needs from a wallet (sign the login challenge, describe
 * itself), plus optional capabilities (sign messages, typed data and transactions; keep a bearer token in sync).
 *
 * Types here are structural and viem-compatible, but never import viem, which stays an optional peer.
 */
import type { AgentChallenge } from "@lucid-dreams/sdk";

/** A challenge as the server sends it (`AgentChallengeResponse["challenge"]`). */
export type AgentChallengeInput = AgentChallenge;

/** 0x-prefixed hex. */
export type Hex = `0x${string}`;

/** Signs the login challenge; resolves to a 0x-hex signature. */
export interface ChallengeSigner {
  signChallenge(challenge: AgentChallengeInput): Promise<string>;
}

/** What a connector knows about its wallet. Every field is optional; unknown ones are `null` or absent. */
export interface WalletMetadata {
  id?: string | null;
  address?: string | null;
  chain?: string | null;
  chainType?: string | null;
  provider?: string | null;
  accountId?: string | null;
  label?: string | null;
  caip2?: string | null;
}

/** A message to sign with EIP-191: text (UTF-8), or raw bytes (as 0x-hex or a byte array). viem's shape. */
export type SignableMessage = string | { raw: Hex | Uint8Array };

/** One field of an EIP-712 struct type. */
export interface TypedDataField {
  name: string;
  type: string;
}

/** EIP-712 typed data in viem's shape (`primaryType` in camelCase). */
export interface TypedDataDefinition {
  domain?: Record<string, unknown>;
  types: Record<string, readonly TypedDataField[]>;
  primaryType: string;
  message: Record<string, unknown>;
}

/** EIP-712 typed data in the wire shape (`primary_type` in snake_case), as the original `LocalEoaSigner` gets it. */
export interface TypedDataPayload {
  domain: Record<string, unknown>;
  types: Record<string, readonly TypedDataField[]>;
  primary_type: string;
  message: Record<string, unknown>;
}

/** An integer as a JSON number, a decimal or 0x-hex string, or a bigint. */
export type QuantityLike = number | bigint | string;

/**
 * An EVM transaction to sign locally. Both viem's camelCase fields (bigints) and the wire's snake_case fields
 * (numbers or decimal/hex strings) are accepted; give one spelling per field.
 */
export interface TransactionInput {
  to?: string | null;
  from?: string;
  value?: QuantityLike;
  data?: string;
  input?: string;
  gas?: QuantityLike;
  gasLimit?: QuantityLike;
  gas_limit?: QuantityLike;
  gasPrice?: QuantityLike;
  gas_price?: QuantityLike;
  maxFeePerGas?: QuantityLike;
  max_fee_per_gas?: QuantityLike;
  maxPriorityFeePerGas?: QuantityLike;
  max_priority_fee_per_gas?: QuantityLike;
  nonce?: QuantityLike;
  chainId?: QuantityLike;
  chain_id?: QuantityLike;
  /** 0/1/2 (wire) or `"legacy"`/`"eip2930"`/`"eip1559"` (viem). */
  type?: 0 | 1 | 2 | "legacy" | "eip2930" | "eip1559" | string | number;
  accessList?: readonly { address: string; storageKeys: readonly string[] }[];
  [key: string]: unknown;
}

/**
 * A wallet the runtime can use. `signChallenge` and `getWalletMetadata` are required; the rest are optional
 * capabilities the runtime uses when present.
 */
export interface WalletConnector extends ChallengeSigner {
  /** What the connector knows about its wallet (address, chain, provider), `null` when nothing yet. */
  getWalletMetadata(): Promise<WalletMetadata | null>;
  /** Whether the wallet can act on the CAIP-2 chain `caip2` (e.g. `eip155:8453`). */
  supportsCaip2?(caip2: string): boolean | Promise<boolean>;
  /** The wallet's address, `null` when not known yet. */
  getAddress?(): Promise<string | null>;
  /** Signs an EIP-191 personal message locally; resolves to a 0x-hex signature. */
  signMessage?(message: SignableMessage): Promise<string>;
  /** Signs EIP-712 typed data locally; resolves to a 0x-hex signature. */
  signTypedData?(typedData: TypedDataDefinition): Promise<string>;
  /** Signs an EVM transaction locally; resolves to the serialised signed transaction (0x-hex). */
  signTransaction?(transaction: TransactionInput): Promise<string>;
  /**
   * Receives the runtime's access token on every `authenticated` and `tokenRefreshed` event, and `null` on
   * `tokensCleared`, so a server-orchestrated connector keeps its bearer in sync by itself.
   */
  setAccessToken?(token: string | null): void;
}
