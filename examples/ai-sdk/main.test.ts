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
  "the AI SDK example signs through lucidTools in a generateText loop against the embedded server (AI SDK %s)",
  async (_version, aiFlags) => {
    const script = fileURLToPath(new URL("./main.ts", import.meta.url));
    // No LUCID_* and no OpenAI key from the caller: the script starts its own server and uses its scripted model.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("LUCID_") && !key.startsWith("OPENAI_")),
    );
    const { stdout } = await run(process.execPath, [...aiFlags, "--import", "tsx", script], {
      timeout: 60_000,
      env,
    });
    expect(stdout).toContain("(LUCID_BASE_URL was not set)");
    expect(stdout).toContain("no OPENAI_API_KEY: using a scripted model");
    expect(stdout).toMatch(/^call {4}listAgents \{"limit":null\}$/m);
    expect(stdout).toMatch(/^result {2}listAgents \{"ok":true,"result":\{"agents":\[\{"ref":"demo-agent"/m);
    expect(stdout).toMatch(/^result {2}signMessage \{"ok":true,"result":\{"signature":"0x[0-9a-f]{12}…"/m);
    expect(stdout).toMatch(/^check {3}signature by 0x[0-9a-fA-F]{40} verifies: true$/m);
    expect(stdout).not.toMatch(/(lat|lrt|lot)_[A-Za-z0-9_-]{8,}/); // tokens never printed
  },
  90_000,
);
