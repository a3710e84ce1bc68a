/**
 * The contract every `SpendLedger` store must keep, as vitest cases. Run it against each store with a factory
 * that takes the clock (epoch ms) the store must use for rolling windows.
 */
import type { SpendItem, SpendLedger, SpendLimit } from "@lucid-dreams/agent-auth/tools";
import { expect, it } from "vitest";

const ETH = "eip155:8453/slip44:60";
const USDC = "eip155:8453/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";

export function spendLedgerContract(create: (now: () => number) => SpendLedger): void {
  let time = 1_750_000_000_000;
  const now = () => time;
  const item = (amount: bigint, limits: SpendLimit[], asset = ETH): SpendItem => ({ asset, amount, limits });
  const lifetime = (amount: bigint): SpendLimit[] => [{ rule: "budgetPerSession", amount }];

  it("reserves within a lifetime budget and refuses what would exceed it, reporting what is used", async () => {
    const ledger = create(now);
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "agent:a", key, fingerprint: key, items: [item(amount, lifetime(10n))] });
    expect(await r("k1", 4n)).toEqual({ status: "reserved" });
    expect(await r("k2", 6n)).toEqual({ status: "reserved" });
    expect(await r("k3", 1n)).toEqual({
      status: "exceeded",
      asset: ETH,
      rule: "budgetPerSession",
      limit: 10n,
      used: 10n,
    });
    await ledger.commit("agent:a", "k1");
    expect(await r("k4", 1n)).toMatchObject({ status: "exceeded", used: 10n });
  });

  it("answers a replay with the entry's state and a reused key with another body as a conflict", async () => {
    const ledger = create(now);
    const request = {
      scope: "agent:a",
      key: "call-1",
      fingerprint: "body-1",
      items: [item(5n, lifetime(6n))],
    };
    expect(await ledger.reserve(request)).toEqual({ status: "reserved" });
    expect(await ledger.reserve(request)).toEqual({ status: "replay", state: "reserved" });
    await ledger.commit("agent:a", "call-1");
    expect(await ledger.reserve(request)).toEqual({ status: "replay", state: "committed" });
    expect(await ledger.reserve({ ...request, fingerprint: "body-2" })).toEqual({ status: "conflict" });
    // the replay did not count twice: 1 more still fits
    expect(
      await ledger.reserve({
        scope: "agent:a",
        key: "call-2",
        fingerprint: "x",
        items: [item(1n, lifetime(6n))],
      }),
    ).toEqual({ status: "reserved" });
  });

  it("release gives a reservation back; it never undoes a commit; both are idempotent", async () => {
    const ledger = create(now);
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, lifetime(10n))] });
    expect(await r("a", 10n)).toEqual({ status: "reserved" });
    await ledger.release("s", "a");
    await ledger.release("s", "a");
    expect(await r("b", 10n)).toEqual({ status: "reserved" });
    await ledger.commit("s", "b");
    await ledger.commit("s", "b");
    await ledger.release("s", "b");
    expect(await r("c", 1n)).toMatchObject({ status: "exceeded", used: 10n });
    await ledger.commit("s", "unknown");
    await ledger.release("s", "unknown");
    // a released key is free again, with any body
    expect(await r("a", 0n)).toMatchObject({ status: "reserved" });
  });

  it("counts a rolling window only over reservations younger than windowMs", async () => {
    const ledger = create(now);
    const limits: SpendLimit[] = [{ rule: "budget:1h", amount: 10n, windowMs: 3_600_000 }];
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    expect(await r("a", 6n)).toEqual({ status: "reserved" });
    time += 1_800_000;
    expect(await r("b", 4n)).toEqual({ status: "reserved" });
    expect(await r("c", 1n)).toMatchObject({ status: "exceeded", rule: "budget:1h", used: 10n });
    time += 1_800_000; // "a" is now exactly windowMs old: out of the window
    expect(await r("c", 6n)).toEqual({ status: "reserved" });
    expect(await r("d", 1n)).toMatchObject({ status: "exceeded", used: 10n });
  });

  it("lets reservations leave a window one by one, at exactly windowMs each", async () => {
    const ledger = create(now);
    const limits: SpendLimit[] = [{ rule: "budget:1m", amount: 10n, windowMs: 60_000 }];
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    const start = time;
    expect(await r("a", 3n)).toEqual({ status: "reserved" });
    time = start + 10;
    expect(await r("b", 3n)).toEqual({ status: "reserved" });
    time = start + 20;
    expect(await r("c", 3n)).toEqual({ status: "reserved" });
    expect(await r("x", 2n)).toMatchObject({ status: "exceeded", used: 9n });
    time = start + 60_000 - 1; // one ms before "a" leaves
    expect(await r("x", 2n)).toMatchObject({ status: "exceeded", used: 9n });
    time = start + 60_000; // "a" left
    expect(await r("x", 5n)).toMatchObject({ status: "exceeded", used: 6n });
    time = start + 60_010; // "b" left too
    expect(await r("x", 8n)).toMatchObject({ status: "exceeded", used: 3n });
    expect(await r("y", 7n)).toEqual({ status: "reserved" });
    time = start + 60_019; // "c" is still in
    expect(await r("z", 1n)).toMatchObject({ status: "exceeded", used: 10n });
  });

  it("releasing a reservation that already left a window gives nothing back to that window", async () => {
    const ledger = create(now);
    const limits: SpendLimit[] = [
      { rule: "budget:1m", amount: 10n, windowMs: 60_000 },
      { rule: "total", amount: 100n },
    ];
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    expect(await r("old", 5n)).toEqual({ status: "reserved" });
    time += 60_000;
    expect(await r("new", 10n)).toEqual({ status: "reserved" });
    await ledger.release("s", "old"); // counted in "total" only by now
    expect(await r("x", 1n)).toMatchObject({ status: "exceeded", rule: "budget:1m", used: 10n });
    await ledger.release("s", "new");
    expect(await r("x", 10n)).toEqual({ status: "reserved" });
    expect(
      await ledger.reserve({ scope: "s", key: "y", fingerprint: "f", items: [item(1n, lifetime(10n))] }),
    ).toMatchObject({ status: "exceeded", used: 10n }); // 15 reserved, 5 + 10 released, 10 again
  });

  it("counts earlier reservations in a window first used later, and in every window of the asset", async () => {
    const ledger = create(now);
    const r = (key: string, amount: bigint, limits: SpendLimit[]) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    expect(await r("a", 4n, lifetime(100n))).toEqual({ status: "reserved" });
    time += 1_000;
    const minute: SpendLimit[] = [{ rule: "budget:1m", amount: 10n, windowMs: 60_000 }];
    const hour: SpendLimit[] = [{ rule: "budget:1h", amount: 20n, windowMs: 3_600_000 }];
    expect(await r("b", 6n, minute)).toMatchObject({ status: "reserved" }); // "a" counts: 4 + 6
    expect(await r("c", 1n, minute)).toMatchObject({ status: "exceeded", used: 10n });
    expect(await r("d", 9n, lifetime(100n))).toEqual({ status: "reserved" }); // counts in both windows
    time += 60_000; // a, b, d left the minute, not the hour
    expect(await r("e", 11n, minute)).toMatchObject({ status: "exceeded", used: 0n });
    expect(await r("e", 2n, hour)).toMatchObject({ status: "exceeded", used: 19n });
    expect(await r("e", 1n, hour)).toEqual({ status: "reserved" });
  });

  it("counts a reservation stamped earlier than the last one (clocks that disagree) until it leaves", async () => {
    const ledger = create(now);
    const limits: SpendLimit[] = [{ rule: "budget:1m", amount: 10n, windowMs: 60_000 }];
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    const start = time;
    expect(await r("late", 4n)).toEqual({ status: "reserved" });
    time = start - 30_000; // a worker whose clock is 30 s behind
    expect(await r("early", 4n)).toEqual({ status: "reserved" });
    expect(await r("x", 3n)).toMatchObject({ status: "exceeded", used: 8n });
    time = start + 30_000; // "early" left, "late" did not
    expect(await r("x", 7n)).toMatchObject({ status: "exceeded", used: 4n });
    time = start + 60_000; // both left
    expect(await r("x", 10n)).toEqual({ status: "reserved" });
  });

  it("checks a window and a lifetime limit together", async () => {
    const ledger = create(now);
    const limits: SpendLimit[] = [
      { rule: "budget:1m", amount: 5n, windowMs: 60_000 },
      { rule: "total", amount: 8n },
    ];
    const r = (key: string, amount: bigint) =>
      ledger.reserve({ scope: "s", key, fingerprint: "f", items: [item(amount, limits)] });
    expect(await r("a", 5n)).toEqual({ status: "reserved" });
    expect(await r("b", 1n)).toMatchObject({ status: "exceeded", rule: "budget:1m" });
    time += 60_000;
    expect(await r("b", 4n)).toMatchObject({ status: "exceeded", rule: "total", used: 5n });
    expect(await r("b", 3n)).toEqual({ status: "reserved" });
  });

  it("reserves all items of a request or none", async () => {
    const ledger = create(now);
    const first = {
      scope: "s",
      key: "a",
      fingerprint: "f",
      items: [item(5n, lifetime(10n), ETH), item(100n, lifetime(100n), USDC)],
    };
    expect(await ledger.reserve(first)).toEqual({ status: "reserved" });
    const second = {
      scope: "s",
      key: "b",
      fingerprint: "f",
      items: [item(5n, lifetime(10n), ETH), item(1n, lifetime(100n), USDC)],
    };
    expect(await ledger.reserve(second)).toMatchObject({ status: "exceeded", asset: USDC, used: 100n });
    // nothing of "b" was kept: ETH still has 5 left
    expect(
      await ledger.reserve({ scope: "s", key: "c", fingerprint: "f", items: [item(5n, lifetime(10n), ETH)] }),
    ).toEqual({ status: "reserved" });
    await ledger.release("s", "a");
    expect(
      await ledger.reserve({
        scope: "s",
        key: "d",
        fingerprint: "f",
        items: [item(100n, lifetime(100n), USDC)],
      }),
    ).toEqual({ status: "reserved" });
  });

  it("keeps scopes and assets apart", async () => {
    const ledger = create(now);
    const r = (scope: string, key: string, asset: string) =>
      ledger.reserve({ scope, key, fingerprint: "f", items: [item(3n, lifetime(3n), asset)] });
    expect(await r("tenant:1", "k", ETH)).toEqual({ status: "reserved" });
    expect(await r("tenant:2", "k", ETH)).toEqual({ status: "reserved" });
    expect(await r("tenant:1", "k2", USDC)).toEqual({ status: "reserved" });
    expect(await r("tenant:1", "k3", ETH)).toMatchObject({ status: "exceeded" });
  });

  it("never overspends under 200 concurrent reservations", async () => {
    const ledger = create(now);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        ledger.reserve({
          scope: "s",
          key: `k${index}`,
          fingerprint: "f",
          items: [
            item(3n, [
              { rule: "budget", amount: 100n },
              { rule: "w", amount: 100n, windowMs: 60_000 },
            ]),
          ],
        }),
      ),
    );
    expect(results.filter((result) => result.status === "reserved")).toHaveLength(33);
    expect(results.filter((result) => result.status === "exceeded")).toHaveLength(167);
  });
}
