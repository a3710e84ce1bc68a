import {
  getV1Agents,
  getV1AgentsByAgentRef,
  postV1AgentsByAgentRefWalletSendTransaction,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AuthAgentsByAgentRefChallenge,
  postV1AuthAgentsByAgentRefExchange,
  postV1AuthAgentsByAgentRefRefresh,
} from "@lucid-dreams/sdk";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, expectError, loginWithEoa, requestChallenge, signChallenge } from "../../test/helpers.js";
import { type LocalServer, startLocalServer } from "../index.js";

let now = Date.parse("2030-01-01T00:00:00Z");
let server: LocalServer;
let grace: LocalServer;

beforeAll(async () => {
  [server, grace] = await Promise.all([
    startLocalServer({
      now: () => now,
      accessTtlSeconds: 60,
      refreshTtlSeconds: 600,
      challengeTtlSeconds: 30,
      agents: [{ ref: "demo-agent", name: "Demo agent" }, { ref: "other-agent" }],
    }),
    startLocalServer({ now: () => now, refreshReuseGraceSeconds: 10 }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.close(), grace?.close()]);
});

const refresh = (s: LocalServer, refreshToken: string, agentRef = s.seed.agentRef) =>
  postV1AuthAgentsByAgentRefRefresh({
    client: clientFor(s),
    path: { agentRef },
    body: { refresh_token: refreshToken },
  });
const listAgents = (s: LocalServer, auth: string) => getV1Agents({ client: clientFor(s), auth });

describe("challenge", () => {
  it("uses the agent id as well as the ref, and stamps times from the injected clock", async () => {
    const challenge = await requestChallenge(clientFor(server), server.seed.agentId, {
      credential_id: server.seed.eoaCredentialId,
    });
    expect(challenge.issued_at).toBe(new Date(now).toISOString());
    expect(challenge.expires_at).toBe(new Date(now + 30_000).toISOString());
    expect(challenge.credential_id).toBe(server.seed.eoaCredentialId);
    expect(challenge.payload_hash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it("requires credential_id when the agent has two credentials", async () => {
    const result = await postV1AuthAgentsByAgentRefChallenge({
      client: clientFor(server),
      path: { agentRef: server.seed.agentRef },
      body: {},
    });
    const body = expectError(result, 400, "invalid_request");
    expect(body.message).toContain("credential_id is required");
    expect(body.details?.[0]?.path).toBe("credential_id");
  });

  it("answers 404 for an unknown agent and for a credential of another agent", async () => {
    const c = clientFor(server);
    expectError(
      await postV1AuthAgentsByAgentRefChallenge({ client: c, path: { agentRef: "nobody" }, body: {} }),
      404,
      "not_found",
    );
    expectError(
      await postV1AuthAgentsByAgentRefChallenge({
        client: c,
        path: { agentRef: server.seed.agentRef },
        body: { credential_id: server.seed.agents[1]!.eoaCredentialId },
      }),
      404,
      "not_found",
    );
  });

  it("grants the requested scopes the credential holds and refuses unknown scope names", async () => {
    const c = clientFor(server);
    const challenge = await requestChallenge(c, server.seed.agentRef, {
      credential_id: server.seed.eoaCredentialId,
      scopes: ["wallet.sign", "agents.read", "wallet.sign"],
    });
    expect(challenge.scopes).toEqual(["agents.read", "wallet.sign"]);
    const unknown = await postV1AuthAgentsByAgentRefChallenge({
      client: c,
      path: { agentRef: server.seed.agentRef },
      body: { credential_id: server.seed.eoaCredentialId, scopes: ["agents.read", "wallet.drain"] },
    });
    const body = expectError(unknown, 400, "invalid_request");
    expect(body.details).toEqual([{ path: "scopes.1", message: expect.stringContaining("wallet.drain") }]);
    const none = await postV1AuthAgentsByAgentRefChallenge({
      client: c,
      path: { agentRef: server.seed.agentRef },
      body: { credential_id: server.seed.eoaCredentialId, scopes: [] },
    });
    expectError(none, 403, "insufficient_scope");
  });
});

describe("exchange", () => {
  it("refuses a signature of the wrong key with 401 invalid_signature, and the challenge stays usable", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    const wrong = await signChallenge(privateKeyToAccount(generatePrivateKey()), challenge);
    expectError(
      await postV1AuthAgentsByAgentRefExchange({
        client: c,
        path: { agentRef: seed.agentRef },
        body: { challenge_id: challenge.id, signature: wrong },
      }),
      401,
      "invalid_signature",
    );
    for (const garbage of ["0xdeadbeef", `0x${"00".repeat(65)}`, `0x${"ff".repeat(65)}`]) {
      expectError(
        await postV1AuthAgentsByAgentRefExchange({
          client: c,
          path: { agentRef: seed.agentRef },
          body: { challenge_id: challenge.id, signature: garbage },
        }),
        401,
        "invalid_signature",
      );
    }
    const right = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), challenge);
    const ok = await postV1AuthAgentsByAgentRefExchange({
      client: c,
      path: { agentRef: seed.agentRef },
      body: { challenge_id: challenge.id, signature: right },
    });
    expect(ok.response.status).toBe(200);
  });

  it("refuses a replayed challenge with 401 challenge_used", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    const signature = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), challenge);
    const exchange = () =>
      postV1AuthAgentsByAgentRefExchange({
        client: c,
        path: { agentRef: seed.agentRef },
        body: { challenge_id: challenge.id, signature },
      });
    expect((await exchange()).response.status).toBe(200);
    expectError(await exchange(), 401, "challenge_used");
  });

  it("refuses an expired challenge with 401 challenge_expired", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    const signature = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), challenge);
    now += 30_000;
    try {
      expectError(
        await postV1AuthAgentsByAgentRefExchange({
          client: c,
          path: { agentRef: seed.agentRef },
          body: { challenge_id: challenge.id, signature },
        }),
        401,
        "challenge_expired",
      );
    } finally {
      now -= 30_000;
    }
  });

  it("gives exactly one success to concurrent exchanges of one challenge", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const challenge = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    const signature = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), challenge);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        postV1AuthAgentsByAgentRefExchange({
          client: c,
          path: { agentRef: seed.agentRef },
          body: { challenge_id: challenge.id, signature },
        }),
      ),
    );
    const statuses = results.map((r) => r.response.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 401)).toHaveLength(7);
    for (const r of results.filter((x) => x.response.status === 401)) {
      expect((r.error as { error: string }).error).toBe("challenge_used");
    }
  });

  it("answers 404 for an unknown challenge or one of another agent, 400 for a mismatched credential_id", async () => {
    const c = clientFor(server);
    const { seed } = server;
    expectError(
      await postV1AuthAgentsByAgentRefExchange({
        client: c,
        path: { agentRef: seed.agentRef },
        body: { challenge_id: "chl_nope", signature: "0x00" },
      }),
      404,
      "not_found",
    );
    const other = server.seed.agents[1]!;
    const challenge = await requestChallenge(c, other.agentRef, { credential_id: other.eoaCredentialId });
    expectError(
      await postV1AuthAgentsByAgentRefExchange({
        client: c,
        path: { agentRef: seed.agentRef },
        body: { challenge_id: challenge.id, signature: "0x00" },
      }),
      404,
      "not_found",
    );
    expectError(
      await postV1AuthAgentsByAgentRefExchange({
        client: c,
        path: { agentRef: other.agentRef },
        body: { challenge_id: challenge.id, signature: "0x00", credential_id: other.credentialId },
      }),
      400,
      "invalid_request",
    );
  });
});

describe("refresh", () => {
  it("rotates; replaying the old refresh token revokes the whole family", async () => {
    const first = await loginWithEoa(clientFor(server), server);
    const second = (await refresh(server, first.refresh_token)).data!;
    expect((await listAgents(server, second.access_token)).response.status).toBe(200);

    const replay = await refresh(server, first.refresh_token);
    expectError(replay, 401, "credential_revoked");
    expectError(await refresh(server, second.refresh_token), 401, "credential_revoked");
    expectError(await listAgents(server, second.access_token), 401, "credential_revoked");
    expectError(await listAgents(server, first.access_token), 401, "credential_revoked");
  });

  it("leaves other families alone when one is revoked", async () => {
    const a = await loginWithEoa(clientFor(server), server);
    const b = await loginWithEoa(clientFor(server), server);
    await refresh(server, a.refresh_token);
    await refresh(server, a.refresh_token);
    expect((await listAgents(server, b.access_token)).response.status).toBe(200);
    expect((await refresh(server, b.refresh_token)).response.status).toBe(200);
  });

  it("refuses an expired refresh token with 401 refresh_token_expired", async () => {
    const tokens = await loginWithEoa(clientFor(server), server);
    now += 600_000;
    try {
      expectError(await refresh(server, tokens.refresh_token), 401, "refresh_token_expired");
    } finally {
      now -= 600_000;
    }
  });

  it("refuses unknown tokens and tokens of another agent with 401 invalid_refresh_token", async () => {
    expectError(await refresh(server, "lrt_nope"), 401, "invalid_refresh_token");
    const tokens = await loginWithEoa(clientFor(server), server);
    expectError(await refresh(server, tokens.refresh_token, "other-agent"), 401, "invalid_refresh_token");
    expect((await refresh(server, tokens.refresh_token)).response.status).toBe(200);
  });

  it("issues absolute expiry from the injected clock", async () => {
    const tokens = await loginWithEoa(clientFor(server), server);
    expect(tokens.expires_at).toBe(new Date(now + 60_000).toISOString());
    expect(tokens.refresh_expires_at).toBe(new Date(now + 600_000).toISOString());
  });

  it("within the grace interval a reused token gets a fresh pair; after it, the family is revoked", async () => {
    const first = await loginWithEoa(clientFor(grace), grace);
    const second = (await refresh(grace, first.refresh_token)).data!;
    now += 5_000;
    const again = await refresh(grace, first.refresh_token);
    expect(again.response.status).toBe(200);
    expect(again.data!.refresh_token).not.toBe(second.refresh_token);
    expect((await listAgents(grace, second.access_token)).response.status).toBe(200);
    now += 6_000;
    expectError(await refresh(grace, first.refresh_token), 401, "credential_revoked");
    expectError(await listAgents(grace, again.data!.access_token), 401, "credential_revoked");
  });
});

describe("bearer tokens and scopes", () => {
  it("answers 401 unauthorized with WWW-Authenticate for a missing or unknown token", async () => {
    const c = clientFor(server);
    const missing = await getV1Agents({ client: c });
    expectError(missing, 401, "unauthorized");
    expect(missing.response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expectError(await getV1Agents({ client: c, auth: "lat_nope" }), 401, "unauthorized");
  });

  it("answers 401 token_expired once the access token expired, and refresh recovers", async () => {
    const tokens = await loginWithEoa(clientFor(server), server);
    now += 60_000;
    expectError(await listAgents(server, tokens.access_token), 401, "token_expired");
    const fresh = (await refresh(server, tokens.refresh_token)).data!;
    expect((await listAgents(server, fresh.access_token)).response.status).toBe(200);
  });

  it("a token with only agents.read cannot sign (403 insufficient_scope naming the scope)", async () => {
    const tokens = await loginWithEoa(clientFor(server), server, { scopes: ["agents.read"] });
    expect(tokens.credential.scopes).toEqual(["agents.read"]);
    const result = await postV1AgentsByAgentRefWalletSignMessage({
      client: clientFor(server),
      auth: tokens.access_token,
      path: { agentRef: server.seed.agentRef },
      body: { message: "hi" },
    });
    const body = expectError(result, 403, "insufficient_scope");
    expect(body.message).toContain("wallet.sign");
    const send = await postV1AgentsByAgentRefWalletSendTransaction({
      client: clientFor(server),
      auth: tokens.access_token,
      path: { agentRef: server.seed.agentRef },
      body: { caip2: server.seed.caip2, params: { transaction: {} } },
    });
    expect(expectError(send, 403, "insufficient_scope").message).toContain("wallet.send");
  });

  it("a wallet.sign token cannot read agents", async () => {
    const tokens = await loginWithEoa(clientFor(server), server, { scopes: ["wallet.sign"] });
    expectError(await listAgents(server, tokens.access_token), 403, "insufficient_scope");
  });

  it("an agent token may not act for another agent (403 forbidden)", async () => {
    const tokens = await loginWithEoa(clientFor(server), server);
    const c = clientFor(server);
    expectError(
      await getV1AgentsByAgentRef({
        client: c,
        auth: tokens.access_token,
        path: { agentRef: "other-agent" },
      }),
      403,
      "forbidden",
    );
    expectError(
      await postV1AgentsByAgentRefWalletSignMessage({
        client: c,
        auth: tokens.access_token,
        path: { agentRef: "other-agent" },
        body: { message: "hi" },
      }),
      403,
      "forbidden",
    );
    expectError(
      await getV1AgentsByAgentRef({ client: c, auth: tokens.access_token, path: { agentRef: "ghost" } }),
      404,
      "not_found",
    );
  });
});

describe("admin", () => {
  it("revokeCredential kills every session of the credential and changes its revocation_nonce", async () => {
    const c = clientFor(server);
    const a = await loginWithEoa(c, server);
    const b = await loginWithEoa(c, server);
    expect(a.credential.revocation_nonce).toBe(b.credential.revocation_nonce);
    expect(server.admin.revokeCredential(server.seed.eoaCredentialId)).toBe(true);
    expect(server.admin.revokeCredential("cred_nope")).toBe(false);
    expectError(await listAgents(server, a.access_token), 401, "credential_revoked");
    expectError(await listAgents(server, b.access_token), 401, "credential_revoked");
    expectError(await refresh(server, b.refresh_token), 401, "credential_revoked");
    const again = await loginWithEoa(c, server);
    expect(again.credential.revocation_nonce).not.toBe(a.credential.revocation_nonce);
    expect((await listAgents(server, again.access_token)).response.status).toBe(200);
  });

  it("setCredentialDisabled refuses challenges until re-enabled", async () => {
    const c = clientFor(server);
    const { seed } = server;
    const pending = await requestChallenge(c, seed.agentRef, { credential_id: seed.eoaCredentialId });
    const signature = await signChallenge(privateKeyToAccount(seed.eoaPrivateKey), pending);
    server.admin.setCredentialDisabled(seed.eoaCredentialId, true);
    try {
      expectError(
        await postV1AuthAgentsByAgentRefChallenge({
          client: c,
          path: { agentRef: seed.agentRef },
          body: { credential_id: seed.eoaCredentialId },
        }),
        403,
        "forbidden",
      );
      expectError(
        await postV1AuthAgentsByAgentRefExchange({
          client: c,
          path: { agentRef: seed.agentRef },
          body: { challenge_id: pending.id, signature },
        }),
        401,
        "credential_revoked",
      );
    } finally {
      server.admin.setCredentialDisabled(seed.eoaCredentialId, false);
    }
    expect((await loginWithEoa(c, server)).access_token).toMatch(/^lat_/);
  });
});
