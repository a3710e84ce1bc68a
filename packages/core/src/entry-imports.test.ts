import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));
// Static value imports and re-exports (`import type` / `export type` are erased; `import("x")` is lazy).
const STATIC = /^(?:import|export)(\s+type\b)?[^;]*?\sfrom\s+"([^"]+)";|^import\s+"([^"]+)";/gm;

/** The bare packages (`jose`, `viem`, ...) an entry loads by its static import graph. */
function packagesLoadedBy(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, typeOnly, from, bare] of readFileSync(file, "utf8").matchAll(STATIC)) {
      const specifier = from ?? bare ?? "";
      if (typeOnly) continue;
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else
        packages.add(
          specifier.startsWith("@")
            ? specifier.split("/").slice(0, 2).join("/")
            : (specifier.split("/")[0] ?? ""),
        );
    }
  };
  visit(join(SRC, entry));
  return packages;
}

it("loads jose only from the /coinbase and /privy entries, and viem from none but /tools", () => {
  const root = packagesLoadedBy("index.ts");
  expect(root.has("@lucid-dreams/sdk")).toBe(true);
  expect(root.has("jose")).toBe(false);
  expect(root.has("viem")).toBe(false);
  expect(packagesLoadedBy("node.ts").has("jose")).toBe(false);
  expect(packagesLoadedBy("tools.ts")).toContain("viem");
  expect(packagesLoadedBy("tools.ts").has("jose")).toBe(false);
  expect(packagesLoadedBy("coinbase.ts").has("jose")).toBe(true);
  expect(packagesLoadedBy("privy.ts").has("jose")).toBe(true);
});
