import { describe, expect, it } from "vitest";
import { seeded as random } from "../test/random.js";
import { redisForFile, requireRedis } from "../test/redis-server.js";
import { decodeAssetState, fromLimbs, LIMBS, writeLimbs, writeThreshold } from "./ledger-limbs.js";
import { PRELUDE } from "./ledger-scripts.js";

const run = requireRedis();
const db = redisForFile(run);

const MAX = 2n ** 256n;
const END = 10n ** 90n;

/** A number of `digits` random digits (the first one not 0). */
function digitsOf(next: () => number, digits: number): bigint {
  let text = String(1 + Math.floor(next() * 9));
  for (let i = 1; i < digits; i += 1) text += String(Math.floor(next() * 10));
  return BigInt(text);
}

/** Amounts of 1..78 digits (at most 2^256) and the edges of limbs, doubles and 2^256. */
function amounts(seed: number, count: number): bigint[] {
  const next = random(seed);
  const edges: bigint[] = [0n, 1n, MAX, MAX - 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n];
  for (let k = 1; k <= 5; k += 1) {
    const limb = 10n ** BigInt(15 * k);
    edges.push(limb - 1n, limb, limb + 1n, 2n * limb - 1n);
  }
  for (let digits = 1; digits <= 77; digits += 1) edges.push(10n ** BigInt(digits) - 1n); // nines: carries
  const out = [...edges];
  while (out.length < count) {
    const value = digitsOf(next, 1 + Math.floor(next() * 78));
    out.push(value > MAX ? value % MAX : value);
  }
  return out;
}

/** Pairs (a, b) packed as the client packs amounts; the Lua returns per pair a > b, the sum and the difference. */
const DRIVER = `${PRELUDE}
local v = unpackDoubles(ARGV[1])
local out = {}
for o = 0, #v - 12, 12 do
  local s, d = {}, {}
  for i = 1, 6 do s[i] = v[o + i]; d[i] = v[o + i] end
  local overflow = addTo(s, 0, v, o + 6)
  subFrom(d, 0, v, o + 6)
  out[#out + 1] = over(v, o, v, o + 6) and 1 or 0
  out[#out + 1] = overflow and 1 or 0
  for i = 1, 6 do out[#out + 1] = s[i] end
  for i = 1, 6 do out[#out + 1] = d[i] end
end
return out
`;

/** Decimal strings -> the limbs the Lua reads from them (sorted-set members and entries hold decimals). */
const PARSE = `${PRELUDE}
local out = {}
for _, text in ipairs(ARGV) do
  local x = limbs(text, {}, 0)
  for i = 1, 6 do out[#out + 1] = x[i] end
end
return out
`;

async function runPairs(pairs: [bigint, bigint][]): Promise<unknown[]> {
  const bytes = Buffer.alloc(pairs.length * 2 * LIMBS * 8);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  for (const [a, b] of pairs) at = writeLimbs(view, writeLimbs(view, at, a), b);
  return (await db.client.eval(DRIVER, { keys: [], arguments: [bytes] })) as unknown[];
}

describe("ledger limbs (client side)", () => {
  it("round-trips every amount up to 10^90 - 1 through limbs exactly", () => {
    for (const value of [...amounts(1, 3000), END - 1n, 10n ** 78n, 10n ** 89n + 12345n]) {
      const bytes = new DataView(new ArrayBuffer(8 * LIMBS));
      writeLimbs(bytes, 0, value);
      const limbs = Array.from({ length: LIMBS }, (_, i) => bytes.getFloat64(8 * i, true));
      expect(fromLimbs(limbs, 0)).toBe(value);
    }
  });

  it("refuses limbs a tampered reply could carry: fractions, negatives, 10^15 and beyond, non-numbers", () => {
    const ok = [1, 2, 3, 4, 5, 6];
    expect(fromLimbs(ok, 0)).toBe(
      6_000000000000005_000000000000004_000000000000003_000000000000002_000000000000001n,
    );
    for (const bad of [0.5, -1, 1e15, 2 ** 53, Number.NaN, "7", null]) {
      expect(fromLimbs([bad, ...ok.slice(1)], 0)).toBeUndefined();
    }
    expect(fromLimbs([1, 2, 3], 0)).toBeUndefined(); // too short
  });

  it("writes a negative threshold below every amount and a missing one above every amount", () => {
    const view = new DataView(new ArrayBuffer(16 * LIMBS));
    writeThreshold(view, 0, -5n);
    writeThreshold(view, 8 * LIMBS, undefined);
    const limbs = Array.from({ length: 2 * LIMBS }, (_, i) => view.getFloat64(8 * i, true));
    expect(limbs.slice(0, LIMBS)).toEqual([-1, -1, -1, -1, -1, -1]);
    expect(limbs.slice(LIMBS)).toEqual([0, 0, 0, 0, 0, 1e16]);
  });

  it("decodes a stored asset state and refuses bytes of another shape", () => {
    const values = [1234, 5, 0, 0, 0, 0, 1, 60_000, 99, -1, 7, 0, 0, 0, 0, 0];
    const bytes = Buffer.alloc(values.length * 8);
    for (const [i, value] of values.entries()) bytes.writeDoubleLE(value, 8 * i);
    expect(decodeAssetState(bytes)).toEqual({
      cleanAt: 1234,
      total: 10n ** 75n + 5n,
      windows: [{ windowMs: 60_000, since: 99, next: -1, sum: 7n }],
    });
    expect(() => decodeAssetState(bytes.subarray(0, 8 * 10))).toThrow(/not an asset state/);
  });
});

describe.runIf(run)("ledger arithmetic in Lua (real Redis) against BigInt", () => {
  it("adds, subtracts (never below 0) and compares amounts of 1..78 digits exactly", async () => {
    const values = amounts(7, 400);
    const next = random(11);
    const pairs: [bigint, bigint][] = [];
    for (const a of values) {
      pairs.push([a, values[Math.floor(next() * values.length)] as bigint], [a, a], [a, 0n], [0n, a]);
      if (a > 0n) pairs.push([a, a - 1n], [a - 1n, a], [a, 1n]);
    }
    for (let start = 0; start < pairs.length; start += 500) {
      const batch = pairs.slice(start, start + 500);
      const reply = await runPairs(batch);
      expect(reply).toHaveLength(batch.length * 14);
      batch.forEach(([a, b], index) => {
        const at = index * 14;
        const context = `a=${a} b=${b}`;
        expect(reply[at], context).toBe(a > b ? 1 : 0);
        expect(reply[at + 1], context).toBe(0);
        expect(fromLimbs(reply, at + 2), context).toBe(a + b);
        expect(fromLimbs(reply, at + 8), context).toBe(a > b ? a - b : 0n);
      });
    }
  });

  it("reports a sum past 10^90 - 1 as an overflow instead of wrapping", async () => {
    const reply = await runPairs([
      [END - 1n, 1n],
      [END - 1n, END - 1n],
      [END - 2n, 1n],
    ]);
    expect(reply[1]).toBe(1);
    expect(reply[14 + 1]).toBe(1);
    expect(reply[28 + 1]).toBe(0);
    expect(fromLimbs(reply, 28 + 2)).toBe(END - 1n);
  });

  it("reads decimal amounts (sorted-set members, entries) into the same limbs as the client writes", async () => {
    const values = [...amounts(23, 600), END - 1n];
    const reply = (await db.client.eval(PARSE, { keys: [], arguments: values.map(String) })) as unknown[];
    values.forEach((value, index) => {
      expect(fromLimbs(reply, index * LIMBS), String(value)).toBe(value);
    });
  });
});
