import { expect, it } from "vitest";
import * as entry from "./index.js";

it("keeps the public runtime exports stable (update the snapshot on purpose when the API changes)", () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "AgentApiClient",
      "AgentApiClientError",
      "AgentAuthClient",
      "AgentAuthError",
      "AgentAuthErrorCode",
      "AgentAuthEvent",
      "AgentRuntime",
      "AgentRuntimeError",
      "ChallengeFailedError",
      "ConfigurationError",
      "CoverageMismatchError",
      "CredentialRevokedError",
      "DEFAULT_API_BASE_URL",
      "HttpTransportError",
      "LocalEoaWalletConnector",
      "MemoryStorageAdapter",
      "NotSupportedError",
      "RefreshFailedError",
      "ServerOrchestratorWalletConnector",
      "StorageError",
      "TokenManager",
      "TokenManagerError",
      "TransportError",
      "WalletProviderError",
      "createFetchTransport",
      "createLocalEoaWalletConnector",
      "createLogger",
      "createTelemetry",
      "createViemAccount",
      "createWallet",
      "isAgentAuthError",
      "isChallengeFailed",
      "isConfigurationError",
      "isCoverageMismatch",
      "isCredentialRevoked",
      "isRefreshFailed",
      "isTransportError",
      "loadAgentRuntimeConfig",
    ]
  `);
});

it("keeps the /tools, /node, /coinbase and /privy subpath exports stable", async () => {
  const tools = await import("./tools.js");
  const node = await import("./node.js");
  const coinbase = await import("./coinbase.js");
  const privy = await import("./privy.js");
  expect({
    tools: Object.keys(tools).sort(),
    node: Object.keys(node).sort(),
    coinbase: Object.keys(coinbase).sort(),
    privy: Object.keys(privy).sort(),
  }).toMatchInlineSnapshot(`
    {
      "coinbase": [
        "CDP_API_BASE_URL",
        "CoinbaseManagedWalletConnector",
      ],
      "node": [
        "DEFAULT_LOCK_TIMEOUT_MS",
        "DEFAULT_STALE_LOCK_MS",
        "FileStorageAdapter",
        "createUndiciTransport",
      ],
      "privy": [
        "PRIVY_API_BASE_URL",
        "PrivyEip191Connector",
      ],
      "tools": [
        "AgentAuthError",
        "ApprovalDeniedError",
        "ApprovalRequiredError",
        "ChainUnavailableError",
        "ConfigurationError",
        "CredentialRevokedError",
        "DEFAULT_LUCID_TOOL_NAMES",
        "LUCID_TOOL_NAMES",
        "MemorySpendLedger",
        "PaymentError",
        "PaymentErrorCode",
        "PolicyEnforcer",
        "PolicyRefusedError",
        "ToolInputError",
        "conversationIdFromConfigurable",
        "conversationIdFromMessages",
        "createLucidToolDescriptors",
        "decideMessage",
        "decideTransaction",
        "decideTypedData",
        "decodeCalldata",
        "formatEther",
        "isCredentialRevoked",
        "isPaymentError",
        "isPolicyRefused",
        "prepareApproval",
        "previewLucidToolCall",
        "resolvePolicy",
        "strictModeProblems",
        "toToolSession",
        "toWei",
        "toolErrorResult",
        "toolIdempotencyKey",
        "worstCaseCost",
        "worstCaseFee",
      ],
    }
  `);
});

it("keeps the root entry small: at most 80 names, values and types together", async () => {
  const { readFile } = await import("node:fs/promises");
  const source = await readFile(new URL("./index.ts", import.meta.url), "utf8");
  const names = [...source.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((match) =>
    (match[1] ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  );
  expect(names.length).toBeLessThanOrEqual(80);
  expect(Object.keys(entry).length).toBeLessThan(names.length);
});
