/**
 * The config file part of the config loader: where `.lucid-agent.json` is (`options.path`, else
 * `LUCID_AGENT_CONFIG_PATH`, else the working directory), reading it (lazily importing `node:fs/promises`, or an
 * injected `readFile`) and checking its fields.
 */
import type { AgentConfigFile, ConfigLoaderOptions } from "./config-loader.js";
import { parseScopes } from "./config-scopes.js";
import { ConfigurationError } from "./errors.js";

/** The file the CLI writes, looked up in the working directory. */
export const DEFAULT_CONFIG_FILENAME = ".lucid-agent.json";
/** Path of the config file (must exist when set). */
export const ENV_CONFIG_PATH = "LUCID_AGENT_CONFIG_PATH";

type ProcessLike = { env?: Record<string, string | undefined>; cwd?: () => string };
/** The `process` global, where there is one (not on edge runtimes). */
export const getProcess = (): ProcessLike | undefined => (globalThis as { process?: ProcessLike }).process;

/** A non-empty, trimmed environment variable, or undefined. */
export const envValue = (env: Record<string, string | undefined>, name: string): string | undefined => {
  const value = env[name];
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
};

const isAbsolutePath = (path: string) =>
  path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");

const joinPath = (directory: string, path: string): string => {
  if (isAbsolutePath(path)) return path;
  const separator = directory.includes("\\") && !directory.includes("/") ? "\\" : "/";
  const trimmedDirectory = directory.replace(/[\\/]+$/, "");
  const trimmedPath = path.replace(/^\.[\\/]/, "");
  return `${trimmedDirectory}${separator}${trimmedPath}`;
};

const defaultReadFile = async (path: string): Promise<string> => {
  // A non-literal specifier keeps bundlers for edge runtimes from trying to resolve a Node built-in.
  const specifier = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ specifier)) as {
    readFile(path: string, encoding: "utf8"): Promise<string>;
  };
  return fs.readFile(path, "utf8");
};

const isMissingFileError = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
};

const FILE_STRING_KEYS = [
  "agentId",
  "agentRef",
  "credentialId",
  "refreshToken",
  "apiBaseUrl",
  "baseUrl",
] as const;

const parseConfigFile = (text: string, path: string): AgentConfigFile => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (cause) {
    throw new ConfigurationError(`The config file ${path} is not valid JSON.`, {
      hint: `Fix the JSON syntax of ${path}, or regenerate it with the Lucid CLI.`,
      cause,
    });
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigurationError(`The config file ${path} must contain a JSON object.`, {
      hint: `Write an object such as {"agentRef": "my-agent", "credentialId": "cred_..."} to ${path}.`,
    });
  }
  const record = parsed as Record<string, unknown>;
  const file: AgentConfigFile = {};
  for (const key of FILE_STRING_KEYS) {
    const value = record[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new ConfigurationError(`Invalid "${key}" in ${path}: expected a string, got ${typeof value}.`, {
        hint: `Set "${key}" to a string in ${path}.`,
      });
    }
    file[key] = value;
  }
  const scopes = record.scopes;
  if (scopes !== undefined && scopes !== null) {
    if (typeof scopes === "string") {
      file.scopes = parseScopes(scopes, `"scopes" in ${path}`);
    } else if (Array.isArray(scopes) && scopes.every((scope) => typeof scope === "string")) {
      file.scopes = scopes as string[];
    } else {
      throw new ConfigurationError(`Invalid "scopes" in ${path}: expected an array of strings.`, {
        hint: `Write "scopes" as an array of strings in ${path}, e.g. ["wallet.sign"].`,
      });
    }
  }
  return file;
};

export const readConfigFile = async (
  options: ConfigLoaderOptions,
  env: Record<string, string | undefined>,
): Promise<{ file: AgentConfigFile | null; path?: string }> => {
  const cwd = options.cwd ?? getProcess()?.cwd?.();
  const envPath = envValue(env, ENV_CONFIG_PATH);
  const explicit = options.path ?? envPath;
  const explicitLabel = options.path !== undefined ? "options.path" : ENV_CONFIG_PATH;
  let path: string;
  if (explicit !== undefined) {
    if (typeof explicit !== "string" || explicit.trim() === "") {
      throw new ConfigurationError(`The config path from ${explicitLabel} is empty.`, {
        hint: `Set ${explicitLabel} to the path of a .lucid-agent.json file, or leave it unset.`,
      });
    }
    path = cwd ? joinPath(cwd, explicit.trim()) : explicit.trim();
  } else {
    // No file system to look in (edge runtime without an injected readFile): environment only.
    if (!cwd && !options.readFile) return { file: null };
    path = cwd ? joinPath(cwd, DEFAULT_CONFIG_FILENAME) : DEFAULT_CONFIG_FILENAME;
  }

  const readFile = options.readFile ?? defaultReadFile;
  let text: string | null | undefined;
  try {
    text = await readFile(path);
  } catch (cause) {
    if (isMissingFileError(cause)) {
      text = null;
    } else {
      throw new ConfigurationError(`The config file ${path} could not be read.`, {
        hint: `Check that ${path} is a readable file, or set ${ENV_CONFIG_PATH} to another path.`,
        cause,
      });
    }
  }
  if (text === null || text === undefined) {
    if (explicit !== undefined) {
      throw new ConfigurationError(`The config file ${path} (from ${explicitLabel}) does not exist.`, {
        hint: `Create it with the Lucid CLI, fix ${explicitLabel}, or unset it to use environment variables only.`,
      });
    }
    return { file: null };
  }
  return { file: parseConfigFile(text, path), path };
};
