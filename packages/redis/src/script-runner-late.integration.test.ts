/**
 * A command that timed out is never run later: on a real redis-server frozen with SIGSTOP, a node-redis client
 * stops writing once its socket is full; the runner's command, still unwritten at its deadline, fails with
 * `redis_unavailable` and is dropped by the client, so it does not run when Redis comes back.
 */
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, requireRedis, startRedis } from "../test/redis-server.js";
import { ScriptRunner, script } from "./redis-client.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";

const run = requireRedis();
let server: RedisServer;

beforeAll(async () => {
  if (run) server = await startRedis();
});
afterAll(async () => {
  if (run) await server.stop();
});

const MARK = script("return redis.call('INCR', KEYS[1])");

describe.runIf(run)("a timed-out command never runs late", () => {
  it("drops a command still unwritten at its deadline (node-redis), while Redis is frozen", async () => {
    const client = createClient({ url: server.url, commandOptions: { timeout: 60_000 } });
    client.on("error", () => undefined);
    await client.connect();
    try {
      const runner = new ScriptRunner(client, 200, "Test");
      // a patient runner on the same client for the steps whose time does not matter (a loaded machine)
      const patient = new ScriptRunner(client, 30_000, "Test");
      expect(await patient.eval(MARK, ["warm"], [])).toBe(1); // loaded: the late EVALSHA would run
      server.pause();
      // Fill the socket: node-redis writes this one, then holds what follows until the socket drains.
      const filler = client.set("filler", "x".repeat(32 * 1024 * 1024));
      const late = await runner.eval(MARK, ["mark"], []).catch((error: unknown) => error);
      expect(isRedisAdapterError(late, RedisErrorCode.Unavailable)).toBe(true);
      expect((late as Error).message).toMatch(/no answer within 200 ms/);
      server.resume();
      expect(await filler).toBe("OK");
      // A command sent after the dropped one is answered after anything written before it.
      expect(await client.get("mark")).toBeNull();
      // Scripts run again once Redis does.
      expect(await patient.eval(MARK, ["mark"], [])).toBe(1);
    } finally {
      server.resume();
      await client.close();
    }
  });
});
