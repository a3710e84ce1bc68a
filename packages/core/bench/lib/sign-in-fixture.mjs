// An in-memory Lucid auth server as a fetch function, for the sign-in benchmarks: it answers the challenge
// and exchange (and refresh) of the contract with canned JSON and checks nothing, so the figures measure the
// client's own cost (ours or the original's), not signature verification. Both candidates get the same fetch.

let serial = 0;
const json = (body) =>
  new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json" } });

/** A fetch answering `/v1/auth/agents/{ref}/challenge|exchange|refresh`; counts calls per operation. */
export function fakeAuthFetch() {
  const counts = { challenge: 0, exchange: 0, refresh: 0, other: 0 };
  const fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (input && typeof input === "object" && "arrayBuffer" in input) await input.arrayBuffer();
    else if (init?.body && typeof init.body !== "string") await new Response(init.body).arrayBuffer();
    const now = Date.now();
    if (url.endsWith("/challenge")) {
      counts.challenge += 1;
      serial += 1;
      return json({
        challenge: {
          id: `ch-${serial}`,
          credential_id: "cred-1",
          payload: { message: `Sign in to Lucid: ch-${serial}` },
          payload_hash: "0x00",
          nonce: `n-${serial}`,
          scopes: ["agents.read"],
          issued_at: new Date(now).toISOString(),
          expires_at: new Date(now + 300_000).toISOString(),
          server_signature: null,
        },
      });
    }
    if (url.endsWith("/exchange") || url.endsWith("/refresh")) {
      counts[url.endsWith("/exchange") ? "exchange" : "refresh"] += 1;
      serial += 1;
      return json({
        access_token: `at-${serial}`,
        token_type: "bearer",
        expires_at: new Date(now + 3_600_000).toISOString(),
        refresh_token: `rt-${serial}`,
        refresh_expires_at: new Date(now + 30 * 86_400_000).toISOString(),
        credential: { id: "cred-1", scopes: ["agents.read"], revocation_nonce: null },
      });
    }
    counts.other += 1;
    return new Response(JSON.stringify({ error: "not_found" }), { status: 404 });
  };
  return { fetch, counts };
}

const SIGNATURE = `0x${"11".repeat(65)}`;
const ADDRESS = `0x${"22".repeat(20)}`;
const config = { baseUrl: "http://lucid.test", agentRef: "agent-1", credentialId: "cred-1" };

/** A signed-in runtime of this package: a challenge signer returning a fixed signature, the fake fetch. */
export async function signInOurs(ours, fetch) {
  const runtime = await ours.AgentRuntime.fromConfig({
    config,
    fetch,
    backgroundRefresh: false,
    wallet: { signer: { signChallenge: async () => SIGNATURE, getAddress: async () => ADDRESS } },
  });
  await runtime.ensureAccessToken();
  return runtime;
}

/**
 * A signed-in runtime of the original 0.2.24, its fetch facade bypassed (its AgentAuthClient given the fetch
 * directly: its facade is broken on Node, see first-sign-in.bench.mjs). Its refresh timer is left running
 * (not unref'd) as shipped; call shutdown() to clear it.
 */
export async function signInOriginal(original, fetch) {
  const runtime = await original.AgentRuntime.fromConfig({
    config,
    wallet: { signer: { signChallenge: async () => SIGNATURE, getAddress: async () => ADDRESS } },
    authClient: new original.AgentAuthClient({ ...config, fetch }),
  });
  await runtime.ensureAccessToken();
  return runtime;
}
