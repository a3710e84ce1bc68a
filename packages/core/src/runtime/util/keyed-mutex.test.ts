import { expect, it } from "vitest";
import { KeyedMutex } from "./keyed-mutex.js";

it("runs the callers of one key one at a time, in arrival order", async () => {
  const mutex = new KeyedMutex();
  let active = 0;
  let maxActive = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 50 }, (_, index) =>
      mutex.run("k", async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((resolve) => setTimeout(resolve, index % 3));
        order.push(index);
        active -= 1;
      }),
    ),
  );
  expect(maxActive).toBe(1);
  expect(order).toEqual(Array.from({ length: 50 }, (_, index) => index));
});
