// Per-call overhead on tiny inputs, where kernel work is negligible: what a jit cache hit costs
// compared with issuing the same tfjs ops by hand, and with tfjax's eager path.
import * as tf from "@tensorflow/tfjs-core";
import { jit, jnp, scope, type Array as JaxArray } from "../../src/index.js";
import { chainJnp, chainTf, uniform } from "../lib/chain.js";
import { disposeJ, jaxInputs, jaxValue, tfInputs, tfValue } from "../lib/inputs.js";
import type { Case } from "../types.js";

const N = 16;
const G10 = `dispatch 10 ops f32[${N}]`;
const G1 = `dispatch 1 op f32[${N}]`;

export const groups = {
  [G10]: `10-op elementwise chain (sin mul add exp sqrt tanh mul sub cos add) on f32[${N}], time per call. The kernels do almost nothing, so this is dispatch overhead. tfjax eager runs inside scope() so its intermediates are freed.`,
  [G1]: `one sin on f32[${N}]: the fixed per-call cost (for jit: cache lookup, argument flattening, plan setup, output wrapping) without the other 9 kernels.`,
};

// ~200 calls per sample keeps each sample in the milliseconds, far above timer resolution. V8
// needs tens of thousands of calls before µs-scale paths reach their steady speed: warm up long.
const common = { batch: 200, time: 3000, iterations: 50, warmupTime: 2500 };
const xs = uniform(N, 1);
const ys = uniform(N, 2);

const chainJit = jit(chainJnp);
const sinJit = jit((x: JaxArray) => jnp.sin(x));

function cases10(): Case[] {
  const t = tfInputs(xs, ys);
  const j = jaxInputs(xs, ys);
  const e = jaxInputs(xs, ys);
  const tfRun = () => tf.tidy(() => chainTf(t.v[0], t.v[1]));
  const jitRun = () => chainJit(j.v[0], j.v[1]);
  const eagerRun = () => scope(() => chainJnp(e.v[0], e.v[1]));
  return [
    { name: "eager tfjs (tf.tidy)", group: G10, baseline: true, ...common, setup: t.setup, teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
    {
      name: "tfjax jit (cache hit)",
      group: G10,
      ...common,
      setup: () => {
        j.setup();
        disposeJ(jitRun()); // trace + compile outside the timing
      },
      teardown: j.teardown,
      fn: () => disposeJ(jitRun()),
      value: jaxValue(jitRun),
    },
    { name: "tfjax eager (jnp in scope)", group: G10, ...common, setup: e.setup, teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
  ];
}

function cases1(): Case[] {
  const t = tfInputs(xs);
  const j = jaxInputs(xs);
  const e = jaxInputs(xs);
  const tfRun = () => tf.sin(t.v[0]);
  const jitRun = () => sinJit(j.v[0]);
  const eagerRun = () => jnp.sin(e.v[0]);
  return [
    { name: "eager tfjs (no tidy)", group: G1, baseline: true, ...common, setup: t.setup, teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
    {
      name: "tfjax jit (cache hit)",
      group: G1,
      ...common,
      setup: () => {
        j.setup();
        disposeJ(jitRun());
      },
      teardown: j.teardown,
      fn: () => disposeJ(jitRun()),
      value: jaxValue(jitRun),
    },
    { name: "tfjax eager (jnp)", group: G1, ...common, setup: e.setup, teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
  ];
}

export const cases: Case[] = [...cases10(), ...cases1()];
