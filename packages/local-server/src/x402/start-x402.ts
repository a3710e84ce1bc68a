import { createServer, type Server } from "node:http";
import type { Network } from "@x402/core/types";
import type { Address } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainConnection } from "../chain/chain-connection.js";
import { closeServer, listen } from "../http/server-lifecycle.js";
import { createLocalFacilitator, type FacilitatorMode } from "./facilitator.js";
import { createLocalSeller, X402_PRICE, X402_RESOURCE_PATH } from "./seller.js";

/** The x402 side of the local server: a seller with a paywalled route and the facilitator that settles it. */
export interface LocalX402 {
  /** The paywalled resource (`GET`, 0.01 USDC), e.g. `http://127.0.0.1:41235/paid/report`. */
  resourceUrl: string;
  /** The seller's base URL. */
  sellerUrl: string;
  /** The facilitator's base URL (`/supported`, `/verify`, `/settle`). */
  facilitatorUrl: string;
  /** Who the seller is paid to. */
  payTo: Address;
  /** The account that settles payments (pays gas). */
  facilitatorAddress: Address;
  /** The price of the resource in the token's base units. */
  price: bigint;
  /** `eip155:<chainId>`. */
  network: string;
  /** Settlements the seller completed, and verify/settle calls the facilitator answered. */
  counts(): { paid: number; verify: number; settle: number };
  /** Makes the facilitator settle (`ok`), answer 503 (`unavailable`) or refuse to settle (`refuse`). */
  setFacilitatorMode(mode: FacilitatorMode): void;
}

/** The running x402 listeners and how to stop them. */
export interface RunningX402 {
  x402: LocalX402;
  close(): Promise<void>;
}

/** The content the paywalled route serves. */
export const X402_CONTENT = {
  title: "Local market report",
  body: "USDC settles in one block on the local chain.",
} as const;

/** Starts the facilitator, then the seller (which asks the facilitator what it supports), each on its own port. */
export async function startX402(
  chain: ChainConnection,
  token: Address,
  host: string,
  urlHost: string,
): Promise<RunningX402> {
  const servers: Server[] = [];
  try {
    const facilitator = await createLocalFacilitator(chain);
    const facilitatorServer = createServer(facilitator.listener);
    servers.push(facilitatorServer);
    const facilitatorUrl = `http://${urlHost}:${(await listen(facilitatorServer, 0, host)).port}`;
    const payTo = privateKeyToAccount(generatePrivateKey()).address;
    let sellerUrl = "";
    const seller = await createLocalSeller(
      {
        facilitatorUrl,
        network: chain.caip2 as Network,
        asset: token,
        payTo,
        content: () => X402_CONTENT,
      },
      () => sellerUrl,
    );
    const sellerServer = createServer(seller.listener);
    servers.push(sellerServer);
    sellerUrl = `http://${urlHost}:${(await listen(sellerServer, 0, host)).port}`;
    return {
      x402: {
        resourceUrl: `${sellerUrl}${X402_RESOURCE_PATH}`,
        sellerUrl,
        facilitatorUrl,
        payTo,
        facilitatorAddress: facilitator.address,
        price: X402_PRICE,
        network: chain.caip2,
        counts: () => ({ paid: seller.counts.paid, ...facilitator.counts }),
        setFacilitatorMode: (mode) => {
          facilitator.mode = mode;
        },
      },
      close: async () => {
        await Promise.all(servers.map(closeServer));
      },
    };
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
}
