/**
 * Config loader: merges explicit overrides, environment variables, the CLI's `.lucid-agent.json` and defaults
 * into a validated `AgentRuntimeConfig`.
 *
 * Precedence, per field: `overrides` > environment > file > default. The environment variables are those every
 * README uses (`LUCID_BASE_URL`, `LUCID_AGENT_REF`, `LUCID_AGENT_CREDENTIAL`, ...). The older `LUCID_AGENT_*`
 * spellings are still read, but only as aliases: when both spellings of one field are set to different values the
 * loader throws a `ConfigurationError` naming both, instead of silently picking one.
 *
 * | field          | environment variable       | alias (must agree)                              | file key               |
 * |----------------|----------------------------|-------------------------------------------------|------------------------|
 * | `baseUrl`      | `LUCID_BASE_URL`           | `LUCID_AGENT_BASE_URL`                          | `apiBaseUrl`, `baseUrl`|
 * | `agentRef`     | `LUCID_AGENT_REF`          | `LUCID_AGENT_AGENT_REF` (`LUCID_AGENT_AGENT_ID`)| `agentRef`, `agentId`  |
 * | `credentialId` | `LUCID_AGENT_CREDENTIAL`   | `LUCID_AGENT_CREDENTIAL_ID`                     | `credentialId`         |
 * | `refreshToken` | `LUCID_AGENT_REFRESH_TOKEN`|                                                 | `refreshToken`         |
 * | `scopes`       | `LUCID_AGENT_SCOPES` (JSON array or comma list) |                            | `scopes`               |
 *
 * (`LUCID_AGENT_AGENT_ID`, an agent id, is read only when no ref variable is set.) Empty or
 * whitespace-only variables count as unset. The file is `options.path`, else `LUCID_AGENT_CONFIG_PATH`, else
 * `<cwd>/.lucid-agent.json`; only the last may be missing. No validation library is needed (zod stays optional).
 */

import { DEFAULT_CONFIG_FILENAME, envValue, getProcess, readConfigFile } from "./config-file.js";
import { ENV_SCOPES, MAX_SCOPES, parseScopes, SCOPES_FORMAT_HINT } from "./config-scopes.js";
import { ConfigurationError } from "./errors.js";

export { DEFAULT_CONFIG_FILENAME, ENV_CONFIG_PATH } from "./config-file.js";
export { ENV_SCOPES, parseScopes } from "./config-scopes.js";

import { redactString } from "./redact.js";

/** The hosted Lucid platform. */
export const DEFAULT_API_BASE_URL = "https://lucid.daydream.systems";

/** Base URL of the Lucid API. */
export const ENV_BASE_URL = "LUCID_BASE_URL";
/** The agent's ref (slug) or id. */
export const ENV_AGENT_REF = "LUCID_AGENT_REF";
/** The agent's id, read as its ref only when neither `LUCID_AGENT_REF` nor `LUCID_AGENT_AGENT_REF` is set. */
export const ENV_AGENT_ID = "LUCID_AGENT_AGENT_ID";
/** The credential to authenticate with. */
export const ENV_CREDENTIAL_ID = "LUCID_AGENT_CREDENTIAL";
/** A refresh token to start from. */
export const ENV_REFRESH_TOKEN = "LUCID_AGENT_REFRESH_TOKEN";
/** Older alias of {@link ENV_BASE_URL}; setting both to different values is a `ConfigurationError`. */
export const ENV_BASE_URL_ALT = "LUCID_AGENT_BASE_URL";
/** Older alias of {@link ENV_AGENT_REF}; setting both to different values is a `ConfigurationError`. */
export const ENV_AGENT_REF_ALT = "LUCID_AGENT_AGENT_REF";
/** Older alias of {@link ENV_CREDENTIAL_ID}; setting both to different values is a `ConfigurationError`. */
export const ENV_CREDENTIAL_ID_ALT = "LUCID_AGENT_CREDENTIAL_ID";

/** What the runtime needs to authenticate. */
export interface AgentRuntimeConfig {
  /** Base URL of the Lucid API, without a trailing slash. */
  baseUrl: string;
  /** The agent's ref (slug) or id. */
  agentRef: string;
  /** The credential whose wallet signs challenges. */
  credentialId: string;
  /** A refresh token to resume a session without a new challenge. A secret. */
  refreshToken?: string;
  /** Scopes to request (at most 10). Omitted: every scope the credential holds. */
  scopes?: string[];
}

/** The `.lucid-agent.json` file as the CLI writes it. Unknown keys are ignored. */
export interface AgentConfigFile {
  agentId?: string;
  agentRef?: string;
  credentialId?: string;
  refreshToken?: string;
  scopes?: string[];
  apiBaseUrl?: string;
  /** Accepted as an alias of `apiBaseUrl` (which wins when both are set). */
  baseUrl?: string;
}

/** Where a field's value came from: an override, an environment variable (`env:NAME`), the file, or a default. */
export type ConfigSource = "override" | `env:${string}` | "file" | "default";

/** The source of each resolved field (optional fields only when set). */
export interface ConfigSources {
  baseUrl: ConfigSource;
  agentRef: ConfigSource;
  credentialId: ConfigSource;
  refreshToken?: ConfigSource;
  scopes?: ConfigSource;
}

/** Options of `loadAgentRuntimeConfig`. */
export interface ConfigLoaderOptions {
  /** Config file path (absolute, or relative to `cwd`). Must exist when given. */
  path?: string;
  /** Directory to resolve relative paths and `.lucid-agent.json` against. Default `process.cwd()` when available. */
  cwd?: string;
  /** Environment to read. Default `globalThis.process?.env` (nothing on runtimes without `process`). */
  env?: Record<string, string | undefined>;
  /** Values that win over every other source. */
  overrides?: Partial<AgentRuntimeConfig>;
  /**
   * Reads a file as UTF-8. Return `null` or throw an error with `code: "ENOENT"` when it does not exist.
   * Default: `node:fs/promises`, imported lazily (so edge runtimes without a file system never load it).
   */
  readFile?: (path: string) => Promise<string | null | undefined>;
}

/** What `loadAgentRuntimeConfig` resolves to. */
export interface LoadedAgentRuntimeConfig {
  config: AgentRuntimeConfig;
  /** The config file that was read, if any. */
  sourcePath?: string;
  /** The file's parsed content, `null` when no file was read. */
  fileConfig: AgentConfigFile | null;
  /** Where each field came from. */
  sources: ConfigSources;
}

interface Candidate<T> {
  value: T;
  source: ConfigSource;
  /** How to name the source in an error: `overrides.baseUrl`, `environment variable LUCID_BASE_URL`, ... */
  label: string;
}

const invalid = (field: string, label: string, problem: string, hint: string, cause?: unknown) =>
  new ConfigurationError(`Invalid ${field} from ${label}: ${problem}.`, { hint, cause });

const describeSource = (candidate: Candidate<unknown>) => candidate.label;

const checkString = (field: string, candidate: Candidate<unknown>, hint: string): Candidate<string> => {
  if (typeof candidate.value !== "string") {
    throw invalid(field, describeSource(candidate), `expected a string, got ${typeof candidate.value}`, hint);
  }
  const value = candidate.value.trim();
  if (value === "") throw invalid(field, describeSource(candidate), "it is empty", hint);
  return { ...candidate, value };
};

const validateBaseUrl = (candidate: Candidate<unknown>): string => {
  const hint =
    "Set it to the http(s) URL of the Lucid API, e.g. https://lucid.daydream.systems (LUCID_BASE_URL, " +
    "apiBaseUrl in .lucid-agent.json, or overrides.baseUrl).";
  const { value } = checkString("baseUrl", candidate, hint);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw invalid("baseUrl", describeSource(candidate), `"${redactString(value)}" is not a URL`, hint, cause);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(
      "baseUrl",
      describeSource(candidate),
      `"${redactString(value)}" uses ${url.protocol} instead of http: or https:`,
      hint,
    );
  }
  if (url.username || url.password) {
    throw invalid(
      "baseUrl",
      describeSource(candidate),
      "it contains credentials (user:password@)",
      "Remove the credentials from the URL; the runtime authenticates with its own tokens.",
    );
  }
  return value.replace(/\/+$/, "");
};

const validateScopes = (candidate: Candidate<unknown>): string[] => {
  const hint =
    candidate.source === `env:${ENV_SCOPES}`
      ? `${ENV_SCOPES} ${SCOPES_FORMAT_HINT}, e.g. ["wallet.sign"] or wallet.sign,agents.read.`
      : 'Give scopes as an array of non-empty strings, e.g. ["wallet.sign", "agents.read"].';
  const { value } = candidate;
  if (!Array.isArray(value)) {
    throw invalid("scopes", describeSource(candidate), "expected an array of strings", hint);
  }
  const scopes: string[] = [];
  for (const [index, scope] of value.entries()) {
    if (typeof scope !== "string") {
      throw invalid(
        "scopes",
        describeSource(candidate),
        `entry ${index} is a ${typeof scope}, not a string`,
        hint,
      );
    }
    const trimmed = scope.trim();
    if (trimmed === "") throw invalid("scopes", describeSource(candidate), `entry ${index} is empty`, hint);
    if (/\s/.test(trimmed)) {
      throw invalid("scopes", describeSource(candidate), `"${trimmed}" contains whitespace`, hint);
    }
    if (!scopes.includes(trimmed)) scopes.push(trimmed);
  }
  if (scopes.length > MAX_SCOPES) {
    throw invalid(
      "scopes",
      describeSource(candidate),
      `${scopes.length} scopes given, the server accepts at most ${MAX_SCOPES}`,
      hint,
    );
  }
  return scopes;
};

const first = <T>(...candidates: Array<Candidate<T> | undefined>): Candidate<T> | undefined =>
  candidates.find((candidate) => candidate !== undefined);

const fromOverride = <T>(overrides: Partial<AgentRuntimeConfig>, key: keyof AgentRuntimeConfig) => {
  const value = overrides[key] as T | undefined;
  if (value === undefined || value === null) return undefined;
  return { value, source: "override", label: `overrides.${key}` } satisfies Candidate<T>;
};

const fromEnv = (env: Record<string, string | undefined>, name: string): Candidate<string> | undefined => {
  const value = envValue(env, name);
  if (value === undefined) return undefined;
  return { value, source: `env:${name}`, label: `environment variable ${name}` };
};

/**
 * The value of one field from the environment: the variable every README uses, else its older aliases (first set
 * wins among them). When the README variable and an alias are both set to different values, or the aliases
 * disagree with it, nothing is chosen silently: a `ConfigurationError` names both variables.
 */
const fromEnvFamily = (
  env: Record<string, string | undefined>,
  field: keyof AgentRuntimeConfig,
  name: string,
  aliases: readonly string[],
  same: (a: string, b: string) => boolean = (a, b) => a === b,
): Candidate<string> | undefined => {
  const primary = fromEnv(env, name);
  const setAliases = aliases
    .map((alias) => fromEnv(env, alias))
    .filter((candidate) => candidate !== undefined);
  if (!primary) return setAliases[0];
  const conflicting = setAliases.find((alias) => !same(alias.value, primary.value));
  if (conflicting) {
    const alias = conflicting.source.slice("env:".length);
    const shown =
      field === "baseUrl" ? ` (${redactString(primary.value)} vs ${redactString(conflicting.value)})` : "";
    throw new ConfigurationError(
      `Conflicting ${field}: environment variables ${name} and ${alias} are set to different values${shown}.`,
      {
        hint: `Unset ${alias} (an older spelling of ${name}) or give both the same value; ${name} is the one to keep.`,
      },
    );
  }
  return primary;
};

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

const fromFile = <T>(
  file: AgentConfigFile | null,
  key: keyof AgentConfigFile,
  path: string | undefined,
): Candidate<T> | undefined => {
  if (!file) return undefined;
  const value = file[key] as T | undefined;
  if (value === undefined || value === null) return undefined;
  return { value, source: "file", label: `"${key}" in ${path ?? DEFAULT_CONFIG_FILENAME}` };
};

/**
 * Loads the runtime configuration from `overrides`, the environment, `.lucid-agent.json` and defaults (in that
 * precedence; see the module comment for every variable). Throws `ConfigurationError` naming the field, its
 * source and how to fix it when something is missing or malformed. Never puts a refresh token in a message.
 */
export const loadAgentRuntimeConfig = async (
  options: ConfigLoaderOptions = {},
): Promise<LoadedAgentRuntimeConfig> => {
  const env = options.env ?? getProcess()?.env ?? {};
  const overrides = options.overrides ?? {};
  const { file, path } = await readConfigFile(options, env);

  const baseUrlCandidate = first<unknown>(
    fromOverride(overrides, "baseUrl"),
    fromEnvFamily(env, "baseUrl", ENV_BASE_URL, [ENV_BASE_URL_ALT], sameUrl),
    fromFile(file, "apiBaseUrl", path),
    fromFile(file, "baseUrl", path),
  ) ?? { value: DEFAULT_API_BASE_URL, source: "default", label: "the default" };

  const agentRefCandidate = first<unknown>(
    fromOverride(overrides, "agentRef"),
    fromEnvFamily(env, "agentRef", ENV_AGENT_REF, [ENV_AGENT_REF_ALT]),
    // An id is another identifier of an agent than its ref, so it cannot be compared with one: it only counts
    // when no ref is set.
    fromEnv(env, ENV_AGENT_ID),
    fromFile(file, "agentRef", path),
    fromFile(file, "agentId", path),
  );
  if (!agentRefCandidate) {
    throw new ConfigurationError(
      "agentRef is missing: no override, environment variable or config file sets it.",
      {
        hint:
          `Set ${ENV_AGENT_REF}, add "agentRef" to ${path ?? DEFAULT_CONFIG_FILENAME}, ` +
          "or pass overrides.agentRef.",
      },
    );
  }

  const credentialCandidate = first<unknown>(
    fromOverride(overrides, "credentialId"),
    fromEnvFamily(env, "credentialId", ENV_CREDENTIAL_ID, [ENV_CREDENTIAL_ID_ALT]),
    fromFile(file, "credentialId", path),
  );
  if (!credentialCandidate) {
    throw new ConfigurationError(
      "credentialId is missing: no override, environment variable or config file sets it.",
      {
        hint:
          `Set ${ENV_CREDENTIAL_ID}, add "credentialId" to ` +
          `${path ?? DEFAULT_CONFIG_FILENAME}, or pass overrides.credentialId.`,
      },
    );
  }

  const refreshCandidate = first<unknown>(
    fromOverride(overrides, "refreshToken"),
    fromEnv(env, ENV_REFRESH_TOKEN),
    fromFile(file, "refreshToken", path),
  );

  const envScopes = fromEnv(env, ENV_SCOPES);
  const scopesCandidate = first<unknown>(
    fromOverride(overrides, "scopes"),
    envScopes ? { ...envScopes, value: parseScopes(envScopes.value) } : undefined,
    fromFile(file, "scopes", path),
  );

  const config: AgentRuntimeConfig = {
    baseUrl: validateBaseUrl(baseUrlCandidate),
    agentRef: checkString(
      "agentRef",
      agentRefCandidate,
      `Set agentRef to the agent's ref or id (${ENV_AGENT_REF}, "agentRef" in the config file, or overrides.agentRef).`,
    ).value,
    credentialId: checkString(
      "credentialId",
      credentialCandidate,
      `Set credentialId to the id of the agent's credential (${ENV_CREDENTIAL_ID}, "credentialId" in the config file, or overrides.credentialId).`,
    ).value,
  };
  const sources: ConfigSources = {
    baseUrl: baseUrlCandidate.source,
    agentRef: agentRefCandidate.source,
    credentialId: credentialCandidate.source,
  };

  if (refreshCandidate) {
    if (typeof refreshCandidate.value !== "string" || refreshCandidate.value.trim() === "") {
      throw invalid(
        "refreshToken",
        refreshCandidate.label,
        typeof refreshCandidate.value === "string"
          ? "it is empty"
          : `expected a string, got ${typeof refreshCandidate.value}`,
        `Set refreshToken to the refresh token string issued by Lucid (${ENV_REFRESH_TOKEN}), or remove it.`,
      );
    }
    config.refreshToken = refreshCandidate.value.trim();
    sources.refreshToken = refreshCandidate.source;
  }
  if (scopesCandidate) {
    config.scopes = validateScopes(scopesCandidate);
    sources.scopes = scopesCandidate.source;
  }

  const result: LoadedAgentRuntimeConfig = { config, fileConfig: file, sources };
  if (path !== undefined) result.sourcePath = path;
  return result;
};
