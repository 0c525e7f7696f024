// The dispatch suite's 10-op f32[16] group on the wasm backend, plus @jax-js/jax's jit cache-hit
// call of the same 10 ops on its own wasm device: per-call overhead where kernels do almost nothing.
import * as tf from "@tensorflow/tfjs-core";
import { jit, scope } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { chainJnp, chainTf, uniform } from "../lib/chain.js";
import { disposeJ, jaxInputs, jaxValue, tfInputs, tfValue } from "../lib/inputs.js";
import { callAndRead, callAndWait, chain10Jx, jaxJsLiveRefs, jxInputs } from "../lib/jaxjs.js";
import { jit as jxJit } from "@jax-js/jax";
import type { Case } from "../types.js";

const N = 16;
const G = `dispatch 10 ops f32[${N}] wasm`;

export const groups = {
  [G]: `10-op elementwise chain (sin mul add exp sqrt tanh mul sub cos add) on f32[${N}], time per call, on the tfjs wasm backend. The kernels do almost nothing, so this is dispatch overhead. tfjax eager runs inside scope(). @jax-js/jax queues kernels lazily, so its call must also force them: \`dataSync()\` (synchronous, copies the 16 values out, consumes the result) or \`await blockUntilReady()\` then \`dispose()\` (no copy, but promise turns).`,
};

// As in dispatch.ts: ~200 calls per sample, long warm-up.
const common = { batch: 200, time: 3000, iterations: 50, warmupTime: 2500, rtol: 1e-5 };
const xs = uniform(N, 1);
const ys = uniform(N, 2);
const chainJit = jit(chainJnp);

const t = tfInputs(xs, ys);
const j = jaxInputs(xs, ys);
const e = jaxInputs(xs, ys);
const tfRun = () => tf.tidy(() => chainTf(t.v[0], t.v[1]));
const jitRun = () => chainJit(j.v[0], j.v[1]);
const eagerRun = () => scope(() => chainJnp(e.v[0], e.v[1]));

/** One jax-js case: its own inputs and jitted function, compiled in setup. */
function jaxJsCase(name: string, how: "read" | "wait"): Case {
  const x = jxInputs(undefined, xs, ys);
  const f = jxJit(chain10Jx);
  return {
    name,
    group: G,
    ...common,
    async: how === "wait",
    setup: onBackend("wasm", async () => {
      await x.setup();
      await callAndWait(f, x.v); // trace + compile outside the timing
    }),
    teardown: () => {
      x.teardown();
      f.dispose();
    },
    fn: how === "read" ? () => callAndRead(f, x.v) : () => callAndWait(f, x.v),
    value: () => callAndRead(f, x.v),
    liveCount: jaxJsLiveRefs,
  };
}

export const cases: Case[] = [
  { name: "eager tfjs-wasm (tf.tidy)", group: G, baseline: true, ...common, setup: onBackend("wasm", t.setup), teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
  {
    name: "tfjax jit (cache hit)",
    group: G,
    ...common,
    setup: onBackend("wasm", () => {
      j.setup();
      disposeJ(jitRun()); // trace + compile outside the timing
    }),
    teardown: j.teardown,
    fn: () => disposeJ(jitRun()),
    value: jaxValue(jitRun),
  },
  { name: "tfjax eager (jnp in scope)", group: G, ...common, setup: onBackend("wasm", e.setup), teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
  jaxJsCase("@jax-js/jax jit (cache hit) + dataSync()", "read"),
  jaxJsCase("@jax-js/jax jit (cache hit) + await blockUntilReady()", "wait"),
];
