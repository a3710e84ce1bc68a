/**
 * Design document, "Usage Examples" > "Customize transport and storage", run against the embedded local Lucid
 * server. The example body below is the design's code; adapted lines carry an `Adapted:` comment.
 *
 * The design's snippet stops once the runtime is built; the lines marked `Added` make one authenticated call
 * and show that every request went through the instrumented fetch with the default header.
 *
 * Run: `pnpm --filter @lucid-dreams/examples design:customize-transport-and-storage`
 */
import {
  AgentRuntime,
  createFetchTransport,
  createLocalEoaWalletConnector,
  MemoryStorageAdapter,
} from "@lucid-dreams/agent-auth";
import { startLocalServer } from "@lucid-dreams/local-server";

// Local setup (not part of the design): a local Lucid server.
const server = await startLocalServer({ port: 0 });

// Adapted: the design leaves `myWalletConnector` to the reader; here it is the local key the server seeded for
// the agent (a throwaway test key), wrapped in a LocalEoaWalletConnector.
const myWalletConnector = await createLocalEoaWalletConnector({ privateKey: server.seed.eoaPrivateKey });

// Adapted: the design leaves `myInstrumentedFetch` to the reader; here it is a fetch that counts the requests
// and records the method, path and version header of each (never the authorization header or a body).
const seen: string[] = [];
const myInstrumentedFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  seen.push(
    `${request.method} ${new URL(request.url).pathname} (x-lucid-sdk-version: ${request.headers.get("x-lucid-sdk-version")})`,
  );
  return fetch(request);
};

try {
  const resolvedConfig = {
    // Adapted: the local server and its seeded agent and credential instead of the design's placeholders
    // ("https://lucid.daydream.systems", "agent-123", "cred-123"); the credential is the one bound to the
    // local key of `myWalletConnector`.
    baseUrl: server.url,
    agentRef: server.seed.agentRef,
    credentialId: server.seed.eoaCredentialId,
  };

  const runtime = await AgentRuntime.fromConfig({
    config: resolvedConfig,
    wallet: { signer: myWalletConnector },
    transport: createFetchTransport({
      baseUrl: resolvedConfig.baseUrl,
      fetch: myInstrumentedFetch,
      defaultHeaders: {
        "x-lucid-sdk-version": "agent-auth/0.1.0",
      },
    }),
    storage: new MemoryStorageAdapter(),
  });

  // Added (not in the design): one authenticated call, then what the instrumented fetch saw.
  const agent = await runtime.api.getAgent();
  console.log("agent", agent.ref, "wallet", agent.wallet?.address);
  console.log(`instrumented fetch calls: ${seen.length}`);
  for (const line of seen) console.log(`  ${line}`);
  if (seen.length !== 3) throw new Error("expected challenge, exchange and get agent through the fetch");
  await runtime.shutdown();
} finally {
  await server.close();
}
