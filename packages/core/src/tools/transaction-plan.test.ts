import { MethodNotFoundRpcError, type PublicClient, RpcRequestError } from "viem";
import { describe, expect, it } from "vitest";
import type { LucidToolPolicy } from "./policy/policy-options.js";
import { PolicyEnforcer } from "./policy.js";
import type { ToolDeps } from "./tool-context.js";
import type { ToolSession } from "./tool-session.js";
import { planTransaction } from "./transaction-plan.js";

const CHAIN = "eip155:8453";
const FRIEND = "0x000000000000000000000000000000000000f00d";
const WALLET = "0x00000000000000000000000000000000000a11ce";
const session = {
  agentRef: "a",
  wallet: async () => ({ address: WALLET, caip2: CHAIN }),
} as unknown as ToolSession;

/** A fake node: answers the reads the plan makes, and `eth_simulateV1` as told; counts the methods called. */
function node(simulate: () => unknown) {
  const calls: string[] = [];
  const client = {
    request: async ({ method }: { method: string }) => {
      calls.push(method);
      if (method === "eth_simulateV1") return simulate();
      if (method === "eth_maxPriorityFeePerGas") return "0x3b9aca00";
      throw new Error(`unexpected ${method}`);
    },
    getBlock: async () => {
      calls.push("eth_getBlockByNumber");
      return { baseFeePerGas: 1_000_000_000n };
    },
    getTransactionCount: async () => {
      calls.push("eth_getTransactionCount");
      return 7;
    },
    getBalance: async () => {
      calls.push("eth_getBalance");
      return 10n ** 18n;
    },
    chain: undefined,
  } as unknown as PublicClient;
  return { client, calls };
}

const deps = (policy: LucidToolPolicy, client?: PublicClient): ToolDeps => ({
  policy: new PolicyEnforcer(policy, client ? { rpc: { [CHAIN]: client } } : {}),
  filled: new Map(),
  defaultChain: undefined,
  needsApproval: false,
});
const tx = { chain: CHAIN, to: FRIEND, amount: "0.01", unit: "ether" as const, data: null };
const okBlock = [
  {
    number: "0x1",
    calls: [{ status: "0x1", returnData: "0x", gasUsed: "0x5208", logs: [] }],
  },
];
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    (plan) => (plan as { preview: { simulation: string } }).preview.simulation,
    (e: { code?: string; rule?: string }) => e.rule ?? e.code,
  );

describe("planTransaction against a faked node", () => {
  it("simulates, fills the sign fields from the chain, and previews the worst case", async () => {
    const { client, calls } = node(() => okBlock);
    const plan = await planTransaction(
      "signTransaction",
      { ...tx, nonce: null, gas: null, maxFeePerGas: null, maxPriorityFeePerGas: null },
      deps({}, client),
      session,
    );
    expect(plan.transaction).toMatchObject({
      nonce: "7",
      gas: "26251",
      maxFeePerGas: "2200000000",
      maxPriorityFeePerGas: "1000000000",
    });
    expect(plan.preview).toMatchObject({
      simulation: "simulated",
      worstCaseFee: "0.0000577522",
      balanceAfter: "0.9899422478",
    });
    expect(plan.preview.summary).toBe(
      "Sign (not broadcast) a transaction: 0.01 ETH to 0x000...f00d, fee at most 0.0000577522 ETH, balance after 0.9899422478 ETH",
    );
    expect(calls.sort()).toEqual([
      "eth_getBalance",
      "eth_getBlockByNumber",
      "eth_getTransactionCount",
      "eth_maxPriorityFeePerGas",
      "eth_simulateV1",
    ]);
  });

  it("a chain without eth_simulateV1: best effort lets the decoded checks decide and says so; required refuses", async () => {
    const missing = () => {
      throw new MethodNotFoundRpcError(new Error("the method eth_simulateV1 does not exist"));
    };
    const { client } = node(missing);
    expect(await outcome(planTransaction("sendTransaction", tx, deps({}, client), session))).toBe(
      "unavailable",
    );
    expect(
      await outcome(
        planTransaction("sendTransaction", tx, deps({ simulation: "required" }, client), session),
      ),
    ).toBe("chain_unavailable");
    expect(
      await outcome(planTransaction("sendTransaction", tx, deps({ simulation: "required" }), session)),
    ).toBe("simulation");
    expect(
      await outcome(planTransaction("sendTransaction", tx, deps({ simulation: "off" }, client), session)),
    ).toBe("off");
  });

  it("a revert and a node refusal are refused with their reasons", async () => {
    const reverted = [
      {
        number: "0x1",
        calls: [
          {
            status: "0x0",
            returnData: "0x",
            gasUsed: "0x5208",
            logs: [],
            error: { code: 3, message: "execution reverted: nope" },
          },
        ],
      },
    ];
    expect(
      await outcome(planTransaction("sendTransaction", tx, deps({}, node(() => reverted).client), session)),
    ).toBe("simulation_revert");
    const refuse = () => {
      throw new RpcRequestError({
        body: {},
        url: "http://node",
        error: { code: -32000, message: "insufficient funds" },
      });
    };
    expect(
      await outcome(planTransaction("sendTransaction", tx, deps({}, node(refuse).client), session)),
    ).toBe("simulation");
  });

  it("refuses what the wallet cannot pay in the worst case", async () => {
    const { client } = node(() => okBlock);
    expect(
      await outcome(planTransaction("sendTransaction", { ...tx, amount: "1" }, deps({}, client), session)),
    ).toBe("balance");
  });

  it("signTransaction without an rpc needs every fee field from the model", async () => {
    expect(
      await outcome(
        planTransaction(
          "signTransaction",
          { ...tx, nonce: null, gas: null, maxFeePerGas: null, maxPriorityFeePerGas: null },
          deps({}),
          session,
        ),
      ),
    ).toBe("invalid_input");
    const full = { ...tx, nonce: "1", gas: "21000", maxFeePerGas: "1000", maxPriorityFeePerGas: "1" };
    expect(await outcome(planTransaction("signTransaction", full, deps({}), session))).toBe("unavailable");
  });
});
