// Throughput of examples/fusion.ts's 11-op elementwise chain (the same `chain` function, imported)
// on 1M float32, where kernel time dominates, per tfjs backend: on cpu, tfjax jit and eager vs
// eager tfjs-cpu; on wasm, the same plus @jax-js/jax jitted on its own wasm device.
import * as tf from "@tensorflow/tfjs-core";
import { jit, scope, type BackendName } from "../../src/index.js";
import { chain } from "../../examples/fusion.js";
import { onBackend } from "../lib/backend.js";
import { chain11Tf, uniformIn } from "../lib/chain.js";
import { disposeJ, jaxInputs, jaxValue, tfInputs, tfValue } from "../lib/inputs.js";
import { callAndRead, callAndWait, chain11Jx, jaxJsLiveRefs, jxInputs } from "../lib/jaxjs.js";
import { jit as jxJit } from "@jax-js/jax";
import type { Case } from "../types.js";

const N = 1 << 20;
const group = (b: BackendName) => `chain-11 f32[${N}] ${b}`;
const what = `examples/fusion.ts's chain (sin mul exp add tanh mul add sqrt div cos sub max) on f32[${N}] in [-4, 4), time per call. Inputs are created once; each call's output is disposed. Outputs must match eager tfjs within rtol 1e-5 (relative to its largest magnitude).`;

export const groups = {
  [group("cpu")]: what,
  [group("wasm")]: `${what} tfjs-wasm uses SIMD on one thread (its threaded build does not start in Node). @jax-js/jax runs on its own wasm device (one thread in Node): jit cache hit, then \`await y.blockUntilReady()\` so its lazily queued kernels run (no copy out), then \`y.dispose()\`.`,
};

const common = { time: 5000, iterations: 15, warmupTime: 500, rtol: 1e-5 };
const xs = uniformIn(N, 1, -4, 4);
const chainJit = jit(chain);

function casesOn(b: BackendName): Case[] {
  const G = group(b);
  const t = tfInputs(xs);
  const j = jaxInputs(xs);
  const e = jaxInputs(xs);
  const tfRun = () => tf.tidy(() => chain11Tf(t.v[0]));
  const jitRun = () => chainJit(j.v[0]);
  const eagerRun = () => scope(() => chain(e.v[0]));
  const out: Case[] = [
    { name: `eager tfjs-${b} (tf.tidy)`, group: G, baseline: true, ...common, setup: onBackend(b, t.setup), teardown: t.teardown, fn: () => tfRun().dispose(), value: tfValue(tfRun) },
    {
      name: "tfjax jit",
      group: G,
      ...common,
      setup: onBackend(b, () => {
        j.setup();
        disposeJ(jitRun()); // trace + compile outside the timing
      }),
      teardown: j.teardown,
      fn: () => disposeJ(jitRun()),
      value: jaxValue(jitRun),
    },
    { name: "tfjax eager (jnp in scope)", group: G, ...common, setup: onBackend(b, e.setup), teardown: e.teardown, fn: () => disposeJ(eagerRun()), value: jaxValue(eagerRun) },
  ];
  if (b === "wasm") {
    const x = jxInputs(undefined, xs);
    const f = jxJit(chain11Jx);
    out.push({
      name: "@jax-js/jax jit (wasm device)",
      group: G,
      ...common,
      async: true,
      setup: onBackend(b, async () => {
        await x.setup();
        await callAndWait(f, x.v); // trace + compile outside the timing
      }),
      teardown: () => {
        x.teardown();
        f.dispose();
      },
      fn: () => callAndWait(f, x.v),
      value: () => callAndRead(f, x.v),
      liveCount: jaxJsLiveRefs,
    });
  }
  return out;
}

export const cases: Case[] = [...casesOn("cpu"), ...casesOn("wasm")];
