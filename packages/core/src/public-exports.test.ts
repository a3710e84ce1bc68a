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

it("keeps the /tools and /node subpath exports stable", async () => {
  const tools = await import("./tools.js");
  const node = await import("./node.js");
  expect({ tools: Object.keys(tools).sort(), node: Object.keys(node).sort() }).toMatchInlineSnapshot(`
    {
      "node": [
        "DEFAULT_LOCK_TIMEOUT_MS",
        "DEFAULT_STALE_LOCK_MS",
        "FileStorageAdapter",
        "createFileStorageAdapter",
        "createUndiciTransport",
      ],
      "tools": [
        "AgentAuthError",
        "ApprovalDeniedError",
        "ApprovalRequiredError",
        "ConfigurationError",
        "CredentialRevokedError",
        "LUCID_TOOL_NAMES",
        "MemorySpendLedger",
        "PolicyEnforcer",
        "PolicyRefusedError",
        "ToolInputError",
        "createLucidToolDescriptors",
        "formatEther",
        "isCredentialRevoked",
        "isPolicyRefused",
        "strictModeProblems",
        "toToolSession",
        "toWei",
        "toolErrorResult",
      ],
    }
  `);
});
