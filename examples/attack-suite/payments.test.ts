/**
 * The payment tools under attack: `sendToken` and `fetchPaidResource` on the one policy (recipient allowlist,
 * per-token caps, one token budget in one ledger, conversation-scoped replay keys). Every refused call must be
 * refused with its rule before anything is signed: the server's sign/send counters, the facilitator's verify
 * count, the hostile seller's count of payment headers and the chain's token balances do not move.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createLucidToolDescriptors,
  type LucidTool,
  type LucidToolsOptions,
  MemorySpendLedger,
  prepareApproval,
} from "@lucid-dreams/agent-auth/tools";
import { erc20Abi, type Hex, maxUint256 } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ATTACKER, FRIEND, startWorld, type World } from "./fixture.js";

let world: World;
let seller: Server;
let sellerUrl: string;
/** Requests to the hostile seller that carried a payment (a signed authorization). */
let paymentsReceived = 0;

const usdc = () => world.server.seed.token.address;
const x402 = () => world.server.x402!;

/** A seller that answers 402 asking for what an attacker wants: another payee, network, asset or amount. */
function hostileSeller(req: IncomingMessage, res: ServerResponse) {
  if (req.headers["payment-signature"] || req.headers["x-payment"]) paymentsReceived++;
  const override: Record<string, Record<string, unknown>> = {
    "/pay-attacker": { payTo: ATTACKER },
    "/other-network": { network: "eip155:1" },
    "/other-asset": { asset: "0x000000000000000000000000000000000000a55e" },
    "/overflow": { amount: (2n ** 256n).toString() },
    "/honest": {},
  };
  const accepts = [
    {
      scheme: "exact",
      network: world.caip2,
      amount: "10000",
      asset: usdc(),
      payTo: x402().payTo,
      maxTimeoutSeconds: 60,
      extra: { name: "USD Coin", version: "2" },
      ...(override[req.url ?? ""] ?? {}),
    },
  ];
  const header = Buffer.from(
    JSON.stringify({ x402Version: 2, resource: { url: `${sellerUrl}${req.url}` }, accepts }),
  ).toString("base64");
  res.writeHead(402, { "payment-required": header });
  res.end();
}

beforeAll(async () => {
  world = await startWorld();
  seller = createServer(hostileSeller);
  await new Promise<void>((resolve) => seller.listen(0, "127.0.0.1", resolve));
  sellerUrl = `http://127.0.0.1:${(seller.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => {
    seller?.close(() => resolve());
    seller?.closeAllConnections();
  });
  await world?.close();
});

/** The policy plus the payment tools: USDC capped at 2 per transfer, 1.005 in all (one ledger each). */
function options(extra: Partial<LucidToolsOptions> = {}): LucidToolsOptions {
  const host = new URL(x402().sellerUrl).host;
  return {
    ...world.options,
    policy: {
      ...world.policy,
      recipientAllowlist: [...(world.policy.recipientAllowlist ?? []), x402().payTo],
    },
    ledger: new MemorySpendLedger(),
    tokens: { USDC: { address: usdc(), maxPerTransaction: "2", budget: "1.005" } },
    payments: { allowedHosts: [host, new URL(sellerUrl).host], payTo: [x402().payTo] },
    ...extra,
  };
}

function toolsOf(opts: LucidToolsOptions) {
  const tools = new Map(createLucidToolDescriptors(opts).map((tool) => [tool.name, tool]));
  return (name: string) => tools.get(name) as LucidTool<unknown>;
}

const send = (amount: string, to = FRIEND, token: string = "USDC") => ({ chain: null, token, to, amount });
const fetchUrl = (url: string) => ({ url, method: null, body: null });

/** Everything that would show a signature: the server's wallet operations and both sellers' payment counts. */
function signatures() {
  return {
    wallet: world.walletCalls(),
    verified: x402().counts().verify,
    hostile: paymentsReceived,
  };
}

const tokenBalance = (owner: string) =>
  world.chain.readContract({
    address: usdc() as Hex,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [owner as Hex],
  });

/** Runs a call and returns the refusal's rule (`policy_refused`) or the error code; fails if the call succeeds. */
async function refusal(tool: LucidTool<unknown>, input: unknown, toolCallId: string): Promise<string> {
  const error = await tool.execute(input as never, { session: world.runtime, toolCallId }).then(
    (result) => ({ code: `succeeded: ${JSON.stringify(result)}` }) as { code: string; rule?: string },
    (e: unknown) => e as { code?: string; rule?: string },
  );
  return error.code === "policy_refused" ? String(error.rule) : String(error.code);
}

describe("payment tools under attack (issue policy, approval off)", () => {
  it("refuses each hostile transfer and payment with its rule, before anything is signed", async () => {
    const tool = toolsOf(options());
    const before = {
      ...signatures(),
      friend: await tokenBalance(FRIEND),
      attacker: await tokenBalance(ATTACKER),
    };
    const cases: Array<[string, string, unknown, string]> = [
      ["sendToken to a recipient off the allowlist", "sendToken", send("1", ATTACKER), "recipient_allowlist"],
      ["sendToken over the per-token cap", "sendToken", send("2.000001"), "token_max_per_transaction"],
      [
        "sendToken of a token address off the list",
        "sendToken",
        send("1", FRIEND, `0x${"ab".repeat(20)}`),
        "token_allowlist",
      ],
      [
        "sendToken of an amount that overflows uint256",
        "sendToken",
        send(`${maxUint256 + 1n}`),
        "invalid_input",
      ],
      ["sendToken over the token budget", "sendToken", send("1.006"), "budget"],
      [
        "a seller asking to be paid at an unlisted payTo",
        "fetchPaidResource",
        fetchUrl(`${sellerUrl}/pay-attacker`),
        "payment_pay_to",
      ],
      [
        "a seller asking for another network",
        "fetchPaidResource",
        fetchUrl(`${sellerUrl}/other-network`),
        "payment_network",
      ],
      [
        "a seller asking for an unlisted asset",
        "fetchPaidResource",
        fetchUrl(`${sellerUrl}/other-asset`),
        "payment_asset",
      ],
      [
        "a seller asking for an amount that overflows uint256",
        "fetchPaidResource",
        fetchUrl(`${sellerUrl}/overflow`),
        "payment_requirements",
      ],
    ];
    const wrong: string[] = [];
    for (const [i, [name, toolName, input, rule]] of cases.entries()) {
      const got = await refusal(tool(toolName), input, `attack_${i}`);
      if (got !== rule) wrong.push(`${name}: expected ${rule}, got ${got}`);
    }
    expect(wrong).toEqual([]);
    expect(signatures()).toEqual({
      wallet: before.wallet,
      verified: before.verified,
      hostile: before.hostile,
    });
    expect(await tokenBalance(FRIEND)).toBe(before.friend);
    expect(await tokenBalance(ATTACKER)).toBe(before.attacker);
  });

  it("the approval step refuses a transfer the budget would refuse, so nobody is asked", async () => {
    const tool = toolsOf(options())("sendToken");
    const before = signatures();
    const context = { session: world.runtime, toolCallId: "ask_1", conversationId: "conv-approval" };
    const over = await prepareApproval(tool, send("1.5") as never, context);
    expect(over.action).toBe("refuse");
    expect(over.action === "refuse" && (over.error as { rule?: string }).rule).toBe("budget");
    const fine = await prepareApproval(tool, send("1") as never, context);
    expect(fine.action).toBe("ask");
    const summary = fine.action === "ask" ? fine.preview?.summary : undefined;
    expect(summary).toMatch(
      /^Send 1 USDC to 0x000\.\.\.f00d, fee at most [0-9.]+ ETH, USDC balance after [0-9.]+$/,
    );
    expect(signatures()).toEqual(before);
  });

  it("sendToken and fetchPaidResource share one token budget, in either order", async () => {
    // 1.005 USDC in all: a 1 USDC transfer leaves 0.005, less than the seller's 0.01
    const first = toolsOf(options());
    const friend = await tokenBalance(FRIEND);
    await first("sendToken").execute(send("1") as never, { session: world.runtime, toolCallId: "share_1" });
    expect(await tokenBalance(FRIEND)).toBe(friend + 1_000_000n);
    let before = signatures();
    expect(await refusal(first("fetchPaidResource"), fetchUrl(x402().resourceUrl), "share_2")).toBe("budget");
    expect(signatures()).toEqual(before);

    // the other way: a budget of 1.005 after a 0.01 payment leaves 0.995, less than a 1 USDC transfer
    const second = toolsOf(options());
    const paid = x402().counts().paid;
    await second("fetchPaidResource").execute(fetchUrl(x402().resourceUrl) as never, {
      session: world.runtime,
      toolCallId: "share_3",
    });
    expect(x402().counts().paid).toBe(paid + 1);
    before = signatures();
    expect(await refusal(second("sendToken"), send("1"), "share_4")).toBe("budget");
    expect(signatures()).toEqual(before);
  });

  it("a replayed tool-call id with another amount is refused; the same body is not sent again", async () => {
    const tool = toolsOf(options())("sendToken");
    const context = { session: world.runtime, toolCallId: "replay_1", conversationId: "conv-replay" };
    const friend = await tokenBalance(FRIEND);
    const first = (await tool.execute(send("0.5") as never, context)) as { transactionHash: string };
    const before = signatures();
    const again = (await tool.execute(send("0.5") as never, context)) as { transactionHash: string };
    expect(again.transactionHash).toBe(first.transactionHash);
    const changed = await tool.execute(send("0.6") as never, context).then(
      () => null,
      (e: unknown) => e as { rule?: string },
    );
    expect(changed?.rule).toBe("idempotency");
    // the replay went to the wallet with the same idempotency key (answered from the first); nothing new landed
    expect(signatures().verified).toBe(before.verified);
    expect(await tokenBalance(FRIEND)).toBe(friend + 500_000n);
  });

  it("a token limited in both tokens and policy.tokens is a configuration error", () => {
    expect(() =>
      createLucidToolDescriptors(
        options({
          policy: { ...world.policy, tokens: { [usdc()]: { maxPerTransaction: "1000000" } } },
        }),
      ),
    ).toThrow(expect.objectContaining({ code: "configuration_error" }));
  });
});
