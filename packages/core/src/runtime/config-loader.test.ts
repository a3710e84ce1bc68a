import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentConfigFile,
  type ConfigLoaderOptions,
  DEFAULT_API_BASE_URL,
  DEFAULT_CONFIG_FILENAME,
  loadAgentRuntimeConfig,
  parseScopes,
} from "./config-loader.js";
import { isConfigurationError } from "./errors.js";

const CWD = "/work/agent";
const FILE_PATH = `${CWD}/${DEFAULT_CONFIG_FILENAME}`;

/** A readFile that serves `files` and answers ENOENT for anything else. */
const filesystem =
  (files: Record<string, string>) =>
  async (path: string): Promise<string> => {
    const content = files[path];
    if (content === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return content;
  };

const load = (options: ConfigLoaderOptions & { file?: AgentConfigFile | string } = {}) => {
  const { file, ...rest } = options;
  const files: Record<string, string> = {};
  if (file !== undefined) files[FILE_PATH] = typeof file === "string" ? file : JSON.stringify(file);
  return loadAgentRuntimeConfig({ cwd: CWD, env: {}, readFile: filesystem(files), ...rest });
};

const loadError = async (options: Parameters<typeof load>[0]) => {
  const error = await load(options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isConfigurationError(error)).toBe(true);
  return (error as Error).message;
};

const minimalEnv = { LUCID_AGENT_REF: "env-agent", LUCID_AGENT_CREDENTIAL: "env-cred" };

describe("loadAgentRuntimeConfig: sources and precedence", () => {
  it("reads everything from the environment alone (no file) with the default base URL", async () => {
    const result = await load({ env: minimalEnv });
    expect(result).toEqual({
      config: { baseUrl: DEFAULT_API_BASE_URL, agentRef: "env-agent", credentialId: "env-cred" },
      fileConfig: null,
      sources: {
        baseUrl: "default",
        agentRef: "env:LUCID_AGENT_REF",
        credentialId: "env:LUCID_AGENT_CREDENTIAL",
      },
    });
    expect(result.sourcePath).toBeUndefined();
    expect(DEFAULT_API_BASE_URL).toBe("https://lucid.daydream.systems");
  });

  it("reads the CLI's .lucid-agent.json from cwd", async () => {
    const file = {
      agentId: "id-1",
      agentRef: "file-agent",
      credentialId: "file-cred",
      refreshToken: "lrt_file",
      scopes: ["wallet.sign"],
      apiBaseUrl: "https://file.example/",
    };
    const result = await load({ file });
    expect(result.config).toEqual({
      baseUrl: "https://file.example",
      agentRef: "file-agent",
      credentialId: "file-cred",
      refreshToken: "lrt_file",
      scopes: ["wallet.sign"],
    });
    expect(result.sourcePath).toBe(FILE_PATH);
    expect(result.fileConfig).toEqual(file);
    expect(result.sources).toEqual({
      baseUrl: "file",
      agentRef: "file",
      credentialId: "file",
      refreshToken: "file",
      scopes: "file",
    });
  });

  type Row = {
    field: "baseUrl" | "agentRef" | "credentialId" | "refreshToken" | "scopes";
    override?: unknown;
    env?: Record<string, string>;
    file?: AgentConfigFile;
    expected: unknown;
    source: string;
  };
  const rows: Row[] = [
    // baseUrl: override > LUCID_BASE_URL (alias LUCID_AGENT_BASE_URL, must agree) > file apiBaseUrl > file baseUrl > default
    {
      field: "baseUrl",
      override: "https://o.example",
      env: { LUCID_AGENT_BASE_URL: "https://b.example/", LUCID_BASE_URL: "https://b.example" },
      file: { apiBaseUrl: "https://f.example" },
      expected: "https://o.example",
      source: "override",
    },
    {
      field: "baseUrl",
      env: { LUCID_AGENT_BASE_URL: "https://b.example/", LUCID_BASE_URL: "https://b.example" },
      file: { apiBaseUrl: "https://f.example" },
      expected: "https://b.example",
      source: "env:LUCID_BASE_URL",
    },
    {
      field: "baseUrl",
      env: { LUCID_AGENT_BASE_URL: "https://a.example" },
      file: { apiBaseUrl: "https://f.example" },
      expected: "https://a.example",
      source: "env:LUCID_AGENT_BASE_URL",
    },
    {
      field: "baseUrl",
      env: { LUCID_BASE_URL: "https://b.example" },
      file: { apiBaseUrl: "https://f.example" },
      expected: "https://b.example",
      source: "env:LUCID_BASE_URL",
    },
    {
      field: "baseUrl",
      file: { apiBaseUrl: "https://f.example", baseUrl: "https://g.example" },
      expected: "https://f.example",
      source: "file",
    },
    {
      field: "baseUrl",
      file: { baseUrl: "https://g.example" },
      expected: "https://g.example",
      source: "file",
    },
    { field: "baseUrl", expected: DEFAULT_API_BASE_URL, source: "default" },
    // agentRef: override > LUCID_AGENT_REF (alias LUCID_AGENT_AGENT_REF, must agree) > LUCID_AGENT_AGENT_ID > file
    {
      field: "agentRef",
      override: "o",
      env: { LUCID_AGENT_AGENT_REF: "b", LUCID_AGENT_REF: "b", LUCID_AGENT_AGENT_ID: "c" },
      file: { agentRef: "f" },
      expected: "o",
      source: "override",
    },
    {
      field: "agentRef",
      env: { LUCID_AGENT_AGENT_REF: "b", LUCID_AGENT_REF: "b", LUCID_AGENT_AGENT_ID: "c" },
      file: { agentRef: "f" },
      expected: "b",
      source: "env:LUCID_AGENT_REF",
    },
    {
      field: "agentRef",
      env: { LUCID_AGENT_AGENT_REF: "a", LUCID_AGENT_AGENT_ID: "c" },
      file: { agentRef: "f" },
      expected: "a",
      source: "env:LUCID_AGENT_AGENT_REF",
    },
    {
      field: "agentRef",
      env: { LUCID_AGENT_REF: "b", LUCID_AGENT_AGENT_ID: "c" },
      expected: "b",
      source: "env:LUCID_AGENT_REF",
    },
    {
      field: "agentRef",
      env: { LUCID_AGENT_AGENT_ID: "c" },
      file: { agentRef: "f" },
      expected: "c",
      source: "env:LUCID_AGENT_AGENT_ID",
    },
    { field: "agentRef", file: { agentRef: "f", agentId: "i" }, expected: "f", source: "file" },
    { field: "agentRef", file: { agentId: "i" }, expected: "i", source: "file" },
    // credentialId: override > LUCID_AGENT_CREDENTIAL (alias LUCID_AGENT_CREDENTIAL_ID, must agree) > file
    {
      field: "credentialId",
      override: "o",
      env: { LUCID_AGENT_CREDENTIAL_ID: "b", LUCID_AGENT_CREDENTIAL: "b" },
      file: { credentialId: "f" },
      expected: "o",
      source: "override",
    },
    {
      field: "credentialId",
      env: { LUCID_AGENT_CREDENTIAL_ID: "a" },
      file: { credentialId: "f" },
      expected: "a",
      source: "env:LUCID_AGENT_CREDENTIAL_ID",
    },
    {
      field: "credentialId",
      env: { LUCID_AGENT_CREDENTIAL: "b" },
      file: { credentialId: "f" },
      expected: "b",
      source: "env:LUCID_AGENT_CREDENTIAL",
    },
    { field: "credentialId", file: { credentialId: "f" }, expected: "f", source: "file" },
    // refreshToken: override > LUCID_AGENT_REFRESH_TOKEN > file
    {
      field: "refreshToken",
      override: "lrt_o",
      env: { LUCID_AGENT_REFRESH_TOKEN: "lrt_e" },
      file: { refreshToken: "lrt_f" },
      expected: "lrt_o",
      source: "override",
    },
    {
      field: "refreshToken",
      env: { LUCID_AGENT_REFRESH_TOKEN: "lrt_e" },
      file: { refreshToken: "lrt_f" },
      expected: "lrt_e",
      source: "env:LUCID_AGENT_REFRESH_TOKEN",
    },
    { field: "refreshToken", file: { refreshToken: "lrt_f" }, expected: "lrt_f", source: "file" },
    // scopes: override > LUCID_AGENT_SCOPES (JSON or comma list) > file
    {
      field: "scopes",
      override: ["o"],
      env: { LUCID_AGENT_SCOPES: "a,b" },
      file: { scopes: ["f"] },
      expected: ["o"],
      source: "override",
    },
    {
      field: "scopes",
      env: { LUCID_AGENT_SCOPES: " wallet.sign , agents.read ,," },
      file: { scopes: ["f"] },
      expected: ["wallet.sign", "agents.read"],
      source: "env:LUCID_AGENT_SCOPES",
    },
    {
      field: "scopes",
      env: { LUCID_AGENT_SCOPES: '["wallet.send","wallet.send"]' },
      expected: ["wallet.send"],
      source: "env:LUCID_AGENT_SCOPES",
    },
    { field: "scopes", file: { scopes: ["f"] }, expected: ["f"], source: "file" },
  ];

  it.each(rows)("$field from $source", async ({ field, override, env, file, expected, source }) => {
    // The required fields not under test come from overrides, so they never mask the row's sources.
    const required: Record<string, string> = { agentRef: "base-agent", credentialId: "base-cred" };
    delete required[field];
    const result = await load({
      env: env ?? {},
      ...(file ? { file } : {}),
      overrides: override === undefined ? required : { ...required, [field]: override },
    });
    expect(result.config[field]).toEqual(expected);
    expect(result.sources[field]).toBe(source);
  });

  it.each([
    [
      "agentRef",
      { LUCID_AGENT_REF: "new-agent", LUCID_AGENT_AGENT_REF: "old-agent", LUCID_AGENT_CREDENTIAL: "c" },
    ],
    ["credentialId", { ...minimalEnv, LUCID_AGENT_CREDENTIAL_ID: "cred_old" }],
    [
      "baseUrl",
      { ...minimalEnv, LUCID_BASE_URL: "https://new.example", LUCID_AGENT_BASE_URL: "https://old.example" },
    ],
  ] as const)("refuses two spellings of %s set to different values, naming both", async (field, env) => {
    const error = await load({ env }).catch((caught: unknown) => caught);
    expect(isConfigurationError(error)).toBe(true);
    const { message, hint } = error as { message: string; hint: string };
    expect(message).toContain(`Conflicting ${field}`);
    const [primary, alias] = {
      agentRef: ["LUCID_AGENT_REF", "LUCID_AGENT_AGENT_REF"],
      credentialId: ["LUCID_AGENT_CREDENTIAL", "LUCID_AGENT_CREDENTIAL_ID"],
      baseUrl: ["LUCID_BASE_URL", "LUCID_AGENT_BASE_URL"],
    }[field];
    expect(message).toContain(`${primary} and ${alias}`);
    expect(hint).toContain(`Unset ${alias}`);
  });

  it("never shows a credential id in a conflict", async () => {
    const error = await load({
      env: {
        ...minimalEnv,
        LUCID_AGENT_CREDENTIAL: "cred_secret_a",
        LUCID_AGENT_CREDENTIAL_ID: "cred_secret_b",
      },
    }).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).not.toMatch(/cred_secret/);
    expect(String((error as { hint: string }).hint)).not.toMatch(/cred_secret/);
  });

  it("lets LUCID_AGENT_REF win over a leftover agent id (an id is not compared with a ref)", async () => {
    const result = await load({ env: { ...minimalEnv, LUCID_AGENT_AGENT_ID: "agt_old" } });
    expect(result.config.agentRef).toBe("env-agent");
    expect(result.sources.agentRef).toBe("env:LUCID_AGENT_REF");
  });

  it("treats empty and whitespace-only variables as unset", async () => {
    const result = await load({
      env: {
        ...minimalEnv,
        LUCID_AGENT_BASE_URL: "  ",
        LUCID_BASE_URL: "https://b.example",
        LUCID_AGENT_SCOPES: "",
      },
    });
    expect(result.config.baseUrl).toBe("https://b.example");
    expect(result.config.scopes).toBeUndefined();
  });

  it("resolves options.path (winning over LUCID_AGENT_CONFIG_PATH) and the env path relative to cwd", async () => {
    const files = {
      "/etc/lucid/agent.json": JSON.stringify({ agentRef: "from-option", credentialId: "c" }),
      [`${CWD}/conf/agent.json`]: JSON.stringify({ agentRef: "from-env", credentialId: "c" }),
    };
    const viaOption = await loadAgentRuntimeConfig({
      cwd: CWD,
      env: { LUCID_AGENT_CONFIG_PATH: "conf/agent.json" },
      path: "/etc/lucid/agent.json",
      readFile: filesystem(files),
    });
    expect(viaOption.config.agentRef).toBe("from-option");
    expect(viaOption.sourcePath).toBe("/etc/lucid/agent.json");
    const viaEnv = await loadAgentRuntimeConfig({
      cwd: CWD,
      env: { LUCID_AGENT_CONFIG_PATH: "./conf/agent.json" },
      readFile: filesystem(files),
    });
    expect(viaEnv.config.agentRef).toBe("from-env");
    expect(viaEnv.sourcePath).toBe(`${CWD}/conf/agent.json`);
  });

  it("accepts readFile returning null for a missing default file, and comma-list scopes in the file", async () => {
    const missing = await loadAgentRuntimeConfig({ cwd: CWD, env: minimalEnv, readFile: async () => null });
    expect(missing.fileConfig).toBeNull();
    const withScopes = await load({ file: { agentRef: "a", credentialId: "c", scopes: "x, y" as never } });
    expect(withScopes.config.scopes).toEqual(["x", "y"]);
  });
});

describe("loadAgentRuntimeConfig with the real file system (lazy node:fs/promises)", () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "lucid-config-"));
    await writeFile(
      join(directory, DEFAULT_CONFIG_FILENAME),
      `\uFEFF${JSON.stringify({ agentRef: "disk-agent", credentialId: "disk-cred", unknownKey: 1 })}`,
    );
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it("reads .lucid-agent.json from cwd, ignoring unknown keys and a BOM", async () => {
    const result = await loadAgentRuntimeConfig({ cwd: directory, env: {} });
    expect(result.config).toMatchObject({ agentRef: "disk-agent", credentialId: "disk-cred" });
    expect(result.sourcePath).toBe(join(directory, DEFAULT_CONFIG_FILENAME));
    expect(result.fileConfig).toEqual({ agentRef: "disk-agent", credentialId: "disk-cred" });
  });

  it("is fine without a file when no path was given", async () => {
    const result = await loadAgentRuntimeConfig({ cwd: join(directory, "nowhere"), env: minimalEnv });
    expect(result.fileConfig).toBeNull();
  });

  it("fails for a missing explicit path, naming it", async () => {
    const path = join(directory, "missing.json");
    const error = await loadAgentRuntimeConfig({ path, env: minimalEnv }).catch((caught: unknown) => caught);
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("options.path");
  });

  it("fails for an unreadable path (a directory), naming it", async () => {
    const error = await loadAgentRuntimeConfig({ path: directory, env: minimalEnv }).catch(
      (caught: unknown) => caught,
    );
    expect(isConfigurationError(error)).toBe(true);
    expect((error as Error).message).toContain(`${directory} could not be read`);
  });
});

describe("loadAgentRuntimeConfig: every bad configuration names the field, its source and the fix", () => {
  it.each<[string, Parameters<typeof load>[0], RegExp[]]>([
    [
      "missing agentRef",
      { env: { LUCID_AGENT_CREDENTIAL: "c" } },
      [/agentRef is missing/, /LUCID_AGENT_REF/, /overrides\.agentRef/],
    ],
    [
      "missing credentialId",
      { env: { LUCID_AGENT_REF: "a" } },
      [/credentialId is missing/, /LUCID_AGENT_CREDENTIAL\b/],
    ],
    [
      "a non-URL base URL from env",
      { env: { ...minimalEnv, LUCID_BASE_URL: "lucid.example" } },
      [/Invalid baseUrl from environment variable LUCID_BASE_URL/, /is not a URL/, /http\(s\) URL/],
    ],
    [
      "a non-http base URL from the file",
      { env: minimalEnv, file: { apiBaseUrl: "ftp://lucid.example" } },
      [/Invalid baseUrl from "apiBaseUrl" in \/work\/agent\/\.lucid-agent\.json/, /ftp:/],
    ],
    [
      "a base URL with credentials",
      { env: minimalEnv, overrides: { baseUrl: "https://user:hunter2@lucid.example" } },
      [/Invalid baseUrl from overrides\.baseUrl/, /credentials/],
    ],
    [
      "a non-string override",
      { env: minimalEnv, overrides: { agentRef: 42 as never } },
      [/Invalid agentRef from overrides\.agentRef: expected a string, got number/],
    ],
    [
      "an empty override",
      { env: minimalEnv, overrides: { credentialId: "  " } },
      [/Invalid credentialId from overrides\.credentialId: it is empty/],
    ],
    [
      "LUCID_AGENT_SCOPES that is broken JSON",
      { env: { ...minimalEnv, LUCID_AGENT_SCOPES: '["wallet.sign"' } },
      [/LUCID_AGENT_SCOPES is not valid JSON/, /must be a JSON array of strings or a comma-separated list/],
    ],
    [
      "LUCID_AGENT_SCOPES that is JSON but not an array of strings",
      { env: { ...minimalEnv, LUCID_AGENT_SCOPES: "[1,2]" } },
      [/LUCID_AGENT_SCOPES is a JSON value but not an array of strings/],
    ],
    [
      "a scope with whitespace",
      { env: { ...minimalEnv, LUCID_AGENT_SCOPES: '["wallet sign"]' } },
      [/Invalid scopes from environment variable LUCID_AGENT_SCOPES/, /contains whitespace/],
    ],
    [
      "more than 10 scopes",
      { env: minimalEnv, overrides: { scopes: Array.from({ length: 11 }, (_, index) => `s${index}`) } },
      [/Invalid scopes from overrides\.scopes: 11 scopes given, the server accepts at most 10/],
    ],
    [
      "non-string scopes in an override",
      { env: minimalEnv, overrides: { scopes: ["ok", 5] as never } },
      [/Invalid scopes from overrides\.scopes: entry 1 is a number/],
    ],
    [
      "malformed JSON in the file",
      { env: minimalEnv, file: "{ agentRef: " },
      [/\/work\/agent\/\.lucid-agent\.json is not valid JSON/],
    ],
    ["a JSON array in the file", { env: minimalEnv, file: "[]" }, [/must contain a JSON object/]],
    [
      "a non-string field in the file",
      { env: minimalEnv, file: { agentRef: 5 } as never },
      [/Invalid "agentRef" in \/work\/agent\/\.lucid-agent\.json: expected a string, got number/],
    ],
    [
      "non-string scopes in the file",
      { env: minimalEnv, file: { scopes: [1] } as never },
      [/Invalid "scopes" in \/work\/agent\/\.lucid-agent\.json: expected an array of strings/],
    ],
    [
      "an empty refresh token override",
      { env: minimalEnv, overrides: { refreshToken: "" } },
      [/Invalid refreshToken from overrides\.refreshToken: it is empty/],
    ],
    [
      "a missing file named by LUCID_AGENT_CONFIG_PATH",
      { env: { ...minimalEnv, LUCID_AGENT_CONFIG_PATH: "/nope/agent.json" } },
      [/\/nope\/agent\.json \(from LUCID_AGENT_CONFIG_PATH\) does not exist/],
    ],
  ])("%s", async (_name, options, patterns) => {
    const message = await loadError(options);
    for (const pattern of patterns) expect(message).toMatch(pattern);
  });

  it("never puts a refresh token or URL credentials in a message", async () => {
    const message = await loadError({
      env: { LUCID_AGENT_REFRESH_TOKEN: "lrt_super_secret_value", LUCID_AGENT_REF: "a" },
    });
    expect(message).not.toContain("lrt_super_secret_value");
    const urlMessage = await loadError({
      env: minimalEnv,
      overrides: { baseUrl: "https://user:hunter2@x.example" },
    });
    expect(urlMessage).not.toContain("hunter2");
  });

  it("reports a read failure other than ENOENT with the path", async () => {
    const message = await loadError({
      env: minimalEnv,
      readFile: async () => {
        throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      },
    });
    expect(message).toContain(`${FILE_PATH} could not be read`);
  });
});

describe("parseScopes", () => {
  it("parses JSON arrays and comma lists", () => {
    expect(parseScopes('["a","b"]')).toEqual(["a", "b"]);
    expect(parseScopes("a, b")).toEqual(["a", "b"]);
  });
});
