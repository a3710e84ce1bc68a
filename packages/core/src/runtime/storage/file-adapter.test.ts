import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConfigurationError } from "../errors.js";
import { FileStorageAdapter } from "./file-adapter.js";
import { isStorageError, StorageErrorCode } from "./storage-error.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-auth-file-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;

/** The pid of a process that has exited (and, checked, is not alive again). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  await new Promise((resolve) => child.once("exit", resolve));
  if (pid === undefined) throw new Error("spawn gave no pid");
  expect(() => process.kill(pid, 0)).toThrow();
  return pid;
}

const lockJson = (info: { pid: number; hostname: string; token: string; createdAt?: string }) =>
  JSON.stringify({ createdAt: new Date().toISOString(), ...info });

describe("FileStorageAdapter: data", () => {
  it("round-trips values in a versioned JSON file", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path });
    expect(await storage.get("a")).toBeNull();
    await storage.set("a", "one");
    await storage.set("b", "two");
    expect(await storage.get("a")).toBe("one");
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ version: 1, entries: { a: "one", b: "two" } });

    const other = new FileStorageAdapter({ path });
    expect(await other.get("b")).toBe("two");
    await other.clear("a");
    await other.delete("missing");
    expect(await storage.get("a")).toBeNull();
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ version: 1, entries: { b: "two" } });
    expect((await readdir(dir)).sort()).toEqual(["tokens.json"]);
  });

  it("clears a missing key or file without creating anything", async () => {
    const nested = join(dir, "not-yet");
    const storage = new FileStorageAdapter({ path: join(nested, "tokens.json") });
    await storage.clear("k");
    await expect(stat(nested)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps keys such as __proto__ as plain data", async () => {
    const storage = new FileStorageAdapter({ path: join(dir, "t.json") });
    await storage.set("__proto__", "x");
    expect(await storage.get("__proto__")).toBe("x");
    expect(await storage.get("toString")).toBeNull();
  });

  it("creates the directory 0700 and the file 0600, and never loosens an existing directory", async () => {
    const nested = join(dir, "a", "b");
    const storage = new FileStorageAdapter({ path: join(nested, "tokens.json") });
    await storage.set("k", "v");
    expect(await mode(join(dir, "a"))).toBe(0o700);
    expect(await mode(nested)).toBe(0o700);
    expect(await mode(join(nested, "tokens.json"))).toBe(0o600);

    const shared = join(dir, "shared");
    await mkdir(shared);
    await chmod(shared, 0o755);
    const loose = join(shared, "tokens.json");
    await writeFile(loose, JSON.stringify({ version: 1, entries: {} }), { mode: 0o644 });
    await chmod(loose, 0o644);
    await new FileStorageAdapter({ path: loose }).set("k", "v");
    expect(await mode(shared)).toBe(0o755);
    expect(await mode(loose)).toBe(0o600);
  });

  it("creates the lock file 0600", async () => {
    const storage = new FileStorageAdapter({ path: join(dir, "tokens.json") });
    await storage.withLock("k", async () => {
      expect(await mode(storage.lockPath)).toBe(0o600);
      const lock = JSON.parse(await readFile(storage.lockPath, "utf8"));
      expect(lock).toMatchObject({ pid: process.pid, hostname: hostname() });
      expect(typeof lock.token).toBe("string");
      expect(Number.isNaN(Date.parse(lock.createdAt))).toBe(false);
    });
    await expect(stat(storage.lockPath)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("never shows a partial file to a concurrent reader", async () => {
    // Counts operations instead of timing them: the writer waits until the reader has completed at least one
    // read since its previous write, so reads and writes interleave on any machine, however slow. The reader
    // is always stopped and awaited before teardown removes the directory.
    const WRITES = 40;
    const path = join(dir, "tokens.json");
    const writer = new FileStorageAdapter({ path });
    await writer.set("k", "start");
    let writing = true;
    let reads = 0;
    let readerError: unknown;
    let readDone: (() => void) | undefined;
    const nextRead = () =>
      new Promise<void>((resolve) => {
        readDone = resolve;
      });
    const reader = (async () => {
      try {
        while (writing) {
          const text = await readFile(path, "utf8");
          const parsed = JSON.parse(text); // throws on a torn or empty file
          if (parsed.version !== 1 || typeof parsed.entries.k !== "string") {
            throw new Error(`unexpected file contents: ${text.slice(0, 80)}`);
          }
          reads += 1;
          readDone?.();
        }
      } catch (error) {
        readerError = error;
        readDone?.();
      }
    })();
    let readsDuringWrites = 0;
    try {
      for (let index = 0; index < WRITES && readerError === undefined; index += 1) {
        const read = nextRead();
        const before = reads;
        await writer.set("k", `${index}:${"x".repeat(20_000 + (index % 7) * 3_000)}`);
        await read;
        if (reads > before) readsDuringWrites += 1;
      }
    } finally {
      writing = false;
      await reader;
    }
    expect(readerError).toBeUndefined();
    expect(readsDuringWrites).toBe(WRITES);
    expect((await writer.get("k"))?.startsWith(`${WRITES - 1}:`)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual(["tokens.json"]);
  }, 120_000);

  it("refuses a corrupt file with a typed error naming it, and leaves it untouched", async () => {
    const path = join(dir, "tokens.json");
    await writeFile(path, '{"version":1,"entries":{"k":"v"');
    const storage = new FileStorageAdapter({ path });
    const error = await storage.get("k").catch((caught: unknown) => caught);
    expect(isStorageError(error, StorageErrorCode.Corrupt)).toBe(true);
    expect(error).toMatchObject({ path, code: "storage_corrupt" });
    expect((error as Error).message).toContain(path);
    expect((error as { hint: string }).hint).toMatch(/delete/);
    await expect(storage.set("k", "new")).rejects.toMatchObject({ code: "storage_corrupt" });
    await expect(storage.clear("k")).rejects.toMatchObject({ code: "storage_corrupt" });
    expect(await readFile(path, "utf8")).toBe('{"version":1,"entries":{"k":"v"');
  });

  it.each([
    ["empty", ""],
    ["not an object", "[]"],
    ["no version", '{"entries":{}}'],
    ["bad entries", '{"version":1,"entries":[]}'],
  ])("refuses a %s file", async (_name, text) => {
    const path = join(dir, "tokens.json");
    await writeFile(path, text);
    await expect(new FileStorageAdapter({ path }).get("k")).rejects.toMatchObject({
      code: "storage_corrupt",
      path,
    });
  });

  it("refuses a file of a newer format version, saying which one it reads", async () => {
    const path = join(dir, "tokens.json");
    await writeFile(path, '{"version":2,"entries":{}}');
    await expect(new FileStorageAdapter({ path }).get("k")).rejects.toThrow(
      /format version 2.*reads version 1/,
    );
  });

  it("turns file system errors into typed errors with the path and a hint", async () => {
    await writeFile(join(dir, "file"), "");
    const path = join(dir, "file", "tokens.json");
    const storage = new FileStorageAdapter({ path });
    const error = await storage.set("k", "v").catch((caught: unknown) => caught);
    expect(isStorageError(error, StorageErrorCode.Io)).toBe(true);
    expect((error as Error).message).toContain(join(dir, "file"));
    expect((error as { hint?: string }).hint).toBeTruthy();
    expect(await storage.get("k").catch((caught: unknown) => caught)).toMatchObject({ code: "storage_io" });
  });

  it("validates its options", () => {
    expect(() => new FileStorageAdapter({ path: "" })).toThrow(/path/);
    const error = (() => {
      try {
        new FileStorageAdapter({ path: join(dir, "x.json"), lockTimeoutMs: -1 });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isConfigurationError(error)).toBe(true);
  });
});

describe("FileStorageAdapter: locking", () => {
  it("serialises withLock callers of one process, across adapter instances", async () => {
    const path = join(dir, "tokens.json");
    const adapters = [new FileStorageAdapter({ path }), new FileStorageAdapter({ path })];
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        adapters[index % 2]!.withLock("k", async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await new Promise((resolve) => setTimeout(resolve, 2));
          runs += 1;
          active -= 1;
        }),
      ),
    );
    expect(maxActive).toBe(1);
    expect(runs).toBe(12);
  });

  it("loses no update when many writers of one process set different keys", async () => {
    const path = join(dir, "tokens.json");
    const adapters = [new FileStorageAdapter({ path }), new FileStorageAdapter({ path })];
    await Promise.all(
      Array.from({ length: 40 }, (_, index) => adapters[index % 2]!.set(`key-${index}`, `${index}`)),
    );
    const stored = JSON.parse(await readFile(path, "utf8"));
    expect(Object.keys(stored.entries)).toHaveLength(40);
  });

  it("lets set/clear inside withLock reuse the held lock, and refuses a nested withLock", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 500 });
    const other = new FileStorageAdapter({ path, lockTimeoutMs: 500 });
    const result = await storage.withLock("k", async () => {
      await storage.set("a", "1");
      await other.set("b", "2"); // another instance, same file: also reuses the held lock
      await Promise.all([storage.set("c", "3"), storage.set("d", "4")]);
      await storage.clear("a");
      await expect(storage.withLock("k", async () => "nested")).rejects.toMatchObject({
        code: StorageErrorCode.LockReentrant,
      });
      return storage.get("b");
    });
    expect(result).toBe("2");
    expect(JSON.parse(await readFile(path, "utf8")).entries).toEqual({ b: "2", c: "3", d: "4" });
  });

  it("makes a writer outside withLock wait for the holder", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path });
    const order: string[] = [];
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const held = storage.withLock("k", async () => {
      order.push("locked");
      locked();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("unlocking");
    });
    await isLocked;
    const write = storage.set("k", "v").then(() => order.push("written"));
    // Give the writer many turns of the event loop (and a read of the file): only the lock can hold it back.
    for (let turn = 0; turn < 50; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
    await storage.get("k");
    expect(order).toEqual(["locked"]);
    release();
    await Promise.all([held, write]);
    expect(order).toEqual(["locked", "unlocking", "written"]);
  });

  it("breaks a lock whose holder on this host is dead", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 2_000 });
    await writeFile(
      storage.lockPath,
      lockJson({ pid: await deadPid(), hostname: hostname(), token: "dead" }),
    );
    await storage.set("k", "v");
    expect(await storage.get("k")).toBe("v");
    expect((await readdir(dir)).sort()).toEqual(["tokens.json"]);
  });

  it("breaks a lock left by this pid with a token it does not hold (a previous run)", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 2_000 });
    await writeFile(storage.lockPath, lockJson({ pid: process.pid, hostname: hostname(), token: "old-run" }));
    await storage.set("k", "v");
    expect(await storage.get("k")).toBe("v");
  });

  it("breaks a lock that has not been refreshed for staleLockMs, even from another host", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 2_000, staleLockMs: 30_000 });
    await writeFile(storage.lockPath, lockJson({ pid: 4242, hostname: "another-host", token: "remote" }));
    const old = new Date(Date.now() - 60_000);
    await utimes(storage.lockPath, old, old);
    await storage.set("k", "v");
    expect(await storage.get("k")).toBe("v");
  });

  it("judges lock age with the injected clock", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 2_000, now: () => Date.now() + 120_000 });
    await writeFile(storage.lockPath, lockJson({ pid: 4242, hostname: "another-host", token: "remote" }));
    await storage.set("k", "v");
    expect(await storage.get("k")).toBe("v");
  });

  it("times out with a typed, retryable error while a live lock is held", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 150 });
    const lock = lockJson({ pid: 4242, hostname: "another-host", token: "live" });
    await writeFile(storage.lockPath, lock);
    const started = performance.now();
    const error = await storage.set("k", "v").catch((caught: unknown) => caught);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(isStorageError(error, StorageErrorCode.LockTimeout)).toBe(true);
    expect(error).toMatchObject({ retryable: true, path: storage.lockPath });
    expect((error as Error).message).toMatch(/pid 4242 on another-host/);
    expect(await readFile(storage.lockPath, "utf8")).toBe(lock);
    await expect(storage.withLock("k", async () => "never")).rejects.toMatchObject({
      code: "storage_lock_timeout",
    });
  });

  it("does not break a lock whose holder on this host is alive", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path, lockTimeoutMs: 100 });
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 10000)"], { stdio: "ignore" });
    try {
      await writeFile(storage.lockPath, lockJson({ pid: child.pid!, hostname: hostname(), token: "alive" }));
      await expect(storage.set("k", "v")).rejects.toMatchObject({ code: "storage_lock_timeout" });
    } finally {
      child.kill();
    }
  });

  it("releases only its own lock", async () => {
    const path = join(dir, "tokens.json");
    const storage = new FileStorageAdapter({ path });
    const foreign = lockJson({ pid: 4242, hostname: "another-host", token: "someone-else" });
    await storage.withLock("k", async () => {
      // Simulate our lock having been broken and taken by another process meanwhile.
      await writeFile(storage.lockPath, foreign);
    });
    expect(await readFile(storage.lockPath, "utf8")).toBe(foreign);
  });

  it("refreshes the lock's mtime while the holder works (heartbeat)", async () => {
    const path = join(dir, "tokens.json");
    const beats: Array<() => void> = [];
    const timers = {
      setInterval: (fn: () => void) => {
        beats.push(fn);
        return fn;
      },
      clearInterval: (handle: unknown) => {
        const index = beats.indexOf(handle as () => void);
        if (index >= 0) beats.splice(index, 1);
      },
      sleep: () => new Promise<void>((resolve) => setImmediate(resolve)),
    };
    const storage = new FileStorageAdapter({ path, staleLockMs: 60, timers });
    await storage.withLock("k", async () => {
      const old = new Date(Date.now() - 10_000);
      await utimes(storage.lockPath, old, old);
      expect(beats.length).toBe(1);
      // One heartbeat, driven by hand, then wait for its touch of the lock file to land.
      beats[0]!();
      await expect
        .poll(async () => (await stat(storage.lockPath)).mtimeMs, { interval: 5, timeout: 30_000 })
        .toBeGreaterThan(Date.now() - 5_000);
    });
    expect(beats.length).toBe(0);
  });
});

describe("FileStorageAdapter: crash recovery (injected clock and sleep)", () => {
  /** A clock that only moves when the adapter sleeps. */
  const virtualTime = () => {
    const start = Date.now();
    let slept = 0;
    return {
      get slept() {
        return slept;
      },
      now: () => start + slept,
      timers: {
        setInterval: () => 0,
        clearInterval: () => undefined,
        sleep: async (ms: number) => {
          slept += ms;
        },
      },
    };
  };

  it("recovers an empty lock file (holder killed between create and write) within 2 s", async () => {
    const path = join(dir, "tokens.json");
    const time = virtualTime();
    const storage = new FileStorageAdapter({ path, now: time.now, timers: time.timers });
    await writeFile(storage.lockPath, "");
    await storage.set("k", "v");
    expect(await storage.get("k")).toBe("v");
    expect(time.slept).toBeGreaterThanOrEqual(1_900);
    expect(time.slept).toBeLessThanOrEqual(2_000 + 400);
    expect((await readdir(dir)).sort()).toEqual(["tokens.json"]);
  });

  it("recovers a lock naming a live pid that is not a holder (reused pid) within 2 s", async () => {
    const path = join(dir, "tokens.json");
    const time = virtualTime();
    const storage = new FileStorageAdapter({ path, now: time.now, timers: time.timers });
    // our parent process is alive, but it never refreshes this lock
    await writeFile(storage.lockPath, lockJson({ pid: process.ppid, hostname: hostname(), token: "reused" }));
    await storage.set("k", "v");
    expect(time.slept).toBeLessThanOrEqual(2_000 + 400);
    expect(await storage.get("k")).toBe("v");
  });

  it("removes the residue of killed processes on the next start, and nothing of live ones", async () => {
    const path = join(dir, "tokens.json");
    await new FileStorageAdapter({ path }).set("k", "v");
    const dead = await deadPid();
    const residue = [
      `.tokens.json.${dead}.0b6c2f4e.tmp`,
      "tokens.json.lock.release-1",
      "tokens.json.lock.stale-2",
    ];
    await writeFile(join(dir, residue[0]!), "partial");
    await writeFile(join(dir, residue[1]!), lockJson({ pid: dead, hostname: hostname(), token: "a" }));
    await writeFile(join(dir, residue[2]!), lockJson({ pid: dead, hostname: hostname(), token: "b" }));
    await writeFile(join(dir, "tokens.json.lock"), lockJson({ pid: dead, hostname: hostname(), token: "c" }));
    const live = `.tokens.json.${process.pid}.live.tmp`;
    await writeFile(join(dir, live), "in progress");
    const storage = new FileStorageAdapter({ path });
    expect(await storage.get("k")).toBe("v");
    expect([...storage.residueRemoved].sort()).toEqual([...residue, "tokens.json.lock"].sort());
    expect((await readdir(dir)).sort()).toEqual([live, "tokens.json"].sort());
  });

  it("times out by the sum of its waits, not by the wall clock", async () => {
    const path = join(dir, "tokens.json");
    const time = virtualTime();
    const storage = new FileStorageAdapter({
      path,
      lockTimeoutMs: 1_000,
      staleLockMs: 60_000,
      now: time.now,
      timers: time.timers,
    });
    await writeFile(storage.lockPath, lockJson({ pid: 4242, hostname: "another-host", token: "live" }));
    await expect(storage.set("k", "v")).rejects.toMatchObject({ code: "storage_lock_timeout" });
    expect(time.slept).toBe(1_000);
  });
});
