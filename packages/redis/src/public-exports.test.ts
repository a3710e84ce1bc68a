import { expect, it } from "vitest";
import * as entry from "./index.js";

it("keeps the public runtime exports stable (update the snapshot on purpose when the API changes)", () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_COMMAND_TIMEOUT_MS",
      "DEFAULT_LEASE_TTL_MS",
      "DEFAULT_LEASE_WAIT_MS",
      "DEFAULT_PREFIX",
      "DEFAULT_WINDOW_RETENTION_MS",
      "RedisAdapterError",
      "RedisErrorCode",
      "RedisSpendLedger",
      "RedisStorageAdapter",
      "createRedisSpendLedger",
      "createRedisStorageAdapter",
      "isRedisAdapterError",
    ]
  `);
});

it("never imports redis itself: the user's client is passed in (redis stays an optional peer)", async () => {
  const { readdir, readFile } = await import("node:fs/promises");
  const dir = new URL(".", import.meta.url);
  const sources = (await readdir(dir)).filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"));
  expect(sources.length).toBeGreaterThan(5);
  for (const name of sources) {
    const text = await readFile(new URL(name, dir), "utf8");
    expect(text, name).not.toMatch(/from "(redis|@redis\/[^"]+|ioredis)"/);
  }
});
