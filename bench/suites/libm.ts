// The cost of JAX's bits for elementary functions on 1M float32, per tfjs backend: tfjax's jnp.exp
// (XLA CPU's float32 exp), jnp.tan and jnp.power (glibc's tanf and powf, which XLA calls), under
// jit, vs tfjs's own kernels (Math.* rounded to float32 on cpu, XNNPACK/std on wasm), which differ
// from JAX's in the last bit for a few percent of inputs.
import * as tf from "@tensorflow/tfjs-core";
import { jit, jnp, type Array as JaxArray, type BackendName } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { uniformIn } from "../lib/chain.js";
import { disposeJ, jaxInputs, jaxValue, tfInputs, tfValue } from "../lib/inputs.js";
import type { Case } from "../types.js";

const N = 1 << 20;
const FNS = {
  exp: { inputs: [uniformIn(N, 1, -10, 10)], tf: (x: tf.Tensor[]) => tf.exp(x[0]), jax: (x: JaxArray[]) => jnp.exp(x[0]) },
  tan: { inputs: [uniformIn(N, 2, -1.5, 1.5)], tf: (x: tf.Tensor[]) => tf.tan(x[0]), jax: (x: JaxArray[]) => jnp.tan(x[0]) },
  pow: { inputs: [uniformIn(N, 3, 0.1, 3), uniformIn(N, 4, -3, 3)], tf: (x: tf.Tensor[]) => tf.pow(x[0], x[1]), jax: (x: JaxArray[]) => jnp.power(x[0], x[1]) },
};
type Fn = keyof typeof FNS;
const group = (f: Fn, b: BackendName) => `libm ${f} f32[${N}] ${b}`;

export const groups = Object.fromEntries(
  (["cpu", "wasm"] as const).flatMap((b) =>
    (Object.keys(FNS) as Fn[]).map((f) => [
      group(f, b),
      `${f} of f32[${N}] (inputs made once, each output disposed): tfjs-${b}'s kernel vs tfjax jit, whose values are JAX's bit for bit (test/xla_math.test.ts). Values must agree within rtol 1e-5 of the largest magnitude.`,
    ]),
  ),
);

const common = { time: 3000, iterations: 15, warmupTime: 300, rtol: 1e-5 };

function casesOf(f: Fn, b: BackendName): Case[] {
  const { inputs, tf: tfFn, jax } = FNS[f];
  const t = tfInputs(...inputs);
  const j = jaxInputs(...inputs);
  const fj = jit((...xs: JaxArray[]) => jax(xs));
  const tfRun = () => tf.tidy(() => tfFn(t.v));
  const jitRun = () => fj(...j.v) as JaxArray;
  return [
    { name: `tfjs-${b} tf.${f}`, group: group(f, b), baseline: true, ...common, setup: onBackend(b, t.setup), teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
    {
      name: "tfjax jit (JAX's bits)",
      group: group(f, b),
      ...common,
      setup: onBackend(b, () => {
        j.setup();
        disposeJ(jitRun()); // trace + compile outside the timing
      }),
      teardown: j.teardown,
      fn: () => disposeJ(jitRun()),
      value: jaxValue(jitRun),
    },
  ];
}

export const cases: Case[] = (["cpu", "wasm"] as const).flatMap((b) => (Object.keys(FNS) as Fn[]).flatMap((f) => casesOf(f, b)));
