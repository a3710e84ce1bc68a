import { describe, expect, it, vi } from "vitest";
import { computeRefreshAt, MAX_TIMER_DELAY_MS, RefreshTimer, refreshLeadMs } from "./refresh-schedule.js";

describe("refresh window", () => {
  it("is the lead time, clamped to half the lifetime", () => {
    expect(refreshLeadMs(15 * 60_000, 30_000)).toBe(30_000);
    expect(refreshLeadMs(2_000, 30_000)).toBe(1_000);
    expect(refreshLeadMs(-5, 30_000)).toBe(0);
    expect(refreshLeadMs(60_000, 0)).toBe(0);
    expect(computeRefreshAt(10_000, 8_000, 30_000)).toBe(9_000);
    expect(computeRefreshAt(1_000_000, 0, 30_000)).toBe(970_000);
  });
});

describe("RefreshTimer", () => {
  const fakeTimers = () => {
    const timers: { callback: () => void; delay: number; unref: () => void; cleared: boolean }[] = [];
    return {
      timers,
      setTimer: (callback: () => void, delay: number) => {
        const timer = { callback, delay, unref: vi.fn(), cleared: false };
        timers.push(timer);
        return timer;
      },
      clearTimer: (handle: unknown) => {
        (handle as { cleared: boolean }).cleared = true;
      },
    };
  };

  it("fires at the given time, unref'd, and replaces an earlier timer", () => {
    let now = 1_000;
    const fake = fakeTimers();
    const timer = new RefreshTimer({ now: () => now, ...fake });
    const fire = vi.fn();
    timer.schedule(5_000, fire);
    timer.schedule(3_000, fire);
    expect(fake.timers.map((t) => [t.delay, t.cleared])).toEqual([
      [4_000, true],
      [2_000, false],
    ]);
    expect(fake.timers[1]!.unref).toHaveBeenCalledOnce();
    fake.timers[0]!.callback(); // a cleared timer that fires anyway does nothing
    expect(fire).not.toHaveBeenCalled();
    now = 3_000;
    fake.timers[1]!.callback();
    expect(fire).toHaveBeenCalledOnce();
    expect(timer.pending).toBe(false);
  });

  it("fires at once for a time in the past, and cancel disarms", () => {
    const fake = fakeTimers();
    const timer = new RefreshTimer({ now: () => 10_000, ...fake });
    timer.schedule(1_000, () => undefined);
    expect(fake.timers[0]!.delay).toBe(0);
    timer.cancel();
    expect(fake.timers[0]!.cleared).toBe(true);
    expect(timer.pending).toBe(false);
  });

  it("splits delays longer than setTimeout allows", () => {
    let now = 0;
    const fake = fakeTimers();
    const timer = new RefreshTimer({ now: () => now, ...fake });
    const fire = vi.fn();
    const at = MAX_TIMER_DELAY_MS + 1_000;
    timer.schedule(at, fire);
    expect(fake.timers[0]!.delay).toBe(MAX_TIMER_DELAY_MS);
    now = MAX_TIMER_DELAY_MS;
    fake.timers[0]!.callback();
    expect(fire).not.toHaveBeenCalled();
    expect(fake.timers[1]!.delay).toBe(1_000);
    now = at;
    fake.timers[1]!.callback();
    expect(fire).toHaveBeenCalledOnce();
  });

  it("unrefs a real Node timer, so it never keeps the process alive", async () => {
    const handles: NodeJS.Timeout[] = [];
    const timer = new RefreshTimer({
      now: Date.now,
      setTimer: (callback, delay) => {
        const handle = setTimeout(callback, delay);
        handles.push(handle);
        return handle;
      },
    });
    await new Promise<void>((resolve) => timer.schedule(Date.now() + 5, resolve));
    timer.schedule(Date.now() + 60_000, () => undefined);
    expect(handles.map((handle) => handle.hasRef())).toEqual([false, false]);
    timer.cancel();
  });
});
