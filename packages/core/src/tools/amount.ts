import { ToolInputError } from "./tool-errors.js";

/** The unit of an amount: `ether` is the chain's native unit (ETH on Ethereum and Base), `wei` is 10^-18 of it. */
export type AmountUnit = "ether" | "wei";

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal amount into wei, exactly (no floating point). `ether` accepts up to 18 decimals, `wei` an
 * integer. Throws `ToolInputError` with a message the model can act on.
 */
export function toWei(amount: string, unit: AmountUnit): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) {
    throw new ToolInputError(
      `amount "${amount.slice(0, 40)}" is not a decimal number. Write it like "0.01" (no sign, no exponent, no unit).`,
    );
  }
  const [, whole = "0", fraction = ""] = match;
  if (unit === "wei") {
    if (fraction.replace(/0+$/, "") !== "") {
      throw new ToolInputError(
        `amount in wei must be a whole number; got "${amount}". Use unit "ether" for decimals.`,
      );
    }
    return BigInt(whole);
  }
  if (fraction.length > 18) {
    throw new ToolInputError(
      `amount has more than 18 decimals ("${amount}"); ether has 18 decimals at most.`,
    );
  }
  return BigInt(whole) * 10n ** 18n + BigInt(fraction.padEnd(18, "0"));
}

/** Formats wei as a decimal ether string without trailing zeros ("0.01"). */
export function formatEther(wei: bigint): string {
  const negative = wei < 0n;
  const abs = negative ? -wei : wei;
  const whole = abs / 10n ** 18n;
  const fraction = (abs % 10n ** 18n).toString().padStart(18, "0").replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/** Reads a policy limit: a bigint is wei, a string is a decimal amount in ether. */
export function limitToWei(limit: bigint | string, what: string): bigint {
  if (typeof limit === "bigint") return limit;
  try {
    return toWei(limit, "ether");
  } catch {
    throw new ToolInputError(
      `${what} "${limit}" is not a decimal ether amount (e.g. "0.5") or a bigint in wei.`,
    );
  }
}
