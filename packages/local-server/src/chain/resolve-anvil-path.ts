import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { LocalServerError } from "../local-server-error.js";

const PLATFORM_PACKAGES: Record<string, Record<string, string>> = {
  darwin: { x64: "@foundry-rs/anvil-darwin-amd64", arm64: "@foundry-rs/anvil-darwin-arm64" },
  linux: { x64: "@foundry-rs/anvil-linux-amd64", arm64: "@foundry-rs/anvil-linux-arm64" },
  win32: { x64: "@foundry-rs/anvil-win32-amd64" },
};

/** Where {@link resolveAnvilPath} looks: an explicit path, the environment, and the platform. */
export interface ResolveAnvilPathInput {
  explicit?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: string;
  arch?: string;
}

/**
 * The anvil binary to run: `explicit` (option `anvilPath`), else `LUCID_ANVIL_PATH`, else the binary of Foundry's
 * platform package for this OS and CPU (`@foundry-rs/anvil-linux-amd64`, ...), an optional dependency of this
 * package. (Depending on the platform packages directly, instead of `@foundry-rs/anvil`, avoids that package's
 * postinstall script, which is not needed and which npm warns about.)
 */
export function resolveAnvilPath(input: ResolveAnvilPathInput = {}): string {
  const override = input.explicit ?? input.env?.LUCID_ANVIL_PATH ?? process.env.LUCID_ANVIL_PATH;
  if (override) {
    if (!existsSync(override)) {
      throw new LocalServerError(
        "anvil_not_found",
        `The anvil binary ${override} does not exist; fix anvilPath / LUCID_ANVIL_PATH or unset it to use the binary of the @foundry-rs/anvil-<platform> package.`,
      );
    }
    return override;
  }
  const platform = input.platform ?? process.platform;
  const arch = input.arch ?? process.arch;
  const platformPackage = PLATFORM_PACKAGES[platform]?.[arch];
  if (!platformPackage) {
    throw new LocalServerError(
      "anvil_not_found",
      `Foundry's anvil packages ship no binary for ${platform}/${arch}; install Foundry's anvil and pass its path as anvilPath or LUCID_ANVIL_PATH.`,
    );
  }
  const binary = platform === "win32" ? "anvil.exe" : "anvil";
  try {
    const path = createRequire(import.meta.url).resolve(`${platformPackage}/bin/${binary}`);
    if (existsSync(path)) return path;
    throw new Error(`${path} is missing`);
  } catch (error) {
    throw new LocalServerError(
      "anvil_not_found",
      `Could not find the anvil binary of ${platformPackage} (${error instanceof Error ? error.message : String(error)}); reinstall with optional dependencies enabled, or pass anvilPath / LUCID_ANVIL_PATH.`,
      { cause: error },
    );
  }
}
