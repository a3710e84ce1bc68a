/**
 * Amounts as the ledger scripts compute them: 6 limbs of base 10^15, lowest first, each an integer below 10^15
 * held exactly in a double (see `ledger-scripts.ts`). Up to 10^90 - 1; amounts and limits are at most 2^256.
 */

/** Digits per limb. */
export const LIMB_DIGITS = 15;
/** Limbs per amount. */
export const LIMBS = 6;
/** The largest value 6 limbs hold, plus one: 10^90. */
export const LIMBS_END = 10n ** BigInt(LIMB_DIGITS * LIMBS);

/** Appends the limbs of `value` (0 <= value < 10^90) to `out`. */
export function pushLimbs(out: number[], value: bigint): void {
  const text = value.toString();
  let end = text.length;
  for (let i = 0; i < LIMBS; i += 1) {
    out.push(end > 0 ? Number(text.slice(end > LIMB_DIGITS ? end - LIMB_DIGITS : 0, end)) : 0);
    end -= LIMB_DIGITS;
  }
}

/**
 * Appends a threshold: `value` itself, -1 in every limb when it is negative (the script finds every used sum
 * above it), or 10^90 (top limb 10^16) for `undefined`, no limit (no used sum is above it).
 */
export function pushThreshold(out: number[], value: bigint | undefined): void {
  if (value === undefined) out.push(0, 0, 0, 0, 0, 10 ** (LIMB_DIGITS + 1));
  else if (value < 0n) out.push(-1, -1, -1, -1, -1, -1);
  else pushLimbs(out, value);
}

/** The value of the 6 limbs at `values[offset]`..; `undefined` when one is not an integer in [0, 10^15). */
export function fromLimbs(values: readonly unknown[], offset: number): bigint | undefined {
  let value = 0n;
  for (let i = LIMBS - 1; i >= 0; i -= 1) {
    const limb = values[offset + i];
    if (typeof limb !== "number" || !Number.isSafeInteger(limb) || limb < 0 || limb >= 10 ** LIMB_DIGITS) {
      return undefined;
    }
    value = value * 10n ** BigInt(LIMB_DIGITS) + BigInt(limb);
  }
  return value;
}
