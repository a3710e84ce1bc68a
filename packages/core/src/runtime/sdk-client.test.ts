/**
 * The shared client's direct path answers exactly as the generated client does: the same call is made through
 * both (the generated `createClient()` and `sdkTarget`'s shared client) against the same recorded answers,
 * and the results (data, error, status) and what reached fetch (method, URL, headers, body) are compared.
 */
import {
  type Client,
  createClient,
  getV1AgentsByAgentRef,
  postV1AgentsByAgentRefWalletSignMessage,
  postV1AuthAgentsByAgentRefChallenge,
} from "@lucid-dreams/sdk";
import { describe, expect, it } from "vitest";
import { sdkTarget } from "./sdk-client.js";
import type { FetchExecutor } from "./transport/http-transport.js";

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
  wasRequest: boolean;
  signal: AbortSignal | null | undefined;
}

/** A fetch that records what it was asked and answers with `answer()` (or throws it). */
function recordingFetch(answer: () => Response | Error) {
  const seen: Seen[] = [];
  const fetch: FetchExecutor = async (input, init) => {
    const wasRequest = input instanceof Request;
    const request = wasRequest ? (input as Request) : new Request(input, init);
    seen.push({
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(request.headers.entries()),
      body: request.body === null ? null : await request.text(),
      wasRequest,
      signal: wasRequest ? (input as Request).signal : init?.signal,
    });
    const result = answer();
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch, seen };
}

const BASE = "https://lucid.test/api";

type Outcome = { data?: unknown; error?: unknown; status?: number; seen: Seen };

/** Runs `call` through the generated client and through the shared one, with the same answer. */
async function both(
  answer: () => Response | Error,
  call: (options: { client: Client; baseUrl: string; fetch: FetchExecutor }) => Promise<unknown>,
): Promise<{ generated: Outcome; shared: Outcome }> {
  const run = async (client: Client | undefined) => {
    const recorder = recordingFetch(answer);
    const target = sdkTarget(client, BASE, recorder.fetch) as {
      client: Client;
      baseUrl: string;
      fetch: FetchExecutor;
    };
    const result = (await call({ client: target.client, baseUrl: BASE, fetch: recorder.fetch })) as {
      data?: unknown;
      error?: unknown;
      response?: Response;
    };
    return {
      data: result.data,
      error: result.error instanceof Error ? result.error.message : result.error,
      status: result.response?.status,
      seen: recorder.seen[0]!,
    };
  };
  return { generated: await run(createClient()), shared: await run(undefined) };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });

const challenge = (options: { client: Client; baseUrl: string; fetch: FetchExecutor }) =>
  postV1AuthAgentsByAgentRefChallenge({
    ...options,
    path: { agentRef: "agent/1 ü" },
    body: { credential_id: "cred-1", scopes: ["agents.read"] },
    headers: { "X-Trace": "t-1" },
  });

describe("the shared SDK client", () => {
  it("sends a plain JSON call as (url, init), with the method, URL, headers and body of the generated client", async () => {
    const { generated, shared } = await both(json(201, { challenge: { id: "ch_1" } }), challenge);
    expect(generated.seen.wasRequest).toBe(true);
    expect(shared.seen.wasRequest).toBe(false);
    const { wasRequest: _g, signal: _gs, ...sentByGenerated } = generated.seen;
    const { wasRequest: _s, signal: _ss, ...sentByShared } = shared.seen;
    expect(sentByShared).toEqual(sentByGenerated);
    expect(sentByShared.url).toBe(`${BASE}/v1/auth/agents/agent%2F1%20%C3%BC/challenge`);
    expect(sentByShared.headers["content-type"]).toBe("application/json");
    expect(sentByShared.headers["x-trace"]).toBe("t-1");
    expect(JSON.parse(sentByShared.body!)).toEqual({ credential_id: "cred-1", scopes: ["agents.read"] });
    expect(shared.data).toEqual({ challenge: { id: "ch_1" } });
    expect(shared.status).toBe(201);
  });

  const answers: Array<[string, () => Response | Error]> = [
    ["a JSON error", json(401, { error: "invalid_signature", message: "no" })],
    ["a text error", () => new Response("upstream down", { status: 502 })],
    ["an empty error", () => new Response("", { status: 500 })],
    ["a JSON null error", () => new Response("null", { status: 500 })],
    ["a 204", () => new Response(null, { status: 204, headers: { "content-type": "application/json" } })],
    [
      "an empty JSON 200",
      () => new Response("", { status: 200, headers: { "content-type": "application/json" } }),
    ],
    ["a text 200", () => new Response("hello", { status: 200, headers: { "content-type": "text/plain" } })],
    ["a problem+json 200", json(200, { ok: 1 }, { "content-type": "application/problem+json" })],
    [
      "a 200 that is not JSON",
      () => new Response("<html>", { status: 200, headers: { "content-type": "application/json" } }),
    ],
    ["a network failure", () => new TypeError("fetch failed")],
  ];
  for (const [name, answer] of answers) {
    it(`answers ${name} as the generated client does`, async () => {
      const settle = async (
        call: (options: { client: Client; baseUrl: string; fetch: FetchExecutor }) => Promise<unknown>,
      ) => {
        try {
          return await both(answer, call);
        } catch (error) {
          return { threw: (error as Error).name };
        }
      };
      const outcome = await settle(challenge);
      if ("threw" in outcome) {
        // Both threw (a body that is not JSON): the generated client throws too; compare by running it alone.
        await expect(
          postV1AuthAgentsByAgentRefChallenge({
            client: createClient(),
            baseUrl: BASE,
            fetch: recordingFetch(answer).fetch,
            path: { agentRef: "a" },
            body: { credential_id: "c" },
          }),
        ).rejects.toThrow();
        await expect(
          postV1AuthAgentsByAgentRefChallenge({
            ...(sdkTarget(undefined, BASE, recordingFetch(answer).fetch) as { client: Client }),
            path: { agentRef: "a" },
            body: { credential_id: "c" },
          }),
        ).rejects.toThrow(outcome.threw === "SyntaxError" ? SyntaxError : Error);
        return;
      }
      const { generated, shared } = outcome;
      expect({ data: shared.data, error: shared.error, status: shared.status }).toEqual({
        data: generated.data,
        error: generated.error,
        status: generated.status,
      });
    });
  }

  it("hands the caller's signal to fetch", async () => {
    const controller = new AbortController();
    const recorder = recordingFetch(json(201, { challenge: { id: "ch_1" } }));
    await postV1AuthAgentsByAgentRefChallenge({
      ...(sdkTarget(undefined, BASE, recorder.fetch) as { client: Client }),
      path: { agentRef: "a" },
      body: { credential_id: "c" },
      signal: controller.signal,
    });
    expect(recorder.seen[0]!.wasRequest).toBe(false);
    expect(recorder.seen[0]!.signal).toBe(controller.signal);
  });

  /** The part of what reached fetch that the server sees. */
  const sent = ({ wasRequest: _w, signal: _s, ...rest }: Seen) => rest;

  const authCases: Array<[string, Record<string, unknown>]> = [
    ["a bearer token", { auth: "at-secret" }],
    ["a function returning the token", { auth: () => "at-fn" }],
    ["an async function returning the token", { auth: async () => "at-async" }],
    ["no token (empty string)", { auth: "" }],
    ["a function returning nothing", { auth: () => undefined }],
    ["no auth at all", {}],
    ["a caller's own Authorization header", { auth: "at-wins", headers: { Authorization: "Bearer mine" } }],
    ["a caller's own Authorization and no token", { auth: "", headers: { authorization: "Bearer mine" } }],
  ];
  for (const [name, extra] of authCases) {
    it(`sends a bearer call with ${name} as (url, init), with what the generated client sends`, async () => {
      const authSeen: unknown[] = [];
      const withSpy = { ...extra };
      if (typeof extra.auth === "function") {
        const fn = extra.auth as (auth: unknown) => unknown;
        withSpy.auth = (auth: unknown) => {
          authSeen.push(auth);
          return fn(auth);
        };
      }
      const { generated, shared } = await both(json(200, { id: "agent-1" }), (options) =>
        getV1AgentsByAgentRef({ ...options, path: { agentRef: "agent-1" }, ...withSpy } as never),
      );
      expect(generated.seen.wasRequest).toBe(true);
      expect(shared.seen.wasRequest).toBe(false);
      expect(sent(shared.seen)).toEqual(sent(generated.seen));
      expect({ data: shared.data, status: shared.status }).toEqual({
        data: generated.data,
        status: generated.status,
      });
      // The token function gets the operation's security entry, once per path.
      if (typeof extra.auth === "function") {
        expect(authSeen).toEqual([
          { scheme: "bearer", type: "http" },
          { scheme: "bearer", type: "http" },
        ]);
      }
    });
  }

  it("sets the bearer token of a wallet call as the generated client does, and reads its 401 the same way", async () => {
    const { generated, shared } = await both(
      json(401, { error: "invalid_token", message: "expired" }),
      (options) =>
        postV1AgentsByAgentRefWalletSignMessage({
          ...options,
          auth: "at-secret",
          path: { agentRef: "agent-1" },
          body: { message: "hi", idempotency_key: "k-1" },
          headers: { "idempotency-key": "k-1" },
        }),
    );
    expect(shared.seen.wasRequest).toBe(false);
    expect(sent(shared.seen)).toEqual(sent(generated.seen));
    expect(shared.seen.headers.authorization).toBe("Bearer at-secret");
    expect(shared.seen.headers["idempotency-key"]).toBe("k-1");
    expect({ error: shared.error, status: shared.status }).toEqual({
      error: generated.error,
      status: generated.status,
    });
  });

  it("sends a basic-scheme call as the generated client does", async () => {
    const { generated, shared } = await both(json(200, { ok: true }), (options) =>
      options.client.get({
        ...options,
        url: "/v1/agents",
        security: [{ scheme: "basic", type: "http" }],
        auth: "user:pass",
      }),
    );
    expect(shared.seen.wasRequest).toBe(false);
    expect(sent(shared.seen)).toEqual(sent(generated.seen));
    expect(shared.seen.headers.authorization).toBe(`Basic ${btoa("user:pass")}`);
  });

  const generatedOnly: Array<[string, Record<string, unknown>]> = [
    ["a query-parameter key", { security: [{ type: "apiKey", in: "query", name: "key" }], auth: "k" }],
    ["a named header", { security: [{ type: "apiKey", name: "X-Api-Key" }], auth: "k" }],
    ["a cookie", { security: [{ type: "apiKey", in: "cookie", name: "sid" }], auth: "k" }],
    ["a named bearer header", { security: [{ type: "http", scheme: "bearer", name: "X-Auth" }], auth: "k" }],
  ];
  for (const [name, extra] of generatedOnly) {
    it(`leaves ${name} to the generated client, and sends what it sends`, async () => {
      const { generated, shared } = await both(json(200, { ok: true }), (options) =>
        options.client.get({ ...options, url: "/v1/agents", ...extra } as never),
      );
      expect(shared.seen.wasRequest).toBe(true);
      expect(sent(shared.seen)).toEqual(sent(generated.seen));
    });
  }

  it("rejects as the generated client does when the token function throws, without calling fetch", async () => {
    const failing = () => {
      throw new Error("no token");
    };
    for (const client of [createClient(), undefined]) {
      const recorder = recordingFetch(json(200, {}));
      await expect(
        getV1AgentsByAgentRef({
          ...(sdkTarget(client, BASE, recorder.fetch) as { client: Client }),
          ...(client ? { baseUrl: BASE, fetch: recorder.fetch } : {}),
          path: { agentRef: "agent-1" },
          auth: failing,
        }),
      ).rejects.toThrow("no token");
      expect(recorder.seen).toHaveLength(0);
    }
  });

  it("sends a GET without a body or Content-Type", async () => {
    // A GET without security (the contract's GETs all carry it, so this one is made on the client directly).
    const { generated, shared } = await both(json(200, { id: "agent-1" }), (options) =>
      options.client.get({ ...options, url: "/v1/agents/{agentRef}", path: { agentRef: "agent-1" } }),
    );
    expect(shared.seen.wasRequest).toBe(false);
    expect(shared.seen.method).toBe("GET");
    expect(shared.seen.body).toBeNull();
    expect(shared.seen.headers).toEqual(generated.seen.headers);
    expect(shared.seen.headers["content-type"]).toBeUndefined();
    expect(shared.data).toEqual(generated.data);
  });
});
