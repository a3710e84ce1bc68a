import { describe, expect, it } from "vitest";
import { createIdempotencyStore } from "./idempotency.js";

const HOUR = 60 * 60 * 1000;

describe("createIdempotencyStore", () => {
  it("lets the first request proceed and refuses a duplicate while it runs", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    expect(store.begin("k", "body")).toEqual({ kind: "proceed" });
    expect(store.begin("k", "body")).toEqual({ kind: "in_progress" });
  });

  it("replays a stored success for the same body and refuses a different body", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    store.begin("k", "body");
    store.complete("k", { status: 200, text: '{"ok":true}' });
    expect(store.begin("k", "body")).toEqual({
      kind: "replay",
      response: { status: 200, text: '{"ok":true}' },
    });
    expect(store.begin("k", "other")).toEqual({ kind: "mismatch" });
  });

  it("refuses a different body while the first request runs", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    store.begin("k", "body");
    expect(store.begin("k", "other")).toEqual({ kind: "mismatch" });
  });

  it("releases the key of a failed request", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    store.begin("k", "body");
    store.release("k");
    expect(store.size()).toBe(0);
    expect(store.begin("k", "corrected")).toEqual({ kind: "proceed" });
  });

  it("does not release a stored success", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    store.begin("k", "body");
    store.complete("k", { status: 200, text: "{}" });
    store.release("k");
    expect(store.begin("k", "body").kind).toBe("replay");
  });

  it("keeps records 24 hours after the first request, then forgets them", () => {
    let now = 0;
    const store = createIdempotencyStore({ now: () => now });
    store.begin("k", "body");
    store.complete("k", { status: 200, text: "{}" });
    now = 24 * HOUR - 1;
    expect(store.begin("k", "body").kind).toBe("replay");
    now = 24 * HOUR;
    expect(store.begin("k", "other")).toEqual({ kind: "proceed" });
  });

  it("keeps keys apart", () => {
    const store = createIdempotencyStore({ now: () => 0 });
    expect(store.begin("agent1:signMessage:k", "a").kind).toBe("proceed");
    expect(store.begin("agent2:signMessage:k", "b").kind).toBe("proceed");
    expect(store.begin("agent1:signTypedData:k", "c").kind).toBe("proceed");
  });
});
