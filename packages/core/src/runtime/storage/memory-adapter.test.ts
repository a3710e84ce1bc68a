import { describe, expect, it } from "vitest";
import { createMemoryStorageAdapter, MemoryStorageAdapter } from "./memory-adapter.js";

describe("MemoryStorageAdapter", () => {
  it("stores, reads, clears and deletes values", async () => {
    const storage = createMemoryStorageAdapter();
    expect(storage).toBeInstanceOf(MemoryStorageAdapter);
    expect(await storage.get("a")).toBeNull();
    await storage.set("a", "1");
    await storage.set("b", "2");
    expect(await storage.get("a")).toBe("1");
    await storage.clear("a");
    expect(await storage.get("a")).toBeNull();
    await storage.delete("b");
    expect(await storage.get("b")).toBeNull();
    await storage.clear("missing");
  });

  it("copies object values on the way in and out", async () => {
    const storage = new MemoryStorageAdapter<{ list: number[] }>();
    const value = { list: [1] };
    await storage.set("k", value);
    value.list.push(2);
    const read = await storage.get("k");
    expect(read).toEqual({ list: [1] });
    read?.list.push(3);
    expect(await storage.get("k")).toEqual({ list: [1] });
  });

  it("withLock excludes callers of the same key and not of other keys", async () => {
    const storage = new MemoryStorageAdapter();
    const log: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = storage.withLock("k", async () => {
      log.push("first:start");
      await gate;
      log.push("first:end");
      return 1;
    });
    const second = storage.withLock("k", async () => {
      log.push("second");
      return 2;
    });
    const other = storage.withLock("other", async () => {
      log.push("other");
      return 3;
    });
    await other;
    expect(log).toEqual(["first:start", "other"]);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(["first:start", "other", "first:end", "second"]);
  });

  it("withLock releases the key when the callback throws", async () => {
    const storage = new MemoryStorageAdapter();
    await expect(
      storage.withLock("k", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await expect(storage.withLock("k", async () => "after")).resolves.toBe("after");
  });
});
