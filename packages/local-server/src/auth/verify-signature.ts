import { type Address, type Hex, verifyMessage, verifyTypedData } from "viem";
import type { Signable } from "./challenge-payload.js";

/**
 * Whether `signature` is `address`'s signature of `signable` (EIP-191 or EIP-712, recovered locally).
 * A malformed signature is simply not valid: this never throws.
 */
export async function verifySignature(
  signable: Signable,
  address: Address,
  signature: Hex,
): Promise<boolean> {
  try {
    if (signable.kind === "message") {
      return await verifyMessage({ address, message: signable.message, signature });
    }
    return await verifyTypedData({ ...signable.typedData, address, signature });
  } catch {
    return false;
  }
}
