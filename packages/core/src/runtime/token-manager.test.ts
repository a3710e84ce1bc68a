import { describe, expect, it, vi } from "vitest";
import { isConfigurationError } from "./errors.js";
import { MemoryStorageAdapter } from "./storage/memory-adapter.js";
import { StorageError, StorageErrorCode } from "./storage/storage-error.js";
import type { StorageAdapter } from "./storage/types.js";
import { DEFAULT_TOKEN_STORAGE_KEY, TokenManager, type TokenManagerOptions } from "./token-manager.js";
import { isTokenManagerError, TokenManagerError, TokenManagerErrorCode } from "./token-manager-error.js";
import { serializeTokens } from "./token-serialization.js";
import type { TokenBundleInput, TokenSnapshot } from "./token-types.js";

const MINUTE = 60_000;
const T0 = Date.parse("2025-01-01T12:00:00.000Z");

/** A bundle issued at `issuedAt`, whose access token lives `lifetimeMs`. */
const bundle = (
  name: string,
  issuedAt = T0,
  lifetimeMs = 15 * MINUTE,
  extra: Partial<TokenSnapshot> = {},
): TokenSnapshot => ({
  accessToken: `access-${name}`,
  accessTokenExpiresAt: new Date(issuedAt + lifetimeMs),
  refreshToken: `refresh-${name}`,
  refreshTokenExpiresAt: new Date(issuedAt + 30 * 24 * 60 * MINUTE),
  scopes: ["wallet.sign"],
  revocationNonce: "nonce-1",
  credentialId: "cred-1",
  ...extra,
});

const clock = (start = T0) => {
  const state = { now: start };
  return Object.assign(state, { fn: () => state.now });
};

const manager = (options: TokenManagerOptions & { at?: { fn: () => number } } = {}) =>
  new TokenManager({ now: options.at?.fn ?? (() => T0), ...options });

const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

const rejection = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as TokenManagerError;
  }
  throw new Error("expected a rejection");
};

describe("TokenManager: holding tokens", () => {
  it("persists, holds and hands out tokens", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    expect(tokens.getSnapshot()).toBeNull();
    expect(tokens.getCachedAccessToken()).toBeNull();
    expect(tokens.peekValidAccessToken()).toBeNull();

    const returned = await tokens.setTokens(bundle("a"));
    expect(returned.accessToken).toBe("access-a");
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    expect(tokens.peekValidRefreshToken()).toBe("refresh-a");
    expect(tokens.getSnapshot()).toEqual({ ...bundle("a") });
    const stored = await storage.get(DEFAULT_TOKEN_STORAGE_KEY);
    expect(JSON.parse(stored!)).toMatchObject({
      v: 1,
      accessToken: "access-a",
      savedAt: new Date(T0).toISOString(),
    });

    const cached = tokens.getCachedAccessToken();
    expect(cached).toEqual({
      token: "access-a",
      expiresAt: new Date(T0 + 15 * MINUTE),
      scopes: ["wallet.sign"],
      refreshToken: "refresh-a",
      refreshTokenExpiresAt: bundle("a").refreshTokenExpiresAt,
      revocationNonce: "nonce-1",
    });
    // Built once per token set: the hot path allocates nothing.
    expect(tokens.getCachedAccessToken()).toBe(cached);
    expect(Object.isFrozen(cached)).toBe(true);

    // Copies: callers cannot change what the manager holds.
    returned.scopes.push("x");
    tokens.getSnapshot()!.accessTokenExpiresAt.setTime(0);
    expect(tokens.getSnapshot()).toEqual({ ...bundle("a") });
  });

  it("accepts ISO strings and missing optional fields", async () => {
    const tokens = manager();
    const snapshot = await tokens.setTokens({
      accessToken: "a",
      accessTokenExpiresAt: "2025-01-01T12:15:00Z",
      refreshToken: "r",
      refreshTokenExpiresAt: "2025-02-01T12:00:00.000Z",
    });
    expect(snapshot).toEqual({
      accessToken: "a",
      accessTokenExpiresAt: new Date("2025-01-01T12:15:00Z"),
      refreshToken: "r",
      refreshTokenExpiresAt: new Date("2025-02-01T12:00:00.000Z"),
      scopes: [],
      revocationNonce: null,
      credentialId: null,
    });
  });

  it.each([
    ["no access token", { accessToken: "" }],
    ["no refresh token", { refreshToken: undefined }],
    ["an unparseable expiry", { accessTokenExpiresAt: "soon" }],
    ["an invalid Date", { refreshTokenExpiresAt: new Date(Number.NaN) }],
    ["bad scopes", { scopes: "wallet.sign" }],
    ["a numeric nonce", { revocationNonce: 7 }],
  ])("refuses a bundle with %s (invalid_tokens) and keeps the held tokens", async (_name, change) => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    await tokens.setTokens(bundle("a"));
    const error = await rejection(
      tokens.setTokens({ ...bundle("b"), ...change } as unknown as TokenBundleInput),
    );
    expect(isTokenManagerError(error, TokenManagerErrorCode.InvalidTokens)).toBe(true);
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    expect(JSON.parse((await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!).accessToken).toBe("access-a");
  });

  it("validates its options", () => {
    for (const refreshLeadTimeMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TokenManager({ refreshLeadTimeMs })).toThrow(
        expect.objectContaining({ code: "configuration_error" }),
      );
    }
    const error = (() => {
      try {
        new TokenManager({ storageKey: "" });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isConfigurationError(error)).toBe(true);
    expect(new TokenManager({ storageKey: "k" }).storageKey).toBe("k");
  });
});

describe("TokenManager: refresh window", () => {
  it("counts a token as valid until expiresAt - refreshLeadTimeMs", async () => {
    const at = clock();
    const tokens = manager({ at });
    await tokens.setTokens(bundle("a", T0, 15 * MINUTE));
    at.now = T0 + 15 * MINUTE - 30_001;
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    at.now = T0 + 15 * MINUTE - 30_000;
    expect(tokens.peekValidAccessToken()).toBeNull();
    expect(tokens.getCachedAccessToken()).toBeNull();
    expect(tokens.getSnapshot()?.accessToken).toBe("access-a");
  });

  it("clamps the lead to half the lifetime, so a 2 s token is usable for 1 s", async () => {
    const at = clock();
    const tokens = manager({ at, refreshLeadTimeMs: 30_000 });
    await tokens.setTokens(bundle("short", T0, 2_000));
    expect(tokens.peekValidAccessToken()).toBe("access-short");
    at.now = T0 + 999;
    expect(tokens.getCachedAccessToken()?.token).toBe("access-short");
    at.now = T0 + 1_000;
    expect(tokens.getCachedAccessToken()).toBeNull();
  });

  it("honours a lead of 0 with a skew of 0", async () => {
    const at = clock();
    const tokens = manager({ at, refreshLeadTimeMs: 0, accessTokenSkewMs: 0 });
    await tokens.setTokens(bundle("a", T0, MINUTE));
    at.now = T0 + MINUTE - 1;
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    at.now = T0 + MINUTE;
    expect(tokens.peekValidAccessToken()).toBeNull();
  });

  it("never hands out a token inside its skew margin, even with a lead of 0 (it would expire in flight)", async () => {
    const at = clock();
    const tokens = manager({ at, refreshLeadTimeMs: 0 });
    await tokens.setTokens(bundle("a", T0, MINUTE));
    at.now = T0 + MINUTE - 5_001;
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    at.now = T0 + MINUTE - 5_000;
    expect(tokens.peekValidAccessToken()).toBeNull();
    expect(tokens.getCachedAccessToken()).toBeNull();
    // a 2 s token keeps its last quarter (500 ms) as margin
    await tokens.setTokens(bundle("b", at.now, 2_000));
    const issued = at.now;
    at.now = issued + 1_499;
    expect(tokens.peekValidAccessToken()).toBe("access-b");
    at.now = issued + 1_500;
    expect(tokens.peekValidAccessToken()).toBeNull();
  });

  it("reports the refresh token as unusable once it expired", async () => {
    const at = clock();
    const tokens = manager({ at });
    await tokens.setTokens(bundle("a"));
    at.now = bundle("a").refreshTokenExpiresAt.getTime();
    expect(tokens.peekValidRefreshToken()).toBeNull();
  });
});

describe("TokenManager: persist before hand-out", () => {
  it("keeps the old tokens and throws storage_failure when the write fails", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    await tokens.setTokens(bundle("old"));
    const cause = new Error("disk on fire");
    vi.spyOn(storage, "set").mockRejectedValueOnce(cause);
    const error = await rejection(tokens.setTokens(bundle("new")));
    expect(error).toBeInstanceOf(TokenManagerError);
    expect(error.code).toBe(TokenManagerErrorCode.StorageFailure);
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("disk on fire");
    expect(tokens.peekValidAccessToken()).toBe("access-old");
    expect(JSON.parse((await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!).accessToken).toBe("access-old");
    // The failed bundle's refresh token was never held, so it is not treated as a replay later.
    await tokens.setTokens(bundle("new"));
    expect(tokens.peekValidAccessToken()).toBe("access-new");
  });

  it("hands out the old access token until the new bundle is durable", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    await tokens.setTokens(bundle("old"));
    const write = deferred();
    const realSet = storage.set.bind(storage);
    vi.spyOn(storage, "set").mockImplementationOnce(async (key, value) => {
      await write.promise;
      await realSet(key, value);
    });
    const pending = tokens.setTokens(bundle("new"));
    for (let index = 0; index < 20; index += 1) await Promise.resolve();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(tokens.getCachedAccessToken()?.token).toBe("access-old");
    expect(tokens.peekValidAccessToken()).toBe("access-old");
    write.resolve();
    await pending;
    expect(tokens.peekValidAccessToken()).toBe("access-new");
  });

  it("keeps a storage adapter's hint and retryable flag", async () => {
    const storage = new MemoryStorageAdapter();
    const failure = new StorageError(StorageErrorCode.LockTimeout, "Timed out", {
      retryable: true,
      hint: "wait",
    });
    vi.spyOn(storage, "set").mockRejectedValueOnce(failure);
    const error = await rejection(manager({ storage }).setTokens(bundle("a")));
    expect(error).toMatchObject({ code: "storage_failure", hint: "wait", retryable: true, cause: failure });
  });
});

describe("TokenManager: a refresh whose write is fenced", () => {
  const fencedStorage = () => {
    const storage = new MemoryStorageAdapter();
    const realSet = storage.set.bind(storage);
    // A newer writer (another worker writing back what it kept through an outage) stores first; ours is refused.
    const set = vi.spyOn(storage, "set").mockImplementationOnce(async (key) => {
      await realSet(key, serializeTokens(bundle("newer-writer", T0 + MINUTE), T0 + MINUTE));
      throw new StorageError(StorageErrorCode.Fenced, "A newer writer already stored it.");
    });
    return { storage, set };
  };

  it("re-reads the storage and adopts the newer writer's valid tokens, leaving them stored", async () => {
    const { storage, set } = fencedStorage();
    const at = clock(T0 + MINUTE);
    const tokens = manager({ storage, at });
    const refresh = vi.fn(async () => bundle("fresh", T0 + MINUTE));
    // The first read finds nothing; the newer writer stores while this refresh runs.
    const snapshot = await tokens.refreshSingleFlight(refresh);
    expect(refresh).toHaveBeenCalledOnce();
    expect(set).toHaveBeenCalledOnce();
    expect(snapshot.accessToken).toBe("access-newer-writer");
    expect(tokens.peekValidAccessToken()).toBe("access-newer-writer");
    expect(JSON.parse((await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!).accessToken).toBe(
      "access-newer-writer",
    );
  });

  it("holds its refreshed tokens in memory when the newer writer's are no longer valid", async () => {
    const storage = new MemoryStorageAdapter();
    const realSet = storage.set.bind(storage);
    vi.spyOn(storage, "set").mockImplementationOnce(async (key) => {
      // e.g. tokens another worker kept through a Redis outage, already expired when written back
      await realSet(key, serializeTokens(bundle("stale", T0, 2_000), T0));
      throw new StorageError(StorageErrorCode.Fenced, "A newer writer already stored it.");
    });
    const warn = vi.fn();
    const at = clock(T0 + MINUTE);
    const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
    const tokens = manager({ storage, at, logger });
    const snapshot = await tokens.refreshSingleFlight(async () => bundle("fresh", T0 + MINUTE));
    expect(snapshot.accessToken).toBe("access-fresh");
    expect(tokens.peekValidAccessToken()).toBe("access-fresh");
    // The newer writer's value is left in storage, untouched.
    expect(JSON.parse((await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!).accessToken).toBe("access-stale");
    expect(warn).toHaveBeenCalledWith(
      { event: "agent_auth.tokens_not_persisted", code: "storage_fenced" },
      expect.any(String),
    );
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/access-|refresh-/);
  });

  it("still throws for a fenced setTokens and for any other failed write of a refresh", async () => {
    const { storage } = fencedStorage();
    const tokens = manager({ storage });
    expect(await rejection(tokens.setTokens(bundle("a")))).toMatchObject({
      code: "storage_failure",
      cause: { code: "storage_fenced" },
    });
    expect(tokens.peekValidAccessToken()).toBeNull();
    const down = new MemoryStorageAdapter();
    vi.spyOn(down, "set").mockRejectedValueOnce(
      new StorageError(StorageErrorCode.Unavailable, "down", { retryable: true }),
    );
    const error = await rejection(manager({ storage: down }).refreshSingleFlight(async () => bundle("b")));
    expect(error).toMatchObject({ code: "storage_failure", cause: { code: "storage_unavailable" } });
  });
});

describe("TokenManager: hydrate and reloadFromStorage", () => {
  it("hydrates stored tokens, using savedAt for the refresh window", async () => {
    const storage = new MemoryStorageAdapter();
    // Saved 500 ms after issue with a 2 s lifetime: valid until savedAt + 750 ms.
    await storage.set(DEFAULT_TOKEN_STORAGE_KEY, serializeTokens({ ...bundle("a", T0, 2_000) }, T0 + 500));
    const at = clock(T0 + 1_000);
    const tokens = manager({ storage, at });
    const snapshot = await tokens.hydrate();
    expect(snapshot?.accessToken).toBe("access-a");
    expect(tokens.peekValidAccessToken()).toBe("access-a");
    at.now = T0 + 1_250;
    expect(tokens.peekValidAccessToken()).toBeNull();
  });

  it("holds hydrated tokens whose access token expired (the refresh token may still work)", async () => {
    const storage = new MemoryStorageAdapter();
    await storage.set(DEFAULT_TOKEN_STORAGE_KEY, serializeTokens({ ...bundle("a") }, T0));
    const tokens = manager({ storage, at: clock(T0 + 60 * MINUTE) });
    expect((await tokens.hydrate())?.refreshToken).toBe("refresh-a");
    expect(tokens.peekValidAccessToken()).toBeNull();
    expect(tokens.peekValidRefreshToken()).toBe("refresh-a");
  });

  it("returns null for empty storage and surfaces corrupt or unsupported records", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    expect(await tokens.hydrate()).toBeNull();
    await storage.set(DEFAULT_TOKEN_STORAGE_KEY, "{oops");
    const corrupt = await rejection(tokens.hydrate());
    expect(corrupt.code).toBe(TokenManagerErrorCode.CorruptStorage);
    expect(corrupt.message).toContain(`storage key "${DEFAULT_TOKEN_STORAGE_KEY}"`);
    await storage.set(DEFAULT_TOKEN_STORAGE_KEY, JSON.stringify({ v: 9 }));
    expect((await rejection(tokens.hydrate())).code).toBe(TokenManagerErrorCode.UnsupportedFormat);
    expect(tokens.getSnapshot()).toBeNull();
  });

  it("maps storage read failures, and a corrupt storage file, to typed errors", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    vi.spyOn(storage, "get").mockRejectedValueOnce(new Error("EIO"));
    expect(await rejection(tokens.hydrate())).toMatchObject({ code: "storage_failure" });
    const fileCorrupt = new StorageError(StorageErrorCode.Corrupt, "The storage file /x is corrupt", {
      hint: "delete /x",
    });
    vi.spyOn(storage, "get").mockRejectedValueOnce(fileCorrupt);
    expect(await rejection(tokens.hydrate())).toMatchObject({ code: "corrupt_storage", hint: "delete /x" });
  });

  it("reloadFromStorage adopts tokens another process stored, and returns null when nothing changed", async () => {
    const storage = new MemoryStorageAdapter();
    const changes: string[] = [];
    const mine = manager({
      storage,
      onTokensChanged: (s, source) => changes.push(`${source}:${s?.accessToken}`),
    });
    const theirs = manager({ storage });
    await mine.setTokens(bundle("a"));
    expect(await mine.reloadFromStorage()).toBeNull();
    await theirs.setTokens(bundle("b"));
    expect((await mine.reloadFromStorage())?.accessToken).toBe("access-b");
    expect(mine.peekValidAccessToken()).toBe("access-b");
    expect(await mine.reloadFromStorage()).toBeNull();
    expect(changes).toEqual(["set:access-a", "storage:access-b"]);
    await storage.clear(DEFAULT_TOKEN_STORAGE_KEY);
    expect(await mine.reloadFromStorage()).toBeNull();
    expect(mine.peekValidAccessToken()).toBe("access-b");
  });

  it("never lets what was read before a setTokens overwrite it", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    await tokens.setTokens(bundle("a"));
    await manager({ storage }).setTokens(bundle("b"));
    const read = deferred<string | null>();
    const realGet = storage.get.bind(storage);
    vi.spyOn(storage, "get").mockImplementationOnce(async (key) => {
      const value = await realGet(key);
      await read.promise;
      return value; // "b", read before the setTokens("c") below completed
    });
    const reload = tokens.reloadFromStorage();
    await tokens.setTokens(bundle("c"));
    read.resolve(null);
    expect(await reload).toBeNull();
    expect(tokens.peekValidAccessToken()).toBe("access-c");
  });
});

describe("TokenManager: replay guard and revocation nonce", () => {
  it("refuses a refresh token that was already used and replaced in this process", async () => {
    const tokens = manager();
    await tokens.setTokens(bundle("a"));
    await tokens.setTokens(bundle("b"));
    const error = await rejection(tokens.setTokens(bundle("a")));
    expect(isTokenManagerError(error, TokenManagerErrorCode.ReplayedRefreshToken)).toBe(true);
    expect(error.message).not.toContain("refresh-a");
    expect(tokens.peekValidAccessToken()).toBe("access-b");
  });

  it("allows a new access token with the same refresh token (no rotation)", async () => {
    const tokens = manager();
    await tokens.setTokens(bundle("a"));
    await tokens.setTokens({ ...bundle("a"), accessToken: "access-a2" });
    expect(tokens.peekValidAccessToken()).toBe("access-a2");
  });

  it("ignores stored tokens carrying a retired refresh token", async () => {
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage });
    await tokens.setTokens(bundle("a"));
    const stale = (await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!;
    await tokens.setTokens(bundle("b"));
    await storage.set(DEFAULT_TOKEN_STORAGE_KEY, stale);
    expect(await tokens.reloadFromStorage()).toBeNull();
    expect((await tokens.hydrate())?.accessToken).toBe("access-b");
    expect(tokens.peekValidAccessToken()).toBe("access-b");
  });

  it("reports a revocation nonce change and accepts the bundle", async () => {
    const onRevocationNonceChange = vi.fn();
    const warn = vi.fn();
    const logger = { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() };
    const tokens = manager({ onRevocationNonceChange, logger });
    await tokens.setTokens(bundle("a"));
    await tokens.setTokens(bundle("b"));
    expect(onRevocationNonceChange).not.toHaveBeenCalled();
    await tokens.setTokens(bundle("c", T0, 15 * MINUTE, { revocationNonce: "nonce-2" }));
    expect(onRevocationNonceChange).toHaveBeenCalledExactlyOnceWith({
      previous: "nonce-1",
      next: "nonce-2",
      credentialId: "cred-1",
    });
    expect(tokens.peekValidAccessToken()).toBe("access-c");
    expect(JSON.stringify(warn.mock.calls)).not.toMatch(/access-|refresh-|nonce-/);
    await tokens.setTokens(bundle("d", T0, 15 * MINUTE, { revocationNonce: null }));
    expect(onRevocationNonceChange).toHaveBeenCalledOnce();
  });

  it("survives a throwing callback", async () => {
    const tokens = manager({
      onTokensChanged: () => {
        throw new Error("listener bug");
      },
    });
    await tokens.setTokens(bundle("a"));
    expect(tokens.peekValidAccessToken()).toBe("access-a");
  });
});

describe("TokenManager: single flight", () => {
  it("runs fn once for 1000 concurrent callers and shares its result", async () => {
    const tokens = manager();
    const gate = deferred();
    const fn = vi.fn(async () => {
      await gate.promise;
      return "result";
    });
    const calls = Array.from({ length: 1000 }, () => tokens.withRefreshLock(fn));
    gate.resolve();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(["result"]));
    expect(fn).toHaveBeenCalledOnce();
    await tokens.withRefreshLock(fn);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it("shares a failure with every waiter, then lets the next call run", async () => {
    const tokens = manager();
    const fn = vi.fn(async () => {
      throw new Error("refresh down");
    });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => tokens.withRefreshLock(fn)));
    expect(results.every((result) => result.status === "rejected")).toBe(true);
    expect(fn).toHaveBeenCalledOnce();
    await expect(tokens.withRefreshLock(async () => "ok")).resolves.toBe("ok");
  });

  it("runs fn inside storage.withLock when the storage has one, and types lock failures", async () => {
    const storage = new MemoryStorageAdapter();
    const withLock = vi.spyOn(storage, "withLock");
    const tokens = manager({ storage });
    await tokens.withRefreshLock(async () => "x");
    expect(withLock).toHaveBeenCalledWith(DEFAULT_TOKEN_STORAGE_KEY, expect.any(Function));
    withLock.mockRejectedValueOnce(
      new StorageError(StorageErrorCode.LockTimeout, "Timed out", { retryable: true }),
    );
    expect(await rejection(tokens.withRefreshLock(async () => "x"))).toMatchObject({
      code: "storage_failure",
      retryable: true,
    });
    const own = new Error("from fn");
    expect(await rejection(tokens.withRefreshLock(async () => Promise.reject(own)))).toBe(own);
  });

  it("works with a storage without withLock", async () => {
    const map = new Map<string, string>();
    const storage: StorageAdapter<string> = {
      get: async (key) => map.get(key) ?? null,
      set: async (key, value) => void map.set(key, value),
      clear: async (key) => void map.delete(key),
    };
    const at = clock();
    const tokens = manager({ storage, at });
    await tokens.setTokens(bundle("a"));
    at.now = T0 + 20 * MINUTE;
    const refresh = vi.fn(async () => bundle("b", at.now));
    await Promise.all([tokens.refreshSingleFlight(refresh), tokens.refreshSingleFlight(refresh)]);
    expect(refresh).toHaveBeenCalledOnce();
    expect(tokens.peekValidAccessToken()).toBe("access-b");
  });
});

describe("TokenManager: refreshSingleFlight", () => {
  it("refreshes an expired token once for all callers, passing the current snapshot", async () => {
    const at = clock();
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage, at });
    await tokens.setTokens(bundle("a"));
    at.now = T0 + 15 * MINUTE;
    const refresh = vi.fn(async (current: TokenSnapshot | null) => {
      expect(current?.refreshToken).toBe("refresh-a");
      return bundle("b", at.now);
    });
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.refreshSingleFlight(refresh)));
    expect(refresh).toHaveBeenCalledOnce();
    expect(results.map((snapshot) => snapshot.accessToken)).toEqual(Array(50).fill("access-b"));
    expect(JSON.parse((await storage.get(DEFAULT_TOKEN_STORAGE_KEY))!).accessToken).toBe("access-b");
  });

  it("returns a still-valid token without refreshing, unless forced", async () => {
    const at = clock();
    const tokens = manager({ at });
    await tokens.setTokens(bundle("a"));
    const refresh = vi.fn(async () => bundle("b", at.now));
    expect((await tokens.refreshSingleFlight(refresh)).accessToken).toBe("access-a");
    expect(refresh).not.toHaveBeenCalled();
    expect((await tokens.refreshSingleFlight(refresh, { force: true })).accessToken).toBe("access-b");
    expect(refresh).toHaveBeenCalledOnce();
  });

  it("calls refresh with null when no tokens exist", async () => {
    const tokens = manager();
    const refresh = vi.fn(async () => bundle("first"));
    expect((await tokens.refreshSingleFlight(refresh)).accessToken).toBe("access-first");
    expect(refresh).toHaveBeenCalledWith(null);
  });

  it("adopts tokens another process refreshed instead of refreshing again", async () => {
    const at = clock();
    const storage = new MemoryStorageAdapter();
    const first = manager({ storage, at });
    const second = manager({ storage, at });
    await first.setTokens(bundle("a"));
    await second.hydrate();
    at.now = T0 + 15 * MINUTE;
    const refresh = vi.fn(async () => bundle(`b${refresh.mock.calls.length}`, at.now));
    const [one, two] = await Promise.all([
      first.refreshSingleFlight(refresh),
      second.refreshSingleFlight(refresh),
    ]);
    expect(refresh).toHaveBeenCalledOnce();
    expect(one.accessToken).toBe(two.accessToken);
    expect(first.peekValidAccessToken()).toBe(second.peekValidAccessToken());
  });

  it("adopts a stored token on force too, when another process already rotated", async () => {
    const at = clock();
    const storage = new MemoryStorageAdapter();
    const mine = manager({ storage, at });
    await mine.setTokens(bundle("a"));
    await manager({ storage, at }).setTokens(bundle("b"));
    const refresh = vi.fn(async () => bundle("c"));
    expect((await mine.refreshSingleFlight(refresh, { force: true })).accessToken).toBe("access-b");
    expect(refresh).not.toHaveBeenCalled();
  });

  it("refreshes with the stored refresh token when another process rotated but its access token expired", async () => {
    const at = clock();
    const storage = new MemoryStorageAdapter();
    const mine = manager({ storage, at });
    await mine.setTokens(bundle("a"));
    await manager({ storage, at }).setTokens(bundle("b"));
    at.now = T0 + 15 * MINUTE;
    const refresh = vi.fn(async (current: TokenSnapshot | null) => {
      expect(current?.refreshToken).toBe("refresh-b");
      return bundle("c", at.now);
    });
    expect((await mine.refreshSingleFlight(refresh)).accessToken).toBe("access-c");
  });

  it("rethrows refresh errors unchanged and keeps the held tokens", async () => {
    const at = clock();
    const tokens = manager({ at });
    await tokens.setTokens(bundle("a"));
    at.now = T0 + 15 * MINUTE;
    const failure = new Error("401");
    expect(await rejection(tokens.refreshSingleFlight(async () => Promise.reject(failure)))).toBe(failure);
    expect(tokens.getSnapshot()?.accessToken).toBe("access-a");
  });
});

describe("TokenManager: scheduleRefresh", () => {
  const fakeTimers = () => {
    type Fake = { callback: () => void; delay: number; unref: () => void; cleared: boolean; fired: boolean };
    const timers: Fake[] = [];
    const setTimer = (callback: () => void, delay: number) => {
      const timer: Fake = {
        callback: () => {
          timer.fired = true;
          callback();
        },
        delay,
        unref: vi.fn(),
        cleared: false,
        fired: false,
      };
      timers.push(timer);
      return timer;
    };
    const clearTimer = (handle: unknown) => {
      (handle as Fake).cleared = true;
    };
    /** Timers neither cleared nor fired. */
    const armed = () => timers.filter((timer) => !timer.cleared && !timer.fired);
    return { timers, setTimer, clearTimer, armed };
  };

  it("fires at expiresAt - lead, unref'd, and re-arms after each refresh", async () => {
    const at = clock();
    const fake = fakeTimers();
    const tokens = manager({ at, setTimer: fake.setTimer, clearTimer: fake.clearTimer });
    await tokens.setTokens(bundle("a", T0, 15 * MINUTE));
    const trigger = vi.fn(async () => bundle(`r${trigger.mock.calls.length}`, at.now, 10 * MINUTE));
    tokens.scheduleRefresh(trigger);
    expect(fake.timers).toHaveLength(1);
    expect(fake.timers[0]!.delay).toBe(15 * MINUTE - 30_000);
    expect(fake.timers[0]!.unref).toHaveBeenCalledOnce();

    at.now = T0 + 15 * MINUTE - 30_000;
    fake.timers[0]!.callback();
    await vi.waitFor(() => expect(tokens.peekValidAccessToken()).toBe("access-r1"));
    expect(trigger).toHaveBeenCalledOnce();
    const next = fake.armed().at(-1)!;
    expect(next.delay).toBe(10 * MINUTE - 30_000);
    expect(next.unref).toHaveBeenCalled();
  });

  it("re-arms when tokens are set from elsewhere, and cancel() stops it", async () => {
    const at = clock();
    const fake = fakeTimers();
    const tokens = manager({ at, setTimer: fake.setTimer, clearTimer: fake.clearTimer });
    await tokens.setTokens(bundle("a"));
    const handle = tokens.scheduleRefresh(async () => bundle("never"));
    await tokens.setTokens(bundle("b", T0, 5 * MINUTE));
    expect(fake.armed()).toHaveLength(1);
    expect(fake.armed()[0]!.delay).toBe(5 * MINUTE - 30_000);
    handle.cancel();
    expect(fake.armed()).toHaveLength(0);
    await tokens.setTokens(bundle("c"));
    expect(fake.armed()).toHaveLength(0);
  });

  it("sends trigger errors to onError, never as unhandled rejections, and stays disarmed", async () => {
    const at = clock();
    const fake = fakeTimers();
    const onError = vi.fn();
    const tokens = manager({ at, setTimer: fake.setTimer, clearTimer: fake.clearTimer, onError });
    await tokens.setTokens(bundle("a"));
    const failure = new Error("network down");
    tokens.scheduleRefresh(async () => Promise.reject(failure));
    at.now = T0 + 15 * MINUTE;
    fake.timers[0]!.callback();
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(failure));
    expect(fake.armed()).toHaveLength(0);
    // New tokens (an on-demand refresh, a new login) re-arm the schedule.
    await tokens.setTokens(bundle("b", at.now));
    expect(fake.armed()).toHaveLength(1);
  });

  it("prefers the schedule's own onError, then logs when there is none", async () => {
    const at = clock();
    const fake = fakeTimers();
    const warn = vi.fn();
    const tokens = manager({
      at,
      setTimer: fake.setTimer,
      clearTimer: fake.clearTimer,
      logger: { debug: vi.fn(), info: vi.fn(), warn, error: vi.fn() },
    });
    await tokens.setTokens(bundle("a"));
    const own = vi.fn();
    tokens.scheduleRefresh(async () => Promise.reject(new Error("x")), { onError: own });
    at.now = T0 + 15 * MINUTE;
    fake.timers.at(-1)!.callback();
    await vi.waitFor(() => expect(own).toHaveBeenCalledOnce());

    await tokens.setTokens(bundle("b", at.now));
    tokens.scheduleRefresh(async () => Promise.reject(new TokenManagerError("storage_failure", "nope")));
    at.now += 15 * MINUTE;
    fake.armed().at(-1)!.callback();
    await vi.waitFor(() =>
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ code: "storage_failure" }),
        expect.any(String),
      ),
    );
  });

  it("waits when the timer fires before the due time", async () => {
    const at = clock();
    const fake = fakeTimers();
    const tokens = manager({ at, setTimer: fake.setTimer, clearTimer: fake.clearTimer });
    await tokens.setTokens(bundle("a"));
    const trigger = vi.fn(async () => bundle("b", at.now));
    tokens.scheduleRefresh(trigger);
    at.now = T0 + 15 * MINUTE - 30_001;
    fake.timers[0]!.callback();
    expect(trigger).not.toHaveBeenCalled();
    expect(fake.armed()).toHaveLength(1);
    expect(fake.armed()[0]!.delay).toBe(1);
  });

  it("does not loop when refreshes return already-due tokens", async () => {
    const at = clock();
    const fake = fakeTimers();
    const tokens = manager({ at, setTimer: fake.setTimer, clearTimer: fake.clearTimer });
    await tokens.setTokens(bundle("a"));
    tokens.scheduleRefresh(async () => bundle("expired", T0 - 60 * MINUTE));
    at.now = T0 + 15 * MINUTE;
    fake.timers[0]!.callback();
    await vi.waitFor(() => expect(tokens.getSnapshot()?.accessToken).toBe("access-expired"));
    expect(fake.armed().at(-1)!.delay).toBeGreaterThanOrEqual(1_000);
  });

  it("throws tokens_unavailable without tokens; clear() disarms until tokens are set again", async () => {
    const fake = fakeTimers();
    const storage = new MemoryStorageAdapter();
    const tokens = manager({ storage, setTimer: fake.setTimer, clearTimer: fake.clearTimer });
    const error = (() => {
      try {
        tokens.scheduleRefresh(async () => bundle("a"));
      } catch (caught) {
        return caught;
      }
    })();
    expect(isTokenManagerError(error, TokenManagerErrorCode.TokensUnavailable)).toBe(true);

    await tokens.setTokens(bundle("a"));
    tokens.scheduleRefresh(async () => bundle("b"));
    expect(fake.armed()).toHaveLength(1);
    await tokens.clear();
    expect(fake.armed()).toHaveLength(0);
    expect(tokens.getSnapshot()).toBeNull();
    expect(await storage.get(DEFAULT_TOKEN_STORAGE_KEY)).toBeNull();
    await tokens.setTokens(bundle("c"));
    expect(fake.armed()).toHaveLength(1);
    tokens.dispose();
    expect(fake.armed()).toHaveLength(0);
    await tokens.setTokens(bundle("d"));
    expect(fake.armed()).toHaveLength(0);
  });
});

describe("TokenManager: clear", () => {
  it("uses delete on adapters of the original package that have no clear", async () => {
    const map = new Map<string, string>();
    const legacy = {
      get: async (key: string) => map.get(key) ?? null,
      set: async (key: string, value: string) => void map.set(key, value),
      delete: async (key: string) => void map.delete(key),
    } as unknown as StorageAdapter<string>;
    const tokens = manager({ storage: legacy });
    await tokens.setTokens(bundle("a"));
    expect(map.size).toBe(1);
    await tokens.clear();
    expect(map.size).toBe(0);
  });

  it("forgets the tokens even when the storage fails to clear, and says so", async () => {
    const storage = new MemoryStorageAdapter();
    const changes: unknown[] = [];
    const tokens = manager({
      storage,
      onTokensChanged: (snapshot, source) => changes.push([source, snapshot]),
    });
    await tokens.setTokens(bundle("a"));
    vi.spyOn(storage, "clear").mockRejectedValueOnce(new Error("EIO"));
    expect(await rejection(tokens.clear())).toMatchObject({ code: "storage_failure" });
    expect(tokens.peekValidAccessToken()).toBeNull();
    expect(changes.at(-1)).toEqual(["clear", null]);
  });
});
