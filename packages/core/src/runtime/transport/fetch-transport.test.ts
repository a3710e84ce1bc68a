import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isConfigurationError } from "../errors.js";
import { createFetchTransport, type FetchTransportOptions, getTransportMetadata } from "./fetch-transport.js";
import type { FetchExecutor, TransportInstrumentation } from "./http-transport.js";
import { type HttpTransportError, isHttpTransportError } from "./http-transport-error.js";

interface RecordedCall {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
  init: RequestInit & { duplex?: string };
}

type Handler = (call: RecordedCall) => Response | Promise<Response>;

/** A fetch double: records every call and answers with the next handler (the last one repeats). */
class FakeFetch {
  readonly calls: RecordedCall[] = [];
  private readonly handlers: Handler[];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(...handlers: Handler[]) {
    this.handlers = handlers.length > 0 ? handlers : [() => json({ ok: true })];
  }

  readonly fetch: FetchExecutor = async (input, init = {}) => {
    const body = init.body === undefined || init.body === null ? null : await new Response(init.body).text();
    const call: RecordedCall = {
      url: String(input),
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body,
      init,
    };
    this.calls.push(call);
    for (const waiter of this.waiters) if (this.calls.length >= waiter.count) waiter.resolve();
    const handler = this.handlers[Math.min(this.calls.length, this.handlers.length) - 1]!;
    return handler(call);
  };

  /** Resolves once fetch has been called `count` times. */
  called(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** A sleep double: records the delays and resolves at once. */
class FakeSleep {
  readonly delays: number[] = [];
  readonly sleep = async (ms: number) => {
    this.delays.push(ms);
  };
}

/** An instrumentation double recording every event as "name:attempt[:detail]". */
class RecordingInstrumentation implements TransportInstrumentation {
  readonly events: string[] = [];
  onRequest(event: { attempt: number; method: string; url: string }) {
    this.events.push(`request:${event.attempt}:${event.method} ${event.url}`);
  }
  onResponse(event: { attempt: number; status: number }) {
    this.events.push(`response:${event.attempt}:${event.status}`);
  }
  onError(event: { attempt: number; error: unknown }) {
    this.events.push(`error:${event.attempt}:${(event.error as HttpTransportError).code}`);
  }
  onRetry(event: { attempt: number; delayMs: number; reason: string }) {
    this.events.push(`retry:${event.attempt}:${event.delayMs}:${event.reason}`);
  }
}

const json = (data: unknown, init: ResponseInit = {}) =>
  new Response(JSON.stringify(data), {
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string>) },
  });
const status = (code: number, headers?: Record<string, string>) => () =>
  new Response(code === 204 ? null : `status ${code}`, { status: code, headers });
/** A handler that never answers but rejects like fetch when its signal aborts. */
const hang: Handler = (call) =>
  new Promise<Response>((_, reject) => {
    call.init.signal?.addEventListener("abort", () => reject(call.init.signal?.reason), { once: true });
  });

const setup = (fake: FakeFetch, options: FetchTransportOptions = {}) => {
  const sleeper = new FakeSleep();
  const transport = createFetchTransport({
    baseUrl: "https://api.test",
    fetch: fake.fetch,
    sleep: sleeper.sleep,
    random: () => 0.5,
    ...options,
  });
  return { transport, sleeper };
};

const rejection = async (promise: Promise<unknown>): Promise<HttpTransportError> => {
  try {
    await promise;
  } catch (error) {
    if (isHttpTransportError(error)) return error;
    throw error;
  }
  throw new Error("expected the promise to reject");
};

/** One call through `asFetch()`: the transport options of the call, then what fetch is given. */
const send = (
  transport: ReturnType<typeof createFetchTransport>,
  url: string | URL | Request,
  init: RequestInit & { retry?: "auto" | "safe" | "never"; timeoutMs?: number; deadlineMs?: number } = {},
) => {
  const { retry, timeoutMs, deadlineMs, ...rest } = init;
  return transport.asFetch({ retry, timeoutMs, deadlineMs })(url, rest);
};

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("createFetchTransport().asFetch()", () => {
  it("resolves relative URLs against baseUrl, keeping its path", async () => {
    const fake = new FakeFetch(() => json({ id: "a1" }, { status: 201 }));
    const { transport } = setup(fake, { baseUrl: "https://api.test/base/" });
    const response = await send(transport, "/v1/items?limit=10", { method: "POST", body: '{"name":"n"}' });
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.url).toBe("https://api.test/base/v1/items?limit=10");
    expect(fake.calls[0]!.method).toBe("POST");
    expect(fake.calls[0]!.body).toBe('{"name":"n"}');
    expect(response.status).toBe(201);
    expect(getTransportMetadata(response)?.attempts).toBe(1);
  });

  it("applies default headers, then the per-request hook, then the request's own headers", async () => {
    const fake = new FakeFetch(status(503), () => json({}));
    const hook = vi.fn(() => ({ traceparent: "00-abc-def-01", "x-lucid-sdk-version": "hook" }));
    const { transport } = setup(fake, {
      defaultHeaders: {
        "x-lucid-sdk-version": "agent-auth/1.0.0",
        "x-default": "d",
        accept: "application/json",
      },
      headers: hook,
    });
    await send(transport, "https://other.test/x", { headers: { accept: "text/plain" } });
    expect(fake.calls).toHaveLength(2);
    for (const call of fake.calls) {
      expect(call.headers.get("x-lucid-sdk-version")).toBe("hook");
      expect(call.headers.get("traceparent")).toBe("00-abc-def-01");
      expect(call.headers.get("x-default")).toBe("d");
      expect(call.headers.get("accept")).toBe("text/plain");
    }
    // Once per request, not per attempt: a retry resends the same headers.
    expect(hook).toHaveBeenCalledTimes(1);
    expect(hook).toHaveBeenCalledWith({ method: "GET", url: "https://other.test/x" });
  });

  it("hands fetch no signal at all when there is no timeout, deadline or caller signal", async () => {
    const fake = new FakeFetch();
    const { transport } = setup(fake, { defaultTimeoutMs: 0 });
    await send(transport, "/x");
    expect(fake.calls[0]!.init.signal).toBeUndefined();
    const controller = new AbortController();
    await send(transport, "/x", { signal: controller.signal });
    expect(fake.calls[1]!.init.signal).toBe(controller.signal);
  });

  it("returns the same fetch function for the same options", () => {
    const { transport } = setup(new FakeFetch());
    expect(transport.asFetch({ retry: "never" })).toBe(transport.asFetch({ retry: "never" }));
    expect(transport.asFetch({ retry: "never" })).not.toBe(transport.asFetch({ retry: "safe" }));
  });

  it("refuses requests it cannot send with a ConfigurationError", async () => {
    const fake = new FakeFetch();
    const noBase = createFetchTransport({ fetch: fake.fetch });
    await expect(noBase.asFetch()("/relative")).rejects.toSatisfy(isConfigurationError);
    expect(() => createFetchTransport({ baseUrl: "not a url" })).toThrow(/baseUrl/);
    expect(fake.calls).toHaveLength(0);
  });

  it("looks up globalThis.fetch at call time, and fails clearly without one", async () => {
    const transport = createFetchTransport({ baseUrl: "https://api.test" });
    const fake = new FakeFetch(() => json({ late: true }));
    vi.stubGlobal("fetch", fake.fetch);
    expect(await (await send(transport, "/x")).json()).toEqual({ late: true });
    vi.stubGlobal("fetch", undefined);
    await expect(send(transport, "/x")).rejects.toSatisfy(isConfigurationError);
  });
});

describe("retries", () => {
  const cases: Array<{
    name: string;
    method?: "GET" | "POST" | "HEAD" | "OPTIONS" | "PUT" | "DELETE";
    retry?: "auto" | "safe" | "never";
    headers?: Record<string, string>;
    code: number;
    calls: number;
  }> = [
    { name: "GET 503 (auto)", method: "GET", code: 503, calls: 3 },
    { name: "HEAD 502 (auto)", method: "HEAD", code: 502, calls: 3 },
    { name: "OPTIONS 504 (auto)", method: "OPTIONS", code: 504, calls: 3 },
    { name: "GET 408 (auto)", method: "GET", code: 408, calls: 3 },
    { name: "GET 429 (auto)", method: "GET", code: 429, calls: 3 },
    { name: "POST 503 (auto)", method: "POST", code: 503, calls: 1 },
    { name: "PUT 503 (auto)", method: "PUT", code: 503, calls: 1 },
    { name: "DELETE 503 (auto)", method: "DELETE", code: 503, calls: 1 },
    {
      name: "POST + Idempotency-Key 503 (auto)",
      method: "POST",
      headers: { "Idempotency-Key": "k1" },
      code: 503,
      calls: 3,
    },
    { name: "POST 503 (safe)", method: "POST", retry: "safe", code: 503, calls: 3 },
    { name: "GET 503 (never)", method: "GET", retry: "never", code: 503, calls: 1 },
    {
      name: "POST + Idempotency-Key 503 (never)",
      method: "POST",
      retry: "never",
      headers: { "Idempotency-Key": "k" },
      code: 503,
      calls: 1,
    },
    { name: "GET 500 (not a retryable status)", method: "GET", code: 500, calls: 1 },
    { name: "GET 400", method: "GET", code: 400, calls: 1 },
  ];

  for (const testCase of cases) {
    it(`${testCase.name}: ${testCase.calls} call(s)`, async () => {
      const fake = new FakeFetch(status(testCase.code));
      const { transport, sleeper } = setup(fake);
      const response = await send(transport, "/x", {
        method: testCase.method,
        headers: testCase.headers,
        retry: testCase.retry,
        body: testCase.method === "POST" ? "{}" : undefined,
      });
      expect(fake.calls).toHaveLength(testCase.calls);
      expect(sleeper.delays).toHaveLength(testCase.calls - 1);
      expect(response.status).toBe(testCase.code);
      expect(getTransportMetadata(response)?.attempts).toBe(testCase.calls);
      if (testCase.method === "POST") for (const call of fake.calls) expect(call.body).toBe("{}");
    });
  }

  it("stops retrying at the first success", async () => {
    const fake = new FakeFetch(status(429), status(503), () => json({ ok: 1 }));
    const { transport } = setup(fake, { retry: { maxAttempts: 5 } });
    const response = await send(transport, "/x");
    expect(await response.json()).toEqual({ ok: 1 });
    expect(getTransportMetadata(response)?.attempts).toBe(3);
    expect(fake.calls).toHaveLength(3);
  });

  it("honours maxAttempts and retryOnStatus", async () => {
    const fake = new FakeFetch(status(500));
    const { transport } = setup(fake, { retry: { maxAttempts: 5, retryOnStatus: [500] } });
    expect((await send(transport, "/x")).status).toBe(500);
    expect(fake.calls).toHaveLength(5);
    const once = new FakeFetch(status(503));
    await send(setup(once, { retry: { maxAttempts: 1 } }).transport, "/x");
    expect(once.calls).toHaveLength(1);
  });

  it("waits a full-jitter backoff: random() * min(maxDelayMs, baseDelayMs * 2^n)", async () => {
    const fake = new FakeFetch(status(503));
    const randoms = [0.5, 0.25, 0.999, 1];
    const { transport, sleeper } = setup(fake, {
      retry: { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 300 },
      random: () => randoms.shift()!,
    });
    await send(transport, "/x");
    // Ceilings 100, 200, 300 (capped 400), 300 (capped 800).
    expect(sleeper.delays).toEqual([50, 50, 299, 300]);
  });

  it("waits what Retry-After asks (seconds or HTTP date), capped at maxDelayMs", async () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    const fake = new FakeFetch(
      status(429, { "retry-after": "2" }),
      status(503, { "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }),
      status(503, { "retry-after": "3600" }),
      () => json({ done: true }),
    );
    const { transport, sleeper } = setup(fake, {
      retry: { maxAttempts: 4, maxDelayMs: 5000 },
      now: () => now,
    });
    const response = await send(transport, "/x");
    expect(await response.json()).toEqual({ done: true });
    expect(sleeper.delays).toEqual([2000, 3000, 5000]);
  });

  it("retries network errors of safe requests, keeping the cause, and never those of unsafe ones", async () => {
    const cause = new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
    const failing = () => Promise.reject(cause);
    const fake = new FakeFetch(failing);
    const { transport } = setup(fake);
    const error = await rejection(send(transport, "/x"));
    expect(fake.calls).toHaveLength(3);
    expect(error.code).toBe("network_error");
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.cause).toBe(cause);
    expect(error.message).toContain("ECONNREFUSED");

    const post = new FakeFetch(failing);
    await rejection(send(setup(post).transport, "/x", { method: "POST", body: "{}" }));
    expect(post.calls).toHaveLength(1);

    const recovered = new FakeFetch(failing, () => json({ ok: true }));
    expect(getTransportMetadata(await send(setup(recovered).transport, "/x"))?.attempts).toBe(2);
  });

  it("sends a stream body once and never retries it (it cannot be replayed)", async () => {
    const fake = new FakeFetch(status(503));
    const { transport } = setup(fake);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const response = await send(transport, "/x", { method: "POST", body, retry: "safe" });
    expect(response.status).toBe(503);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.body).toBe("streamed");
    expect(fake.calls[0]!.init.duplex).toBe("half");
  });

  it("resends buffered bodies unchanged", async () => {
    const fake = new FakeFetch(status(503), () => json({}));
    const { transport } = setup(fake);
    await send(transport, "/x", {
      method: "POST",
      body: new TextEncoder().encode("bytes").buffer,
      headers: { "Idempotency-Key": "k" },
    });
    expect(fake.calls.map((call) => call.body)).toEqual(["bytes", "bytes"]);
  });
});

describe("abort, timeout and deadline", () => {
  it("does not call fetch when the caller's signal is already aborted", async () => {
    const fake = new FakeFetch();
    const { transport } = setup(fake);
    const error = await rejection(send(transport, "/x", { signal: AbortSignal.abort(new Error("stop")) }));
    expect(error.code).toBe("aborted");
    expect(error.retryable).toBe(false);
    expect((error.cause as Error).message).toBe("stop");
    expect(fake.calls).toHaveLength(0);
  });

  it("aborting during a request stops it and is never retried", async () => {
    const fake = new FakeFetch(hang);
    const { transport } = setup(fake);
    const controller = new AbortController();
    const pending = rejection(send(transport, "/x", { signal: controller.signal }));
    await fake.called(1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe("aborted");
    expect(fake.calls[0]!.init.signal?.aborted).toBe(true);
    expect(fake.calls).toHaveLength(1);
  });

  it("stops at once when aborted during the backoff sleep, even if the sleep ignores the signal", async () => {
    const fake = new FakeFetch(status(503));
    const controller = new AbortController();
    let sleeping = 0;
    const transport = createFetchTransport({
      baseUrl: "https://api.test",
      fetch: fake.fetch,
      sleep: () => {
        sleeping++;
        controller.abort();
        return new Promise(() => {});
      },
    });
    const error = await rejection(send(transport, "/x", { signal: controller.signal }));
    expect(error.code).toBe("aborted");
    expect(error.attempts).toBe(1);
    expect(sleeping).toBe(1);
    expect(fake.calls).toHaveLength(1);
  });

  it("clears the default backoff timer when aborted during the sleep", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(status(503));
    let retrying!: () => void;
    const retried = new Promise<void>((resolve) => {
      retrying = resolve;
    });
    const transport = createFetchTransport({
      baseUrl: "https://api.test",
      fetch: fake.fetch,
      retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
      random: () => 0.5,
      defaultTimeoutMs: 0,
      instrumentation: { onRetry: () => retrying() },
    });
    const controller = new AbortController();
    const pending = rejection(send(transport, "/x", { signal: controller.signal }));
    await retried;
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    const error = await pending;
    expect(error.code).toBe("aborted");
    expect(vi.getTimerCount()).toBe(0);
    expect(fake.calls).toHaveLength(1);
  });

  it("times out one attempt, retries a safe request, and clears its timers", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(hang, () => json({ second: true }));
    const instrumentation = new RecordingInstrumentation();
    const { transport } = setup(fake, { instrumentation });
    const pending = send(transport, "/x", { timeoutMs: 1000 });
    await fake.called(1);
    await vi.advanceTimersByTimeAsync(1000);
    const response = await pending;
    expect(await response.json()).toEqual({ second: true });
    expect(getTransportMetadata(response)?.attempts).toBe(2);
    expect(fake.calls[0]!.init.signal?.aborted).toBe(true);
    expect(fake.calls[0]!.init.signal!.reason).toMatchObject({ name: "TimeoutError" });
    expect(instrumentation.events).toContain("error:1:timeout");
    expect(instrumentation.events).toContain("retry:1:100:timeout");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("times out a fetch that ignores its signal", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(() => new Promise<Response>(() => {}));
    const { transport } = setup(fake);
    const pending = rejection(send(transport, "/x", { method: "POST", timeoutMs: 1000 }));
    await fake.called(1);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await pending;
    expect(error.code).toBe("timeout");
    expect(fake.calls[0]!.init.signal?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("with a timeout, the caller's signal aborts the attempt's own signal, and no listener stays on it", async () => {
    const fake = new FakeFetch(hang, () => json({ ok: true }));
    const { transport } = setup(fake);
    const controller = new AbortController();
    const pending = rejection(send(transport, "/x", { signal: controller.signal, timeoutMs: 60_000 }));
    await fake.called(1);
    const attemptSignal = fake.calls[0]!.init.signal!;
    expect(attemptSignal).not.toBe(controller.signal);
    controller.abort(new Error("stop"));
    const error = await pending;
    expect(error.code).toBe("aborted");
    expect(attemptSignal.aborted).toBe(true);
    expect(attemptSignal.reason).toBe(controller.signal.reason);

    // Finished attempts leave nothing behind on a long-lived caller signal.
    const longLived = new AbortController();
    for (let i = 0; i < 20; i++) {
      await send(transport, "/x", { signal: longLived.signal, timeoutMs: 60_000 });
      await send(transport, "/x", { signal: longLived.signal, deadlineMs: 60_000 });
      await send(transport, "/x", { signal: longLived.signal, timeoutMs: 60_000, deadlineMs: 60_000 });
    }
    expect(getEventListeners(longLived.signal, "abort")).toHaveLength(0);
  });

  it("does not retry a timed-out unsafe request", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(hang);
    const { transport } = setup(fake, { defaultTimeoutMs: 500 });
    const pending = rejection(send(transport, "/x", { method: "POST", body: "{}" }));
    await fake.called(1);
    await vi.advanceTimersByTimeAsync(500);
    const error = await pending;
    expect(error.code).toBe("timeout");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("timed out after 500 ms");
    expect(fake.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("stops everything at the total deadline", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(hang);
    const { transport } = setup(fake);
    const pending = rejection(send(transport, "/x", { timeoutMs: 10_000, deadlineMs: 2000 }));
    await fake.called(1);
    await vi.advanceTimersByTimeAsync(2000);
    const error = await pending;
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("deadline of 2000 ms");
    expect(fake.calls).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("does not start a backoff that would end past the deadline", async () => {
    const fake = new FakeFetch(status(503));
    const { transport, sleeper } = setup(fake, {
      retry: { baseDelayMs: 1000 },
      random: () => 0.9,
      now: () => 0,
    });
    const response = await send(transport, "/x", { deadlineMs: 500 });
    expect(response.status).toBe(503);
    expect(fake.calls).toHaveLength(1);
    expect(sleeper.delays).toEqual([]);
  });
});

describe("instrumentation", () => {
  it("reports every attempt, response, error and retry in order, without the query string", async () => {
    const fake = new FakeFetch(
      status(503),
      () => Promise.reject(new TypeError("reset")),
      () => json({}),
    );
    const instrumentation = new RecordingInstrumentation();
    const { transport } = setup(fake, { instrumentation });
    await send(transport, "/x?token=hidden");
    expect(instrumentation.events).toEqual([
      "request:1:GET https://api.test/x",
      "response:1:503",
      "retry:1:100:status 503",
      "request:2:GET https://api.test/x",
      "error:2:network_error",
      "retry:2:200:network_error",
      "request:3:GET https://api.test/x",
      "response:3:200",
    ]);
  });

  it("measures durations with the injected clock", async () => {
    let clock = 1000;
    const fake = new FakeFetch(() => {
      clock += 25;
      return json({});
    });
    const onResponse = vi.fn();
    const { transport } = setup(fake, { now: () => clock, instrumentation: { onResponse } });
    await send(transport, "/x");
    expect(onResponse).toHaveBeenCalledWith({
      method: "GET",
      url: "https://api.test/x",
      attempt: 1,
      status: 200,
      durationMs: 25,
    });
  });

  it("survives hooks that throw", async () => {
    const fake = new FakeFetch(() => json({ fine: true }));
    const boom = () => {
      throw new Error("hook bug");
    };
    const { transport } = setup(fake, { instrumentation: { onRequest: boom, onResponse: boom } });
    expect(await (await send(transport, "/x")).json()).toEqual({ fine: true });
  });
});

describe("asFetch() with Request objects", () => {
  it("buffers the body of a Request once and sends method, headers and body on every attempt", async () => {
    const fake = new FakeFetch(status(503), () => json({ created: true }, { status: 201 }));
    const { transport } = setup(fake, { defaultHeaders: { "x-lucid-sdk-version": "agent-auth/1.0.0" } });
    const request = new Request("https://api.test/v1/items", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "key-1" },
      body: JSON.stringify({ n: 1 }),
    });
    const response = await transport.asFetch()(request);
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ created: true });
    expect(getTransportMetadata(response)?.attempts).toBe(2);
    expect(fake.calls).toHaveLength(2);
    for (const call of fake.calls) {
      expect(call.url).toBe("https://api.test/v1/items");
      expect(call.method).toBe("POST");
      expect(call.body).toBe('{"n":1}');
      // JSON is UTF-8: buffered as a string, the cheapest body to send again.
      expect(call.init.body).toBe('{"n":1}');
      expect(call.init.duplex).toBeUndefined();
      expect(call.headers.get("content-type")).toBe("application/json");
      expect(call.headers.get("x-lucid-sdk-version")).toBe("agent-auth/1.0.0");
    }
  });

  it("buffers a body that is not UTF-8 JSON as bytes, unchanged", async () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
    for (const type of ["application/octet-stream", "application/json; charset=utf-16", "text/plain"]) {
      const fake = new FakeFetch(status(503), () => json({ ok: true }));
      const { transport } = setup(fake);
      const request = new Request("https://api.test/v1/items", {
        method: "PUT",
        headers: { "content-type": type, "idempotency-key": "key-2" },
        body: bytes,
      });
      expect((await transport.asFetch()(request)).status).toBe(200);
      expect(fake.calls).toHaveLength(2);
      for (const call of fake.calls) {
        expect(call.init.body).toBeInstanceOf(ArrayBuffer);
        expect([...new Uint8Array(call.init.body as ArrayBuffer)]).toEqual([...bytes]);
      }
    }
  });

  it("returns error responses instead of throwing, after the retries a safe request may get", async () => {
    const fake = new FakeFetch(status(503));
    const { transport } = setup(fake);
    const response = await transport.asFetch()("https://api.test/x");
    expect(response.status).toBe(503);
    expect(await response.text()).toBe("status 503");
    expect(fake.calls).toHaveLength(3);

    const notFound = new FakeFetch(() => json({ error: "not_found" }, { status: 404 }));
    expect((await setup(notFound).transport.asFetch()("/x")).status).toBe(404);
    expect(notFound.calls[0]!.url).toBe("https://api.test/x");
  });

  it("applies its retry mode: POST without a key is sent once, unless the mode is safe", async () => {
    const once = new FakeFetch(status(503));
    const post = () => new Request("https://api.test/x", { method: "POST", body: "{}" });
    expect((await setup(once).transport.asFetch()(post())).status).toBe(503);
    expect(once.calls).toHaveLength(1);

    const safe = new FakeFetch(status(503), () => json({}));
    expect((await setup(safe).transport.asFetch({ retry: "safe" })(post())).status).toBe(200);
    expect(safe.calls).toHaveLength(2);

    const never = new FakeFetch(status(503));
    await setup(never).transport.asFetch({ retry: "never" })("https://api.test/x");
    expect(never.calls).toHaveLength(1);
  });

  it("lets init override the Request and passes other options through", async () => {
    const fake = new FakeFetch();
    const { transport } = setup(fake);
    const request = new Request("https://api.test/x", {
      method: "POST",
      body: "original",
      redirect: "manual",
    });
    await transport.asFetch()(request, { method: "PUT", body: "override", headers: { "x-init": "1" } });
    expect(fake.calls[0]).toMatchObject({ method: "PUT", body: "override" });
    expect(fake.calls[0]!.headers.get("x-init")).toBe("1");
    expect(fake.calls[0]!.init.redirect).toBe("manual");

    await transport.asFetch()(new URL("https://api.test/y"), { cache: "no-store" });
    expect(fake.calls[1]).toMatchObject({ url: "https://api.test/y", method: "GET", body: null });
    expect(fake.calls[1]!.init.cache).toBe("no-store");
  });

  it("rejects with HttpTransportError when there is no response, and honours the Request's signal", async () => {
    const fake = new FakeFetch(() => Promise.reject(new TypeError("fetch failed")));
    const { transport } = setup(fake);
    const error = await rejection(transport.asFetch()("https://api.test/x", { method: "POST", body: "{}" }));
    expect(error.code).toBe("network_error");
    expect(fake.calls).toHaveLength(1);

    const aborted = new FakeFetch();
    const request = new Request("https://api.test/x", { signal: AbortSignal.abort() });
    const abortError = await rejection(setup(aborted).transport.asFetch()(request));
    expect(abortError.code).toBe("aborted");
    expect(aborted.calls).toHaveLength(0);
  });

  it("times out per attempt with its own timeoutMs", async () => {
    vi.useFakeTimers();
    const fake = new FakeFetch(hang);
    const { transport } = setup(fake);
    const pending = rejection(transport.asFetch({ timeoutMs: 250, retry: "never" })("https://api.test/x"));
    await fake.called(1);
    await vi.advanceTimersByTimeAsync(250);
    expect((await pending).code).toBe("timeout");
    expect(vi.getTimerCount()).toBe(0);
  });
});
