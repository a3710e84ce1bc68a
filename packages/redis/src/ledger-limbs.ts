/**
 * Amounts as the ledger scripts compute them: 6 limbs of base 10^15, lowest first, each an integer below 10^15
 * held exactly in a double (see `ledger-scripts.ts`), so up to 10^90 - 1 (amounts and limits are at most 2^256).
 * The client sends them packed as little-endian doubles, 8 bytes each.
 */

/** Limbs per amount. */
export const LIMBS = 6;
const BASE = 1e15;
const BASE_DIGITS = 15;
/** The value of a threshold that no used sum exceeds (no limit): 10^90, top limb 10^16. */
const NO_LIMIT_TOP = 1e16;

/** Writes the 6 limbs of `value` (0 <= value < 10^90) at byte `offset`; returns the offset after them. */
export function writeLimbs(out: DataView, offset: number, value: bigint): number {
  if (value <= 9_007_199_254_740_991n) {
    // below 2^53: a double holds it exactly, and so do n % 10^15 and the exact quotient (n - r) / 10^15
    const n = Number(value);
    const low = n % BASE;
    out.setFloat64(offset, low, true);
    out.setFloat64(offset + 8, (n - low) / BASE, true);
    for (let i = 2; i < LIMBS; i += 1) out.setFloat64(offset + 8 * i, 0, true);
  } else if (value < 1_000_000_000_000_000_000_000_000_000_000n) {
    // two limbs (below 10^30, the usual wei amount or limit): one bigint division, no decimal string
    const high = value / 1_000_000_000_000_000n;
    out.setFloat64(offset, Number(value - high * 1_000_000_000_000_000n), true);
    out.setFloat64(offset + 8, Number(high), true);
    for (let i = 2; i < LIMBS; i += 1) out.setFloat64(offset + 8 * i, 0, true);
  } else {
    const text = value.toString();
    let end = text.length;
    for (let i = 0; i < LIMBS; i += 1) {
      const limb = end > 0 ? Number(text.slice(end > BASE_DIGITS ? end - BASE_DIGITS : 0, end)) : 0;
      out.setFloat64(offset + 8 * i, limb, true);
      end -= BASE_DIGITS;
    }
  }
  return offset + 8 * LIMBS;
}

/**
 * Writes a threshold: `value` itself, -1 in every limb when it is negative (every used sum is above it), or
 * 10^90 for `undefined`, no limit (no used sum is above it). Returns the offset after it.
 */
export function writeThreshold(out: DataView, offset: number, value: bigint | undefined): number {
  if (value !== undefined && value >= 0n) return writeLimbs(out, offset, value);
  for (let i = 0; i < LIMBS; i += 1) {
    out.setFloat64(offset + 8 * i, value === undefined ? (i === LIMBS - 1 ? NO_LIMIT_TOP : 0) : -1, true);
  }
  return offset + 8 * LIMBS;
}

/** The value of the 6 limbs at `values[offset]`..; `undefined` unless each is an integer in [0, 10^15). */
export function fromLimbs(values: readonly unknown[], offset: number): bigint | undefined {
  let value = 0n;
  for (let i = LIMBS - 1; i >= 0; i -= 1) {
    const limb = values[offset + i];
    if (typeof limb !== "number" || !Number.isSafeInteger(limb) || limb < 0 || limb >= BASE) return undefined;
    value = value * 1_000_000_000_000_000n + BigInt(limb);
  }
  return value;
}

/** One rolling window of an asset's state. */
export interface WindowState {
  readonly windowMs: number;
  readonly since: number;
  readonly next: number;
  readonly sum: bigint;
}

/** An asset's state as `RESERVE` stores it (field `s:<asset>` of the scope hash), decoded. */
export interface AssetState {
  readonly cleanAt: number;
  readonly total: bigint;
  readonly windows: WindowState[];
}

/** Decodes the field `s:<asset>`; throws on bytes that are not such a state (tests and inspection). */
export function decodeAssetState(bytes: Uint8Array): AssetState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: number[] = [];
  for (let at = 0; at + 8 <= bytes.byteLength; at += 8) values.push(view.getFloat64(at, true));
  if (
    bytes.byteLength % 8 !== 0 ||
    values.length < 1 + LIMBS ||
    (values.length - 1 - LIMBS) % (3 + LIMBS) !== 0
  ) {
    throw new Error(`not an asset state: ${bytes.byteLength} bytes`);
  }
  const limbs = (offset: number): bigint => {
    const value = fromLimbs(values, offset);
    if (value === undefined) throw new Error("not an asset state: a limb is out of range");
    return value;
  };
  const windows: WindowState[] = [];
  for (let at = 1 + LIMBS; at < values.length; at += 3 + LIMBS) {
    windows.push({
      windowMs: values[at] as number,
      since: values[at + 1] as number,
      next: values[at + 2] as number,
      sum: limbs(at + 3),
    });
  }
  return { cleanAt: values[0] as number, total: limbs(1), windows };
}
