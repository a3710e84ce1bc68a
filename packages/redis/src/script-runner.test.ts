/**
 * The script runner's deadlines and NOSCRIPT handling, on a client double that answers when the test says so
 * (the network is faked; the runner is the real one).
 */
import { describe, expect, it } from "vitest";
import { ScriptRunner, script } from "./redis-client.js";
import { isRedisAdapterError, RedisErrorCode } from "./redis-error.js";

interface Call {
  readonly kind: "evalSha" | "eval";
  readonly args: unknown[];
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A node-redis-shaped client whose commands wait until the test answers them. */
function heldClient() {
  const calls: Call[] = [];
  const hold = (kind: Call["kind"], args: unknown[]) =>
    new Promise((resolve, reject) => calls.push({ kind, args, resolve, reject }));
  const client = {
    isOpen: true,
    isReady: true,
    evalSha: (_sha: string, options: { arguments: unknown[] }) => hold("evalSha", options.arguments),
    eval: (_source: string, options: { arguments: unknown[] }) => hold("eval", options.arguments),
  };
  return { client, calls };
}

const S = script("return ARGV[1]");

describe("ScriptRunner", () => {
  it("fails a command Redis never answers with a retryable redis_unavailable, and ignores its late answer", async () => {
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 20, "Test");
    const error = await runner.eval(S, ["k"], ["a"]).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(error, RedisErrorCode.Unavailable)).toBe(true);
    expect((error as { retryable?: boolean }).retryable).toBe(true);
    expect((error as Error).message).toMatch(/no answer within 20 ms/);
    calls[0]?.resolve("late"); // nothing happens: the caller was already told
    // the runner keeps working for the next command
    const next = runner.eval(S, ["k"], ["b"]);
    calls[1]?.resolve("b");
    expect(await next).toBe("b");
  });

  it("times each command out on its own: one held, the others answered in any order", async () => {
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 30, "Test");
    const held = runner.eval(S, ["k"], ["held"]).catch((caught: unknown) => caught);
    const first = runner.eval(S, ["k"], ["1"]);
    const second = runner.eval(S, ["k"], ["2"]);
    calls[2]?.resolve("2");
    calls[1]?.resolve("1");
    expect(await second).toBe("2");
    expect(await first).toBe("1");
    expect(isRedisAdapterError(await held, RedisErrorCode.Unavailable)).toBe(true);
  });

  it("answers many commands in a row without waiting for the timeout of any", async () => {
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 60_000, "Test");
    for (let i = 0; i < 2_000; i += 1) {
      const reply = runner.eval(S, ["k"], [String(i)]);
      calls[i]?.resolve(i);
      expect(await reply).toBe(i);
    }
  });

  it("sends the script with EVAL once when Redis answers NOSCRIPT, with the same arguments", async () => {
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 1_000, "Test");
    const packed = Buffer.from([1, 2, 3]);
    const reply = runner.eval(S, ["k"], [packed, "x"]);
    calls[0]?.reject(new Error("NOSCRIPT No matching script. Please use EVAL."));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((call) => call.kind)).toEqual(["evalSha", "eval"]);
    expect(calls[1]?.args).toEqual([packed, "x"]);
    calls[1]?.resolve("ok");
    expect(await reply).toBe("ok");
  });

  it("turns an error of the client into a typed error, and refuses a client that is reconnecting", async () => {
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 1_000, "Test");
    const failed = runner.eval(S, ["k"], ["a"]).catch((caught: unknown) => caught);
    calls[0]?.reject(new Error("ERR Error running script: boom"));
    expect(isRedisAdapterError(await failed, RedisErrorCode.ClientInvalid)).toBe(true);
    client.isReady = false;
    const down = await runner.eval(S, ["k"], ["a"]).catch((caught: unknown) => caught);
    expect(isRedisAdapterError(down, RedisErrorCode.Unavailable)).toBe(true);
    expect(calls).toHaveLength(1); // nothing was queued while reconnecting
  });
});
