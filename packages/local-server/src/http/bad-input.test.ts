import { request } from "node:http";
import { getV1Agents } from "@lucid-dreams/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, loginWithEoa } from "../../test/helpers.js";
import { type LocalServer, startLocalServer } from "../index.js";

let server: LocalServer;
let auth: string;

beforeAll(async () => {
  server = await startLocalServer({ maxBodyBytes: 1024 });
  auth = (await loginWithEoa(clientFor(server), server)).access_token;
});
afterAll(async () => {
  await server?.close();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

function expectShape(body: Record<string, unknown>, code: string) {
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(Object.keys(body).every((k) => ["error", "message", "details", "retry_after"].includes(k))).toBe(
    true,
  );
  expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
}

async function stillAlive() {
  const result = await getV1Agents({ client: clientFor(server), auth });
  expect(result.response.status).toBe(200);
}

const challengePath = () => `/v1/auth/agents/${server.seed.agentRef}/challenge`;
const signPath = () => `/v1/agents/${server.seed.agentRef}/wallet/sign-message`;

describe("bad input never crashes the server", () => {
  it("malformed JSON is 400 invalid_json", async () => {
    for (const text of ["{", "{'a':1}", "nul", "\u0000"]) {
      const r = await post(challengePath(), text);
      expect(r.status).toBe(400);
      expectShape(r.body, "invalid_json");
    }
    const empty = await post(challengePath(), "");
    expect(empty.status).toBe(400);
    expectShape(empty.body, "invalid_json");
    await stillAlive();
  });

  it("JSON of the wrong shape is 400 invalid_request with dotted details", async () => {
    const array = await post(challengePath(), "[1,2]");
    expect(array.status).toBe(400);
    expectShape(array.body, "invalid_request");
    expect(array.body.details).toEqual([{ path: "(body)", message: expect.any(String) }]);

    const types = await post(challengePath(), JSON.stringify({ credential_id: 7, scopes: "wallet.sign" }));
    expect(types.status).toBe(400);
    expect((types.body.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      "credential_id",
      "scopes",
    ]);

    const tx = await post(
      `/v1/agents/${server.seed.agentRef}/wallet/sign-transaction`,
      JSON.stringify({ caip2: "nope", params: { transaction: { to: "0x12" } } }),
      { authorization: `Bearer ${auth}` },
    );
    expect(tx.status).toBe(400);
    expect((tx.body.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
      "caip2",
      "params.transaction.to",
    ]);

    const exchange = await post(
      `/v1/auth/agents/${server.seed.agentRef}/exchange`,
      JSON.stringify({ challenge_id: "chl_x", signature: "not-hex" }),
    );
    expect(exchange.status).toBe(400);
    expect((exchange.body.details as { path: string }[])[0]!.path).toBe("signature");
    await stillAlive();
  });

  it("deeply nested JSON is 400 invalid_json naming the limit, also in an extra key of an idempotent request", async () => {
    const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const headers = { authorization: `Bearer ${auth}` };
    for (const body of [
      deep(400),
      `{"message":"hi","idempotency_key":"deep-1","future_field":${deep(400)}}`,
    ]) {
      const r = await post(signPath(), body, headers);
      expect(r.status).toBe(400);
      expectShape(r.body, "invalid_json");
      expect(r.body.message).toContain("deeper than 64 levels");
    }
    // 64 levels are fine (the extra key is ignored).
    const ok = await post(
      signPath(),
      `{"message":"hi","idempotency_key":"deep-2","future_field":${deep(63)}}`,
      headers,
    );
    expect(ok.status).toBe(200);
    await stillAlive();
  });

  it("ignores extra keys in request bodies", async () => {
    const r = await post(signPath(), JSON.stringify({ message: "hi", future_field: { nested: true } }), {
      authorization: `Bearer ${auth}`,
    });
    expect(r.status).toBe(200);
  });

  it("unknown agent is 404 not_found on every family of routes", async () => {
    const challenge = await post("/v1/auth/agents/ghost/challenge", "{}");
    expect(challenge.status).toBe(404);
    expectShape(challenge.body, "not_found");
    const sign = await post("/v1/agents/ghost/wallet/sign-message", JSON.stringify({ message: "x" }), {
      authorization: `Bearer ${auth}`,
    });
    expect(sign.status).toBe(404);
    const badEscape = await post("/v1/auth/agents/%E0%A4%A/challenge", "{}");
    expect(badEscape.status).toBe(404);
    expectShape(badEscape.body, "not_found");
  });

  it("unknown credential is 404 not_found", async () => {
    const r = await post(challengePath(), JSON.stringify({ credential_id: "cred_nope" }));
    expect(r.status).toBe(404);
    expectShape(r.body, "not_found");
  });

  it("unknown route is 404, wrong method is 405 with Allow", async () => {
    const unknown = await fetch(`${server.url}/v2/whatever`);
    expect(unknown.status).toBe(404);
    expectShape((await unknown.json()) as Record<string, unknown>, "not_found");
    const wrong = await fetch(`${server.url}${challengePath()}`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expectShape((await wrong.json()) as Record<string, unknown>, "method_not_allowed");
    const del = await fetch(`${server.url}/v1/agents`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET");
  });

  it("a declared oversized body is 413 payload_too_large", async () => {
    const r = await post(challengePath(), JSON.stringify({ credential_id: "x".repeat(5000) }));
    expect(r.status).toBe(413);
    expectShape(r.body, "payload_too_large");
    await stillAlive();
  });

  it("a streamed (chunked) oversized body is 413 once it passes the cap", async () => {
    const url = new URL(`${server.url}${challengePath()}`);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: { "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => {
            text += chunk;
          });
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on("error", reject);
      req.write(`{"credential_id":"`);
      for (let i = 0; i < 4; i++) req.write("y".repeat(512));
      req.end(`"}`);
    });
    expect(result.status).toBe(413);
    expectShape(JSON.parse(result.body) as Record<string, unknown>, "payload_too_large");
    await stillAlive();
  });

  it("wrong caip2 is 400 unsupported_chain", async () => {
    const r = await post(
      `/v1/agents/${server.seed.agentRef}/wallet/send-transaction`,
      JSON.stringify({
        caip2: "eip155:1",
        params: { transaction: { to: server.seed.eoaAddress, value: "1" } },
      }),
      { authorization: `Bearer ${auth}` },
    );
    expect(r.status).toBe(400);
    expectShape(r.body, "unsupported_chain");
    await stillAlive();
  });

  it("a malformed Authorization header is 401 unauthorized", async () => {
    for (const header of ["Basic abc", "Bearer", "Bearer a b", "lat_x"]) {
      const r = await fetch(`${server.url}/v1/agents`, { headers: { authorization: header } });
      expect(r.status).toBe(401);
      expectShape((await r.json()) as Record<string, unknown>, "unauthorized");
    }
  });
});
