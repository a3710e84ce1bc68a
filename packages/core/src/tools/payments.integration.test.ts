import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type LocalServer, localUsdcAbi, startLocalServer, X402_CONTENT } from "@lucid-dreams/local-server";
import { createPublicClient, defineChain, erc20Abi, http, type PublicClient } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWallet, type WalletClient } from "../create-wallet.js";
import { AgentRuntime } from "../runtime/agent-runtime.js";
import { LocalEoaWalletConnector } from "../runtime/wallet/local-key-connector.js";
import { createLucidToolDescriptors, type LucidToolsOptions } from "./create-lucid-tools.js";
import type { PaymentPreview } from "./payment-policy.js";
import { MemorySpendLedger } from "./spend-ledger.js";
import type { LucidTool } from "./tool-context.js";
import { toolErrorResult } from "./tool-error-result.js";

let server: LocalServer;
let runtime: AgentRuntime;
let localWallet: WalletClient;
let chain: PublicClient;
let hostile: Server;
let hostileUrl: string;
let signedByHostile = 0;
let hostileRequests = 0;

const x402 = () => server.x402!;
const usdc = () => server.seed.token.address;

beforeAll(async () => {
  server = await startLocalServer({ port: 0 });
  runtime = await AgentRuntime.fromConfig({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    wallet: {
      signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
    },
    backgroundRefresh: false,
  });
  await runtime.authenticate();
  localWallet = await createWallet({
    config: {
      baseUrl: server.url,
      agentRef: server.seed.agentRef,
      credentialId: server.seed.eoaCredentialId,
    },
    wallet: { privateKey: server.seed.eoaPrivateKey },
    env: {},
  });
  chain = createPublicClient({
    chain: defineChain({
      id: server.seed.chainId,
      name: "local",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [server.seed.rpcUrl] } },
    }),
    transport: http(server.seed.rpcUrl),
  }) as PublicClient;
  hostile = createServer(hostileRoute);
  await new Promise<void>((resolve) => hostile.listen(0, "127.0.0.1", resolve));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
}, 60_000);
afterEach(() => {
  server.counters.reset();
  x402().setFacilitatorMode("ok");
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    hostile?.close(() => resolve());
    hostile?.closeAllConnections();
  });
  await localWallet?.shutdown();
  await runtime?.shutdown();
  await server?.close();
});

/** A seller that answers 402 with what an attacker would send. Any payment header it gets is counted. */
function hostileRoute(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) {
  hostileRequests++;
  if (req.headers["payment-signature"] || req.headers["x-payment"]) signedByHostile++;
  const requirement = (override: Record<string, unknown>) => ({
    scheme: "exact",
    network: server.seed.caip2,
    amount: "10000",
    asset: usdc(),
    payTo: x402().payTo,
    maxTimeoutSeconds: 60,
    extra: { name: "USD Coin", version: "2" },
    ...override,
  });
  const header = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64");
  const required = (accepts: unknown[]) =>
    header({ x402Version: 2, resource: { url: `${hostileUrl}${req.url}` }, accepts });
  const path = req.url ?? "/";
  const answers: Record<string, () => void> = {
    "/malformed": () => {
      res.writeHead(402, { "payment-required": "%%%not-base64-json%%%" });
      res.end();
    },
    "/overflow": () => {
      res.writeHead(402, {
        "payment-required": required([requirement({ amount: (2n ** 256n).toString() })]),
      });
      res.end();
    },
    "/negative": () => {
      res.writeHead(402, { "payment-required": required([requirement({ amount: "-5" })]) });
      res.end();
    },
    "/unknown-scheme": () => {
      res.writeHead(402, { "payment-required": required([requirement({ scheme: "upto-magic" })]) });
      res.end();
    },
    "/permit2": () => {
      res.writeHead(402, {
        "payment-required": required([
          requirement({ extra: { name: "USD Coin", version: "2", assetTransferMethod: "permit2" } }),
        ]),
      });
      res.end();
    },
    "/long-window": () => {
      res.writeHead(402, { "payment-required": required([requirement({ maxTimeoutSeconds: 10 ** 9 })]) });
      res.end();
    },
    "/hang": () => {
      // never answers: the tool's timeout must end the call
    },
    "/huge-402": () => {
      res.writeHead(402, { "content-type": "application/json" });
      res.end(Buffer.alloc(4 * 1024 * 1024, 97));
    },
    "/huge": () => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(Buffer.alloc(2 * 1024 * 1024, 98));
    },
  };
  (answers[path] ?? (() => res.writeHead(404).end()))();
}

const basePayments = (): LucidToolsOptions => ({
  rpc: { [server.seed.caip2]: server.seed.rpcUrl },
  defaultChain: server.seed.caip2,
  tokens: { USDC: { address: usdc(), maxPerTransaction: "5", budget: "10" } },
  payments: { allowedHosts: [new URL(x402().sellerUrl).host], maxPerPayment: "0.05" },
});

function tools(options: LucidToolsOptions = basePayments()) {
  const byName = new Map(createLucidToolDescriptors(options).map((tool) => [tool.name, tool]));
  return (name: string) => byName.get(name) as LucidTool<Record<string, unknown>, Record<string, unknown>>;
}

let calls = 0;
const run = (
  tool: LucidTool<Record<string, unknown>, Record<string, unknown>>,
  input: Record<string, unknown>,
  session: AgentRuntime | WalletClient = runtime,
  toolCallId = `pay-${++calls}`,
) => tool.execute(input, { session, toolCallId });
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => toolErrorResult(error),
  );

const balanceOf = (owner: `0x${string}`) =>
  chain.readContract({ address: usdc(), abi: erc20Abi, functionName: "balanceOf", args: [owner] });
const fetchInput = (url: string) => ({ url, method: null, body: null });
const recipient = "0x000000000000000000000000000000000000bEEF";

describe("getBalance and sendToken against the local chain", () => {
  it("getBalance reports what the chain holds, with symbol and decimals read on chain", async () => {
    const result = (await run(tools()("getBalance"), { chain: null })) as {
      native: { amount: string; raw: string };
      tokens: Array<{ symbol: string; decimals: number; amount: string; raw: string; address: string }>;
    };
    const wei = await chain.getBalance({ address: server.seed.serverWalletAddress });
    const raw = await balanceOf(server.seed.serverWalletAddress);
    expect(result.native.raw).toBe(wei.toString());
    expect(result.tokens).toEqual([
      {
        symbol: "USDC",
        address: usdc(),
        decimals: 6,
        raw: raw.toString(),
        amount: String(Number(raw) / 1e6),
      },
    ]);
  });

  it("sendToken moves exactly the amount, once per tool call", async () => {
    const tool = tools()("sendToken");
    const before = [await balanceOf(server.seed.serverWalletAddress), await balanceOf(recipient)];
    const input = { chain: null, token: "usdc", to: recipient, amount: "1.25" };
    const sent = await run(tool, input, runtime, "send-usdc-once");
    const replay = await run(tool, input, runtime, "send-usdc-once");
    expect(replay).toEqual(sent);
    expect(sent).toMatchObject({ token: "USDC", amount: "1.25", amountRaw: "1250000" });
    expect(await balanceOf(server.seed.serverWalletAddress)).toBe(before[0]! - 1_250_000n);
    expect(await balanceOf(recipient)).toBe(before[1]! + 1_250_000n);
  });

  it("sendToken with a local key signs locally and broadcasts through rpc, once per tool call", async () => {
    const tool = tools()("sendToken");
    const before = [await balanceOf(server.seed.eoaAddress), await balanceOf(recipient)];
    const input = { chain: null, token: "USDC", to: recipient, amount: "0.75" };
    const sent = (await run(tool, input, localWallet, "local-send")) as { transactionHash: `0x${string}` };
    const replay = await run(tool, input, localWallet, "local-send");
    expect(replay).toEqual(sent);
    const receipt = await chain.waitForTransactionReceipt({
      hash: sent.transactionHash,
      pollingInterval: 50,
    });
    expect(receipt).toMatchObject({ status: "success", from: server.seed.eoaAddress.toLowerCase() });
    expect(await balanceOf(server.seed.eoaAddress)).toBe(before[0]! - 750_000n);
    expect(await balanceOf(recipient)).toBe(before[1]! + 750_000n);
    expect(server.counters.get("sendTransaction")).toBe(0);
    expect(server.counters.get("signTransaction")).toBe(0);
    // concurrent calls from one local key get distinct nonces: both land
    const both = (await Promise.all([
      run(tool, { ...input, amount: "0.01" }, localWallet),
      run(tool, { ...input, amount: "0.02" }, localWallet),
    ])) as Array<{ transactionHash: `0x${string}` }>;
    for (const { transactionHash } of both) {
      expect(
        (await chain.waitForTransactionReceipt({ hash: transactionHash, pollingInterval: 50 })).status,
      ).toBe("success");
    }
    expect(await balanceOf(recipient)).toBe(before[1]! + 780_000n);
    // over the balance: the token balance is read first, so nothing is signed, simulated or broadcast and no
    // budget is reserved (1000 of the 2000 budget is refused for the balance too, not for the budget)
    const poor = tools({
      ...basePayments(),
      tokens: { USDC: { address: usdc(), maxPerTransaction: "100000", budget: "2000" } },
    })("sendToken");
    const signedBefore = server.counters.get("signTransaction");
    expect(await errorOf(run(poor, { ...input, amount: "1500" }, localWallet))).toMatchObject({
      ok: false,
      code: "policy_refused",
      message: expect.stringMatching(/^The wallet holds [0-9.]+ USDC; it cannot send 1500 USDC/),
    });
    expect(await balanceOf(recipient)).toBe(before[1]! + 780_000n);
    expect(await errorOf(run(poor, { ...input, amount: "1000" }, localWallet))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("cannot send 1000 USDC"),
    });
    expect(server.counters.get("signTransaction")).toBe(signedBefore);
  });

  it("sendToken with a local key and simulation off: the chain's estimate is used within the fee ceiling", async () => {
    const input = { chain: null, token: "USDC", to: recipient, amount: "0.01" };
    const before = await balanceOf(recipient);
    const off = tools({ ...basePayments(), policy: { simulation: "off" } })("sendToken");
    const sent = (await run(off, input, localWallet)) as { transactionHash: `0x${string}` };
    expect(
      (await chain.waitForTransactionReceipt({ hash: sent.transactionHash, pollingInterval: 50 })).status,
    ).toBe("success");
    expect(await balanceOf(recipient)).toBe(before + 10_000n);
    // a ceiling below the estimated fee: refused before the key signs, and nothing is broadcast
    const tight = tools({ ...basePayments(), policy: { simulation: "off", maxFeePerTransaction: 1n } })(
      "sendToken",
    );
    const nonce = await chain.getTransactionCount({ address: server.seed.eoaAddress });
    expect(await run(tight, input, localWallet).catch((error: unknown) => error)).toMatchObject({
      code: "policy_refused",
      rule: "fee_ceiling",
    });
    expect(await chain.getTransactionCount({ address: server.seed.eoaAddress })).toBe(nonce);
    expect(await balanceOf(recipient)).toBe(before + 10_000n);
  });

  it("sendToken refuses over the cap, over the budget, to a recipient off the allowlist, with nothing signed", async () => {
    const tool = tools({
      ...basePayments(),
      policy: { recipientAllowlist: [recipient] },
      tokens: { USDC: { address: usdc(), maxPerTransaction: "2", budget: "3" } },
    })("sendToken");
    const send = (amount: string, to = recipient) => ({ chain: null, token: usdc(), to, amount });
    expect(await errorOf(run(tool, send("2.000001")))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("maximum of 2 USDC"),
    });
    expect(await errorOf(run(tool, send("1", "0x000000000000000000000000000000000000dEaD")))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("allowlist"),
    });
    expect(await errorOf(run(tool, send("0.0000001")))).toMatchObject({ code: "invalid_input" });
    expect(server.counters.get("sendTransaction")).toBe(0);
    await run(tool, send("2"));
    expect(await errorOf(run(tool, send("1.5")))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("1 of 3 USDC left"),
    });
    expect(server.counters.get("sendTransaction")).toBe(1);
    // a token off the host's list is refused by address and unknown by symbol
    expect(
      await errorOf(run(tool, { ...send("1"), token: "0x0000000000000000000000000000000000000001" })),
    ).toMatchObject({ code: "policy_refused" });
    expect(await errorOf(run(tool, { ...send("1"), token: "DAI" }))).toMatchObject({ code: "invalid_input" });
  });
});

describe("fetchPaidResource against the local x402 seller and facilitator", () => {
  it("pays once with the server-held wallet, returns the content and receipt; a replay does not pay again", async () => {
    const previews: PaymentPreview[] = [];
    const options = basePayments();
    const tool = tools({
      ...options,
      payments: {
        ...options.payments,
        approve: (preview) => {
          previews.push(preview);
          return true;
        },
      },
    })("fetchPaidResource");
    const payee = await balanceOf(x402().payTo);
    const payer = await balanceOf(server.seed.serverWalletAddress);
    const settledBefore = x402().counts().settle;
    const result = (await run(tool, fetchInput(x402().resourceUrl), runtime, "buy-report")) as {
      status: number;
      body: string;
      payment: { transactionHash: `0x${string}`; payer: string; amount: string; asset: string };
    };
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual(X402_CONTENT);
    expect(result.payment).toMatchObject({
      amount: "0.01",
      asset: "USDC",
      payer: server.seed.serverWalletAddress,
    });
    const receipt = await chain.waitForTransactionReceipt({
      hash: result.payment.transactionHash,
      pollingInterval: 50,
    });
    expect(receipt.status).toBe("success");
    expect(await balanceOf(x402().payTo)).toBe(payee + x402().price);
    expect(await balanceOf(server.seed.serverWalletAddress)).toBe(payer - x402().price);
    expect(previews).toEqual([
      expect.objectContaining({
        host: new URL(x402().sellerUrl).host,
        amount: "0.01",
        asset: "USDC",
        payTo: x402().payTo,
      }),
    ]);
    const replay = await run(tool, fetchInput(x402().resourceUrl), runtime, "buy-report");
    expect(replay).toEqual(result);
    expect(x402().counts().settle).toBe(settledBefore + 1);
    expect(server.counters.get("signTypedData")).toBe(1);
  });

  it("a wallet that refuses to sign gives its own typed error and uses no budget", async () => {
    const narrow = await AgentRuntime.fromConfig({
      config: {
        baseUrl: server.url,
        agentRef: server.seed.agentRef,
        credentialId: server.seed.eoaCredentialId,
        scopes: ["agents.read"],
      },
      wallet: {
        signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(server.seed.eoaPrivateKey) }),
      },
      backgroundRefresh: false,
    });
    try {
      const options = basePayments();
      const ledger = new MemorySpendLedger();
      const limited = { ...options, ledger, payments: { ...options.payments, budget: "0.01" } };
      const verified = x402().counts().verify;
      expect(
        await errorOf(run(tools(limited)("fetchPaidResource"), fetchInput(x402().resourceUrl), narrow)),
      ).toMatchObject({
        code: "insufficient_scope",
      });
      expect(x402().counts().verify).toBe(verified);
      // the budget of exactly one payment is still whole
      const paid = (await run(tools(limited)("fetchPaidResource"), fetchInput(x402().resourceUrl))) as {
        status: number;
      };
      expect(paid.status).toBe(200);
    } finally {
      await narrow.shutdown();
    }
  });

  it("concurrent purchases each pay once, and the budget holds exactly", async () => {
    const options = basePayments();
    // room for three payments of 0.01: of five concurrent calls, three pay and two are refused unsigned
    const tool = tools({ ...options, payments: { ...options.payments, budget: "0.03" } })(
      "fetchPaidResource",
    );
    const payee = await balanceOf(x402().payTo);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => errorOf(run(tool, fetchInput(x402().resourceUrl)))),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    expect(results.filter((result) => !result.ok)).toEqual(
      Array.from({ length: 2 }, () => expect.objectContaining({ code: "policy_refused" })),
    );
    expect(await balanceOf(x402().payTo)).toBe(payee + 3n * x402().price);
    expect(server.counters.get("signTypedData")).toBe(3);
  });

  it("a call replayed in another process (a shared ledger, no cached result) is not paid again", async () => {
    const ledger = new MemorySpendLedger();
    const first = tools({ ...basePayments(), ledger })("fetchPaidResource");
    const second = tools({ ...basePayments(), ledger })("fetchPaidResource");
    const settled = x402().counts().settle;
    await run(first, fetchInput(x402().resourceUrl), runtime, "shared-ledger-call");
    expect(
      await errorOf(run(second, fetchInput(x402().resourceUrl), runtime, "shared-ledger-call")),
    ).toMatchObject({
      code: "payment_already_made",
    });
    expect(x402().counts().settle).toBe(settled + 1);
    expect(server.counters.get("signTypedData")).toBe(1);
  });

  it("pays with a local key (createWallet), signing locally", async () => {
    const payee = await balanceOf(x402().payTo);
    const payer = await balanceOf(server.seed.eoaAddress);
    const result = (await run(tools()("fetchPaidResource"), fetchInput(x402().resourceUrl), localWallet)) as {
      status: number;
      payment: { payer: string; transactionHash: string };
    };
    expect(result.status).toBe(200);
    expect(result.payment.payer).toBe(server.seed.eoaAddress);
    expect(await balanceOf(x402().payTo)).toBe(payee + x402().price);
    expect(await balanceOf(server.seed.eoaAddress)).toBe(payer - x402().price);
    expect(server.counters.get("signTypedData")).toBe(0);
  });

  it("refuses over the cap, an unlisted host or pay-to, another network, before anything is signed", async () => {
    const options = basePayments();
    const host = new URL(x402().sellerUrl).host;
    const cases: Array<[LucidToolsOptions["payments"], string]> = [
      [{ allowedHosts: [host], maxPerPayment: "0.009" }, "payment_max_per_payment"],
      [{ allowedHosts: ["shop.example.com"] }, "payment_host"],
      [{ payTo: ["0x000000000000000000000000000000000000dEaD"] }, "payment_pay_to"],
      [{ allowedHosts: [host], networks: ["eip155:8453"] }, "payment_network"],
      [{ allowedHosts: [host], assets: ["0x0000000000000000000000000000000000000001"] }, "payment_asset"],
      [{}, "payment_payee"],
    ];
    const verified = x402().counts().verify;
    for (const [payments, rule] of cases) {
      const error = await run(
        tools({ ...options, payments })("fetchPaidResource"),
        fetchInput(x402().resourceUrl),
      ).catch((e: unknown) => e);
      expect(error, rule).toMatchObject({ code: "policy_refused", rule });
      const local = await run(
        tools({ ...options, payments })("fetchPaidResource"),
        fetchInput(x402().resourceUrl),
        localWallet,
      ).catch((e: unknown) => e);
      expect(local, rule).toMatchObject({ code: "policy_refused", rule });
    }
    // a token cap applies to payments too
    const capped = await errorOf(
      run(
        tools({ ...options, tokens: { USDC: { address: usdc(), maxPerTransaction: "0.001" } } })(
          "fetchPaidResource",
        ),
        fetchInput(x402().resourceUrl),
      ),
    );
    expect(capped).toMatchObject({ code: "policy_refused" });
    const declined = await errorOf(
      run(
        tools({ ...options, payments: { ...options.payments, approve: () => false } })("fetchPaidResource"),
        fetchInput(x402().resourceUrl),
      ),
    );
    expect(declined).toMatchObject({ code: "approval_denied" });
    expect(server.counters.get("signTypedData")).toBe(0);
    expect(x402().counts().verify).toBe(verified);
  });

  it("a facilitator that is down or refuses gives a typed error and uses no budget", async () => {
    const options = basePayments();
    // the budget holds exactly one payment: a failed one must not use it
    const tool = tools({ ...options, payments: { ...options.payments, budget: "0.01" } })(
      "fetchPaidResource",
    );
    const payee = await balanceOf(x402().payTo);
    x402().setFacilitatorMode("unavailable");
    expect(await errorOf(run(tool, fetchInput(x402().resourceUrl)))).toMatchObject({
      ok: false,
      code: "payment_not_settled",
      retryable: true,
    });
    x402().setFacilitatorMode("refuse");
    expect(await errorOf(run(tool, fetchInput(x402().resourceUrl)))).toMatchObject({
      code: "payment_not_settled",
    });
    expect(await balanceOf(x402().payTo)).toBe(payee);
    x402().setFacilitatorMode("ok");
    const paid = (await run(tool, fetchInput(x402().resourceUrl))) as { status: number };
    expect(paid.status).toBe(200);
    expect(await balanceOf(x402().payTo)).toBe(payee + x402().price);
    // now the budget is used up
    expect(await errorOf(run(tool, fetchInput(x402().resourceUrl)))).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("payments.budget"),
    });
  });

  it("bad input from a hostile seller gets a typed result, never a signature or a crash", async () => {
    const options = basePayments();
    const tool = tools({
      ...options,
      payments: { allowedHosts: [new URL(hostileUrl).host], maxPerPayment: "1000", maxBodyBytes: 1024 },
    })("fetchPaidResource");
    const expectations: Array<[string, Record<string, unknown>]> = [
      ["/malformed", { code: "payment_requirements_invalid" }],
      ["/overflow", { code: "policy_refused" }],
      ["/negative", { code: "policy_refused" }],
      ["/unknown-scheme", { code: "payment_requirements_invalid" }],
      ["/permit2", { code: "policy_refused" }],
      ["/long-window", { code: "policy_refused" }],
      ["/huge-402", { code: "payment_requirements_invalid" }],
    ];
    for (const [path, expected] of expectations) {
      expect(await errorOf(run(tool, fetchInput(`${hostileUrl}${path}`))), path).toMatchObject({
        ok: false,
        ...expected,
      });
    }
    const huge = (await run(tool, fetchInput(`${hostileUrl}/huge`))) as {
      body: string;
      truncated: boolean;
      payment: unknown;
    };
    expect(huge).toMatchObject({ truncated: true, payment: null });
    expect(huge.body.length).toBe(1024);
    const hanging = tools({
      ...options,
      payments: { allowedHosts: [new URL(hostileUrl).host], timeoutMs: 300 },
    })("fetchPaidResource");
    expect(await errorOf(run(hanging, fetchInput(`${hostileUrl}/hang`)))).toMatchObject({
      code: "payment_seller_failed",
      retryable: true,
    });
    expect(signedByHostile).toBe(0);
    expect(server.counters.get("signTypedData")).toBe(0);
  });

  it("a host off allowedHosts is not even fetched, and a reused tool call id cannot fetch another URL", async () => {
    const before = hostileRequests;
    const { payments: _none, ...withoutPayments } = basePayments();
    expect(
      await errorOf(run(tools(withoutPayments)("fetchPaidResource"), fetchInput(`${hostileUrl}/huge`))),
    ).toMatchObject({ code: "policy_refused", message: expect.stringContaining("not enabled") });
    const elsewhere = tools({ ...basePayments(), payments: { allowedHosts: ["shop.example.com"] } });
    expect(
      await errorOf(run(elsewhere("fetchPaidResource"), fetchInput(`${hostileUrl}/huge`))),
    ).toMatchObject({
      code: "policy_refused",
      message: expect.stringContaining("nothing was fetched"),
    });
    expect(hostileRequests).toBe(before);
    const tool = tools({
      ...basePayments(),
      payments: { allowedHosts: [new URL(hostileUrl).host, new URL(x402().sellerUrl).host] },
    })("fetchPaidResource");
    await run(tool, fetchInput(x402().resourceUrl), runtime, "reused-id");
    expect(await errorOf(run(tool, fetchInput(`${hostileUrl}/huge`), runtime, "reused-id"))).toMatchObject({
      code: "invalid_input",
    });
    expect(hostileRequests).toBe(before);
  });

  it("signTypedData refuses an EIP-3009 authorization: only fetchPaidResource signs payments", async () => {
    const typedData = {
      domain: { name: "USD Coin", version: "2", chainId: server.seed.chainId, verifyingContract: usdc() },
      types: {
        TransferWithAuthorization: [
          { name: "from", type: "address" },
          { name: "to", type: "address" },
          { name: "value", type: "uint256" },
          { name: "validAfter", type: "uint256" },
          { name: "validBefore", type: "uint256" },
          { name: "nonce", type: "bytes32" },
        ],
      },
      primaryType: "TransferWithAuthorization",
      message: {
        from: server.seed.serverWalletAddress,
        to: recipient,
        value: "1000000",
        validAfter: "0",
        validBefore: "99999999999",
        nonce: `0x${"11".repeat(32)}`,
      },
    };
    const policyAllowsAll = tools({ ...basePayments(), policy: { typedData: { allowApprovals: true } } });
    expect(
      await errorOf(run(policyAllowsAll("signTypedData"), { typedData: JSON.stringify(typedData) })),
    ).toMatchObject({ code: "policy_refused", message: expect.stringContaining("fetchPaidResource") });
    expect(server.counters.get("signTypedData")).toBe(0);
    expect(localUsdcAbi.some((item) => "name" in item && item.name === "transferWithAuthorization")).toBe(
      true,
    );
  });
});
