import { describe, expect, it } from "vitest";
import { AgentAuthError } from "../runtime/errors.js";
import { runGuarded } from "./guarded-call.js";
import { PolicyEnforcer } from "./policy.js";
import { MemorySpendLedger, type SpendItem } from "./spend-ledger.js";
import type { ToolDeps } from "./tool-context.js";
import type { ToolSession } from "./tool-session.js";

const session = {};
const toolSession = { agentRef: "agent-1" } as ToolSession;
const items = (amount: bigint): SpendItem[] => [
  { asset: "eip155:1/slip44:60", amount, limits: [{ rule: "budgetPerSession", amount: 10n }] },
];

function deps(ledger = new MemorySpendLedger()): ToolDeps {
  return {
    policy: new PolicyEnforcer({ budgetPerSession: 10n, ledger }),
    filled: new Map(),
    defaultChain: undefined,
    needsApproval: false,
  };
}

const run = (
  d: ToolDeps,
  id: string,
  amount: bigint,
  call: () => Promise<string>,
  input: unknown = { amount },
) => runGuarded("sendTransaction", input, items(amount), d, toolSession, { session, toolCallId: id }, call);
const refusedCode = (promise: Promise<unknown>) =>
  promise.then(
    () => "ok",
    (e: { code?: string; rule?: string }) => e.rule ?? e.code,
  );

describe("runGuarded: one ledger for sign and send", () => {
  it("counts a call once; a replay is not counted again; a different body under the key is refused unsent", async () => {
    const d = deps();
    let wallet = 0;
    const call = async () => `tx${++wallet}`;
    expect(await run(d, "a", 6n, call)).toBe("tx1");
    expect(await run(d, "a", 6n, call)).toBe("tx2"); // the wallet dedups by key; the ledger did not count it again
    expect(await refusedCode(run(d, "a", 7n, call))).toBe("idempotency");
    expect(await refusedCode(run(d, "b", 5n, call))).toBe("budget");
    expect(wallet).toBe(2);
  });

  it("gives the reservation back only when the wallet said nothing was sent (a 4xx other than 409)", async () => {
    const d = deps();
    const failWith = (status: number | undefined) => async () => {
      throw new AgentAuthError("x", "failed", status === undefined ? {} : { status });
    };
    expect(await refusedCode(run(d, "bad-request", 6n, failWith(400)))).toBe("x");
    expect(await run(d, "after-400", 6n, async () => "sent")).toBe("sent"); // the 400 was released
    const e = deps();
    expect(await refusedCode(run(e, "network", 6n, failWith(undefined)))).toBe("x");
    expect(await refusedCode(run(e, "after-network", 6n, async () => "sent"))).toBe("budget"); // may have been sent
    const f = deps();
    expect(await refusedCode(run(f, "conflict", 6n, failWith(409)))).toBe("x");
    expect(await refusedCode(run(f, "after-409", 6n, async () => "sent"))).toBe("budget");
  });

  it("scopes budgets per agent by default: two sessions of one agent share them", async () => {
    const ledger = new MemorySpendLedger();
    const d = deps(ledger);
    await runGuarded(
      "sendTransaction",
      1,
      items(6n),
      d,
      toolSession,
      { session: {}, toolCallId: "x" },
      async () => "ok",
    );
    const other = runGuarded(
      "sendTransaction",
      2,
      items(6n),
      d,
      toolSession,
      { session: {}, toolCallId: "y" },
      async () => "ok",
    );
    expect(await refusedCode(other)).toBe("budget");
    const perSession = {
      ...d,
      policy: new PolicyEnforcer({ budgetPerSession: 10n, budgetScope: "session", ledger }),
    };
    const s1 = {};
    await runGuarded(
      "sendTransaction",
      1,
      items(6n),
      perSession,
      toolSession,
      { session: s1, toolCallId: "x" },
      async () => "ok",
    );
    const s2 = runGuarded(
      "sendTransaction",
      1,
      items(6n),
      perSession,
      toolSession,
      { session: {}, toolCallId: "x" },
      async () => "ok",
    );
    expect(await refusedCode(s2)).toBe("ok");
  });
});

describe("rolling budgets", () => {
  it("budget: { amount, per: '1h' } frees what was spent an hour ago (clock injected)", async () => {
    let now = 0;
    const ledger = new MemorySpendLedger({ now: () => now });
    const policy = new PolicyEnforcer({ budget: { amount: 10n, per: "1h" }, ledger });
    const d: ToolDeps = { policy, filled: new Map(), defaultChain: undefined, needsApproval: false };
    const windowed = (amount: bigint): SpendItem[] => [
      { asset: "eip155:1/slip44:60", amount, limits: policy.rules.nativeLimits },
    ];
    const spend = (id: string, amount: bigint) =>
      runGuarded(
        "sendTransaction",
        id,
        windowed(amount),
        d,
        toolSession,
        { session, toolCallId: id },
        async () => "ok",
      ).then(
        () => "ok",
        (e: { rule?: string }) => e.rule,
      );
    expect(await spend("a", 8n)).toBe("ok");
    now = 30 * 60_000;
    expect(await spend("b", 3n)).toBe("budget");
    now = 60 * 60_000 + 1;
    expect(await spend("c", 3n)).toBe("ok");
    expect(policy.rules.nativeLimits).toEqual([{ rule: "budget:1h", amount: 10n, windowMs: 3_600_000 }]);
  });
});
