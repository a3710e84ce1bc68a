import { getV1Agents, postV1AuthAgentsByAgentRefChallenge } from "@lucid-dreams/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { clientFor, loginWithEoa } from "../../test/helpers.js";
import { type LocalServer, startLocalServer } from "../index.js";

let server: LocalServer;
let auth: string;
let draws: number[] = [];

beforeAll(async () => {
  server = await startLocalServer({ random: () => draws.shift() ?? 0.99 });
  auth = (await loginWithEoa(clientFor(server), server)).access_token;
});
afterEach(() => {
  server.faults.clear();
  server.counters.reset();
});
afterAll(async () => {
  await server?.close();
});

const list = () => getV1Agents({ client: clientFor(server), auth });
const challenge = () =>
  postV1AuthAgentsByAgentRefChallenge({
    client: clientFor(server),
    path: { agentRef: server.seed.agentRef },
    body: { credential_id: server.seed.eoaCredentialId },
  });

describe("faults over HTTP", () => {
  it("answers the injected status for N requests, then normally", async () => {
    const handle = server.faults.inject("listAgents", { status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await list()).response.status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(handle.hits).toBe(2);
    expect(server.counters.get("listAgents")).toBe(3);
  });

  it("gives a 429 a Retry-After header and a rate_limited body", async () => {
    server.faults.inject("challenge", { status: 429, times: 1 });
    const limited = await challenge();
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get("retry-after")).toBe("1");
    expect(limited.error).toMatchObject({ error: "rate_limited", retry_after: 1 });
    expect((await challenge()).response.status).toBe(201);
  });

  it("sends a custom body and headers, a string body as is", async () => {
    server.faults.inject("listAgents", { status: 500, body: "{not json", times: 1 });
    const raw = await fetch(`${server.url}/v1/agents`, { headers: { authorization: `Bearer ${auth}` } });
    expect(raw.status).toBe(500);
    expect(await raw.text()).toBe("{not json");
    server.faults.inject("listAgents", {
      status: 418,
      body: { error: "teapot" },
      headers: { "x-fault": "yes" },
      times: 1,
    });
    const custom = await list();
    expect(custom.response.status).toBe(418);
    expect(custom.response.headers.get("x-fault")).toBe("yes");
    expect(custom.error).toEqual({ error: "teapot" });
  });

  it("drops the connection without a response", async () => {
    server.faults.inject("exchange", { drop: true, times: 1 });
    await expect(
      fetch(`${server.url}/v1/auth/agents/${server.seed.agentRef}/exchange`, { method: "POST", body: "{}" }),
    ).rejects.toThrow();
    expect(server.counters.get("exchange")).toBe(1);
    const after = await fetch(`${server.url}/v1/auth/agents/${server.seed.agentRef}/exchange`, {
      method: "POST",
      body: "{}",
    });
    expect(after.status).toBe(400);
  });

  it("holds a request for latencyMs: a later request is answered first", async () => {
    server.faults.inject("listAgents", { latencyMs: 60_000, times: 1 });
    const abort = new AbortController();
    let held = "pending";
    const delayed = fetch(`${server.url}/v1/agents`, {
      headers: { authorization: `Bearer ${auth}` },
      signal: abort.signal,
    }).then(
      () => {
        held = "answered";
      },
      () => {
        held = "aborted";
      },
    );
    // The held request has reached the server (counted) before the second one is sent.
    while (server.counters.get("listAgents") < 1) await new Promise((resolve) => setImmediate(resolve));
    expect((await list()).response.status).toBe(200);
    expect(held).toBe("pending");
    abort.abort();
    await delayed;
    expect(held).toBe("aborted");
  });

  it("delays by latencyMs and then answers normally", async () => {
    const handle = server.faults.inject("listAgents", { latencyMs: 5, times: 1 });
    const result = await list();
    expect(result.response.status).toBe(200);
    expect(handle.hits).toBe(1);
  });

  it("applies a probabilistic fault by the injected random", async () => {
    server.faults.inject("listAgents", { status: 500, probability: 0.5 });
    draws = [0.2, 0.8, 0.1];
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await list()).response.status);
    expect(statuses).toEqual([500, 200, 500]);
  });

  it("removes a fault through its handle", async () => {
    const handle = server.faults.inject("listAgents", { status: 500 });
    expect((await list()).response.status).toBe(500);
    handle.remove();
    expect((await list()).response.status).toBe(200);
  });
});

describe("counters", () => {
  it("count requests per operation, snapshot every operation, reset", async () => {
    await list();
    await list();
    await challenge();
    await fetch(`${server.url}/v1/nowhere`);
    expect(server.counters.snapshot()).toEqual({
      challenge: 1,
      exchange: 0,
      refresh: 0,
      listAgents: 2,
      getAgent: 0,
      signMessage: 0,
      signTypedData: 0,
      signTransaction: 0,
      sendTransaction: 0,
    });
    server.counters.reset();
    expect(server.counters.get("listAgents")).toBe(0);
  });
});

describe("dropResponse", () => {
  it("processes a refresh (the token rotates) and then drops its answer", async () => {
    const login = await loginWithEoa(clientFor(server), server);
    const before = server.admin.familyCounts();
    server.faults.inject("refresh", { dropResponse: true, times: 1 });
    const url = `${server.url}/v1/auth/agents/${server.seed.agentRef}/refresh`;
    const body = JSON.stringify({ refresh_token: login.refresh_token });
    const headers = { "content-type": "application/json" };
    await expect(fetch(url, { method: "POST", body, headers })).rejects.toThrow();
    expect(server.counters.get("refresh")).toBe(1);
    // The server did rotate: presenting the same token again is a replay, and revokes the family.
    const replay = await fetch(url, { method: "POST", body, headers });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: string }).error).toBe("credential_revoked");
    expect(server.admin.familyCounts().revoked).toBe(before.revoked + 1);
  });
});
