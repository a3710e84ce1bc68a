import { expect, it } from "vitest";
import * as entry from "./index.js";

it("keeps the public runtime exports stable (update the snapshot on purpose when the API changes)", () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "createClient",
      "createConfig",
      "getV1Agents",
      "getV1AgentsByAgentRef",
      "postV1AgentsByAgentRefWalletSendTransaction",
      "postV1AgentsByAgentRefWalletSignMessage",
      "postV1AgentsByAgentRefWalletSignTransaction",
      "postV1AgentsByAgentRefWalletSignTypedData",
      "postV1AuthAgentsByAgentRefChallenge",
      "postV1AuthAgentsByAgentRefExchange",
      "postV1AuthAgentsByAgentRefRefresh",
    ]
  `);
});

it("keeps the zod subpath's exports stable", async () => {
  const zod = await import("./zod.js");
  expect(Object.keys(zod).length).toBeGreaterThan(40);
  expect(Object.keys(zod).every((name) => name.startsWith("z"))).toBe(true);
});
