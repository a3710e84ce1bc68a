import type { LocalAccount } from "viem";
import type { WalletClient } from "../create-wallet.js";
import { ConfigurationError } from "../runtime/errors.js";
import type { Hex } from "../runtime/wallet/base-connector.js";
import { NotSupportedError } from "../runtime/wallet/wallet-errors.js";

export interface CreateViemAccountOptions {
  /** Chain of the transactions the account signs, when a transaction does not carry its own `chainId`. */
  chainId?: number;
  /** The wallet's address, when it is already known (saves a request). */
  address?: Hex;
}

type ViemModule = typeof import("viem");

/**
 * A viem `Account` whose signing goes through the Lucid wallet: the server-held wallet (sign-message,
 * sign-typed-data, sign-transaction endpoints) or the local key. Use it with `createWalletClient({ account })`:
 * viem fills nonce, gas and fees from its own RPC, the wallet signs, viem broadcasts.
 *
 * viem is loaded lazily (it is an optional peer), so importing this package never pays for it.
 */
export async function createViemAccount(
  wallet: WalletClient,
  options: CreateViemAccountOptions = {},
): Promise<LocalAccount> {
  let viem: ViemModule;
  let toAccount: typeof import("viem/accounts").toAccount;
  try {
    viem = await import("viem");
    ({ toAccount } = await import("viem/accounts"));
  } catch (cause) {
    throw new NotSupportedError("createViemAccount needs viem, which is not installed.", {
      hint: "Install the optional peer dependency: npm install viem",
      cause,
    });
  }
  const address = options.address ?? (await wallet.getAddress());
  if (!address || !viem.isAddress(address)) {
    throw new ConfigurationError("The Lucid wallet has no address to build a viem account from.", {
      hint: "Authenticate first (wallet.authenticate()) or pass { address }.",
    });
  }
  const caip2For = (chainId: number | undefined) => {
    const id = chainId ?? options.chainId;
    if (id === undefined) {
      throw new ConfigurationError("The transaction has no chain id.", {
        hint: "Pass { chainId } to createViemAccount, or use a viem client with a chain.",
      });
    }
    return `eip155:${id}`;
  };

  return toAccount({
    address: viem.getAddress(address),
    async signMessage({ message }) {
      if (typeof message === "string") return (await wallet.signMessage({ message })).signature;
      const raw = typeof message.raw === "string" ? message.raw : viem.bytesToHex(message.raw);
      return (await wallet.signMessage({ message: raw, encoding: "hex" })).signature;
    },
    async signTypedData(typedData) {
      const { domain, types, primaryType, message } = toJsonSafe(typedData) as {
        domain?: Record<string, unknown>;
        types: Record<string, Array<{ name: string; type: string }>>;
        primaryType: string;
        message: Record<string, unknown>;
      };
      const result = await wallet.signTypedData({
        typed_data: { domain: domain ?? {}, types, primary_type: primaryType, message },
      });
      return result.signature;
    },
    async signTransaction(transaction) {
      const result = await wallet.signTransaction({
        caip2: caip2For(transaction.chainId),
        params: { transaction: toWireTransaction(transaction as Record<string, unknown>) },
      });
      return result.signedTransaction;
    },
  });
}

const TYPE_NUMBERS: Record<string, 0 | 1 | 2> = { legacy: 0, eip2930: 1, eip1559: 2 };
const QUANTITY_FIELDS = [
  "value",
  "gas",
  "gasPrice",
  "maxFeePerGas",
  "maxPriorityFeePerGas",
  "nonce",
  "chainId",
];

/** viem's transaction (bigints, `type: "eip1559"`) in the wire's JSON shape (hex quantities, `type: 2`). */
function toWireTransaction(transaction: Record<string, unknown>): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(transaction)) {
    if (value === undefined || value === null) continue;
    if (key === "type") {
      const type = typeof value === "string" ? TYPE_NUMBERS[value] : value;
      if (type === undefined) {
        throw new NotSupportedError(
          `Transactions of type ${String(value)} are not supported by the Lucid wallet.`,
          {
            hint: "Use a legacy, EIP-2930 or EIP-1559 transaction.",
          },
        );
      }
      wire.type = type;
    } else if (QUANTITY_FIELDS.includes(key)) {
      wire[key] = typeof value === "bigint" ? `0x${value.toString(16)}` : value;
    } else if (key === "accessList" && Array.isArray(value) && value.length === 0) {
      // the wire has no access list; an empty one means nothing
    } else if (key === "to" || key === "data" || key === "from") {
      wire[key] = value;
    } else if (key === "accessList" || key === "authorizationList" || key === "blobs") {
      throw new NotSupportedError(`The Lucid wallet cannot sign transactions with ${key}.`, {
        hint: "Send a plain transfer or contract call (to, value, data).",
      });
    }
  }
  return wire;
}

/** bigints become decimal strings, so typed data survives JSON. */
function toJsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJsonSafe(entry)]));
  }
  return value;
}
