import {
  type AgentChallenge,
  type AgentExchangeResponse,
  type Client,
  createClient,
  postV1AuthAgentsByAgentRefChallenge,
  postV1AuthAgentsByAgentRefExchange,
} from "@lucid-dreams/sdk";
import type { Hex, LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";
import type { LocalServer } from "../src/index.js";

/** A generated-SDK client pointed at the server. */
export function clientFor(server: LocalServer): Client {
  return createClient({ baseUrl: server.url });
}

/** Signs a challenge payload the way a client must: text (EIP-191), 0x text as raw bytes, or EIP-712. */
export async function signChallenge(account: LocalAccount, challenge: AgentChallenge): Promise<Hex> {
  const payload = challenge.payload;
  if (!payload) throw new Error("challenge without payload");
  if (payload.type === "message") {
    const text = payload.message;
    return /^0x([0-9a-fA-F]{2})*$/.test(text)
      ? account.signMessage({ message: { raw: text as Hex } })
      : account.signMessage({ message: text });
  }
  const typed = payload.typed_data;
  return account.signTypedData({
    domain: typed.domain as Record<string, unknown>,
    types: typed.types,
    primaryType: typed.primary_type,
    message: typed.message,
  } as Parameters<LocalAccount["signTypedData"]>[0]);
}

/** Requests a challenge through the SDK and returns it (fails the test on an error). */
export async function requestChallenge(
  client: Client,
  agentRef: string,
  body: { credential_id?: string; scopes?: string[] },
): Promise<AgentChallenge> {
  const { data, error, response } = await postV1AuthAgentsByAgentRefChallenge({
    client,
    path: { agentRef },
    body,
  });
  expect(error, JSON.stringify(error)).toBeUndefined();
  expect(response.status).toBe(201);
  return data!.challenge;
}

/** Challenge + local-EOA signature + exchange; returns the token bundle. */
export async function loginWithEoa(
  client: Client,
  server: LocalServer,
  options: { scopes?: string[]; agentIndex?: number } = {},
): Promise<AgentExchangeResponse> {
  const agent = server.seed.agents[options.agentIndex ?? 0]!;
  const challenge = await requestChallenge(client, agent.agentRef, {
    credential_id: agent.eoaCredentialId,
    ...(options.scopes ? { scopes: options.scopes } : {}),
  });
  const signature = await signChallenge(privateKeyToAccount(agent.eoaPrivateKey), challenge);
  const { data, error } = await postV1AuthAgentsByAgentRefExchange({
    client,
    path: { agentRef: agent.agentRef },
    body: { challenge_id: challenge.id, signature },
  });
  expect(error, JSON.stringify(error)).toBeUndefined();
  return data!;
}

/** Asserts an SDK result is the given error status and code, with the `Error` body shape. */
export function expectError(
  result: { error?: unknown; response: Response },
  status: number,
  code: string,
): { error: string; message: string; details?: { path: string; message: string }[]; retry_after?: number } {
  const body = result.error as { error: string; message: string };
  expect(result.response.status, JSON.stringify(body)).toBe(status);
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(body.message.length).toBeGreaterThan(10);
  return body;
}
