// Throughput of a 10-op elementwise chain on 1M float32 elements: kernel time dominates, so this
// shows whether jit's plan adds or saves anything over the same ops issued eagerly.
import * as tf from "@tensorflow/tfjs-core";
import { jit, scope } from "../../src/index.js";
import { chainJnp, chainTf, uniform } from "../lib/chain.js";
import { disposeJ, jaxInputs, jaxValue, tfInputs, tfValue } from "../lib/inputs.js";
import type { Case } from "../types.js";

const N = 1 << 20;
const G = `chain 10 ops f32[${N}]`;

export const groups = {
  [G]: `10-op elementwise chain (sin mul add exp sqrt tanh mul sub cos add) on f32[${N}], time per call. Inputs are created once; each call's output is disposed.`,
};

const common = { time: 6000, iterations: 15, warmupTime: 500 };
const xs = uniform(N, 1);
const ys = uniform(N, 2);
const chainJit = jit(chainJnp);

const t = tfInputs(xs, ys);
const j = jaxInputs(xs, ys);
const e = jaxInputs(xs, ys);
const tfRun = () => tf.tidy(() => chainTf(t.v[0], t.v[1]));
const jitRun = () => chainJit(j.v[0], j.v[1]);
const eagerRun = () => scope(() => chainJnp(e.v[0], e.v[1]));

export const cases: Case[] = [
  { name: "eager tfjs (tf.tidy)", group: G, baseline: true, ...common, setup: t.setup, teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
  {
    name: "tfjax jit",
    group: G,
    ...common,
    setup: () => {
      j.setup();
      disposeJ(jitRun()); // trace + compile outside the timing
    },
    teardown: j.teardown,
    fn: () => disposeJ(jitRun()),
    value: jaxValue(jitRun),
  },
  { name: "tfjax eager (jnp in scope)", group: G, ...common, setup: e.setup, teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
];
