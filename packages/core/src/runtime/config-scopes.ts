/** Scopes in the configuration: the environment variable and the parser of its two spellings. */
import { ConfigurationError } from "./errors.js";

/** Scopes to request: a JSON array of strings or a comma-separated list. */
export const ENV_SCOPES = "LUCID_AGENT_SCOPES";

/** The server accepts at most this many scopes. */
export const MAX_SCOPES = 10;
/** How scopes may be written, for error hints. */
export const SCOPES_FORMAT_HINT = "must be a JSON array of strings or a comma-separated list";

/**
 * Parses `LUCID_AGENT_SCOPES`-style text: a JSON array of strings, or a comma-separated list (entries trimmed,
 * empty entries dropped).
 */
export const parseScopes = (text: string, sourceLabel = ENV_SCOPES): string[] => {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (cause) {
      throw new ConfigurationError(`${sourceLabel} is not valid JSON.`, {
        hint: `${sourceLabel} ${SCOPES_FORMAT_HINT}, e.g. ["wallet.sign"] or wallet.sign,agents.read.`,
        cause,
      });
    }
    if (!Array.isArray(parsed) || parsed.some((entry) => typeof entry !== "string")) {
      throw new ConfigurationError(`${sourceLabel} is a JSON value but not an array of strings.`, {
        hint: `${sourceLabel} ${SCOPES_FORMAT_HINT}, e.g. ["wallet.sign"] or wallet.sign,agents.read.`,
      });
    }
    return parsed as string[];
  }
  if (trimmed.startsWith("{") || trimmed.startsWith('"')) {
    throw new ConfigurationError(`${sourceLabel} is a JSON value but not an array of strings.`, {
      hint: `${sourceLabel} ${SCOPES_FORMAT_HINT}, e.g. ["wallet.sign"] or wallet.sign,agents.read.`,
    });
  }
  return trimmed
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");
};
