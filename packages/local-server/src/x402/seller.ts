import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { HTTPAdapter, HTTPResponseInstructions } from "@x402/core/http";
import { HTTPFacilitatorClient, x402HTTPResourceServer, x402ResourceServer } from "@x402/core/server";
import type { Network } from "@x402/core/types";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { LOCAL_USDC_DOMAIN } from "./local-usdc.js";

/** The paywalled route the seller serves. */
export const X402_RESOURCE_PATH = "/paid/report";
/** Its price in the token's base units: 0.01 USDC. */
export const X402_PRICE = 10_000n;

/** What the seller is configured with. */
export interface SellerConfig {
  facilitatorUrl: string;
  network: Network;
  asset: `0x${string}`;
  payTo: `0x${string}`;
  /** What the paid route answers. */
  content: () => unknown;
}

/** The seller: a node:http listener over the official `x402HTTPResourceServer`, and its payment counters. */
export interface LocalSeller {
  listener: RequestListener;
  /** Paid responses served (a settlement succeeded). */
  counts: { paid: number };
}

function adapterFor(req: IncomingMessage, baseUrl: string): HTTPAdapter {
  const url = new URL(req.url ?? "/", baseUrl);
  const header = (name: string) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    getHeader: header,
    getMethod: () => req.method ?? "GET",
    getPath: () => url.pathname,
    getUrl: () => url.toString(),
    getAcceptHeader: () => header("accept") ?? "",
    getUserAgent: () => header("user-agent") ?? "",
    getQueryParams: () => Object.fromEntries(url.searchParams),
    getQueryParam: (name) => url.searchParams.get(name) ?? undefined,
  };
}

function respond(res: ServerResponse, instructions: HTTPResponseInstructions): void {
  const body =
    instructions.body === undefined
      ? ""
      : typeof instructions.body === "string"
        ? instructions.body
        : JSON.stringify(instructions.body);
  res.writeHead(instructions.status, {
    ...(instructions.isHtml ? { "content-type": "text/html" } : { "content-type": "application/json" }),
    ...instructions.headers,
  });
  res.end(body);
}

/**
 * Builds the x402 seller: the official resource server (`x402ResourceServer` + `x402HTTPResourceServer` from
 * `@x402/core`, the EVM "exact" scheme from `@x402/evm`) asking the facilitator at `facilitatorUrl` to verify and
 * settle. `@x402/express` and `@x402/hono` are thin adapters over the same class; the local server speaks
 * `node:http`, so it adapts requests itself and pulls in no web framework.
 */
export async function createLocalSeller(config: SellerConfig, baseUrl: () => string): Promise<LocalSeller> {
  const resourceServer = new x402ResourceServer(new HTTPFacilitatorClient({ url: config.facilitatorUrl }));
  resourceServer.register(config.network, new ExactEvmScheme());
  const http = new x402HTTPResourceServer(resourceServer, {
    [`GET ${X402_RESOURCE_PATH}`]: {
      accepts: {
        scheme: "exact",
        network: config.network,
        payTo: config.payTo,
        price: {
          amount: X402_PRICE.toString(),
          asset: config.asset,
          extra: { ...LOCAL_USDC_DOMAIN },
        },
        maxTimeoutSeconds: 120,
      },
      description: "A paywalled report on the local chain",
      mimeType: "application/json",
    },
  });
  await http.initialize();
  const counts = { paid: 0 };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const adapter = adapterFor(req, baseUrl());
    const path = adapter.getPath();
    const result = await http.processHTTPRequest({
      adapter,
      path,
      method: adapter.getMethod(),
      paymentHeader: adapter.getHeader("payment-signature") ?? adapter.getHeader("x-payment"),
    });
    if (result.type === "payment-error") {
      respond(res, result.response);
      return;
    }
    if (result.type === "no-payment-required") {
      respond(res, { status: 404, headers: {}, body: { error: "not found" } });
      return;
    }
    const body = JSON.stringify(config.content());
    const settled = await http.processSettlement(
      result.paymentPayload,
      result.paymentRequirements,
      result.declaredExtensions,
      { request: { adapter, path, method: adapter.getMethod() }, responseBody: Buffer.from(body) },
    );
    if (!settled.success) {
      respond(res, settled.response);
      return;
    }
    counts.paid++;
    res.writeHead(200, { "content-type": "application/json", ...settled.headers });
    res.end(body);
  };
  return {
    counts,
    listener: (req, res) => {
      void handle(req, res).catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        respond(res, {
          status: 502,
          headers: {},
          body: { error: error instanceof Error ? error.message : "seller error" },
        });
      });
    },
  };
}
