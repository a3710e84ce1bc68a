import { randomBytes } from "node:crypto";
import {
  type Address,
  bytesToHex,
  type Hex,
  hashMessage,
  hashTypedData,
  type SignableMessage,
  type TypedDataDefinition,
} from "viem";
import { createSiweMessage } from "viem/siwe";
import type { ChallengeFormat } from "../options.js";

/** The `payload` of a challenge on the wire (`ChallengePayload` in openapi.yaml). */
export type ChallengePayloadWire =
  | { type: "message"; message: string }
  | {
      type: "typed_data";
      typed_data: {
        domain: { name: string; version: string; chainId: number };
        types: Record<string, { name: string; type: string }[]>;
        primary_type: string;
        message: Record<string, string>;
      };
    };

/** What the credential's wallet signs, in viem's terms. */
export type Signable =
  | { kind: "message"; message: SignableMessage }
  | { kind: "typed_data"; typedData: TypedDataDefinition };

/** The inputs of a challenge payload. */
export interface ChallengePayloadInput {
  format: ChallengeFormat;
  /** The server's base URL (`http://127.0.0.1:8787`); its host is the SIWE domain. */
  baseUrl: string;
  address: Address;
  chainId: number;
  agentRef: string;
  credentialId: string;
  nonce: string;
  scopes: readonly string[];
  issuedAt: Date;
  expiresAt: Date;
}

/** A built challenge payload: the wire form, what gets signed, and the digest that gets signed. */
export interface BuiltChallengePayload {
  payload: ChallengePayloadWire;
  signable: Signable;
  payloadHash: Hex;
}

/** The EIP-712 type of a typed-data login challenge. */
export const AGENT_LOGIN_TYPES = {
  AgentLogin: [
    { name: "agent", type: "string" },
    { name: "credential", type: "string" },
    { name: "address", type: "address" },
    { name: "nonce", type: "string" },
    { name: "scopes", type: "string" },
    { name: "issuedAt", type: "string" },
    { name: "expiresAt", type: "string" },
  ],
} as const;

function siwe(input: ChallengePayloadInput): BuiltChallengePayload {
  const url = new URL(input.baseUrl);
  const message = createSiweMessage({
    domain: url.host,
    address: input.address,
    uri: url.origin,
    version: "1",
    chainId: input.chainId,
    nonce: input.nonce,
    issuedAt: input.issuedAt,
    expirationTime: input.expiresAt,
    statement: `Sign in to Lucid as agent ${input.agentRef} with credential ${input.credentialId}.`,
    resources: [`urn:lucid:agent:${input.agentRef}`, `urn:lucid:credential:${input.credentialId}`],
  });
  return {
    payload: { type: "message", message },
    signable: { kind: "message", message },
    payloadHash: hashMessage(message),
  };
}

function raw(): BuiltChallengePayload {
  const bytes = bytesToHex(randomBytes(32));
  return {
    payload: { type: "message", message: bytes },
    signable: { kind: "message", message: { raw: bytes } },
    payloadHash: hashMessage({ raw: bytes }),
  };
}

function typedData(input: ChallengePayloadInput): BuiltChallengePayload {
  const domain = { name: "Lucid", version: "1", chainId: input.chainId };
  const message = {
    agent: input.agentRef,
    credential: input.credentialId,
    address: input.address,
    nonce: input.nonce,
    scopes: input.scopes.join(" "),
    issuedAt: input.issuedAt.toISOString(),
    expiresAt: input.expiresAt.toISOString(),
  };
  const definition = {
    domain,
    types: AGENT_LOGIN_TYPES,
    primaryType: "AgentLogin",
    message,
  } as const satisfies TypedDataDefinition<typeof AGENT_LOGIN_TYPES, "AgentLogin">;
  const types: Record<string, { name: string; type: string }[]> = {
    AgentLogin: AGENT_LOGIN_TYPES.AgentLogin.map((field) => ({ ...field })),
  };
  return {
    payload: {
      type: "typed_data",
      typed_data: { domain, types, primary_type: "AgentLogin", message },
    },
    signable: { kind: "typed_data", typedData: definition as TypedDataDefinition },
    payloadHash: hashTypedData(definition),
  };
}

/** Builds the payload of a challenge in the configured format. */
export function buildChallengePayload(input: ChallengePayloadInput): BuiltChallengePayload {
  switch (input.format) {
    case "siwe":
      return siwe(input);
    case "raw":
      return raw();
    case "typed_data":
      return typedData(input);
  }
}
