import {
  getV1Agents,
  getV1AgentsByAgentRef,
  postV1AgentsByAgentRefWalletSendTransaction,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AgentsByAgentRefWalletSignTransaction,
  postV1AgentsByAgentRefWalletSignTypedData,
  postV1AuthAgentsByAgentRefExchange,
  postV1AuthAgentsByAgentRefRefresh,
} from "@lucid-dreams/sdk";
import {
  zAgentChallenge,
  zAgentDetail,
  zAgentExchangeResponse,
  zAgentListResponse,
  zAgentWalletSignedResponse,
  zAgentWalletSignedTransactionResponse,
  zAgentWalletTransactionResponse,
} from "@lucid-dreams/sdk/zod";
import {
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  parseEther,
  parseGwei,
  verifyMessage,
  verifyTypedData,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, loginWithEoa, requestChallenge, signChallenge } from "../test/helpers.js";
import { startAnvil } from "./chain/anvil.js";
import { resolveAnvilPath } from "./chain/resolve-anvil-path.js";
import * as publicApi from "./index.js";
import { type LocalServer, startLocalServer } from "./index.js";

const RECIPIENT = "0x000000000000000000000000000000000000bEEF";

const mail = {
  domain: {
    name: "Mail",
    version: "1",
    chainId: 31337,
    verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" as const,
  },
  types: {
    Person: [
      { name: "name", type: "string" },
      { name: "wallet", type: "address" },
    ],
    Mail: [
      { name: "from", type: "Person" },
      { name: "to", type: "Person" },
      { name: "contents", type: "string" },
      { name: "amount", type: "uint256" },
    ],
  },
  primary_type: "Mail",
  message: {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
    to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
    contents: "Hello, Bob!",
    amount: "1000000000000000000000",
  },
};

describe("public API", () => {
  it("exports exactly these names", () => {
    expect(Object.keys(publicApi).sort()).toEqual([
      "ERROR_CODES",
      "KNOWN_SCOPES",
      "LocalServerError",
      "OPERATIONS",
      "X402_CONTENT",
      "localUsdcAbi",
      "resolveAnvilPath",
      "startLocalServer",
    ]);
  });
});

describe("startLocalServer: full flow through the generated SDK", () => {
  let server: LocalServer;
  const client = () => clientFor(server);

  beforeAll(async () => {
    server = await startLocalServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("seeds one agent with two credentials, a funded wallet and the dotenv values", async () => {
    const { seed, env } = server;
    expect(seed.agentRef).toBe("demo-agent");
    expect(seed.agentId).toMatch(/^agt_/);
    expect(seed.credentialId).toMatch(/^cred_server_/);
    expect(seed.eoaCredentialId).toMatch(/^cred_eoa_/);
    expect(seed.ownerToken).toMatch(/^lot_/);
    expect(seed.caip2).toBe("eip155:31337");
    expect(seed.agents).toHaveLength(1);
    expect(privateKeyToAccount(seed.eoaPrivateKey).address).toBe(seed.eoaAddress);
    expect(env).toEqual({
      LUCID_BASE_URL: server.url,
      LUCID_AGENT_REF: "demo-agent",
      LUCID_AGENT_ID: seed.agentId,
      LUCID_AGENT_CREDENTIAL: seed.credentialId,
      LUCID_SERVER_URL: server.url,
      LUCID_SERVER_ACCESS_TOKEN: seed.ownerToken,
      LUCID_AGENT_EOA_CREDENTIAL: seed.eoaCredentialId,
      LUCID_AGENT_EOA_PRIVATE_KEY: seed.eoaPrivateKey,
      LUCID_AGENT_WALLET_ADDRESS: seed.serverWalletAddress,
      LUCID_CHAIN_ID: "31337",
      LUCID_CHAIN_RPC_URL: seed.rpcUrl,
      LUCID_TOKEN_ADDRESS: seed.token.address,
      LUCID_TOKEN_SYMBOL: "USDC",
      LUCID_X402_URL: server.x402!.resourceUrl,
      LUCID_X402_FACILITATOR_URL: server.x402!.facilitatorUrl,
    });
    expect(server.localKeyEnv).toEqual({
      LUCID_BASE_URL: server.url,
      LUCID_AGENT_REF: "demo-agent",
      LUCID_AGENT_ID: seed.agentId,
      LUCID_AGENT_CREDENTIAL: seed.eoaCredentialId,
      LUCID_AGENT_PRIVATE_KEY: seed.eoaPrivateKey,
      LUCID_AGENT_WALLET_ADDRESS: seed.serverWalletAddress,
      LUCID_CHAIN_ID: "31337",
      LUCID_CHAIN_RPC_URL: seed.rpcUrl,
      LUCID_TOKEN_ADDRESS: seed.token.address,
      LUCID_TOKEN_SYMBOL: "USDC",
      LUCID_X402_URL: server.x402!.resourceUrl,
      LUCID_X402_FACILITATOR_URL: server.x402!.facilitatorUrl,
    });
    const chain = createPublicClient({ transport: http(seed.rpcUrl) });
    expect(await chain.getBalance({ address: seed.serverWalletAddress })).toBe(parseEther("100"));
    expect(await chain.getBalance({ address: seed.eoaAddress })).toBe(parseEther("10"));
  });

  it("logs in with the local EOA, refreshes, lists and gets agents, and uses the wallet end to end", async () => {
    const c = client();
    const { seed } = server;

    // challenge -> sign locally -> exchange
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    expect(zAgentChallenge.safeParse(challenge).success).toBe(true);
    expect(challenge.id).toMatch(/^chl_/);
    expect(challenge.nonce).toMatch(/^[A-Za-z0-9]{16,}$/);
    expect(challenge.scopes).toEqual(["agents.read", "wallet.sign", "wallet.send"]);
    expect(challenge.server_signature).toBeNull();
    expect(challenge.payload).toMatchObject({ type: "message" });
    const siwe = (challenge.payload as { message: string }).message;
    expect(siwe).toContain("wants you to sign in with your Ethereum account:");
    expect(siwe).toContain(seed.eoaAddress);
    expect(siwe).toContain(`Nonce: ${challenge.nonce}`);
    const signature = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), challenge);
    const exchangedAfter = Date.now();
    const exchanged = await postV1AuthAgentsByAgentRefExchange({
      client: c,
      path: { agentRef: seed.agentRef },
      body: { challenge_id: challenge.id, signature, credential_id: seed.eoaCredentialId },
    });
    expect(exchanged.response.status).toBe(200);
    const bundle = exchanged.data!;
    expect(zAgentExchangeResponse.safeParse(bundle).success).toBe(true);
    expect(bundle.access_token).toMatch(/^lat_/);
    expect(bundle.refresh_token).toMatch(/^lrt_/);
    expect(bundle.token_type).toBe("bearer");
    expect(bundle.credential.id).toBe(seed.eoaCredentialId);
    // The default access lifetime (900 s), counted from the exchange.
    expect(Date.parse(bundle.expires_at)).toBeGreaterThanOrEqual(exchangedAfter + 900_000);

    // refresh rotates
    const refreshed = await postV1AuthAgentsByAgentRefRefresh({
      client: c,
      path: { agentRef: seed.agentRef },
      body: { refresh_token: bundle.refresh_token },
    });
    expect(refreshed.response.status).toBe(200);
    const tokens = refreshed.data!;
    expect(tokens.refresh_token).not.toBe(bundle.refresh_token);
    expect(tokens.access_token).not.toBe(bundle.access_token);
    const auth = tokens.access_token;

    // agents
    const list = await getV1Agents({ client: c, auth });
    expect(list.response.status).toBe(200);
    expect(zAgentListResponse.safeParse(list.data).success).toBe(true);
    expect(list.data!.items.map((a) => a.ref)).toEqual(["demo-agent"]);
    const byRef = await getV1AgentsByAgentRef({ client: c, auth, path: { agentRef: seed.agentRef } });
    const byId = await getV1AgentsByAgentRef({ client: c, auth, path: { agentRef: seed.agentId } });
    expect(zAgentDetail.safeParse(byRef.data).success).toBe(true);
    expect(byRef.data).toEqual(byId.data);
    expect(byRef.data).toMatchObject({
      id: seed.agentId,
      ref: "demo-agent",
      name: "Demo agent",
      status: "active",
      wallet: { address: seed.serverWalletAddress, caip2: "eip155:31337" },
    });

    // sign-message
    const signed = await postV1AgentsByAgentRefWalletSignMessage({
      client: c,
      auth,
      path: { agentRef: seed.agentRef },
      body: { message: "gm from the agent" },
    });
    expect(signed.response.status).toBe(200);
    expect(zAgentWalletSignedResponse.safeParse(signed.data).success).toBe(true);
    expect(signed.data!.wallet).toMatchObject({
      address: seed.serverWalletAddress,
      provider: "lucid-local",
      chainType: "ethereum",
      caip2: "eip155:31337",
      externalId: null,
      privyWalletId: null,
      status: "active",
    });
    expect(
      await verifyMessage({
        address: seed.serverWalletAddress,
        message: "gm from the agent",
        signature: signed.data!.signed.signature as Hex,
      }),
    ).toBe(true);

    // sign-typed-data (uint256 given as a decimal string)
    const typed = await postV1AgentsByAgentRefWalletSignTypedData({
      client: c,
      auth,
      path: { agentRef: seed.agentRef },
      body: { typed_data: mail },
    });
    expect(typed.response.status).toBe(200);
    expect(
      await verifyTypedData({
        address: seed.serverWalletAddress,
        domain: mail.domain,
        types: mail.types,
        primaryType: "Mail",
        message: { ...mail.message, amount: 1000000000000000000000n },
        signature: typed.data!.signed.signature as Hex,
      }),
    ).toBe(true);

    // sign-transaction, then broadcast it ourselves
    const chain = createPublicClient({ transport: http(seed.rpcUrl) });
    const nonce = await chain.getTransactionCount({ address: seed.serverWalletAddress, blockTag: "pending" });
    const signedTx = await postV1AgentsByAgentRefWalletSignTransaction({
      client: c,
      auth,
      path: { agentRef: seed.agentRef },
      body: {
        caip2: seed.caip2,
        params: {
          transaction: {
            to: RECIPIENT,
            value: "0x2386f26fc10000",
            nonce,
            gas_limit: "21000",
            maxFeePerGas: parseGwei("20").toString(),
            max_priority_fee_per_gas: "0x3b9aca00",
          },
        },
      },
    });
    expect(signedTx.response.status).toBe(200);
    expect(zAgentWalletSignedTransactionResponse.safeParse(signedTx.data).success).toBe(true);
    const walletClient = createWalletClient({
      account: privateKeyToAccount(seed.eoaPrivateKey),
      transport: http(seed.rpcUrl),
    });
    const broadcastHash = await walletClient.sendRawTransaction({
      serializedTransaction: signedTx.data!.signed.signed_transaction as Hex,
    });
    expect(broadcastHash).toBe(signedTx.data!.signed.transaction_hash);
    const receipt = await chain.waitForTransactionReceipt({ hash: broadcastHash });
    expect(receipt.status).toBe("success");
    expect(receipt.from.toLowerCase()).toBe(seed.serverWalletAddress.toLowerCase());

    // send-transaction: filled in by the server, lands on chain
    const before = await chain.getBalance({ address: RECIPIENT });
    const sent = await postV1AgentsByAgentRefWalletSendTransaction({
      client: c,
      auth,
      path: { agentRef: seed.agentRef },
      body: {
        caip2: seed.caip2,
        params: { transaction: { to: RECIPIENT, value: parseEther("0.5").toString() } },
      },
    });
    expect(sent.response.status).toBe(200);
    expect(zAgentWalletTransactionResponse.safeParse(sent.data).success).toBe(true);
    expect(sent.data!.transaction).toMatchObject({
      caip2: seed.caip2,
      from: seed.serverWalletAddress,
      to: RECIPIENT,
      nonce: nonce + 1,
    });
    const sentReceipt = await chain.waitForTransactionReceipt({ hash: sent.data!.transaction.hash as Hex });
    expect(sentReceipt.status).toBe("success");
    expect((await chain.getBalance({ address: RECIPIENT })) - before).toBe(parseEther("0.5"));
  });

  it("lets the owner token sign the server-wallet credential's challenge (server-orchestrated bootstrap)", async () => {
    const c = client();
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.credentialId });
    expect((challenge.payload as { message: string }).message).toContain(seed.serverWalletAddress);
    const signed = await postV1AgentsByAgentRefWalletSignMessage({
      client: c,
      auth: seed.ownerToken,
      path: { agentRef: seed.agentRef },
      body: { message: (challenge.payload as { message: string }).message },
    });
    expect(signed.response.status).toBe(200);
    const exchanged = await postV1AuthAgentsByAgentRefExchange({
      client: c,
      path: { agentRef: seed.agentRef },
      body: { challenge_id: challenge.id, signature: signed.data!.signed.signature },
    });
    expect(exchanged.response.status).toBe(200);
    expect(exchanged.data!.credential.id).toBe(seed.credentialId);
    const agents = await getV1Agents({ client: c, auth: exchanged.data!.access_token });
    expect(agents.data!.items[0]!.id).toBe(seed.agentId);
  });

  it("lets the owner token list the agents it owns", async () => {
    const list = await getV1Agents({ client: client(), auth: server.seed.ownerToken });
    expect(list.response.status).toBe(200);
    expect(list.data!.items.map((a) => a.id)).toEqual([server.seed.agentId]);
  });

  it("close() is idempotent", async () => {
    const other = await startLocalServer();
    await Promise.all([other.close(), other.close()]);
    await other.close();
    await expect(fetch(`${other.url}/v1/agents`)).rejects.toThrow();
  });
});

describe.each(["typed_data", "raw"] as const)("challengeFormat %s", (format) => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ challengeFormat: format });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("issues a payload that verifies and exchanges", async () => {
    const c = clientFor(server);
    const challenge = await requestChallenge(c, server.seed.agentRef, {
      credential_id: server.seed.eoaCredentialId,
    });
    if (format === "raw") {
      expect(challenge.payload).toMatchObject({ type: "message" });
      expect((challenge.payload as { message: string }).message).toMatch(/^0x[0-9a-f]{64}$/);
    } else {
      expect(challenge.payload).toMatchObject({
        type: "typed_data",
        typed_data: {
          primary_type: "AgentLogin",
          domain: { name: "Lucid", version: "1", chainId: 31337 },
          message: { agent: "demo-agent", credential: server.seed.eoaCredentialId, nonce: challenge.nonce },
        },
      });
    }
    expect(zAgentChallenge.safeParse(challenge).success).toBe(true);
    const bundle = await loginWithEoa(c, server);
    expect(bundle.access_token).toMatch(/^lat_/);
  });

  it("lets the owner sign the server-wallet challenge with the matching wallet endpoint", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.credentialId });
    const payload = challenge.payload!;
    const signed =
      payload.type === "typed_data"
        ? await postV1AgentsByAgentRefWalletSignTypedData({
            client: c,
            auth: seed.ownerToken,
            path: { agentRef: seed.agentRef },
            body: { typed_data: payload.typed_data },
          })
        : await postV1AgentsByAgentRefWalletSignMessage({
            client: c,
            auth: seed.ownerToken,
            path: { agentRef: seed.agentRef },
            body: { message: payload.message, encoding: "hex" },
          });
    expect(signed.response.status).toBe(200);
    const exchanged = await postV1AuthAgentsByAgentRefExchange({
      client: c,
      path: { agentRef: seed.agentRef },
      body: { challenge_id: challenge.id, signature: signed.data!.signed.signature },
    });
    expect(exchanged.response.status).toBe(200);
  });
});

describe("seeding several agents", () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({
      agents: [{ ref: "alpha", name: "Alpha" }, { ref: "beta" }],
      chainId: 1337,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("gives each agent its own wallet and credentials under one owner token", async () => {
    const [alpha, beta] = server.seed.agents;
    expect(server.seed.agentRef).toBe("alpha");
    expect(server.seed.caip2).toBe("eip155:1337");
    expect(beta!.agentRef).toBe("beta");
    expect(new Set([alpha!.serverWalletAddress, beta!.serverWalletAddress]).size).toBe(2);
    const c = clientFor(server);
    const owned = await getV1Agents({ client: c, auth: server.seed.ownerToken });
    expect(owned.data!.items.map((a) => [a.ref, a.name])).toEqual([
      ["alpha", "Alpha"],
      ["beta", "beta"],
    ]);
    const betaTokens = await loginWithEoa(c, server, { agentIndex: 1 });
    const mine = await getV1Agents({ client: c, auth: betaTokens.access_token });
    expect(mine.data!.items.map((a) => a.ref)).toEqual(["beta"]);
  });
});

describe("an external chain", () => {
  it("uses the given node, reads its chain id, and leaves it running on close", async () => {
    const anvil = await startAnvil({ binaryPath: resolveAnvilPath(), chainId: 777 });
    try {
      const server = await startLocalServer({ chain: { rpcUrl: anvil.rpcUrl } });
      expect(server.seed).toMatchObject({ chainId: 777, caip2: "eip155:777", rpcUrl: anvil.rpcUrl });
      await server.close();
      const chain = createPublicClient({ transport: http(anvil.rpcUrl) });
      expect(await chain.getBalance({ address: server.seed.serverWalletAddress })).toBe(parseEther("100"));
      await expect(startLocalServer({ chain: { rpcUrl: anvil.rpcUrl, chainId: 1 } })).rejects.toMatchObject({
        code: "chain_unreachable",
      });
    } finally {
      await anvil.stop();
    }
  });
});
