// float32 matmul on the wasm backend, where tfjs's kernel is XNNPACK: eager tf.matMul, tfjax's
// jnp.matmul eager and under jit (dot_general lowered to a plain batched matMul), and @jax-js/jax's
// own generated wasm matmul, jitted.
import * as tf from "@tensorflow/tfjs-core";
import { jit, jnp, type Array as JaxArray } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { uniform } from "../lib/chain.js";
import { disposeJ, jaxInputsShaped, jaxValue, tfInputsShaped, tfValue } from "../lib/inputs.js";
import { callAndRead, callAndWait, jaxJsLiveRefs, jxInputs, type JxArray } from "../lib/jaxjs.js";
import { jit as jxJit, numpy as np } from "@jax-js/jax";
import type { Case } from "../types.js";

const group = (n: number) => `matmul ${n}x${n} f32 wasm`;

export const groups = Object.fromEntries(
  [512, 1024].map((n) => [
    group(n),
    `C = A·B for A, B f32[${n},${n}] in [0, 1), time per call; inputs made once, each output disposed. @jax-js/jax: jit cache hit, \`await C.blockUntilReady()\`, \`C.dispose()\`. Outputs must match tf.matMul within rtol 1e-5 (relative to its largest magnitude).`,
  ]),
);

const matmulJit = jit((a: JaxArray, b: JaxArray) => jnp.matmul(a, b));

function casesFor(n: number, budget: { time: number; iterations: number; warmupTime: number }): Case[] {
  const G = group(n);
  const shape = [n, n];
  const as = uniform(n * n, 1);
  const bs = uniform(n * n, 2);
  const common = { ...budget, rtol: 1e-5 };
  const t = tfInputsShaped(shape, as, bs);
  const e = jaxInputsShaped(shape, as, bs);
  const j = jaxInputsShaped(shape, as, bs);
  const x = jxInputs(shape, as, bs);
  const f = jxJit((a: JxArray, b: JxArray) => np.matmul(a, b));
  const tfRun = () => tf.matMul(t.v[0], t.v[1]);
  const eagerRun = () => jnp.matmul(e.v[0], e.v[1]);
  const jitRun = () => matmulJit(j.v[0], j.v[1]);
  return [
    { name: "eager tf.matMul", group: G, baseline: true, ...common, setup: onBackend("wasm", t.setup), teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
    { name: "tfjax jnp.matmul eager", group: G, ...common, setup: onBackend("wasm", e.setup), teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
    {
      name: "tfjax jit(jnp.matmul)",
      group: G,
      ...common,
      setup: onBackend("wasm", () => {
        j.setup();
        disposeJ(jitRun());
      }),
      teardown: j.teardown,
      fn: () => disposeJ(jitRun()),
      value: jaxValue(jitRun),
    },
    {
      name: "@jax-js/jax jit(np.matmul)",
      group: G,
      ...common,
      async: true,
      setup: onBackend("wasm", async () => {
        await x.setup();
        await callAndWait(f, x.v);
      }),
      teardown: () => {
        x.teardown();
        f.dispose();
      },
      fn: () => callAndWait(f, x.v),
      value: () => callAndRead(f, x.v),
      liveCount: jaxJsLiveRefs,
    },
  ];
}

export const cases: Case[] = [
  ...casesFor(512, { time: 2000, iterations: 20, warmupTime: 300 }),
  ...casesFor(1024, { time: 3000, iterations: 16, warmupTime: 500 }),
];
