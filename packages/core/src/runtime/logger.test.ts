import { afterEach, describe, expect, it, vi } from "vitest";
import { RefreshFailedError, TransportError } from "./errors.js";
import {
  createLogger,
  isDebugEnabled,
  type Logger,
  type LogRecord,
  silentLogger,
  wrapLogger,
} from "./logger.js";

const ACCESS = "lat_live_access_9f8e7d6c5b4a";
const REFRESH = "lrt_live_refresh_0a1b2c3d4e5f";
const ONE_TIME = "lot_owner_bootstrap_77aa88bb";
const PRIVATE_KEY = `0x${"5e".repeat(32)}`;
const SIGNATURE = `0x${"a7".repeat(65)}`;
const JWT = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJrIiwiaXNzIjoiY2RwIn0.c2lnbmF0dXJlLWJ5dGVz";
const APP_SECRET = "privy_app_secret_QWERTY123456";
const PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIGx0aGlzaXNhc2VjcmV0\n-----END EC PRIVATE KEY-----";
const AUTH_KEY = "wallet-auth:MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgc2VjcmV0";

const SECRETS = [
  ACCESS,
  REFRESH,
  ONE_TIME,
  PRIVATE_KEY,
  SIGNATURE,
  JWT,
  APP_SECRET,
  "MHcCAQEEIGx0aGlz",
  "MIGHAgEAMBMG",
];

/** A representative set of things the runtime logs, each carrying secrets in a different place. */
const records = (): Array<[keyof Logger, object | string, string?]> => {
  const cyclic: Record<string, unknown> = { agentRef: "agent-1", accessToken: ACCESS };
  cyclic.self = cyclic;
  return [
    [
      "debug",
      { tokens: { access_token: ACCESS, refresh_token: REFRESH, token_type: "bearer" } },
      "exchange answered",
    ],
    [
      "debug",
      { request: { headers: { Authorization: `Bearer ${ACCESS}`, "x-wallet-auth": JWT } } },
      "request",
    ],
    ["debug", { headers: new Headers({ authorization: `Bearer ${ONE_TIME}` }) }, "headers object"],
    [
      "info",
      { config: { agentRef: "agent-1", refreshToken: REFRESH, baseUrl: "https://lucid.daydream.systems" } },
    ],
    [
      "warn",
      { error: new RefreshFailedError(`Refresh with ${REFRESH} failed`, { status: 401 }) },
      "refresh failed",
    ],
    [
      "error",
      new TransportError(`POST failed: Authorization: Bearer ${ACCESS}`),
      `retrying with ${ONE_TIME}`,
    ],
    [
      "debug",
      { signed: { signature: SIGNATURE }, wallet: { address: "0x1111111111111111111111111111111111111111" } },
    ],
    ["debug", { body: JSON.stringify({ refresh_token: REFRESH, signature: SIGNATURE }) }, "raw body"],
    ["debug", { privateKey: PRIVATE_KEY, note: `imported key ${PRIVATE_KEY}` }],
    ["debug", { privy: { appSecret: APP_SECRET, authorizationPrivateKey: AUTH_KEY } }, `auth ${AUTH_KEY}`],
    ["debug", { cdp: { apiKeySecret: PEM, note: `pem ${PEM}` } }],
    ["debug", { nested: [{ deep: { deeper: { password: APP_SECRET, token: ACCESS } } }] }],
    ["debug", cyclic, "cyclic record"],
    ["info", `message only, with ${ACCESS} and ${SIGNATURE} inline`],
    ["debug", { amount: 10n ** 18n, at: new Date(0) }, `token=${REFRESH}`],
    ["debug", { url: new URL(`https://example.com/callback?access_token=${ACCESS}`) }],
  ];
};

const emitAll = (logger: Logger) => {
  for (const [level, first, msg] of records()) {
    if (msg === undefined) logger[level](first);
    else logger[level](first, msg);
  }
};

describe("logger redaction scan", () => {
  it("the default logger writes no secret in any line, at debug level", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", sink: (line) => lines.push(line) });
    emitAll(logger);
    expect(lines).toHaveLength(records().length);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
      for (const secret of SECRETS) expect(line).not.toContain(secret);
    }
    // The non-secret context survives.
    const all = lines.join("\n");
    expect(all).toContain("agent-1");
    expect(all).toContain("0x1111111111111111111111111111111111111111");
    expect(all).toContain("refresh_failed");
    expect(all).toContain("1000000000000000000");
  });

  it("a wrapped pino-style user logger never sees a secret either", () => {
    const seen: unknown[] = [];
    const pinoLike = {
      debug: (obj: unknown, msg?: string) => seen.push([obj, msg]),
      info: (obj: unknown, msg?: string) => seen.push([obj, msg]),
      warn: (obj: unknown, msg?: string) => seen.push([obj, msg]),
      error: (obj: unknown, msg?: string) => seen.push([obj, msg]),
    };
    emitAll(wrapLogger(pinoLike));
    expect(seen).toHaveLength(records().length);
    const serialised = JSON.stringify(seen);
    for (const secret of SECRETS) expect(serialised).not.toContain(secret);
  });
});

describe("createLogger", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("writes JSON lines with level, time, msg and fields; info and above by default", () => {
    const records: LogRecord[] = [];
    const logger = createLogger({
      sink: (_line, record) => records.push(record),
      env: {},
      base: { name: "agent-auth" },
    });
    logger.debug({ hidden: true }, "not written");
    logger.info({ agentRef: "a" }, "hello");
    logger.warn("plain message");
    expect(records).toEqual([
      { level: "info", time: expect.any(Number), name: "agent-auth", agentRef: "a", msg: "hello" },
      { level: "warn", time: expect.any(Number), name: "agent-auth", msg: "plain message" },
    ]);
  });

  it("turns debug on with LUCID_AGENT_DEBUG=1, the debug option or level", () => {
    const count = (options: Parameters<typeof createLogger>[0]) => {
      let lines = 0;
      createLogger({ ...options, sink: () => lines++ }).debug({}, "x");
      return lines;
    };
    expect(count({ env: { LUCID_AGENT_DEBUG: "1" } })).toBe(1);
    expect(count({ env: { LUCID_AGENT_DEBUG: "true" } })).toBe(1);
    expect(count({ env: { LUCID_AGENT_DEBUG: "0" } })).toBe(0);
    expect(count({ env: {}, debug: true })).toBe(1);
    expect(count({ env: { LUCID_AGENT_DEBUG: "1" }, level: "warn" })).toBe(0);
    expect(count({ level: "silent" })).toBe(0);
    expect(isDebugEnabled({ LUCID_AGENT_DEBUG: "yes" })).toBe(true);
    expect(isDebugEnabled({})).toBe(false);
  });

  it("writes to stderr through console.error by default", () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    createLogger({ env: {} }).error({ accessToken: ACCESS }, "boom");
    expect(spy).toHaveBeenCalledTimes(1);
    const line = String(spy.mock.calls[0]?.[0]);
    expect(JSON.parse(line)).toMatchObject({ level: "error", msg: "boom", accessToken: "[redacted]" });
  });

  it("never throws when the sink throws", () => {
    const logger = createLogger({
      sink: () => {
        throw new Error("disk full");
      },
    });
    expect(() => logger.error({}, "x")).not.toThrow();
  });
});

describe("wrapLogger and silentLogger", () => {
  it("keeps pino's (obj, msg) call shape and tolerates partial loggers", () => {
    const calls: unknown[][] = [];
    const wrapped = wrapLogger({ info: (...args: unknown[]) => calls.push(args) });
    wrapped.info({ a: 1 }, "m");
    wrapped.info("only message");
    wrapped.warn({ b: 2 });
    wrapped.debug({ c: 3 });
    expect(calls).toEqual([[{ a: 1 }, "m"], [{}, "only message"], [{ b: 2 }]]);
    expect(wrapLogger(wrapped)).toBe(wrapped);
  });

  it("swallows errors thrown by the user logger", () => {
    const wrapped = wrapLogger({
      error: () => {
        throw new Error("logger down");
      },
    });
    expect(() => wrapped.error({}, "x")).not.toThrow();
  });

  it("defaults to createLogger and offers a silent logger", () => {
    expect(typeof wrapLogger(undefined).info).toBe("function");
    expect(() => silentLogger.error({ accessToken: ACCESS })).not.toThrow();
  });
});
