/**
 * Optional OpenTelemetry spans around the runtime's operations (challenge, exchange, refresh, wallet calls).
 *
 * `@opentelemetry/api` is an optional peer: it is never imported when this module loads. A tracer passed in
 * is used as is; otherwise the API is imported lazily, once, on the first span, and its global tracer is used
 * (a no-op until the application registers an OpenTelemetry SDK). Without the package every span is a no-op.
 *
 * Spans never carry tokens, signatures or bodies: attributes with such names, and values that look like
 * credentials, are dropped.
 */
import { getTransportMetadata } from "./transport/send-with-retry.js";

/** Names of the spans the runtime opens. */
export const SpanName = {
  AuthChallenge: "agent.auth.challenge",
  AuthExchange: "agent.auth.exchange",
  AuthRefresh: "agent.auth.refresh",
  WalletSignMessage: "agent.wallet.sign_message",
  WalletSignTypedData: "agent.wallet.sign_typed_data",
  WalletSignTransaction: "agent.wallet.sign_transaction",
  WalletSendTransaction: "agent.wallet.send_transaction",
} as const;

/** Attribute keys the runtime sets on its spans. */
export const SpanAttribute = {
  /** HTTP status of the (last) response. */
  HttpStatusCode: "http.response.status_code",
  /** Attempts beyond the first. */
  RetryCount: "lucid.retry_count",
  /** Duration of the operation in ms. */
  LatencyMs: "lucid.latency_ms",
  /** Error code (or error class name) when the operation failed. */
  ErrorType: "error.type",
} as const;

/** A value OpenTelemetry accepts as an attribute. */
export type SpanAttributeValue = string | number | boolean | string[] | number[] | boolean[];

/** Attributes of a span; undefined values are left out. */
export type SpanAttributes = Record<string, SpanAttributeValue | undefined>;

/** The part of an OpenTelemetry `Span` the runtime uses. */
export interface TelemetrySpan {
  setAttribute(key: string, value: SpanAttributeValue): unknown;
  recordException(exception: Error | string): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): unknown;
}

/** The part of an OpenTelemetry `Tracer` the runtime uses (any `trace.getTracer(...)` result fits). */
export interface TelemetryTracer {
  startActiveSpan<F extends (span: TelemetrySpan) => unknown>(
    name: string,
    options: { attributes?: Record<string, SpanAttributeValue> },
    fn: F,
  ): ReturnType<F>;
}

/** What the function run by `withSpan` may add to its span. */
export interface SpanHandle {
  /** Sets one attribute (dropped when its name or value looks like a secret). */
  setAttribute(key: string, value: SpanAttributeValue | undefined): void;
  /** Sets several attributes (same filtering). */
  setAttributes(attributes: SpanAttributes): void;
  /**
   * Records the HTTP status and the retry count of a response: a `Response` returned by a transport (also
   * through `asFetch()`).
   */
  recordResponse(response: { status: number; attempts?: number }): void;
}

/** Opens spans around the runtime's operations. */
export interface Telemetry {
  /** False when spans are turned off (`enabled: false`). */
  readonly enabled: boolean;
  /**
   * Runs `fn` inside an active span named `name` and ends the span when `fn` settles: sets `lucid.latency_ms`,
   * and on failure records the exception, `error.type`, the HTTP status and retry count of transport errors,
   * and an error status. `fn`'s result or error passes through unchanged.
   */
  withSpan<T>(name: string, attributes: SpanAttributes, fn: (span: SpanHandle) => T | Promise<T>): Promise<T>;
}

/** Options of `createTelemetry()`. */
export interface TelemetryOptions {
  /** The tracer to use. Default: `trace.getTracer("@lucid-dreams/agent-auth")` of `@opentelemetry/api`, if installed. */
  tracer?: TelemetryTracer;
  /** Default true. False makes every span a no-op (and never loads `@opentelemetry/api`). */
  enabled?: boolean;
  /** Loads the OpenTelemetry API module; default a cached `import("@opentelemetry/api")`. */
  loadApi?: () => Promise<unknown>;
  /** Clock in ms for `lucid.latency_ms`. Default `Date.now`. */
  now?: () => number;
}

/** Tracer name used with the global OpenTelemetry API. */
export const TRACER_NAME = "@lucid-dreams/agent-auth";

/** OpenTelemetry's `SpanStatusCode.ERROR`. */
const STATUS_ERROR = 2;

const OTEL_API = "@opentelemetry/api";

interface OpenTelemetryApiLike {
  trace: {
    getTracer(name: string): TelemetryTracer;
    /** The global provider: the API's proxy, which has a delegate once an SDK registered a provider. */
    getTracerProvider?(): { getDelegateTracer?(name: string): TelemetryTracer | undefined } | undefined;
  };
}

const asApi = (module: unknown): OpenTelemetryApiLike | undefined => {
  for (const candidate of [module, (module as { default?: unknown } | null)?.default]) {
    const trace = (candidate as { trace?: { getTracer?: unknown } } | null | undefined)?.trace;
    if (typeof trace?.getTracer === "function") return candidate as OpenTelemetryApiLike;
  }
  return undefined;
};

const tryLoad = (load: () => Promise<unknown>): Promise<OpenTelemetryApiLike | undefined> => {
  try {
    return load().then(asApi, () => undefined);
  } catch {
    return Promise.resolve(undefined);
  }
};

let defaultApi: Promise<OpenTelemetryApiLike | undefined> | undefined;

/** Imports `@opentelemetry/api` once per process; resolves undefined when it is not installed. */
const loadDefaultApi = () => {
  defaultApi ??= tryLoad(() => import(/* @vite-ignore */ /* webpackIgnore: true */ OTEL_API));
  return defaultApi;
};

const secretName =
  /(^|[._-])(token|tokens|secret|password|passphrase|authorization|cookie|signature|body|key)($|[._-])/i;
const secretValue = /^(bearer\s|eyJ[\w-]+\.[\w-]+\.)|-----BEGIN/i;

const isSafeAttribute = (key: string, value: SpanAttributeValue | undefined): value is SpanAttributeValue => {
  if (value === undefined || secretName.test(key)) return false;
  const values: unknown[] = Array.isArray(value) ? value : [value];
  return !values.some((item) => typeof item === "string" && secretValue.test(item.trim()));
};

const safeAttributes = (attributes: SpanAttributes): Record<string, SpanAttributeValue> => {
  const safe: Record<string, SpanAttributeValue> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (isSafeAttribute(key, value)) safe[key] = value;
  }
  return safe;
};

const attempt = (fn: () => unknown) => {
  try {
    fn();
  } catch {
    // A broken tracer must never break the operation it observes.
  }
};

const noopHandle: SpanHandle = {
  setAttribute: () => {},
  setAttributes: () => {},
  recordResponse: () => {},
};

const spanHandle = (span: TelemetrySpan): SpanHandle => {
  const set = (key: string, value: SpanAttributeValue | undefined) => {
    if (isSafeAttribute(key, value)) attempt(() => span.setAttribute(key, value));
  };
  return {
    setAttribute: set,
    setAttributes: (attributes) => {
      for (const [key, value] of Object.entries(attributes)) set(key, value);
    },
    recordResponse: (response) => {
      set(SpanAttribute.HttpStatusCode, response.status);
      const attempts =
        typeof response.attempts === "number"
          ? response.attempts
          : getTransportMetadata(response as Response)?.attempts;
      if (attempts !== undefined) set(SpanAttribute.RetryCount, Math.max(0, attempts - 1));
    },
  };
};

const recordFailure = (span: TelemetrySpan, handle: SpanHandle, error: unknown) => {
  const details = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    name?: unknown;
    status?: unknown;
    attempts?: unknown;
  };
  const type =
    typeof details.code === "string"
      ? details.code
      : typeof details.name === "string"
        ? details.name
        : "error";
  handle.setAttribute(SpanAttribute.ErrorType, type);
  if (typeof details.status === "number") handle.setAttribute(SpanAttribute.HttpStatusCode, details.status);
  if (typeof details.attempts === "number") {
    handle.setAttribute(SpanAttribute.RetryCount, Math.max(0, details.attempts - 1));
  }
  attempt(() => span.recordException(error instanceof Error ? error : String(error)));
  attempt(() => span.setStatus({ code: STATUS_ERROR, message: type }));
};

/**
 * Creates the runtime's telemetry: spans through `options.tracer`, else through `@opentelemetry/api` when it is
 * installed (imported on the first span, never at module load), else no-ops.
 */
export function createTelemetry(options?: TelemetryOptions): Telemetry {
  // The default (global tracer) and the disabled telemetry hold no state of their own: one of each is shared.
  if (options === undefined) {
    defaultTelemetry ??= makeTelemetry({});
    return defaultTelemetry;
  }
  if (options.enabled === false && Object.keys(options).length === 1) {
    disabledTelemetry ??= makeTelemetry(options);
    return disabledTelemetry;
  }
  return makeTelemetry(options);
}

let defaultTelemetry: Telemetry | undefined;
let disabledTelemetry: Telemetry | undefined;

function makeTelemetry(options: TelemetryOptions): Telemetry {
  const enabled = options.enabled ?? true;
  const now = options.now ?? (() => Date.now());
  let injectedApi: Promise<OpenTelemetryApiLike | undefined> | undefined;

  /** The API once loaded (undefined: not yet, or not installed), so that later spans need no `await`. */
  let loaded: { api: OpenTelemetryApiLike | undefined } | undefined;

  /**
   * The global tracer, or undefined while no OpenTelemetry SDK has registered a provider: the API's proxy
   * would then open no-op spans, so the function runs without one (a provider registered later is used from
   * the next span on).
   */
  const globalTracer = (api: OpenTelemetryApiLike | undefined): TelemetryTracer | undefined => {
    if (!api) return undefined;
    try {
      const provider = api.trace.getTracerProvider?.();
      if (typeof provider?.getDelegateTracer === "function") return provider.getDelegateTracer(TRACER_NAME);
      return api.trace.getTracer(TRACER_NAME);
    } catch {
      return undefined;
    }
  };

  const loadApi = async (): Promise<OpenTelemetryApiLike | undefined> => {
    if (options.loadApi) injectedApi ??= tryLoad(options.loadApi);
    const api = await (injectedApi ?? loadDefaultApi());
    loaded = { api };
    return api;
  };

  const withSpan = async <T>(
    name: string,
    attributes: SpanAttributes,
    fn: (span: SpanHandle) => T | Promise<T>,
  ): Promise<T> => {
    const tracer = !enabled
      ? undefined
      : (options.tracer ?? globalTracer(loaded ? loaded.api : await loadApi()));
    if (!tracer) return fn(noopHandle);

    let started = false;
    const inSpan = async (span: TelemetrySpan): Promise<T> => {
      started = true;
      const startedAt = now();
      const handle = spanHandle(span);
      try {
        return await fn(handle);
      } catch (error) {
        recordFailure(span, handle, error);
        throw error;
      } finally {
        handle.setAttribute(SpanAttribute.LatencyMs, now() - startedAt);
        attempt(() => span.end());
      }
    };

    try {
      return await tracer.startActiveSpan(name, { attributes: safeAttributes(attributes) }, inSpan);
    } catch (error) {
      // The tracer itself failed before running `fn`: run it without a span.
      if (!started) return fn(noopHandle);
      throw error;
    }
  };

  return { enabled, withSpan };
}
