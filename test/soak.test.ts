// Soak (issue #7): a jitted SGD step of a small MLP, called 20,000 times, and 40,000 eager ops,
// written as users write them (nothing disposed: old params donated, losses and intermediates
// dropped). `npm run bench -- soak` runs the same workloads (bench/lib/soak.ts) 100,000 times each
// and reports the figures; here fewer, so each node project stays near a minute on 2 busy cores.
// Asserted: once collected, the live tensor count is back where it was after the warm-up, and the
// heap after gc grows by less than 2 MiB over the second half of the run (10,000 steps, 20,000
// ops): a leak of 200 bytes a step, or 100 an op, would exceed it. Dropped arrays wait for V8's
// major collections, which a small JS heap rarely triggers (the bench saw all 50,000 arrays of the
// first 50,000 eager ops alive), so the live count during the loop is asserted only in scope()
// with the previous x disposed, where it never moves.
import { expect, test } from "vitest";
import { soakEager, soakJit } from "../bench/lib/soak.js";

const MiB = 2 ** 20;

test("20,000 jitted SGD steps: no tensor left after gc, heap flat, and the MLP learns", async () => {
  const f = await soakJit(20_000);
  expect(f.tensorsAfterGc).toBe(f.tensorsBefore);
  expect(f.heapAfter - f.heapMid).toBeLessThan(2 * MiB);
  expect(f.heapAfter - f.heapBefore).toBeLessThan(4 * MiB);
  expect(f.lastLoss).toBeLessThan(f.firstLoss / 10);
}, 240_000);

test("40,000 eager ops: no tensor left after gc, heap flat", async () => {
  const f = await soakEager(40_000);
  expect(f.tensorsAfterGc).toBe(f.tensorsBefore);
  expect(f.heapAfter - f.heapMid).toBeLessThan(2 * MiB);
  expect(f.heapAfter - f.heapBefore).toBeLessThan(4 * MiB);
}, 240_000);

test("40,000 eager ops in scope(), the previous x disposed: the live count never moves", async () => {
  const f = await soakEager(40_000, 1000, true);
  expect([f.tensorsPeak, f.tensorsAtEnd, f.tensorsAfterGc]).toEqual([f.tensorsBefore, f.tensorsBefore, f.tensorsBefore]);
  expect(f.heapAfter - f.heapMid).toBeLessThan(2 * MiB);
}, 240_000);
