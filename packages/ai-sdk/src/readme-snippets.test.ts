import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** The README's TypeScript snippets: `ts` blocks (AI SDK 6) and `ts ai7` blocks (checked by compat:ai7). */
function readmeSnippets(readme: string): Array<{ code: string; ai7: boolean }> {
  return [...readme.matchAll(/```ts( ai7)?\n([\s\S]*?)```/g)].map((match) => ({
    code: match[2] ?? "",
    ai7: match[1] !== undefined,
  }));
}

it.each([
  ["AI SDK 6", 6],
  ["AI SDK 7", 7],
] as const)(
  "every README snippet type-checks against the built package and %s",
  async (_name, version) => {
    const snippets = readmeSnippets(await readFile(join(packageDir, "README.md"), "utf8"));
    expect(snippets.filter((snippet) => !snippet.ai7).length).toBeGreaterThanOrEqual(5);
    // Inside the package, so `ai` and `@lucid-dreams/ai-sdk` (its own dist) resolve as they do for users.
    const dir = await mkdtemp(join(packageDir, ".readme-snippets-"));
    try {
      const files = ["prelude.d.ts"];
      await writeFile(
        join(dir, "prelude.d.ts"),
        await readFile(join(packageDir, "scripts/readme-prelude.d.ts")),
      );
      for (const [index, snippet] of snippets.entries()) {
        if (snippet.ai7 && version === 6) continue;
        files.push(`snippet-${index}.ts`);
        await writeFile(join(dir, `snippet-${index}.ts`), snippet.code);
      }
      await writeFile(
        join(dir, "tsconfig.json"),
        JSON.stringify({
          extends: "../../../tsconfig.base.json",
          compilerOptions: {
            noEmit: true,
            types: ["node"],
            noUnusedLocals: false,
            // AI SDK 7 is the `ai7` dev dependency: every `import "ai"` (the snippets', the adapter's) resolves to it.
            ...(version === 7
              ? {
                  paths: {
                    ai: ["../node_modules/ai7/dist/index.d.ts"],
                    "ai/test": ["../node_modules/ai7/dist/test/index.d.ts"],
                  },
                }
              : {}),
          },
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
  },
  60_000,
);
