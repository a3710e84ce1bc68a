/** Stable codes of {@link LocalServerError}. */
export type LocalServerErrorCode =
  | "invalid_option"
  | "anvil_not_found"
  | "anvil_failed"
  | "anvil_timeout"
  | "chain_unreachable"
  | "seed_failed";

const MARKER = Symbol.for("@lucid-dreams/local-server/LocalServerError");

/** Why the local server could not start: a stable `code`, a message with a hint, the cause kept. */
export class LocalServerError extends Error {
  readonly code: LocalServerErrorCode;
  readonly [MARKER] = true;

  constructor(code: LocalServerErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LocalServerError";
    this.code = code;
  }

  /** Whether `value` is a LocalServerError, also across duplicate installs of this package. */
  static isInstance(value: unknown): value is LocalServerError {
    return typeof value === "object" && value !== null && MARKER in value;
  }
}
