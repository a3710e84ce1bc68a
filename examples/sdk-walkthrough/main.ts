/**
 * The Lucid agent flow with nothing but the generated SDK and viem, against the embedded local server:
 * challenge -> sign with the agent's local key -> exchange -> list agents -> sign a message with the
 * server-held wallet -> send a transaction on the local chain -> refresh -> replayed refresh token is revoked.
 *
 * Run: `pnpm demo` from the repository root (starts its own local server and chain, needs no account).
 */
import { startLocalServer } from "@lucid-dreams/local-server";
import {
  createClient,
  getV1Agents,
  postV1AgentsByAgentRefWalletSendTransaction,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AuthAgentsByAgentRefChallenge,
  postV1AuthAgentsByAgentRefExchange,
  postV1AuthAgentsByAgentRefRefresh,
} from "@lucid-dreams/sdk";
import { createPublicClient, defineChain, formatEther, http, parseEther, verifyMessage } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const say = (step: string, detail = "") => console.log(`${step.padEnd(34)}${detail}`);
/** Tokens are secrets: show only their kind. */
const redact = (token: string) => `${token.slice(0, 4)}… (${token.length} chars, redacted)`;

function unwrap<T>(result: { data?: T; error?: unknown; response?: Response }, what: string): T {
  if (result.data === undefined) {
    throw new Error(`${what} failed: HTTP ${result.response?.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

const server = await startLocalServer({ port: 0 });
try {
  const { seed } = server;
  const client = createClient({ baseUrl: server.url });
  const path = { agentRef: seed.agentRef };
  say("local Lucid server", `${server.url} (chain ${seed.chainId} at ${seed.rpcUrl})`);

  // 1. Challenge for the credential bound to the agent's local key.
  const { challenge } = unwrap(
    await postV1AuthAgentsByAgentRefChallenge({
      client,
      path,
      body: { credential_id: seed.eoaCredentialId, scopes: ["agents.read", "wallet.sign", "wallet.send"] },
    }),
    "challenge",
  );
  if (challenge.payload?.type !== "message") throw new Error("expected a message challenge");
  say("challenge", `${challenge.id}, nonce ${challenge.nonce}, expires ${challenge.expires_at}`);
  console.log(challenge.payload.message.replace(/^/gm, "    | "));

  // 2. Sign it with the local key (EIP-191) and exchange the signature for tokens.
  const localKey = privateKeyToAccount(seed.eoaPrivateKey);
  const signature = await localKey.signMessage({ message: challenge.payload.message });
  const tokens = unwrap(
    await postV1AuthAgentsByAgentRefExchange({
      client,
      path,
      body: { challenge_id: challenge.id, signature },
    }),
    "exchange",
  );
  say("exchange", `access ${redact(tokens.access_token)} until ${tokens.expires_at}`);
  say("", `scopes ${tokens.credential.scopes.join(", ")}`);

  // 3. Authenticated calls.
  const { items } = unwrap(await getV1Agents({ client, auth: tokens.access_token }), "list agents");
  say("list agents", items.map((agent) => `${agent.ref} (${agent.wallet?.address})`).join(", "));

  const signed = unwrap(
    await postV1AgentsByAgentRefWalletSignMessage({
      client,
      auth: tokens.access_token,
      path,
      body: { message: "gm from the walkthrough", idempotency_key: crypto.randomUUID() },
    }),
    "sign message",
  );
  const valid = await verifyMessage({
    address: signed.wallet.address as `0x${string}`,
    message: "gm from the walkthrough",
    signature: signed.signed.signature as `0x${string}`,
  });
  say("sign message (server wallet)", `${signed.signed.signature.slice(0, 18)}…, verifies: ${valid}`);

  const recipient = "0x000000000000000000000000000000000000dEaD";
  const sent = unwrap(
    await postV1AgentsByAgentRefWalletSendTransaction({
      client,
      auth: tokens.access_token,
      path,
      body: {
        caip2: seed.caip2,
        params: { transaction: { to: recipient, value: parseEther("0.01").toString() } },
        idempotency_key: crypto.randomUUID(),
      },
    }),
    "send transaction",
  );
  const chain = defineChain({
    id: seed.chainId,
    name: "local",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [seed.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport: http(seed.rpcUrl) });
  const receipt = await publicClient.waitForTransactionReceipt({
    hash: sent.transaction.hash as `0x${string}`,
  });
  const balance = await publicClient.getBalance({ address: recipient });
  say(
    "send transaction",
    `${sent.transaction.hash.slice(0, 18)}…, ${receipt.status} in block ${receipt.blockNumber}`,
  );
  say("", `recipient balance ${formatEther(balance)} ETH`);

  // 4. Rotation: refresh once, then replay the used refresh token: the whole token family is revoked.
  const rotated = unwrap(
    await postV1AuthAgentsByAgentRefRefresh({ client, path, body: { refresh_token: tokens.refresh_token } }),
    "refresh",
  );
  say("refresh", `new access ${redact(rotated.access_token)} until ${rotated.expires_at}`);
  const replay = await postV1AuthAgentsByAgentRefRefresh({
    client,
    path,
    body: { refresh_token: tokens.refresh_token },
  });
  say("replay the used refresh token", `HTTP ${replay.response.status} ${replay.error?.error}`);
  const afterRevocation = await getV1Agents({ client, auth: rotated.access_token });
  say(
    "rotated token after the replay",
    `HTTP ${afterRevocation.response.status} ${afterRevocation.error?.error}`,
  );
  if (replay.response.status !== 401 || afterRevocation.response.status !== 401) {
    throw new Error("refresh token reuse was not detected");
  }
  say("done", "every step verified");
} finally {
  await server.close();
}
