// The PRNG on the wasm backend: random.bits and random.normal of 10M float32/uint32 from one key,
// tfjax (partitionable threefry: bits are a generated wasm SIMD hash in place on tfjs-wasm's heap,
// src/prng/threefry_wasm.ts; normal is one fused SIMD kernel from the hash to sqrt(2) erf_inv,
// src/backends/wasm/) vs @jax-js/jax on its wasm device. Streams differ between the two
// libraries (jax-js's normal is not JAX's), so outputs are not compared across libraries: the
// tfjax rows are checked against JAX's documented values in setup instead.
import * as tf from "@tensorflow/tfjs-core";
import { random, type Array as JaxArray } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { initJaxJs, jaxJsLiveRefs, type JxArray } from "../lib/jaxjs.js";
import { random as jxRandom } from "@jax-js/jax";
import type { Case } from "../types.js";
import { erfInv32, fma32 } from "../../src/lax/special.js";

const N = 10_000_000;
const G_BITS = "prng bits 10M wasm";
const G_NORMAL = "prng normal 10M wasm";

export const groups = {
  [G_BITS]: `random.bits(key, [10M]) (uint32), one key made once. tfjax eager on tfjs-wasm (output disposed); @jax-js/jax random.bits(key.ref, [10M]), \`await y.blockUntilReady()\`, \`y.dispose()\`. tfjax's first words are checked in setup against JAX's documented bits(key(10), [4]); streams are not compared across libraries.`,
  [G_NORMAL]: `random.normal(key, [10M]) float32, as above (jax-js's normal is a different stream and algorithm, so no cross-library comparison). tfjax's is one fused kernel (hash, uniform, erf_inv); its output is checked in setup to be finite with mean ~0 and std ~1, and its first 1000 values bit for bit against sqrt(2) erf_inv(u) computed on the host from the same key's bits.`,
};
export const rounds = { [G_BITS]: 6, [G_NORMAL]: 6 };

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
  const k2 = random.key(0);
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
  // _normal's float32 steps on the host (samplers.ts), from the bits of the same key.
  const b = random.bits(k2, [1000]);
  const words = sync(b);
  disposeJ(b);
  disposeJ(k2);
  const f = Math.fround, lo = f(-1 + 2 ** -24), span = f(1 - lo);
  const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < 1000; i++) {
    u32[0] = ((words[i] >>> 9) | 0x3f800000) >>> 0;
    const u = Math.max(lo, fma32(f(f32[0] - 1), span, lo)); // XLA's contracted multiply-add
    check(v[i] === f(f(Math.SQRT2) * erfInv32(u)), `normal[${i}] = ${v[i]} is not sqrt(2) erf_inv(u) of its bits`);
  }
};

const bitsBudget = { time: 3000, iterations: 12, warmupTime: 300, warmupIterations: 2 };
const normalBudget = { time: 2000, iterations: 6, warmupTime: 300, warmupIterations: 2 };

export const cases: Case[] = [
  tfjaxCase(G_BITS, "tfjax random.bits", (k) => random.bits(k, [N]), verifyBits, bitsBudget),
  jxCase(G_BITS, "@jax-js/jax random.bits", (k) => jxRandom.bits(k, [N]), bitsBudget),
  tfjaxCase(G_NORMAL, "tfjax random.normal", (k) => random.normal(k, [N]), verifyNormal, normalBudget),
  jxCase(G_NORMAL, "@jax-js/jax random.normal", (k) => jxRandom.normal(k, [N]), normalBudget),
];
