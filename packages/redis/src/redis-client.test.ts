import { Redis, type RedisOptions } from "ioredis";
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import { CLIENT_KINDS, connectClient } from "../test/clients.js";
import { redisForFile, requireRedis } from "../test/redis-server.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";
import { RedisSpendLedger } from "./redis-spend-ledger.js";
import { RedisStorageAdapter } from "./redis-storage-adapter.js";

const run = requireRedis();
const db = redisForFile(run);

/** The error `fn` throws (or rejects with); fails the test when it does not. */
async function caught(fn: () => unknown): Promise<Error & { code: string; hint?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code: string; hint?: string };
  }
  throw new Error("expected an error");
}

const both = (client: unknown) => [
  () => new RedisStorageAdapter({ client: client as never, agentRef: "a" }),
  () => new RedisSpendLedger({ client: client as never }),
];

/** An ioredis client that never connects (no socket is opened by these tests). */
const lazy = (options: RedisOptions) => new Redis(db.server.url, { lazyConnect: true, ...options });
const safe = { enableOfflineQueue: false, autoResendUnfulfilledCommands: false } as const;

describe.runIf(run)("a misconfigured client gets a typed error with a hint", () => {
  it("refuses what is neither a node-redis nor an ioredis client", async () => {
    for (const value of [undefined, null, {}, { get() {} }, { eval() {}, evalsha() {} }, "redis://x"]) {
      for (const make of both(value)) {
        const error = await caught(make);
        expect(isRedisAdapterError(error, RedisErrorCode.ClientInvalid)).toBe(true);
        expect(error.message).toMatch(/needs a connected node-redis or ioredis client/);
        expect(error.hint).toMatch(/createClient/);
      }
    }
  });

  it("says so when handed the factory or an un-awaited connect()", async () => {
    expect((await caught(both(createClient)[0]!)).message).toMatch(/a function was given/);
    const connecting = createClient({ url: db.server.url }).connect();
    try {
      expect((await caught(both(connecting)[1]!)).message).toMatch(/a Promise was given/);
    } finally {
      await (await connecting).close();
    }
  });

  it("refuses a node-redis client that is not connected, at its first command", async () => {
    const closed = createClient({ url: db.server.url });
    const error = await caught(() => new RedisSpendLedger({ client: closed }).commit("s", "k"));
    expect(isRedisAdapterError(error, RedisErrorCode.ClientInvalid)).toBe(true);
    expect(error.message).toMatch(/not connected/);
    expect(error.hint).toMatch(/await client\.connect\(\)/);
    const storageError = await caught(() =>
      new RedisStorageAdapter({ client: closed, agentRef: "a" }).get("tokens"),
    );
    expect(storageError.code).toBe(RedisErrorCode.ClientInvalid);
  });

  it("refuses an ioredis client that would queue or resend commands (they could run after their caller gave up)", async () => {
    const cases = [
      [{}, /enableOfflineQueue\).*autoResendUnfulfilledCommands/],
      [{ enableOfflineQueue: false }, /resends unanswered commands.*autoResendUnfulfilledCommands/],
      [{ autoResendUnfulfilledCommands: false }, /queues commands while disconnected/],
    ] as const;
    for (const [options, pattern] of cases) {
      const client = lazy(options);
      for (const make of both(client)) {
        const error = await caught(make);
        expect(error.code).toBe(RedisErrorCode.ClientInvalid);
        expect(error.message).toMatch(pattern);
        expect(error.hint).toMatch(/enableOfflineQueue: false, autoResendUnfulfilledCommands: false/);
      }
    }
    expect(() => both(lazy(safe)).map((make) => make())).not.toThrow();
  });

  it("refuses an ioredis keyPrefix with braces (it would replace the per-agent hash tags)", async () => {
    for (const keyPrefix of ["{app}:", "app{", "a}"]) {
      for (const make of both(lazy({ ...safe, keyPrefix }))) {
        const error = await caught(make);
        expect(error.code).toBe(RedisErrorCode.ClientInvalid);
        expect(error.message).toMatch(/keyPrefix/);
        expect(error.hint).toMatch(/prefix/);
      }
    }
  });

  it("refuses an ioredis client not yet connected, or closed, at its first command", async () => {
    const notConnected = lazy(safe);
    const error = await caught(() => new RedisSpendLedger({ client: notConnected }).commit("s", "k"));
    expect(error.code).toBe(RedisErrorCode.ClientInvalid);
    expect(error.message).toMatch(/not connected \(status "wait"\)/);
    const closed = await connectClient("ioredis", db.server.url);
    await closed.close();
    const closedError = await caught(() =>
      new RedisStorageAdapter({ client: closed.client, agentRef: "a" }).get("tokens"),
    );
    expect(closedError.code).toBe(RedisErrorCode.ClientInvalid);
    expect(closedError.message).toMatch(/status "end"/);
  });

  it("works through an ioredis keyPrefix without braces: the keys carry both prefixes and one hash tag", async () => {
    const prefixed = await connectClient("ioredis", db.server.url, { keyPrefix: "app:" });
    try {
      const storage = new RedisStorageAdapter({ client: prefixed.client, agentRef: "kp" });
      await storage.withLock("tokens", () => storage.set("tokens", "one"));
      expect(await db.client.hGet("app:lucid:{kp}:store:tokens", "v")).toBe("one");
      expect(await db.client.exists("lucid:{kp}:store:tokens")).toBe(0);
      const ledger = new RedisSpendLedger({ client: prefixed.client });
      const limits = [{ rule: "budget", amount: 5n }];
      const reserve = (key: string) =>
        ledger.reserve({ scope: "kp", key, fingerprint: "f", items: [{ asset: "x", amount: 3n, limits }] });
      expect(await reserve("a")).toEqual({ status: "reserved" });
      expect(await reserve("b")).toMatchObject({ status: "exceeded", used: 3n });
      expect(await db.client.exists("app:lucid:ledger:{kp}:v3")).toBe(1);
    } finally {
      await prefixed.close();
    }
  });
});

describe.runIf(run).each(CLIENT_KINDS)("RESP3 (%s)", (kind) => {
  it("gives the scripts the same replies as RESP2: storage, lease, fence and ledger work", async () => {
    const resp3 = await connectClient(kind, db.server.url, { resp3: true });
    try {
      const agentRef = `resp3-${kind}`;
      const holder = new RedisStorageAdapter({ client: resp3.client, agentRef });
      const other = new RedisStorageAdapter({ client: resp3.client, agentRef });
      expect(await holder.get("tokens")).toBeNull();
      await expect(
        holder.withLock("tokens", async () => {
          await holder.set("tokens", "mine");
          await other.set("tokens", "newer");
          await holder.set("tokens", "stale");
        }),
      ).rejects.toMatchObject({ code: "storage_fenced" });
      expect(await holder.get("tokens")).toBe("newer");
      const ledger = new RedisSpendLedger({ client: resp3.client, prefix: `${agentRef}:` });
      const items = [{ asset: "x", amount: 3n, limits: [{ rule: "w", amount: 5n, windowMs: 60_000 }] }];
      expect(await ledger.reserve({ scope: "s", key: "a", fingerprint: "f", items })).toEqual({
        status: "reserved",
      });
      expect(await ledger.reserve({ scope: "s", key: "a", fingerprint: "f", items })).toEqual({
        status: "replay",
        state: "reserved",
      });
      expect(await ledger.reserve({ scope: "s", key: "b", fingerprint: "f", items })).toMatchObject({
        status: "exceeded",
        used: 3n,
      });
    } finally {
      await resp3.close();
    }
  });
});

describe.runIf(run).each(CLIENT_KINDS)("many commands in flight (%s)", (kind) => {
  it("sends 200 at once with no process warning (one abort signal serves a slice's commands)", async () => {
    const connected = await connectClient(kind, db.server.url);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const ledger = new RedisSpendLedger({ client: connected.client, prefix: `inflight-${kind}:` });
      const limits = [{ rule: "total", amount: 150n }];
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          ledger.reserve({
            scope: "s",
            key: `k${i}`,
            fingerprint: "f",
            items: [{ asset: "x", amount: 1n, limits }],
          }),
        ),
      );
      expect(answers.filter((answer) => answer.status === "reserved")).toHaveLength(150);
      // a warning is emitted on the next tick after the listener that passed the limit was added
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      await connected.close();
    }
  });
});
