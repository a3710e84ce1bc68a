// 5. Storage cost per refresh: FileStorageAdapter (lock file + atomic write + fsync) vs MemoryStorageAdapter.
//
// What, per operation, 1000 times each (after 50 warm-up calls), in blocks of 100 interleaved between
// variants so that both adapters see the same machine noise; median and p99 in ms, and file/memory ratio:
//   - adapter:  `withLock(key, () => set(key, value))` with a real serialised token bundle as value
//   - setTokens: `TokenManager.setTokens(bundle)` (a new refresh token every time, as a rotating server does)
//   - refresh:   `TokenManager.refreshSingleFlight(() => bundle, { force: true })`: what one refresh costs
//                in storage (lock, read, write) when the server answers instantly
// The temp dir is os.tmpdir() (override with BENCH_TMPDIR); its file system type is printed, since fsync on
// tmpfs is nearly free. Afterwards the dir must hold only the data files (no lock or temp file left behind).
// Target: none set (informational).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DIST_INDEX,
  DIST_NODE,
  fmtMs,
  fmtRatio,
  header,
  median,
  percentile,
  requireBuild,
  table,
} from "./lib/report.mjs";

requireBuild();
const ITERATIONS = 1000;
const BLOCK = 100;
const WARMUP = 50;
const { MemoryStorageAdapter, TokenManager } = await import(DIST_INDEX);
// The persisted token format (internal: not on the root entry).
const { serializeTokens } = await import(
  new URL("../dist/runtime/token-serialization.js", import.meta.url).href
);
const { FileStorageAdapter } = await import(DIST_NODE);

const dir = mkdtempSync(join(process.env.BENCH_TMPDIR ?? tmpdir(), "lucid-bench-storage-"));
let fsType = "unknown";
try {
  fsType = execFileSync("stat", ["-f", "-c", "%T", dir], { encoding: "utf8" }).trim();
} catch {
  // not Linux: leave it unknown
}
header("5. storage cost per refresh: FileStorageAdapter vs MemoryStorageAdapter", [
  `${ITERATIONS} operations per variant in blocks of ${BLOCK}, interleaved; temp dir ${dir} (${fsType})`,
]);

let serial = 0;
const bundle = () => {
  serial += 1;
  return {
    accessToken: `lat_bench_access_${serial}_${"a".repeat(40)}`,
    accessTokenExpiresAt: new Date(Date.now() + 900_000),
    refreshToken: `lrt_bench_refresh_${serial}_${"r".repeat(40)}`,
    refreshTokenExpiresAt: new Date(Date.now() + 30 * 86_400_000),
    scopes: ["agents.read", "wallet.sign", "wallet.send"],
    revocationNonce: "nonce-1",
    credentialId: "cred_bench",
  };
};
const value = serializeTokens({ ...bundle(), scopes: ["agents.read", "wallet.sign"] }, Date.now());

/** The three operations on one adapter; each returns a function doing one operation. */
function variants(label, storage) {
  const key = "lucid-agent-auth:bench";
  const setter = new TokenManager({ storage, storageKey: `${key}:set` });
  const refresher = new TokenManager({ storage, storageKey: `${key}:refresh` });
  return [
    { op: "adapter withLock+set", label, run: () => storage.withLock(key, () => storage.set(key, value)) },
    { op: "TokenManager.setTokens", label, run: () => setter.setTokens(bundle()) },
    {
      op: "refreshSingleFlight (forced)",
      label,
      run: () => refresher.refreshSingleFlight(async () => bundle(), { force: true }),
    },
  ];
}

try {
  const all = [
    ...variants("file", new FileStorageAdapter({ path: join(dir, "tokens.json") })),
    ...variants("memory", new MemoryStorageAdapter()),
  ];
  for (const variant of all) {
    for (let i = 0; i < WARMUP; i++) await variant.run();
    variant.samples = [];
  }
  for (let block = 0; block < ITERATIONS / BLOCK; block++) {
    for (let i = 0; i < all.length; i++) {
      const variant = all[(block + i) % all.length];
      for (let n = 0; n < BLOCK; n++) {
        const start = performance.now();
        await variant.run();
        variant.samples.push(performance.now() - start);
      }
    }
  }

  const rows = [["", "file median", "file p99", "memory median", "memory p99", "file/memory (median)"]];
  for (const op of new Set(all.map((v) => v.op))) {
    const file = all.find((v) => v.op === op && v.label === "file").samples;
    const memory = all.find((v) => v.op === op && v.label === "memory").samples;
    rows.push([
      op,
      fmtMs(median(file)),
      fmtMs(percentile(file, 99)),
      fmtMs(median(memory)),
      fmtMs(percentile(memory, 99)),
      fmtRatio(median(file) / median(memory)),
    ]);
  }
  table(rows);
  const leftovers = readdirSync(dir).filter((name) => name !== "tokens.json");
  console.log(`   files left in the temp dir besides tokens.json: ${leftovers.join(", ") || "none"}`);
  console.log("   target: none set (informational)");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
