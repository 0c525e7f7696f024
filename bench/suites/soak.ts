// Not timing per call: 100,000 calls of a jitted SGD step of a small MLP, and 100,000 eager ops,
// on wasm, as users write them (nothing disposed), with live tensors and heap around the run. The
// workloads are bench/lib/soak.ts, which test/soak.test.ts runs at 20,000 steps / 40,000 ops.
import { setBackend } from "../../src/index.js";
import { type SoakFigures, soakEager, soakJit } from "../lib/soak.js";
import type { Case } from "../types.js";

const CALLS = 100_000;
const G_JIT = `soak ${CALLS / 1000}k jitted SGD steps`;
const G_EAGER = `soak ${CALLS / 1000}k eager ops`;
const how = `"before" is after a warm-up and gc; "peak 1st half" is the most live tensors seen (every 1,000 calls) before the half-time gc, i.e. what V8's own collections leave of dropped arrays; "after gc" runs globalThis.gc() and yields until the count is stable. Heap is process.memoryUsage().heapUsed after gc, after the warm-up, at half-time and at the end; "heap growth 2nd half" is end minus half-time, where a leak proportional to calls would show. calls/s excludes the yields and the half-time gc.`;

export const groups = {
  [G_JIT]: `jit(update, { donateArgnums: 0 }) of a 4-16-16-1 relu MLP, batch 32, mean squared error, SGD lr 0.05: params donated, losses dropped (one read back every 1,000 steps); the loop yields to the event loop every 1,000 steps. ${how}`,
  [G_EAGER]: `x = tanh(x * 0.9 + b) and a dropped sum(x) on f32[64], four eager ops an iteration, nothing disposed, yielding every 1,000 iterations; the second row runs each iteration in scope() and disposes the previous x, so nothing waits for the GC (both rows in one process). ${how}`,
};

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;

function report(f: SoakFigures): Record<string, number | string> {
  return {
    "calls": f.calls,
    "calls/s": Math.round(f.callsPerSecond),
    "tensors before": f.tensorsBefore,
    "peak 1st half": f.tensorsPeak,
    "at loop end": f.tensorsAtEnd,
    "after gc": f.tensorsAfterGc,
    "leaked": f.tensorsAfterGc - f.tensorsBefore,
    "heap before": MiB(f.heapBefore),
    "heap half-time": MiB(f.heapMid),
    "heap after": MiB(f.heapAfter),
    "heap growth 2nd half": MiB(f.heapAfter - f.heapMid),
  };
}

export const cases: Case[] = [
  {
    name: "tfjax jit, MLP 4-16-16-1 SGD step",
    group: G_JIT,
    async measure() {
      await setBackend("wasm");
      const f = await soakJit(CALLS);
      return { ...report(f), "loss at 1k → 100k": `${f.firstLoss.toExponential(2)} → ${f.lastLoss.toExponential(2)}` };
    },
  },
  {
    name: "tfjax eager, tanh(0.9x + b), sum",
    group: G_EAGER,
    async measure() {
      await setBackend("wasm");
      return report(await soakEager(CALLS));
    },
  },
  {
    name: "the same in scope(), old x disposed",
    group: G_EAGER,
    async measure() {
      await setBackend("wasm");
      return report(await soakEager(CALLS, 1000, true));
    },
  },
];
