import { encodeFunctionData, erc20Abi, type PublicClient } from "viem";
import { ConfigurationError } from "../runtime/errors.js";
import { ToolInputError } from "./tool-errors.js";

/** What the chain says about a token: its symbol and decimals, read once per chain and address. */
export interface TokenInfo {
  address: `0x${string}`;
  symbol: string;
  decimals: number;
}

/** Reads a token's symbol and decimals from the chain (never guessed), cached per reader. */
export function createTokenReader(clientFor: (caip2: string) => PublicClient | undefined) {
  const cache = new Map<string, Promise<TokenInfo>>();
  return function readToken(caip2: string, address: `0x${string}`): Promise<TokenInfo> {
    const key = `${caip2}/${address.toLowerCase()}`;
    let info = cache.get(key);
    if (!info) {
      const client = requireClient(clientFor, caip2);
      info = Promise.all([
        client.readContract({ address, abi: erc20Abi, functionName: "decimals" }),
        client.readContract({ address, abi: erc20Abi, functionName: "symbol" }),
      ]).then(
        ([decimals, symbol]) => {
          if (!Number.isInteger(decimals) || decimals > 36) {
            throw new ToolInputError(
              `The token at ${address} reports ${decimals} decimals; that is not usable.`,
            );
          }
          return { address, symbol: String(symbol).slice(0, 32), decimals };
        },
        (error: unknown) => {
          cache.delete(key);
          throw new ToolInputError(
            `Could not read the ERC-20 token at ${address} on ${caip2} (decimals/symbol): ${shortMessage(error)}.`,
          );
        },
      );
      cache.set(key, info);
    }
    return info;
  };
}

/** The reader of `caip2`, or a configuration error naming the missing `rpc` entry. */
export function requireClient(
  clientFor: (caip2: string) => PublicClient | undefined,
  caip2: string,
): PublicClient {
  const client = clientFor(caip2);
  if (!client) {
    throw new ConfigurationError(
      `No RPC endpoint is configured for ${caip2}; the tools cannot read the chain.`,
      {
        hint: `Pass rpc: { "${caip2}": "https://..." } (or a viem PublicClient) to the tools.`,
      },
    );
  }
  return client;
}

/** An ERC-20 balance. */
export function readTokenBalance(
  client: PublicClient,
  token: `0x${string}`,
  owner: `0x${string}`,
): Promise<bigint> {
  return client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [owner] });
}

/** The calldata of `transfer(to, amount)`. */
export function encodeTransfer(to: `0x${string}`, amount: bigint): `0x${string}` {
  return encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] });
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Parses a decimal amount in a token's units into base units, exactly. Too many decimals is an error. */
export function parseTokenAmount(amount: string, decimals: number, symbol: string): bigint {
  const match = DECIMAL.exec(amount.trim());
  if (!match) {
    throw new ToolInputError(
      `amount "${amount.slice(0, 40)}" is not a decimal number. Write it like "1.5" (no sign, no exponent, no unit).`,
    );
  }
  const [, whole = "0", fraction = ""] = match;
  if (fraction.replace(/0+$/, "").length > decimals) {
    throw new ToolInputError(`${symbol} has ${decimals} decimals; "${amount}" has more.`);
  }
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.slice(0, decimals).padEnd(decimals, "0"));
}

/** Formats base units as a decimal string in the token's units, without trailing zeros. */
export function formatTokenAmount(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const fraction = (value % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${whole}${fraction ? `.${fraction}` : ""}`;
}

function shortMessage(error: unknown): string {
  const message = (error as { shortMessage?: unknown }).shortMessage ?? (error as Error)?.message ?? error;
  return String(message).split("\n")[0]!.slice(0, 200);
}
