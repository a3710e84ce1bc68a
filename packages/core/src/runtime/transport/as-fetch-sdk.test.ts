/**
 * The generated SDK executing through `transport.asFetch()` against a real HTTP server on loopback: the SDK
 * hands fetch a `Request` whose body is a stream, which the transport must buffer (Node refuses a streamed
 * body without `duplex: "half"`), and retries must follow the request's safety.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createClient, postV1AuthAgentsByAgentRefChallenge } from "@lucid-dreams/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createFetchTransport } from "./fetch-transport.js";
import type { HttpTransport } from "./http-transport.js";
import { createUndiciTransport, type UndiciTransport } from "./undici-transport.js";

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

/** A loopback server that records each request and answers with `reply` (by default: echo the JSON body). */
async function startServer(reply: (request: SeenRequest, index: number) => Reply) {
  const requests: SeenRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const seen = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks).toString("utf8"),
    };
    requests.push(seen);
    const { status, body, headers } = reply(seen, requests.length - 1);
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const echoChallenge = (request: SeenRequest): Reply => ({
  status: 201,
  body: { challenge: { id: "ch_1", nonce: "abcdefgh12", echo: JSON.parse(request.body) as unknown } },
});

const noSleep = async () => {};

let server: Awaited<ReturnType<typeof startServer>> | undefined;
const undiciTransports: UndiciTransport[] = [];

afterEach(async () => {
  await Promise.all(undiciTransports.splice(0).map((transport) => transport.close()));
  await server?.close();
  server = undefined;
});

const transports: Array<[string, (baseUrl: string) => HttpTransport]> = [
  [
    "createFetchTransport (global fetch)",
    (baseUrl) =>
      createFetchTransport({
        baseUrl,
        sleep: noSleep,
        defaultHeaders: { "x-lucid-sdk-version": "agent-auth/test" },
      }),
  ],
  [
    "createUndiciTransport",
    (baseUrl) => {
      const transport = createUndiciTransport({
        baseUrl,
        sleep: noSleep,
        defaultHeaders: { "x-lucid-sdk-version": "agent-auth/test" },
      });
      undiciTransports.push(transport);
      return transport;
    },
  ],
];

describe.each(transports)("the generated SDK through %s.asFetch()", (_name, makeTransport) => {
  it("sends a request with a body and reads the response", async () => {
    server = await startServer(echoChallenge);
    const transport = makeTransport(server.baseUrl);
    const client = createClient({ baseUrl: server.baseUrl, fetch: transport.asFetch() });

    const result = await postV1AuthAgentsByAgentRefChallenge({
      client,
      path: { agentRef: "agent-1" },
      body: { credential_id: "cred-1", scopes: ["agents.read"] },
    });

    expect(result.error).toBeUndefined();
    expect(result.response.status).toBe(201);
    expect(result.data).toEqual({
      challenge: {
        id: "ch_1",
        nonce: "abcdefgh12",
        echo: { credential_id: "cred-1", scopes: ["agents.read"] },
      },
    });
    expect(server.requests).toHaveLength(1);
    const [seen] = server.requests;
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/v1/auth/agents/agent-1/challenge");
    expect(seen?.body).toBe('{"credential_id":"cred-1","scopes":["agents.read"]}');
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers["content-length"]).toBe(String(seen?.body.length));
    expect(seen?.headers["x-lucid-sdk-version"]).toBe("agent-auth/test");
  });

  it("retries a POST carrying an Idempotency-Key, with the same body and key", async () => {
    server = await startServer((request, index) =>
      index === 0
        ? { status: 503, body: { error: "unavailable" }, headers: { "retry-after": "0" } }
        : echoChallenge(request),
    );
    const client = createClient({ baseUrl: server.baseUrl, fetch: makeTransport(server.baseUrl).asFetch() });

    const result = await postV1AuthAgentsByAgentRefChallenge({
      client,
      path: { agentRef: "agent-1" },
      body: { credential_id: "cred-1" },
      headers: { "Idempotency-Key": "idem-42" },
    });

    expect(result.response.status).toBe(201);
    expect(server.requests).toHaveLength(2);
    for (const seen of server.requests) {
      expect(seen.body).toBe('{"credential_id":"cred-1"}');
      expect(seen.headers["idempotency-key"]).toBe("idem-42");
    }
  });

  it("sends a POST without an Idempotency-Key once, and hands the SDK the error response", async () => {
    server = await startServer((request, index) =>
      index === 0
        ? { status: 503, body: { error: "unavailable" }, headers: { "retry-after": "0" } }
        : echoChallenge(request),
    );
    const client = createClient({ baseUrl: server.baseUrl, fetch: makeTransport(server.baseUrl).asFetch() });

    const result = await postV1AuthAgentsByAgentRefChallenge({
      client,
      path: { agentRef: "agent-1" },
      body: { credential_id: "cred-1" },
    });

    expect(result.response.status).toBe(503);
    expect(result.error).toEqual({ error: "unavailable" });
    expect(result.data).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });
});
