/**
 * The script runner's deadlines and NOSCRIPT handling, on a client double that answers when the test says so
 * (the network is faked; the runner is the real one).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
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

/** `heldClient` with node-redis's `withCommandOptions`: records the options each command was sent with. */
function optionsClient() {
  const { client, calls } = heldClient();
  const sent: { abortSignal?: AbortSignal; timeout?: number }[] = [];
  const withCommandOptions = (options: { abortSignal?: AbortSignal; timeout?: number }) => ({
    ...client,
    evalSha: (sha: string, o: { arguments: unknown[] }) => {
      sent.push(options);
      return client.evalSha(sha, o);
    },
  });
  return { client: { ...client, withCommandOptions }, calls, sent };
}

const S = script("return ARGV[1]");

afterEach(() => {
  vi.useRealTimers();
});

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

  it("never fails a command before its timeout, and at most a slice (a tenth, <= 50 ms) after", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { client } = heldClient();
    const runner = new ScriptRunner(client, 1_000, "Test");
    const failedAt: number[] = [];
    const sentAt: number[] = [];
    for (let i = 0; i < 30; i += 1) {
      // commands spread over 300 ms: several slices
      sentAt.push(performance.now());
      void runner.eval(S, ["k"], [String(i)]).catch(() => (failedAt[i] = performance.now()));
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(2_000);
    expect(failedAt.filter((at) => at !== undefined)).toHaveLength(30);
    for (let i = 0; i < 30; i += 1) {
      const waited = (failedAt[i] as number) - (sentAt[i] as number);
      expect(waited).toBeGreaterThanOrEqual(1_000);
      expect(waited).toBeLessThanOrEqual(1_050);
    }
    expect(vi.getTimerCount()).toBe(0); // nothing left behind
  });

  it("shares one timer and one abort signal among the commands of a slice; the signal aborts at their deadline", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { client, calls, sent } = optionsClient();
    const runner = new ScriptRunner(client, 1_000, "Test");
    const replies = Array.from({ length: 500 }, (_, i) => runner.eval(S, ["k"], [String(i)]));
    expect(vi.getTimerCount()).toBe(1);
    expect(new Set(sent.map((options) => options.abortSignal)).size).toBe(1);
    // node-redis's own per-command timeout (an AbortSignal.timeout each) is turned off: the runner's deadline rules
    expect(sent.every((options) => "timeout" in options && options.timeout === undefined)).toBe(true);
    const signal = sent[0]?.abortSignal as AbortSignal;
    for (let i = 1; i < 500; i += 1) calls[i]?.resolve(i);
    for (let i = 1; i < 500; i += 1) expect(await replies[i]).toBe(i);
    const held = replies[0]?.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(999);
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    expect(signal.aborted).toBe(true); // node-redis drops the command if it was never written
    expect(isRedisAdapterError(await held, RedisErrorCode.Unavailable)).toBe(true);
    // the next command gets a new slice: a live signal
    void runner.eval(S, ["k"], ["next"]).catch(() => undefined);
    expect(sent.at(-1)?.abortSignal?.aborted).toBe(false);
  });

  it("clears the timer of a slice whose commands are all answered once a newer slice opens", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { client, calls } = heldClient();
    const runner = new ScriptRunner(client, 1_000, "Test");
    for (let i = 0; i < 40; i += 1) {
      const reply = runner.eval(S, ["k"], [String(i)]);
      calls[i]?.resolve(i);
      expect(await reply).toBe(i);
      await vi.advanceTimersByTimeAsync(25); // a new slice every other command
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    }
  });

  it("sends a single node-redis client's scripts with sendCommand (EVALSHA, then EVAL on NOSCRIPT), with the slice's signal", async () => {
    const sent: { args: unknown[]; options: { abortSignal?: AbortSignal; timeout?: number } }[] = [];
    const answers: ((value: unknown) => void)[] = [];
    const failures: ((error: Error) => void)[] = [];
    const client = {
      isOpen: true,
      isReady: true,
      evalSha: () => Promise.reject(new Error("not this path")),
      eval: () => Promise.reject(new Error("not this path")),
      sendCommand(args: unknown[], options: { abortSignal?: AbortSignal; timeout?: number }) {
        sent.push({ args, options });
        return new Promise((resolve, reject) => {
          answers.push(resolve);
          failures.push(reject);
        });
      },
    };
    const runner = new ScriptRunner(client, 1_000, "Test");
    const packed = Buffer.from([1, 2]);
    const reply = runner.eval(S, ["k1", "k2"], [packed, "x"]);
    expect(sent[0]?.args).toEqual(["EVALSHA", S.sha, "2", "k1", "k2", packed, "x"]);
    expect(sent[0]?.options.abortSignal).toBeInstanceOf(AbortSignal);
    expect("timeout" in (sent[0]?.options ?? {}) && sent[0]?.options.timeout === undefined).toBe(true);
    failures[0]?.(new Error("NOSCRIPT No matching script. Please use EVAL."));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent[1]?.args).toEqual(["EVAL", S.source, "2", "k1", "k2", packed, "x"]);
    answers[1]?.("ok");
    expect(await reply).toBe("ok");
  });

  it("uses evalSha for a node-redis cluster (its sendCommand takes a key first)", async () => {
    const { client, calls } = heldClient();
    const cluster = {
      ...client,
      masters: [],
      sendCommand: (_firstKey: string, _readonly: boolean, _args: unknown[], _options: unknown) =>
        Promise.reject(new Error("not this path")),
    };
    const runner = new ScriptRunner(cluster, 1_000, "Test");
    const reply = runner.eval(S, ["k"], ["a"]);
    expect(calls.map((call) => call.kind)).toEqual(["evalSha"]);
    calls[0]?.resolve("a");
    expect(await reply).toBe("a");
  });
});
