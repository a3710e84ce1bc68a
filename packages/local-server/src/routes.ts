import { createGetAgentHandler } from "./agents/get-agent.js";
import { createListAgentsHandler } from "./agents/list-agents.js";
import { createChallengeHandler } from "./auth/challenge.js";
import { createExchangeHandler } from "./auth/exchange.js";
import { createRefreshHandler } from "./auth/refresh.js";
import type { Handler } from "./http/handler.js";
import type { Route } from "./http/router.js";
import type { ServerContext } from "./server-context.js";
import { sendTransactionOperation } from "./wallet/send-transaction.js";
import { signMessageOperation } from "./wallet/sign-message.js";
import { signTransactionOperation } from "./wallet/sign-transaction.js";
import { signTypedDataOperation } from "./wallet/sign-typed-data.js";
import { createWalletHandler } from "./wallet/wallet-operation.js";

/** Every route of the Lucid agent API (openapi.yaml) with its handler. */
export function createRoutes(ctx: ServerContext): Route<Handler>[] {
  const wallet = "/v1/agents/{agentRef}/wallet";
  return [
    {
      method: "POST",
      pattern: "/v1/auth/agents/{agentRef}/challenge",
      operation: "challenge",
      handler: createChallengeHandler(ctx),
    },
    {
      method: "POST",
      pattern: "/v1/auth/agents/{agentRef}/exchange",
      operation: "exchange",
      handler: createExchangeHandler(ctx),
    },
    {
      method: "POST",
      pattern: "/v1/auth/agents/{agentRef}/refresh",
      operation: "refresh",
      handler: createRefreshHandler(ctx),
    },
    { method: "GET", pattern: "/v1/agents", operation: "listAgents", handler: createListAgentsHandler(ctx) },
    {
      method: "GET",
      pattern: "/v1/agents/{agentRef}",
      operation: "getAgent",
      handler: createGetAgentHandler(ctx),
    },
    {
      method: "POST",
      pattern: `${wallet}/sign-message`,
      operation: "signMessage",
      handler: createWalletHandler(ctx, signMessageOperation(ctx)),
    },
    {
      method: "POST",
      pattern: `${wallet}/sign-typed-data`,
      operation: "signTypedData",
      handler: createWalletHandler(ctx, signTypedDataOperation(ctx)),
    },
    {
      method: "POST",
      pattern: `${wallet}/sign-transaction`,
      operation: "signTransaction",
      handler: createWalletHandler(ctx, signTransactionOperation(ctx)),
    },
    {
      method: "POST",
      pattern: `${wallet}/send-transaction`,
      operation: "sendTransaction",
      handler: createWalletHandler(ctx, sendTransactionOperation(ctx)),
    },
  ];
}
