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

  it("sweeps only what expired: a request costs the records it removes, not the records held", () => {
    let now = 0;
    const ttlMs = 100_000;
    const store = createIdempotencyStore({ now: () => now, ttlMs });
    const held = 50_000;
    for (let i = 0; i < held; i++) {
      now = i; // first requests spread over time, in order; none expires while loading
      store.begin(`k${i}`, "body");
      store.complete(`k${i}`, { status: 200, text: "{}" });
    }
    // One visit per request after the first (the oldest record, alive); sweeping everything would be held²/2.
    expect(store.sweepVisits()).toBe(held - 1);

    // Later, the 10 oldest records have expired: the next request removes them, every request looks at one more.
    now = ttlMs + 9;
    const before = store.sweepVisits();
    for (let i = 0; i < 100; i++) store.begin(`new${i}`, "body");
    expect(store.size()).toBe(held - 10 + 100);
    expect(store.sweepVisits() - before).toBe(10 + 100);
    expect(store.begin("k9", "other")).toEqual({ kind: "proceed" }); // expired: forgotten
    expect(store.begin("k10", "other")).toEqual({ kind: "mismatch" }); // alive
  });

  it("passes in-flight records without expiring them, and treats a record expired on lookup as absent", () => {
    let now = 0;
    const store = createIdempotencyStore({ now: () => now, ttlMs: 1000 });
    store.begin("running", "body"); // never completes
    store.begin("done", "body");
    store.complete("done", { status: 200, text: "{}" });
    now = 5000;
    expect(store.begin("running", "body").kind).toBe("in_progress");
    expect(store.begin("done", "other")).toEqual({ kind: "proceed" });
  });
});
