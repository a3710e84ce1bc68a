/**
 * Logging. Accepts any pino-compatible logger (`logger.debug(obj, msg)`); the default writes structured JSON
 * lines to stderr at `info` and above, or `debug` when `LUCID_AGENT_DEBUG=1`. Every record passes through
 * `redact()`, so tokens, refresh handles, private keys and signatures never reach a log line.
 *
 * Web APIs only: the default sink is `console.error`, and the environment is read through
 * `globalThis.process?.env` when there is one.
 */
import { redact, redactString } from "./redact.js";

/** Log levels, lowest first. `silent` logs nothing. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/**
 * A pino-compatible logger: `debug/info/warn/error(obj, msg?)`; a message alone (`logger.info("text")`) is
 * tolerated too. Any pino logger, and any object with these four methods, fits.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** One method of `Logger`. */
export type LogFn = (obj: object | string, msg?: string) => void;

/** One record as the default logger writes it (already redacted). */
export interface LogRecord {
  level: Exclude<LogLevel, "silent">;
  /** Milliseconds since the epoch. */
  time: number;
  msg?: string;
  [field: string]: unknown;
}

/** Options of `createLogger`. */
export interface CreateLoggerOptions {
  /** Lowest level written. Default `debug` when `debug` is true or `LUCID_AGENT_DEBUG=1`, else `info`. */
  level?: LogLevel;
  /** Where each redacted record goes. Default: one JSON line to stderr via `console.error`. */
  sink?: (line: string, record: LogRecord) => void;
  /** Shorthand for `level: "debug"`. */
  debug?: boolean;
  /** Fields added to every record (redacted too), e.g. `{ name: "agent-auth" }`. */
  base?: Record<string, unknown>;
  /** Environment to read `LUCID_AGENT_DEBUG` from. Default `globalThis.process?.env`. */
  env?: Record<string, string | undefined>;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: 100 };
const METHODS = ["debug", "info", "warn", "error"] as const;

/** The environment variable that turns on debug logging (`1` or `true`). */
export const ENV_DEBUG = "LUCID_AGENT_DEBUG";

const processEnv = (): Record<string, string | undefined> => {
  const candidate = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return candidate?.env ?? {};
};

/** True when `LUCID_AGENT_DEBUG` is `1`/`true`/`yes` in `env` (default: the process environment, if any). */
export const isDebugEnabled = (env: Record<string, string | undefined> = processEnv()): boolean => {
  const value = env[ENV_DEBUG]?.trim().toLowerCase();
  return value === "1" || value === "true" || value === "yes";
};

/** Splits pino-style arguments into a (redacted) fields object and an optional (redacted) message. */
const normaliseArgs = (args: unknown[]): { fields: Record<string, unknown>; msg: string | undefined } => {
  const [first, second] = args;
  if (typeof first === "string") {
    return { fields: {}, msg: redactString(first) };
  }
  const msg = typeof second === "string" ? redactString(second) : undefined;
  if (first instanceof Error) {
    return { fields: { err: redact(first) }, msg: msg ?? redactString(first.message) };
  }
  if (first === null || first === undefined) return { fields: {}, msg };
  const redacted = redact(first);
  if (redacted !== null && typeof redacted === "object" && !Array.isArray(redacted)) {
    return { fields: redacted as Record<string, unknown>, msg };
  }
  return { fields: { value: redacted }, msg };
};

const safeStringify = (record: LogRecord): string => {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({
      level: record.level,
      time: record.time,
      msg: record.msg ?? "[unserialisable record]",
    });
  }
};

const defaultSink = (line: string) => {
  console.error(line);
};

/**
 * The default structured logger: redacted JSON lines (`{"level":"info","time":...,"msg":...,...fields}`) to
 * stderr. Level: `options.level`, else `debug` when `options.debug` or `LUCID_AGENT_DEBUG=1`, else `info`.
 */
export const createLogger = (options?: CreateLoggerOptions): Logger => {
  if (options === undefined) {
    // No options: one shared (frozen) logger per level, so a runtime costs no logger of its own.
    const index = isDebugEnabled(processEnv()) ? 1 : 0;
    const shared = defaultLoggers[index] ?? Object.freeze(makeLogger({}));
    defaultLoggers[index] = shared;
    return shared;
  }
  return makeLogger(options);
};

const defaultLoggers: [Logger | undefined, Logger | undefined] = [undefined, undefined];

const makeLogger = (options: CreateLoggerOptions): Logger => {
  const level: LogLevel =
    options.level ?? (options.debug || isDebugEnabled(options.env ?? processEnv()) ? "debug" : "info");
  const threshold = LEVEL_ORDER[level];
  const sink = options.sink ?? defaultSink;
  const base = options.base ? (redact(options.base) as Record<string, unknown>) : undefined;

  const make =
    (method: (typeof METHODS)[number]): LogFn =>
    (...args: unknown[]) => {
      if (LEVEL_ORDER[method] < threshold) return;
      const { fields, msg } = normaliseArgs(args);
      const record: LogRecord = { level: method, time: Date.now(), ...base, ...fields };
      record.level = method;
      if (msg !== undefined) record.msg = msg;
      try {
        sink(safeStringify(record), record);
      } catch {
        // A failing sink must never break the runtime.
      }
    };

  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
};

/** A logger that discards everything. */
export const silentLogger: Logger = Object.freeze({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
});

const wrapped = Symbol.for("@lucid-dreams/agent-auth.redacting-logger");

/**
 * Puts `redact()` in front of a user logger (pino, winston-with-pino-signature, console-like): every field object
 * and message is redacted before the user's logger sees it. Wrapping twice is a no-op. `undefined` gives the
 * default `createLogger()`.
 */
export const wrapLogger = (logger?: Partial<Logger> | null): Logger => {
  if (!logger) return createLogger();
  if ((logger as Record<symbol, unknown>)[wrapped] === true) return logger as Logger;
  const make =
    (method: (typeof METHODS)[number]): LogFn =>
    (...args: unknown[]) => {
      const target = logger[method] ?? (method === "debug" ? undefined : logger.info);
      if (typeof target !== "function") return;
      const { fields, msg } = normaliseArgs(args);
      try {
        if (msg === undefined) target.call(logger, fields);
        else target.call(logger, fields, msg);
      } catch {
        // A failing user logger must never break the runtime.
      }
    };
  const result: Logger = {
    debug: make("debug"),
    info: make("info"),
    warn: make("warn"),
    error: make("error"),
  };
  Object.defineProperty(result, wrapped, { value: true });
  return result;
};
