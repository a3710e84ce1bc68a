import { describe, expect, it } from "vitest";
import { isAgentAuthError } from "../runtime/errors.js";
import { MemorySpendLedger, type SpendLimit } from "./spend-ledger.js";

const HOUR = 3_600_000;

describe("MemorySpendLedger: bounded memory", () => {
  const setup = () => {
    let time = 1_750_000_000_000;
    const ledger = new MemorySpendLedger({ now: () => time, windowRetentionMs: HOUR });
    const limits: SpendLimit[] = [
      { rule: "budget", amount: 100n },
      { rule: "budget:1h", amount: 10n, windowMs: HOUR },
    ];
    const reserve = (key: string, amount = 1n, fingerprint = "f") =>
      ledger.reserve({ scope: "s", key, fingerprint, items: [{ asset: "eth", amount, limits }] });
    return { ledger, reserve, advance: (ms: number) => (time += ms) };
  };

  it("forgets committed calls past the retention, keeping their amounts in the lifetime total", async () => {
    const { ledger, reserve, advance } = setup();
    expect(await reserve("old", 5n)).toEqual({ status: "reserved" });
    await ledger.commit("s", "old");
    advance(HOUR - 1);
    expect(await reserve("old", 5n)).toEqual({ status: "replay", state: "committed" }); // still remembered
    expect(await reserve("other", 6n, "g")).toMatchObject({
      status: "exceeded",
      rule: "budget:1h",
      used: 5n,
    });
    advance(1);
    // Past the retention: the call is forgotten (a replay would count again, never less)...
    expect(await reserve("new", 1n)).toEqual({ status: "reserved" });
    expect(await reserve("old", 5n, "another body")).toEqual({ status: "reserved" });
    // ...but the lifetime budget still counts it: 5 + 1 + 5 used, so 90 more do not fit.
    expect(await reserve("big", 90n)).toMatchObject({ status: "exceeded", rule: "budget", used: 11n });
    advance(HOUR);
    expect(await reserve("fits", 9n)).toEqual({ status: "reserved" });
    for (let i = 0; i < 8; i += 1) {
      advance(HOUR);
      expect(await reserve(`k${i}`, 10n)).toEqual({ status: "reserved" });
    }
    expect(await reserve("over", 1n)).toMatchObject({ status: "exceeded", rule: "budget", used: 100n });
  });

  it("keeps a reservation never committed nor released, so it can still be given back", async () => {
    const { ledger, reserve, advance } = setup();
    expect(await reserve("stuck", 8n)).toEqual({ status: "reserved" });
    expect(await reserve("done", 1n)).toEqual({ status: "reserved" });
    await ledger.commit("s", "done");
    advance(2 * HOUR);
    expect(await reserve("next", 1n)).toEqual({ status: "reserved" }); // forgets "done", keeps "stuck"
    expect(await reserve("stuck", 8n)).toEqual({ status: "replay", state: "reserved" });
    expect(await reserve("done", 1n)).toEqual({ status: "reserved" }); // forgotten: counts again
    await ledger.release("s", "stuck");
    // 1 + 1 + 1 used after the release: 97 fit within the lifetime budget, the window allows 10.
    expect(await reserve("a", 7n)).toEqual({ status: "reserved" });
    advance(2 * HOUR);
    expect(await reserve("b", 10n)).toEqual({ status: "reserved" });
    expect(await reserve("c", 81n)).toMatchObject({ status: "exceeded", rule: "budget", used: 20n });
  });

  it("stays fast and small over 100,000 committed calls: only the retention period is looked at", async () => {
    const { ledger, advance } = setup();
    const limits: SpendLimit[] = [{ rule: "window", amount: 10n ** 30n, windowMs: HOUR }];
    let scanned = 0;
    // Count the entries a windowed check walks through: a getter on each item, read once per entry walked.
    const item = () => {
      const value = { asset: "eth", amount: 1n, limits };
      return Object.defineProperty(value, "asset", {
        get: () => {
          scanned += 1;
          return "eth";
        },
        enumerable: true,
      });
    };
    for (let i = 0; i < 100_000; i += 1) {
      advance(60_000); // one call a minute: 60 in any hour
      await ledger.reserve({ scope: "s", key: `k${i}`, fingerprint: "f", items: [item()] });
      await ledger.commit("s", `k${i}`);
    }
    scanned = 0;
    await ledger.reserve({ scope: "s", key: "last", fingerprint: "f", items: [item()] });
    // The windowed sum walks the calls of the last hour (and reads the new item's asset a few times), not 100,000.
    expect(scanned).toBeLessThan(70);
  });

  it("refuses a window longer than the retention, and a bad retention, with a typed error", async () => {
    const { reserve } = setup();
    const ledger = new MemorySpendLedger({ windowRetentionMs: HOUR });
    const error = await ledger
      .reserve({
        scope: "s",
        key: "k",
        fingerprint: "f",
        items: [
          { asset: "eth", amount: 1n, limits: [{ rule: "budget:24h", amount: 5n, windowMs: 24 * HOUR }] },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(isAgentAuthError(error, "configuration_error")).toBe(true);
    expect((error as Error).message).toContain('limit "budget:24h"');
    expect(await reserve("fine")).toEqual({ status: "reserved" });
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => new MemorySpendLedger({ windowRetentionMs: bad })).toThrow(/windowRetentionMs/);
    }
  });
});
