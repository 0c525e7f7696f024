// Not timing: live tensor counts around 10,000 calls of a small step, with and without the
// caller disposing outputs. tfjax frees dropped arrays through a FinalizationRegistry, which only
// runs after a major GC and never synchronously, so the no-dispose rows show what piles up.
import * as tf from "@tensorflow/tfjs-core";
import { jit, scope } from "../../src/index.js";
import { chainJnp, uniform } from "../lib/chain.js";
import { disposeJ, jaxInputs } from "../lib/inputs.js";
import type { Case } from "../types.js";

const SMALL = { n: 16, calls: 10_000 };
const LARGE = { n: 1 << 20, calls: 10 };
const G_SMALL = `memory ${SMALL.calls / 1000}k calls f32[${SMALL.n}]`;
const G_LARGE = `memory ${LARGE.calls} calls f32[${LARGE.n}]`;
const how = `"before" is after creating the inputs and one warm-up call; "peak" is sampled during the loop; "after gc" runs globalThis.gc() (node --expose-gc) and yields to the event loop until the count stops falling (FinalizationRegistry callbacks run asynchronously, never inside a synchronous loop); "leaked" is after gc minus before.`;

export const groups = {
  [G_SMALL]: `tf.memory() around ${SMALL.calls} calls of a step (the 10-op chain, jitted or eager) on f32[${SMALL.n}]. ${how} "left after teardown" is the count once the inputs are freed, minus the count before they were made (should be 0).`,
  [G_LARGE]: `the same around ${LARGE.calls} calls on f32[${LARGE.n}] (4 MiB per array): what a synchronous loop holds when outputs are dropped.`,
};

const stepJit = jit(chainJnp);

const live = () => tf.memory().numTensors;
const tick = () => new Promise((r) => setTimeout(r, 10));

/** Collects garbage and waits for finalizers until the live count is stable; returns it. */
async function settle(): Promise<{ count: number | string; ms: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const t0 = performance.now();
  if (!gc) {
    await tick();
    return { count: `${live()} (no gc: run node --expose-gc)`, ms: performance.now() - t0 };
  }
  let prev = -1;
  let stable = 0;
  for (let round = 0; round < 100 && stable < 3; round++) {
    gc();
    await tick();
    const n = live();
    stable = n === prev ? stable + 1 : 0;
    prev = n;
  }
  return { count: prev, ms: performance.now() - t0 };
}

const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** Runs `call` `calls` times on f32[n] inputs and reports tensor counts and bytes. */
function memoryCase(group: string, { n, calls }: { n: number; calls: number }, name: string, call: () => void): Case {
  const CALLS = calls;
  const every = Math.max(1, Math.floor(calls / 100));
  return {
    name,
    group,
    async measure() {
      const inputs = jaxInputs(uniform(n, 1), uniform(n, 2));
      await settle();
      const empty = live();
      inputs.setup();
      ins = inputs.v;
      disposeJ(stepJit(ins[0], ins[1])); // compile outside the count
      await settle();
      const before = live();
      const bytesBefore = tf.memory().numBytes;
      let peak = before;
      const t0 = performance.now();
      for (let i = 1; i <= CALLS; i++) {
        call();
        if (i % every === 0) peak = Math.max(peak, live());
      }
      const ms = performance.now() - t0;
      const after = live();
      const bytesAfter = tf.memory().numBytes;
      const settled = await settle();
      inputs.teardown();
      ins = [];
      const end = await settle();
      return {
        "before": before,
        "after loop": after,
        "peak": peak,
        "after gc": settled.count,
        "leaked": typeof settled.count === "number" ? settled.count - before : "?",
        "bytes held after loop": MiB(bytesAfter - bytesBefore),
        "loop ms": Math.round(ms),
        "gc wait ms": Math.round(settled.ms),
        "left after teardown": typeof end.count === "number" ? end.count - empty : end.count,
      };
    },
  };
}

let ins: ReturnType<typeof jaxInputs>["v"] = [];

const variants: [string, () => void][] = [
  [
    "tfjax jit, outputs dropped",
    () => {
      stepJit(ins[0], ins[1]);
    },
  ],
  ["tfjax jit, output.dispose()", () => disposeJ(stepJit(ins[0], ins[1]))],
  [
    "tfjax jit inside scope()",
    () => {
      scope(() => {
        stepJit(ins[0], ins[1]);
      });
    },
  ],
  [
    "tfjax eager, outputs dropped",
    () => {
      chainJnp(ins[0], ins[1]);
    },
  ],
  [
    "tfjax eager inside scope()",
    () => {
      scope(() => {
        chainJnp(ins[0], ins[1]);
      });
    },
  ],
];

export const cases: Case[] = [
  ...variants.map(([name, call]) => memoryCase(G_SMALL, SMALL, name, call)),
  ...variants.filter(([name]) => !name.includes("scope")).map(([name, call]) => memoryCase(G_LARGE, LARGE, name, call)),
];
