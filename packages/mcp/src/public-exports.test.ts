import { expect, it } from "vitest";
import * as entry from "./index.js";

it("keeps the public runtime exports stable (update the snapshot on purpose when the API changes)", () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "IDEMPOTENCY_META_KEY",
      "LUCID_TOOL_OUTPUT_SCHEMA",
      "MIN_BEARER_TOKEN_LENGTH",
      "annotationsOf",
      "approvalPreview",
      "approvePaymentByElicitation",
      "createBearerAuthenticator",
      "createLucidMcpHttpHandler",
      "createLucidMcpServer",
      "loadPolicyFile",
      "loadTenantsFile",
      "paymentPreviewText",
      "policyFileSchema",
      "rpcFromEnvironment",
      "startLucidMcpHttpServer",
      "tenantsFileSchema",
      "toolDefinition",
    ]
  `);
});
