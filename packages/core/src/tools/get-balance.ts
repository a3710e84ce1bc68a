import { z } from "zod/v4";
import { formatEther } from "./amount.js";
import { formatTokenAmount, readTokenBalance, requireClient } from "./erc20.js";
import { chainSchema } from "./schemas.js";
import { type LucidTool, resolveChain, type ToolDeps } from "./tool-context.js";
import { toToolSession } from "./tool-session.js";

const input = z.strictObject({ chain: chainSchema });

/** One balance in `getBalance`'s answer. */
export interface TokenBalance {
  symbol: string;
  /** The token contract; null for the native coin. */
  address: string | null;
  decimals: number;
  /** Decimal string in the token's units ("12.5"). */
  amount: string;
  /** Base units ("12500000"). */
  raw: string;
}

/** What `getBalance` returns. */
export interface GetBalanceToolResult {
  address: string;
  chain: string;
  native: TokenBalance;
  tokens: TokenBalance[];
}

/** `getBalance`: the session wallet's native balance and the balances of the host's listed tokens on a chain. */
export function getBalanceTool(deps: ToolDeps): LucidTool<z.output<typeof input>, GetBalanceToolResult> {
  return {
    name: "getBalance",
    kind: "read",
    description:
      "Read this session's wallet balances on a chain: the native coin (ETH) and every token the host lists (e.g. USDC), as decimal strings in each token's units with the symbol. Read-only.",
    inputSchema: input,
    async execute({ chain }, { session, signal }) {
      const toolSession = toToolSession(session);
      const caip2 = await resolveChain(chain, deps, toolSession, signal);
      const client = requireClient(deps.chainClient ?? (() => undefined), caip2);
      const { address } = await toolSession.wallet(signal);
      const owner = address as `0x${string}`;
      const listed = Object.entries(deps.tokens ?? {}).filter(
        ([, token]) => (token.chain ?? caip2) === caip2,
      );
      const [wei, ...tokens] = await Promise.all([
        client.getBalance({ address: owner }),
        ...listed.map(async ([, token]) => {
          const tokenAddress = token.address as `0x${string}`;
          const [info, raw] = await Promise.all([
            deps.readToken!(caip2, tokenAddress),
            readTokenBalance(client, tokenAddress, owner),
          ]);
          return {
            symbol: info.symbol,
            address: tokenAddress,
            decimals: info.decimals,
            amount: formatTokenAmount(raw, info.decimals),
            raw: raw.toString(),
          };
        }),
      ]);
      return {
        address,
        chain: caip2,
        native: {
          symbol: "ETH",
          address: null,
          decimals: 18,
          amount: formatEther(wei as bigint),
          raw: String(wei),
        },
        tokens: tokens as TokenBalance[],
      };
    },
  };
}
