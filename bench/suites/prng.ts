// The PRNG on the wasm backend: random.bits and random.normal of 10M float32/uint32 from one key,
// tfjax (partitionable threefry: generated wasm SIMD hash in place on tfjs-wasm's heap, see
// src/prng/threefry_wasm.ts) vs @jax-js/jax on its wasm device. Streams differ between the two
// libraries (jax-js's normal is not JAX's), so outputs are not compared across libraries: the
// tfjax rows are checked against JAX's documented values in setup instead.
import * as tf from "@tensorflow/tfjs-core";
import { random, type Array as JaxArray } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { initJaxJs, jaxJsLiveRefs, type JxArray } from "../lib/jaxjs.js";
import { random as jxRandom } from "@jax-js/jax";
import type { Case } from "../types.js";

const N = 10_000_000;
const G_BITS = "prng bits 10M wasm";
const G_NORMAL = "prng normal 10M wasm";

export const groups = {
  [G_BITS]: `random.bits(key, [10M]) (uint32), one key made once. tfjax eager on tfjs-wasm (output disposed); @jax-js/jax random.bits(key.ref, [10M]), \`await y.blockUntilReady()\`, \`y.dispose()\`. tfjax's first words are checked in setup against JAX's documented bits(key(10), [4]); streams are not compared across libraries.`,
  [G_NORMAL]: `random.normal(key, [10M]) float32, as above (jax-js's normal is a different stream and algorithm, so no cross-library comparison). tfjax's output is checked in setup to be finite with mean ~0 and std ~1.`,
};
// tfjax's normal is slow on wasm (the erf_inv half, not the hash): few rounds keep the run short.
export const rounds = { [G_BITS]: 6, [G_NORMAL]: 3 };

const disposeJ = (x: JaxArray) => (x as unknown as { dispose(): void }).dispose();
const sync = (x: JaxArray) => (x as unknown as { dataSync(): ArrayLike<number> }).dataSync();

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`prng bench: ${what}`);
}

function tfjaxCase(group: string, name: string, run: (k: JaxArray) => JaxArray, verify: () => void, budget: object): Case {
  let k: JaxArray | null = null;
  return {
    name,
    group,
    baseline: true,
    ...budget,
    setup: onBackend("wasm", () => {
      check(tf.getBackend() === "wasm", "not on wasm");
      verify();
      k = random.key(0);
      disposeJ(run(k));
    }),
    teardown: () => {
      if (k) disposeJ(k);
      k = null;
    },
    fn: () => disposeJ(run(k!)),
  };
}

function jxCase(group: string, name: string, run: (k: JxArray) => JxArray, budget: object): Case {
  let k: JxArray | null = null;
  return {
    name,
    group,
    ...budget,
    async: true,
    setup: onBackend("wasm", async () => {
      await initJaxJs();
      k = jxRandom.key(0);
      const y = run(k.ref);
      await y.blockUntilReady();
      y.dispose();
    }),
    teardown: () => {
      k?.dispose();
      k = null;
    },
    fn: async () => {
      const y = run(k!.ref);
      await y.blockUntilReady();
      y.dispose();
    },
    liveCount: jaxJsLiveRefs,
  };
}

const verifyBits = () => {
  const k = random.key(10);
  const x = random.bits(k, [N]);
  const all = sync(x);
  const head = [0, 1, 2, 3].map((i) => all[i] >>> 0);
  disposeJ(x);
  disposeJ(k);
  check(head.join() === [169096361, 1572511259, 2689743692, 2228103506].join(), `bits(key(10))[:4] = ${head} != JAX's`);
};
const verifyNormal = () => {
  const k = random.key(0);
  const x = random.normal(k, [N]);
  const v = sync(x);
  disposeJ(x);
  disposeJ(k);
  let s = 0, s2 = 0;
  for (let i = 0; i < v.length; i++) {
    check(Number.isFinite(v[i]), "non-finite normal");
    s += v[i];
    s2 += v[i] * v[i];
  }
  const mean = s / v.length, std = Math.sqrt(s2 / v.length - mean * mean);
  check(Math.abs(mean) < 1e-3 && Math.abs(std - 1) < 1e-3, `normal mean ${mean} std ${std}`);
};

const bitsBudget = { time: 3000, iterations: 12, warmupTime: 300, warmupIterations: 2 };
const normalBudget = { time: 1000, iterations: 3, warmupTime: 0, warmupIterations: 1 };

export const cases: Case[] = [
  tfjaxCase(G_BITS, "tfjax random.bits", (k) => random.bits(k, [N]), verifyBits, bitsBudget),
  jxCase(G_BITS, "@jax-js/jax random.bits", (k) => jxRandom.bits(k, [N]), bitsBudget),
  tfjaxCase(G_NORMAL, "tfjax random.normal", (k) => random.normal(k, [N]), verifyNormal, normalBudget),
  jxCase(G_NORMAL, "@jax-js/jax random.normal", (k) => jxRandom.normal(k, [N]), normalBudget),
];
