import { describe, expect, it } from "vitest";
import { createKeyedMutex } from "./keyed-mutex.js";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("createKeyedMutex", () => {
  it("runs tasks of one key one after the other", async () => {
    const mutex = createKeyedMutex();
    const order: string[] = [];
    const gate = deferred();
    const first = mutex.run("a", async () => {
      order.push("first:start");
      await gate.promise;
      order.push("first:end");
      return 1;
    });
    const second = mutex.run("a", async () => {
      order.push("second");
      return 2;
    });
    await Promise.resolve();
    expect(order).toEqual(["first:start"]);
    gate.resolve();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(order).toEqual(["first:start", "first:end", "second"]);
  });

  it("runs tasks of different keys concurrently", async () => {
    const mutex = createKeyedMutex();
    const gate = deferred();
    const order: string[] = [];
    const a = mutex.run("a", async () => {
      await gate.promise;
      order.push("a");
    });
    const b = mutex.run("b", async () => {
      order.push("b");
    });
    await b;
    expect(order).toEqual(["b"]);
    gate.resolve();
    await a;
  });

  it("keeps going after a task fails", async () => {
    const mutex = createKeyedMutex();
    const failed = mutex.run("a", async () => {
      throw new Error("boom");
    });
    const next = mutex.run("a", async () => "ok");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ok");
  });
});
