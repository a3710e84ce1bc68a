import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { createPublicClient, defineChain, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localUsdcAbi } from "../generated/local-usdc.gen.js";
import { type LocalServer, startLocalServer } from "../start-local-server.js";
import { X402_CONTENT } from "./start-x402.js";

let server: LocalServer;
let chain: PublicClient;

beforeAll(async () => {
  server = await startLocalServer({ agents: [{ ref: "a" }, { ref: "b" }] });
  chain = createPublicClient({
    chain: defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    }),
    transport: http(server.seed.rpcUrl),
  }) as PublicClient;
}, 60_000);
afterEach(() => server.x402!.setFacilitatorMode("ok"));
afterAll(async () => {
  await server?.close();
});

const read = <T>(functionName: string, args: unknown[] = []) =>
  chain.readContract({
    address: server.seed.token.address,
    abi: localUsdcAbi,
    functionName: functionName as never,
    args: args as never,
  }) as Promise<T>;

/** The official x402 client paying with the agent's local key, nothing of ours in between. */
function officialBuyer() {
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: privateKeyToAccount(server.seed.agents[1]!.eoaPrivateKey) });
  client.setSpendControls(false);
  return wrapFetchWithPayment(fetch, client);
}

describe("the local USDC token", () => {
  it("is USDC-like: 6 decimals, EIP-712 domain USD Coin / 2, every seeded wallet funded", async () => {
    expect(await read<string>("name")).toBe("USD Coin");
    expect(await read<string>("symbol")).toBe("USDC");
    expect(await read<number>("decimals")).toBe(6);
    expect(await read<string>("version")).toBe("2");
    expect(server.seed.token).toMatchObject({ symbol: "USDC", decimals: 6, seededBalance: 1_000_000_000n });
    for (const agent of server.seed.agents) {
      expect(await read<bigint>("balanceOf", [agent.serverWalletAddress])).toBe(1_000_000_000n);
      expect(await read<bigint>("balanceOf", [agent.eoaAddress])).toBe(1_000_000_000n);
    }
    expect(server.env).toMatchObject({
      LUCID_TOKEN_ADDRESS: server.seed.token.address,
      LUCID_TOKEN_SYMBOL: "USDC",
      LUCID_X402_URL: server.x402!.resourceUrl,
      LUCID_X402_FACILITATOR_URL: server.x402!.facilitatorUrl,
    });
  });
});

describe("the x402 seller and facilitator", () => {
  it("asks for 0.01 USDC on the local chain in an x402 v2 PAYMENT-REQUIRED header", async () => {
    const response = await fetch(server.x402!.resourceUrl);
    expect(response.status).toBe(402);
    const required = JSON.parse(Buffer.from(response.headers.get("payment-required")!, "base64").toString());
    expect(required).toMatchObject({
      x402Version: 2,
      accepts: [
        {
          scheme: "exact",
          network: server.seed.caip2,
          amount: "10000",
          asset: server.seed.token.address,
          payTo: server.x402!.payTo,
          extra: { name: "USD Coin", version: "2" },
        },
      ],
    });
    const supported = await (await fetch(`${server.x402!.facilitatorUrl}/supported`)).json();
    expect(supported.kinds).toContainEqual(
      expect.objectContaining({ x402Version: 2, scheme: "exact", network: server.seed.caip2 }),
    );
  });

  it("serves the content to the official x402 client and settles on chain, once per payment", async () => {
    const payer = server.seed.agents[1]!.eoaAddress;
    const [payeeBefore, payerBefore] = [
      await read<bigint>("balanceOf", [server.x402!.payTo]),
      await read<bigint>("balanceOf", [payer]),
    ];
    const before = server.x402!.counts();
    const response = await officialBuyer()(server.x402!.resourceUrl);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(X402_CONTENT);
    const settlement = JSON.parse(
      Buffer.from(response.headers.get("payment-response")!, "base64").toString(),
    );
    expect(settlement).toMatchObject({ success: true, payer, network: server.seed.caip2 });
    expect(
      (await chain.waitForTransactionReceipt({ hash: settlement.transaction, pollingInterval: 50 })).status,
    ).toBe("success");
    expect(await read<bigint>("balanceOf", [server.x402!.payTo])).toBe(payeeBefore + 10_000n);
    expect(await read<bigint>("balanceOf", [payer])).toBe(payerBefore - 10_000n);
    expect(server.x402!.counts()).toEqual({
      paid: before.paid + 1,
      verify: before.verify + 1,
      settle: before.settle + 1,
    });
  });

  it("settles concurrent payments (the facilitator's nonces never collide)", async () => {
    const payeeBefore = await read<bigint>("balanceOf", [server.x402!.payTo]);
    const buy = officialBuyer();
    const responses = await Promise.all(Array.from({ length: 5 }, () => buy(server.x402!.resourceUrl)));
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await read<bigint>("balanceOf", [server.x402!.payTo])).toBe(payeeBefore + 50_000n);
  });

  it("does not serve when the facilitator is down or refuses, and nothing moves", async () => {
    const payeeBefore = await read<bigint>("balanceOf", [server.x402!.payTo]);
    server.x402!.setFacilitatorMode("unavailable");
    expect((await officialBuyer()(server.x402!.resourceUrl)).status).not.toBe(200);
    server.x402!.setFacilitatorMode("refuse");
    expect((await officialBuyer()(server.x402!.resourceUrl)).status).toBe(402);
    expect(await read<bigint>("balanceOf", [server.x402!.payTo])).toBe(payeeBefore);
  });
});

describe("x402: false", () => {
  it("still deploys the token, but starts no seller or facilitator", async () => {
    const bare = await startLocalServer({ x402: false });
    try {
      expect(bare.x402).toBeUndefined();
      expect(bare.env.LUCID_X402_URL).toBeUndefined();
      expect(bare.env.LUCID_TOKEN_ADDRESS).toBe(bare.seed.token.address);
    } finally {
      await bare.close();
    }
  });
});
