/**
 * Logging. Accepts any pino-compatible logger (`logger.debug(obj, msg)`); the default writes structured JSON
 * lines to stderr at `info` and above, or `debug` when `LUCID_AGENT_DEBUG=1`. Every record passes through
 * `redact()`, so tokens, refresh handles, private keys and signatures never reach a log line.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
