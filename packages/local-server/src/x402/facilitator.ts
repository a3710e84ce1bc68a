import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { x402Facilitator } from "@x402/core/facilitator";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { registerExactEvmScheme } from "@x402/evm/exact/facilitator";
import { type Abi, createWalletClient, type Hex, http, nonceManager, parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { ChainConnection } from "../chain/chain-connection.js";

/**
 * How the local facilitator behaves, for tests of a buyer: `ok` verifies and settles on the chain, `unavailable`
 * answers 503 to verify and settle, `refuse` verifies but refuses to settle (`success: false`).
 */
export type FacilitatorMode = "ok" | "unavailable" | "refuse";

/** The local facilitator: a request listener over the official `x402Facilitator`, and its settling account. */
export interface LocalFacilitator {
  listener: RequestListener;
  /** The account that pays gas for settlement (funded with ETH on the chain). */
  address: `0x${string}`;
  /** Verify/settle calls answered so far (a settle counts even when refused). */
  counts: { verify: number; settle: number };
  mode: FacilitatorMode;
}

const MAX_BODY = 256 * 1024;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Builds the local facilitator: `x402Facilitator` with the EVM "exact" scheme (`registerExactEvmScheme`), a fresh
 * settling key funded with 100 ETH, and the facilitator HTTP API (`GET /supported`, `POST /verify`,
 * `POST /settle`) that `HTTPFacilitatorClient` calls.
 */
export async function createLocalFacilitator(chain: ChainConnection): Promise<LocalFacilitator> {
  // Settlements run concurrently: the nonce manager hands out nonces locally so they never collide.
  const account = privateKeyToAccount(generatePrivateKey() as Hex, { nonceManager });
  await chain.setBalance(account.address, parseEther("100"));
  const wallet = createWalletClient({ account, chain: chain.chain, transport: http(chain.rpcUrl) });
  const client = chain.publicClient;
  const signer = toFacilitatorEvmSigner({
    address: account.address,
    readContract: (args) =>
      client.readContract({ ...args, abi: args.abi as Abi, args: (args.args ?? []) as unknown[] }),
    verifyTypedData: (args) => client.verifyTypedData(args as Parameters<typeof client.verifyTypedData>[0]),
    writeContract: (args) =>
      wallet.writeContract({
        ...args,
        abi: args.abi as Abi,
        args: args.args as unknown[],
      } as Parameters<typeof wallet.writeContract>[0]),
    sendTransaction: (args) => wallet.sendTransaction(args),
    waitForTransactionReceipt: (args) => client.waitForTransactionReceipt({ ...args, pollingInterval: 50 }),
    getCode: (args) => client.getCode(args),
  });
  const facilitator = registerExactEvmScheme(new x402Facilitator(), {
    signer,
    networks: chain.caip2 as `${string}:${string}`,
  });
  const state: LocalFacilitator = {
    address: account.address,
    counts: { verify: 0, settle: 0 },
    mode: "ok",
    listener: (req, res) => {
      void handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, 500, { error: error instanceof Error ? error.message : "facilitator error" });
      });
    },
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/supported") {
      send(res, 200, facilitator.getSupported());
      return;
    }
    if (req.method !== "POST" || (path !== "/verify" && path !== "/settle")) {
      send(res, 404, { error: "not found" });
      return;
    }
    const body = (await readJson(req)) as {
      paymentPayload?: PaymentPayload;
      paymentRequirements?: PaymentRequirements;
    };
    if (state.mode === "unavailable") {
      send(res, 503, { error: "facilitator unavailable" });
      return;
    }
    if (!body?.paymentPayload || !body.paymentRequirements) {
      send(res, 400, { error: "paymentPayload and paymentRequirements are required" });
      return;
    }
    if (path === "/verify") {
      state.counts.verify++;
      send(res, 200, await facilitator.verify(body.paymentPayload, body.paymentRequirements));
      return;
    }
    state.counts.settle++;
    if (state.mode === "refuse") {
      send(res, 200, {
        success: false,
        errorReason: "unexpected_settle_error",
        errorMessage: "the local facilitator is set to refuse settlements",
        transaction: "",
        network: body.paymentRequirements.network,
      });
      return;
    }
    send(res, 200, await facilitator.settle(body.paymentPayload, body.paymentRequirements));
  };
  return state;
}
