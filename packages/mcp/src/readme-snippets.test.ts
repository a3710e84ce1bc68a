import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

it("every README snippet type-checks against the built package", async () => {
  const readme = await readFile(join(packageDir, "README.md"), "utf8");
  const snippets = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
  expect(snippets.length).toBeGreaterThanOrEqual(3);
  // Inside the package, so `@modelcontextprotocol/sdk` and `@lucid-dreams/mcp` (its own dist) resolve as they
  // do for users.
  const dir = await mkdtemp(join(packageDir, ".readme-snippets-"));
  try {
    const files = ["prelude.d.ts"];
    await writeFile(
      join(dir, "prelude.d.ts"),
      await readFile(join(packageDir, "scripts/readme-prelude.d.ts")),
    );
    for (const [index, code] of snippets.entries()) {
      files.push(`snippet-${index}.ts`);
      await writeFile(join(dir, `snippet-${index}.ts`), `${code}\nexport {};\n`);
    }
    await writeFile(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { noEmit: true, types: ["node"], noUnusedLocals: false },
        files,
      }),
    );
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "-p", dir]).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
    );
    expect(result.stdout).toBe("");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
