import { HttpError } from "../http/http-error.js";

/** The CAIP-2 id of an EVM chain (`eip155:31337`). */
export function caip2Of(chainId: number): string {
  return `eip155:${chainId}`;
}

/** 400 `unsupported_chain` unless `caip2` names the chain this server's wallets serve. */
export function assertServedChain(caip2: string, chainId: number): void {
  if (caip2 === caip2Of(chainId)) return;
  throw new HttpError(
    400,
    "unsupported_chain",
    `This server's wallets serve ${caip2Of(chainId)} only, not ${caip2}; send caip2 "${caip2Of(chainId)}".`,
    { details: [{ path: "caip2", message: `Unsupported chain; use ${caip2Of(chainId)}.` }] },
  );
}
