import { type TracerProvider, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  createTelemetry,
  SpanAttribute,
  type SpanAttributeValue,
  SpanName,
  type TelemetrySpan,
  type TelemetryTracer,
  TRACER_NAME,
} from "./telemetry.js";
import { createFetchTransport } from "./transport/fetch-transport.js";
import { HttpTransportError } from "./transport/http-transport-error.js";

/** A span double that records what the runtime does with it. */
class RecordedSpan implements TelemetrySpan {
  readonly attributes: Record<string, SpanAttributeValue>;
  readonly exceptions: unknown[] = [];
  status: { code: number; message?: string } | undefined;
  endCount = 0;

  constructor(
    readonly name: string,
    attributes: Record<string, SpanAttributeValue> = {},
  ) {
    this.attributes = { ...attributes };
  }
  setAttribute(key: string, value: SpanAttributeValue) {
    this.attributes[key] = value;
    return this;
  }
  recordException(exception: Error | string) {
    this.exceptions.push(exception);
  }
  setStatus(status: { code: number; message?: string }) {
    this.status = status;
    return this;
  }
  end() {
    this.endCount++;
  }
}

/** A tracer double keeping every span it started. */
class RecordingTracer implements TelemetryTracer {
  readonly spans: RecordedSpan[] = [];
  startActiveSpan<F extends (span: TelemetrySpan) => unknown>(
    name: string,
    options: { attributes?: Record<string, SpanAttributeValue> },
    fn: F,
  ): ReturnType<F> {
    const span = new RecordedSpan(name, options.attributes);
    this.spans.push(span);
    return fn(span) as ReturnType<F>;
  }
}

const clock =
  (...times: number[]) =>
  () =>
    times.shift() ?? 0;

afterEach(() => {
  trace.disable();
  vi.doUnmock("@opentelemetry/api");
  vi.resetModules();
});

describe("createTelemetry() with a tracer", () => {
  it("runs the function inside a span with safe attributes, latency, and ends it", async () => {
    const tracer = new RecordingTracer();
    const telemetry = createTelemetry({ tracer, now: clock(1000, 1042) });
    const result = await telemetry.withSpan(
      SpanName.AuthChallenge,
      {
        "lucid.agent_ref": "agent-1",
        "lucid.scopes": ["agents.read"],
        "lucid.refresh_token": "rt_secret",
        "http.request.body": "{}",
        "lucid.note": "Bearer abc.def",
        "lucid.jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
        "lucid.skipped": undefined,
      },
      async (span) => {
        span.setAttribute("lucid.credential_id", "cred-1");
        span.setAttribute("lucid.access_token", "at_secret");
        span.setAttributes({ "lucid.signature": "0xsig", "lucid.chain": "eip155:8453" });
        return "challenge";
      },
    );
    expect(result).toBe("challenge");
    expect(tracer.spans).toHaveLength(1);
    const [span] = tracer.spans;
    expect(span?.name).toBe("agent.auth.challenge");
    expect(span?.attributes).toEqual({
      "lucid.agent_ref": "agent-1",
      "lucid.scopes": ["agents.read"],
      "lucid.credential_id": "cred-1",
      "lucid.chain": "eip155:8453",
      [SpanAttribute.LatencyMs]: 42,
    });
    expect(span?.status).toBeUndefined();
    expect(span?.exceptions).toEqual([]);
    expect(span?.endCount).toBe(1);
  });

  it("records the HTTP status and retry count of a transport response", async () => {
    const tracer = new RecordingTracer();
    const telemetry = createTelemetry({ tracer });
    const responses = [new Response("busy", { status: 503 }), new Response("{}", { status: 200 })];
    const transport = createFetchTransport({
      fetch: async () => responses.shift()!,
      sleep: async () => {},
    });

    await telemetry.withSpan(SpanName.AuthRefresh, {}, async (span) => {
      const response = await transport.asFetch()("https://api.test/v1/x");
      span.recordResponse(response);
    });
    await telemetry.withSpan(SpanName.WalletSendTransaction, {}, (span) => {
      span.recordResponse({ status: 201, attempts: 1 });
    });
    expect(tracer.spans[0]?.attributes).toMatchObject({
      [SpanAttribute.HttpStatusCode]: 200,
      [SpanAttribute.RetryCount]: 1,
    });
    expect(tracer.spans[1]?.attributes).toMatchObject({
      [SpanAttribute.HttpStatusCode]: 201,
      [SpanAttribute.RetryCount]: 0,
    });
  });

  it("records a failure (exception, error status, error.type, status, retries) and rethrows it unchanged", async () => {
    const tracer = new RecordingTracer();
    const telemetry = createTelemetry({ tracer });
    const failure = new HttpTransportError("http_error", "POST https://h/x responded 503.", {
      method: "POST",
      url: "https://h/x",
      status: 503,
      attempts: 3,
    });
    await expect(
      telemetry.withSpan(SpanName.AuthExchange, {}, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const [span] = tracer.spans;
    expect(span?.exceptions).toEqual([failure]);
    expect(span?.status).toEqual({ code: 2, message: "http_error" });
    expect(span?.attributes).toMatchObject({
      [SpanAttribute.ErrorType]: "http_error",
      [SpanAttribute.HttpStatusCode]: 503,
      [SpanAttribute.RetryCount]: 2,
    });
    expect(span?.endCount).toBe(1);

    await expect(
      telemetry.withSpan(SpanName.WalletSignMessage, {}, () => {
        throw "plain";
      }),
    ).rejects.toBe("plain");
    expect(tracer.spans[1]?.exceptions).toEqual(["plain"]);
    expect(tracer.spans[1]?.attributes[SpanAttribute.ErrorType]).toBe("error");
  });

  it("keeps working when the tracer itself is broken", async () => {
    const throwing: TelemetryTracer = {
      startActiveSpan: () => {
        throw new Error("tracer bug");
      },
    };
    const fn = vi.fn(async () => 7);
    expect(await createTelemetry({ tracer: throwing }).withSpan("x", {}, fn)).toBe(7);
    expect(fn).toHaveBeenCalledOnce();

    const brokenSpan = new RecordedSpan("x");
    brokenSpan.setAttribute = () => {
      throw new Error("span bug");
    };
    brokenSpan.end = () => {
      throw new Error("span bug");
    };
    const tracer: TelemetryTracer = {
      startActiveSpan: (_name, _options, run) => run(brokenSpan) as never,
    };
    const result = await createTelemetry({ tracer }).withSpan("x", {}, (span) => {
      span.setAttribute("a", 1);
      return 8;
    });
    expect(result).toBe(8);
  });
});

describe("createTelemetry() without a tracer", () => {
  it("is a no-op when @opentelemetry/api cannot be loaded, and tries to load it once", async () => {
    const loadApi = vi.fn(() => Promise.reject(new Error("Cannot find package '@opentelemetry/api'")));
    const telemetry = createTelemetry({ loadApi });
    const calls: string[] = [];
    expect(
      await telemetry.withSpan(SpanName.AuthChallenge, {}, (span) => {
        span.setAttribute("a", 1);
        span.recordResponse({ status: 200 });
        calls.push("first");
        return 1;
      }),
    ).toBe(1);
    await expect(
      telemetry.withSpan(SpanName.AuthChallenge, {}, async () => {
        calls.push("second");
        throw new Error("passes through");
      }),
    ).rejects.toThrow("passes through");
    expect(calls).toEqual(["first", "second"]);
    expect(loadApi).toHaveBeenCalledOnce();
  });

  it("never loads anything when disabled", async () => {
    const loadApi = vi.fn(async () => ({ trace }));
    const tracer = new RecordingTracer();
    const telemetry = createTelemetry({ enabled: false, loadApi, tracer });
    expect(telemetry.enabled).toBe(false);
    expect(await telemetry.withSpan("x", {}, () => "ran")).toBe("ran");
    expect(loadApi).not.toHaveBeenCalled();
    expect(tracer.spans).toEqual([]);
  });

  it("uses the global tracer of @opentelemetry/api once an SDK registers a provider", async () => {
    const tracer = new RecordingTracer();
    const names: string[] = [];
    const provider = {
      getTracer: (name: string) => {
        names.push(name);
        return tracer;
      },
    } as unknown as TracerProvider;
    trace.setGlobalTracerProvider(provider);

    const telemetry = createTelemetry();
    await telemetry.withSpan(SpanName.WalletSignTypedData, { "lucid.agent_ref": "a" }, () => undefined);
    expect(names).toEqual([TRACER_NAME]);
    expect(tracer.spans.map((span) => span.name)).toEqual(["agent.wallet.sign_typed_data"]);
    expect(tracer.spans[0]?.attributes["lucid.agent_ref"]).toBe("a");
  });

  it("opens no span while no SDK has registered a provider, and uses one registered later", async () => {
    // The real API, its tracer lookups counted: no provider means no tracer asked for, the function run as is.
    let proxyTracers = 0;
    const api = {
      trace: {
        getTracerProvider: () => trace.getTracerProvider(),
        getTracer: (name: string) => {
          proxyTracers++;
          return trace.getTracer(name);
        },
      },
    };
    const telemetry = createTelemetry({ loadApi: async () => api });
    expect(await telemetry.withSpan(SpanName.WalletSignMessage, {}, () => "unobserved")).toBe("unobserved");
    await expect(
      telemetry.withSpan(SpanName.WalletSignMessage, {}, async () => {
        throw new Error("passes through");
      }),
    ).rejects.toThrow("passes through");
    expect(proxyTracers).toBe(0);

    const tracer = new RecordingTracer();
    trace.setGlobalTracerProvider({ getTracer: () => tracer } as unknown as TracerProvider);
    expect(await telemetry.withSpan(SpanName.WalletSignMessage, { "lucid.n": 1 }, () => "observed")).toBe(
      "observed",
    );
    expect(tracer.spans.map((span) => [span.name, span.attributes["lucid.n"], span.endCount])).toEqual([
      ["agent.wallet.sign_message", 1, 1],
    ]);
  });

  it("does not import @opentelemetry/api when the module loads, only on the first span, and only once", async () => {
    let imports = 0;
    vi.resetModules();
    vi.doMock("@opentelemetry/api", async (importOriginal) => {
      imports++;
      return importOriginal();
    });
    const telemetryModule = await import("./telemetry.js");
    const telemetry = telemetryModule.createTelemetry();
    expect(imports).toBe(0);
    await telemetry.withSpan("x", {}, () => undefined);
    await telemetryModule.createTelemetry().withSpan("y", {}, () => undefined);
    expect(imports).toBe(1);
  });

  it("accepts any OpenTelemetry tracer", () => {
    const tracer: TelemetryTracer = trace.getTracer("type-check");
    expect(typeof tracer.startActiveSpan).toBe("function");
  });
});
