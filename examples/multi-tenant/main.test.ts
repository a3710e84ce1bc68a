import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

/** The example runs on AI SDK 6 (the `ai` dependency) and on AI SDK 7 (`ai7`, through ../ai7/register.mjs). */
const AI_SDK_VERSIONS: Array<[string, string[]]> = [
  ["6", []],
  ["7", ["--import", fileURLToPath(new URL("../ai7/register.mjs", import.meta.url))]],
];

it.each(AI_SDK_VERSIONS)(
  "the multi-tenant server signs each tenant's request with that tenant's own agent wallet (AI SDK %s)",
  async (_version, aiFlags) => {
    const script = fileURLToPath(new URL("./main.ts", import.meta.url));
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("LUCID_") && !key.startsWith("OPENAI_")),
    );
    const { stdout } = await run(process.execPath, [...aiFlags, "--import", "tsx", script], {
      timeout: 60_000,
      env,
    });
    expect(stdout).toContain("no OPENAI_API_KEY: using a scripted model");
    expect(stdout).toMatch(
      /tenant acme: "gm from ACME" signed by acme-agent \(0x[0-9a-fA-F]{40}\), verifies: true/,
    );
    expect(stdout).toMatch(
      /tenant globex: "gm from Globex" signed by globex-agent \(0x[0-9a-fA-F]{40}\), verifies: true/,
    );
    expect(stdout).toContain("tenant initech: HTTP 401 unknown_tenant");
    expect(stdout).toMatch(/^done/m);
    expect(stdout).not.toMatch(/(lat|lrt|lot)_[A-Za-z0-9_-]{8,}/); // tokens never printed
  },
  90_000,
);
