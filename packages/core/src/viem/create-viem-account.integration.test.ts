import { type LocalServer, startLocalServer } from "@lucid-dreams/local-server";
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  isAddressEqual,
  parseEther,
  verifyMessage,
  verifyTypedData,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWallet, type WalletClient } from "../create-wallet.js";
import { createViemAccount } from "./create-viem-account.js";

let server: LocalServer;
let chain: Chain;
const wallets: WalletClient[] = [];

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
  chain = defineChain({
    id: server.seed.chainId,
    name: "Local anvil",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [server.seed.rpcUrl] } },
  });
});
afterEach(async () => {
  await Promise.all(wallets.splice(0).map((wallet) => wallet.shutdown()));
  server.counters.reset();
});
afterAll(async () => {
  await server.close();
});

const publicClient = () =>
  createPublicClient({ chain, transport: http(server.seed.rpcUrl), pollingInterval: 50 });

/** The server-held wallet, signed into with the owner token. */
async function serverWallet() {
  const wallet = await createWallet({
    config: { baseUrl: server.url, agentRef: server.seed.agentRef, credentialId: server.seed.credentialId },
    wallet: { server: { accessToken: server.seed.ownerToken } },
    env: {},
    telemetry: false,
  });
  wallets.push(wallet);
  return wallet;
}

/** Sends 0.01 ETH to a fresh address through `account` and checks it landed. */
async function sendAndCheck(account: Awaited<ReturnType<typeof createViemAccount>>) {
  const client = createWalletClient({ account, chain, transport: http(server.seed.rpcUrl) });
  const reader = publicClient();
  const to = privateKeyToAccount(generatePrivateKey()).address;
  const senderBefore = await reader.getBalance({ address: account.address });
  const hash = await client.sendTransaction({ to, value: parseEther("0.01") });
  const receipt = await reader.waitForTransactionReceipt({ hash, timeout: 15_000 });
  expect(receipt.status).toBe("success");
  expect(isAddressEqual(receipt.from, account.address)).toBe(true);
  expect(receipt.to && isAddressEqual(receipt.to, to)).toBe(true);
  expect(await reader.getBalance({ address: to })).toBe(parseEther("0.01"));
  const senderAfter = await reader.getBalance({ address: account.address });
  const gasPaid = receipt.gasUsed * receipt.effectiveGasPrice;
  expect(senderBefore - senderAfter).toBe(parseEther("0.01") + gasPaid);
  const transaction = await reader.getTransaction({ hash });
  expect(transaction.chainId).toBe(server.seed.chainId);
  return receipt;
}

describe("createViemAccount with the server-held wallet (server-orchestrated)", () => {
  it("sendTransaction lands on the local chain from the server wallet", async () => {
    const wallet = await serverWallet();
    const account = await createViemAccount(wallet, { chainId: server.seed.chainId });
    expect(account.address).toBe(server.seed.serverWalletAddress);
    await sendAndCheck(account);
    // signed by the server (sign-transaction endpoint), broadcast by viem
    expect(server.counters.get("signTransaction")).toBe(1);
    expect(server.counters.get("sendTransaction")).toBe(0);
    expect(server.counters.get("challenge")).toBe(1);
  }, 30_000);

  it("signMessage verifies with viem's verifyMessage (text and raw bytes)", async () => {
    const wallet = await serverWallet();
    const account = await createViemAccount(wallet, { chainId: server.seed.chainId });
    const address = server.seed.serverWalletAddress;

    const text = "gm from a viem account";
    const signature = await account.signMessage({ message: text });
    expect(await verifyMessage({ address, message: text, signature })).toBe(true);
    expect(await verifyMessage({ address, message: "something else", signature })).toBe(false);

    const raw = new Uint8Array([0, 1, 2, 0xfe, 0xff]);
    const rawSignature = await account.signMessage({ message: { raw } });
    expect(await verifyMessage({ address, message: { raw }, signature: rawSignature })).toBe(true);
    const hexSignature = await account.signMessage({ message: { raw: "0xdeadbeef" } });
    expect(await verifyMessage({ address, message: { raw: "0xdeadbeef" }, signature: hexSignature })).toBe(
      true,
    );
    expect(server.counters.get("signMessage")).toBe(3 + 1); // + the login challenge
  });

  it("signTypedData (uint256 bigint field, chainId in the domain) verifies with verifyTypedData", async () => {
    const wallet = await serverWallet();
    const account = await createViemAccount(wallet, { chainId: server.seed.chainId });
    const typedData = {
      domain: {
        name: "Lucid Test",
        version: "1",
        chainId: server.seed.chainId,
        verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" as Hex,
      },
      types: {
        Transfer: [
          { name: "to", type: "address" },
          { name: "amount", type: "uint256" },
          { name: "memo", type: "string" },
        ],
      },
      primaryType: "Transfer" as const,
      message: {
        to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Hex,
        amount: 2n ** 200n + 12_345n, // far beyond Number.MAX_SAFE_INTEGER
        memo: "integration",
      },
    };
    const signature = await account.signTypedData(typedData);
    expect(await verifyTypedData({ address: server.seed.serverWalletAddress, signature, ...typedData })).toBe(
      true,
    );
    // the bigint went over the wire exactly: a different amount does not verify
    expect(
      await verifyTypedData({
        address: server.seed.serverWalletAddress,
        signature,
        ...typedData,
        message: { ...typedData.message, amount: typedData.message.amount + 1n },
      }),
    ).toBe(false);
    // viem also takes the domain's chainId as a bigint
    const bigintDomain = {
      ...typedData,
      domain: { ...typedData.domain, chainId: BigInt(server.seed.chainId) },
    };
    const bigintSignature = await account.signTypedData(bigintDomain);
    expect(
      await verifyTypedData({
        address: server.seed.serverWalletAddress,
        signature: bigintSignature,
        ...bigintDomain,
      }),
    ).toBe(true);
    expect(bigintSignature).toBe(signature); // same typed data, same deterministic signature
    expect(server.counters.get("signTypedData")).toBe(2);
  });
});

describe("createViemAccount with a local key", () => {
  it("sendTransaction lands from the EOA address, signed locally", async () => {
    const wallet = await createWallet({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
      },
      wallet: { privateKey: server.seed.eoaPrivateKey },
      env: {},
      telemetry: false,
    });
    wallets.push(wallet);
    const account = await createViemAccount(wallet, { chainId: server.seed.chainId });
    expect(account.address).toBe(server.seed.eoaAddress);
    await sendAndCheck(account);
    // the key never left this process: nothing was signed by the server
    expect(server.counters.get("signTransaction")).toBe(0);
    expect(server.counters.get("sendTransaction")).toBe(0);

    const signature = await account.signMessage({ message: "gm from the local key" });
    expect(
      await verifyMessage({ address: server.seed.eoaAddress, message: "gm from the local key", signature }),
    ).toBe(true);
  }, 30_000);
});
