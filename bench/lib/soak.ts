// The soak workloads, shared by bench/suites/soak.ts (100,000 calls each) and test/soak.test.ts:
// a jitted SGD step of a small MLP, and a chain of eager ops, each run many times the way a user
// would write them (nothing disposed: old params are donated, other outputs dropped), yielding
// to the event loop every 1,000 calls as an async training loop does. Live tensors and heap are
// measured after a warm-up, at half-time and at the end (the heap after gc()), so growth that
// scales with the number of calls shows up as a difference between the last two.
import * as tf from "@tensorflow/tfjs-core";
import { type ArrayImpl, jit, jnp, nn, random, scope, tree, valueAndGrad, type Array } from "../../src/index.js";

export interface SoakFigures {
  calls: number;
  seconds: number;
  callsPerSecond: number;
  /**
   * Live tensors after the warm-up (and gc), at the end of the loop, after gc; and the peak over
   * the first half, before the half-time gc: what V8's own collections hold dropped arrays to.
   */
  tensorsBefore: number;
  tensorsAtEnd: number;
  tensorsPeak: number;
  tensorsAfterGc: number;
  /** process.memoryUsage().heapUsed after gc: after the warm-up, at half-time, at the end. */
  heapBefore: number;
  heapMid: number;
  heapAfter: number;
}

const gc = (): void => (globalThis as { gc?: () => void }).gc!();
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Collects garbage and lets the FinalizationRegistry run until the live count stops falling. */
async function settle(): Promise<void> {
  let prev = -1;
  for (let stable = 0, i = 0; stable < 3 && i < 100; i++) {
    gc();
    await tick();
    const n = tf.memory().numTensors;
    stable = n === prev ? stable + 1 : 0;
    prev = n;
  }
}

/** Runs `call(i)` for i < calls (after `warmup` calls), measuring tensors and heap. */
async function soak(calls: number, warmup: number, call: (i: number) => void): Promise<SoakFigures> {
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") throw new Error("soak: run node with --expose-gc");
  for (let i = 0; i < warmup; i++) call(i);
  await settle();
  const tensorsBefore = tf.memory().numTensors;
  const heapBefore = process.memoryUsage().heapUsed;
  let heapMid = 0;
  let peak = tensorsBefore;
  let busy = 0; // time in the loop proper, without the yields and the half-time gc
  for (let i = 0; i < calls; ) {
    const t0 = performance.now();
    for (const end = Math.min(calls, i + 1000); i < end; i++) call(i);
    busy += performance.now() - t0;
    if (heapMid === 0) peak = Math.max(peak, tf.memory().numTensors);
    await tick();
    if (heapMid === 0 && i >= calls / 2) {
      await settle();
      heapMid = process.memoryUsage().heapUsed;
    }
  }
  const tensorsAtEnd = tf.memory().numTensors;
  await settle();
  return {
    calls,
    seconds: busy / 1000,
    callsPerSecond: calls / (busy / 1000),
    tensorsBefore,
    tensorsAtEnd,
    tensorsPeak: peak,
    tensorsAfterGc: tf.memory().numTensors,
    heapBefore,
    heapMid,
    heapAfter: process.memoryUsage().heapUsed,
  };
}

type Params = { w: Array; b: Array }[];

/** A 4-16-16-1 MLP on a batch of 32, mean squared error, SGD with lr 0.05. */
function mlp(): { params: Params; x: Array; y: Array } {
  const keys = [...random.split(random.key(0), 4)];
  const sizes = [4, 16, 16, 1];
  const params = sizes.slice(1).map((n, i) => ({ w: nn.initializers.heNormal()(keys[i], [sizes[i], n]), b: jnp.zeros([n]) }));
  const x = random.normal(keys[3], [32, 4]);
  return { params, x, y: jnp.sin(jnp.sum(x, 1)).reshape([32, 1]) };
}

function loss(params: Params, x: Array, y: Array): Array {
  let h = x;
  params.forEach(({ w, b }, i) => {
    h = h.matmul(w).add(b);
    if (i < params.length - 1) h = nn.relu(h);
  });
  return h.sub(y).square().mean();
}

/** The step users write: new params and the loss, old params donated. */
export const sgdStep = jit(
  (params: Params, x: Array, y: Array): [Params, Array] => {
    const [l, g] = valueAndGrad(loss)(params, x, y);
    return [tree.map((p: Array, d: Array) => p.sub(d.mul(0.05)), params, g) as Params, l];
  },
  { donateArgnums: 0 },
);

/**
 * `calls` jitted SGD steps; the losses are dropped (one read back every 1,000 steps, as a
 * training loop logs it). Also returns the first and last logged loss: the MLP must learn.
 */
export async function soakJit(calls: number, warmup = 200): Promise<SoakFigures & { firstLoss: number; lastLoss: number }> {
  let { params } = mlp();
  const { x, y } = mlp();
  let firstLoss = NaN;
  let lastLoss = NaN;
  const figures = await soak(calls, warmup, (i) => {
    const [p, l] = sgdStep(params, x, y);
    params = p;
    if (i % 1000 === 999) {
      lastLoss = Number(l);
      if (Number.isNaN(firstLoss)) firstLoss = lastLoss;
    }
  });
  return { ...figures, firstLoss, lastLoss };
}

/**
 * `ops` eager ops, four per iteration: x = tanh(x * 0.9 + b), and a sum that is dropped. With
 * `scoped`, each iteration runs in scope() and disposes the previous x: freed without the GC.
 */
export async function soakEager(ops: number, warmup = 1000, scoped = false): Promise<SoakFigures> {
  let x = random.normal(random.key(1), [64]);
  const b = jnp.full([64], 0.01);
  const step = () => {
    const y = jnp.tanh(jnp.add(jnp.multiply(x, 0.9), b));
    jnp.sum(y);
    return y;
  };
  const figures = await soak(ops / 4, warmup / 4, () => {
    if (!scoped) x = step();
    else {
      const y = scope(step);
      (x as ArrayImpl).dispose();
      x = y;
    }
  });
  return { ...figures, calls: ops, callsPerSecond: figures.callsPerSecond * 4 };
}
