import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startAnvil } from "./anvil.js";
import { resolveAnvilPath } from "./resolve-anvil-path.js";

const dir = mkdtempSync(join(tmpdir(), "lucid-anvil-"));
function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("resolveAnvilPath", () => {
  it("finds the binary of @foundry-rs/anvil's platform package", () => {
    expect(resolveAnvilPath({ env: {} })).toMatch(
      /@foundry-rs[/\\]anvil-[a-z0-9]+-[a-z0-9]+[/\\]bin[/\\]anvil/,
    );
  });

  it("prefers the explicit path, then LUCID_ANVIL_PATH, and refuses missing files", () => {
    const fake = script("fake-anvil", "exit 0");
    expect(resolveAnvilPath({ explicit: fake })).toBe(fake);
    expect(resolveAnvilPath({ env: { LUCID_ANVIL_PATH: fake } })).toBe(fake);
    expect(() => resolveAnvilPath({ explicit: join(dir, "missing") })).toThrow(
      expect.objectContaining({ code: "anvil_not_found" }),
    );
  });

  it("explains an unsupported platform", () => {
    expect(() => resolveAnvilPath({ env: {}, platform: "aix", arch: "ppc64" })).toThrow(
      expect.objectContaining({ code: "anvil_not_found" }),
    );
  });
});

describe("startAnvil", () => {
  it.skipIf(process.platform === "win32")("starts the real anvil and stops it", async () => {
    const anvil = await startAnvil({ binaryPath: resolveAnvilPath(), chainId: 4242 });
    const ask = () =>
      fetch(anvil.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
    expect(((await (await ask()).json()) as { result: string }).result).toBe("0x1092");
    await anvil.stop();
    await anvil.stop();
    await expect(ask()).rejects.toThrow();
  });

  it("reports a missing binary as anvil_not_found", async () => {
    await expect(startAnvil({ binaryPath: join(dir, "nope"), chainId: 1 })).rejects.toMatchObject({
      code: "anvil_not_found",
    });
  });

  it.skipIf(process.platform === "win32")(
    "reports an early exit with its stderr as anvil_failed",
    async () => {
      const failing = script("failing-anvil", 'echo "boom: port in use" >&2; exit 3');
      await expect(startAnvil({ binaryPath: failing, chainId: 1 })).rejects.toMatchObject({
        code: "anvil_failed",
        message: expect.stringContaining("boom: port in use"),
      });
    },
  );

  it.skipIf(process.platform === "win32")(
    "gives up after the startup timeout and kills the process",
    async () => {
      const silent = script("silent-anvil", "exec sleep 30");
      await expect(startAnvil({ binaryPath: silent, chainId: 1, timeoutMs: 200 })).rejects.toMatchObject({
        code: "anvil_timeout",
      });
    },
  );
});
