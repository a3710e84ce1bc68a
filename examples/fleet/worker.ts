/**
 * One worker of the fleet (its own OS process): an `AgentRuntime` whose tokens live in Redis, and the Redis spend
 * ledger shared by every worker. It calls the agent API in a loop across several token rotations and reserves
 * a few spends against the fleet's budget, then reports what it saw to the parent.
 */
import { AgentRuntime, LocalEoaWalletConnector } from "@lucid-dreams/agent-auth";
import { RedisSpendLedger, RedisStorageAdapter } from "@lucid-dreams/agent-auth-redis";
import { createClient } from "redis";
import { privateKeyToAccount } from "viem/accounts";

interface WorkerOptions {
  redisUrl: string;
  baseUrl: string;
  agentRef: string;
  credentialId: string;
  privateKey: `0x${string}`;
  durationMs: number;
  name: string;
}
const { redisUrl, baseUrl, agentRef, credentialId, privateKey, durationMs, name } = JSON.parse(
  process.argv[2] ?? "{}",
) as WorkerOptions;

// The application owns the connection: connect it, hand it over, close it at the end.
const client = createClient({ url: redisUrl, socket: { reconnectStrategy: () => 100 } });
client.on("error", () => undefined); // reconnection is automatic; the adapters report outages as typed errors
await client.connect();

const runtime = await AgentRuntime.fromConfig({
  config: { baseUrl, agentRef, credentialId },
  wallet: {
    signer: new LocalEoaWalletConnector({ signer: privateKeyToAccount(privateKey) }),
  },
  storage: new RedisStorageAdapter({ client, agentRef }),
  storageKey: "fleet-example",
  telemetry: false,
});
const ledger = new RedisSpendLedger({ client });
const events = { authenticated: 0, tokenRefreshed: 0 };
runtime.on("authenticated", () => {
  events.authenticated += 1;
});
runtime.on("tokenRefreshed", () => {
  events.tokenRefreshed += 1;
});

let calls = 0;
const deadline = Date.now() + durationMs;
while (Date.now() < deadline) {
  await runtime.api.listAgents();
  calls += 1;
}
// Ten spends of 1 000 wei each against one budget of 25 000 wei for the whole fleet.
let reserved = 0;
for (let index = 0; index < 10; index += 1) {
  const result = await ledger.reserve({
    scope: `agent:${agentRef}`,
    key: `${name}-${index}`,
    fingerprint: "example",
    items: [{ asset: "wei", amount: 1_000n, limits: [{ rule: "fleet budget", amount: 25_000n }] }],
  });
  if (result.status === "reserved") {
    reserved += 1;
    await ledger.commit(`agent:${agentRef}`, `${name}-${index}`); // (a real worker sends first, then commits)
  }
}
await runtime.shutdown();
await client.close();
process.send?.({ name, calls, reserved, events });
