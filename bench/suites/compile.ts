// Compile time of a long elementwise program: a 1,000-equation (and a 700-equation) chain of
// alternating sin / add / multiply with literals, traced from a fresh function object every
// iteration so no trace cache can hit. Rows: tfjax's makeJaxpr (trace only) and first jit call
// (trace + passes + lowering + one run on f32[16]), and the same two for @jax-js/jax.
//
// Each iteration also changes the add literal, so caches keyed on the program's content cannot
// hit either: tfjax's generated-kernel cache (keyed on the fused program, literals included) and
// jax-js's jitCompile and wasm-module caches (keyed on hashes of the jaxpr and the kernel).
import { jit, jnp, makeJaxpr, type Array as JaxArray } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { uniform } from "../lib/chain.js";
import { disposeJ, jaxInputs } from "../lib/inputs.js";
import { jaxJsLiveRefs, jxInputs, type JxArray } from "../lib/jaxjs.js";
import { jit as jxJit, makeJaxpr as jxMakeJaxpr, numpy as np } from "@jax-js/jax";
import type { Case } from "../types.js";

const N = 16;
const group = (eqns: number) => `compile ${eqns} eqns`;
const what = (eqns: number) =>
  `A ${eqns}-equation elementwise chain (sin, add c, multiply 0.9, repeated) on f32[${N}], a fresh function object and a fresh literal c every iteration, time per iteration; tfjs backend wasm. "first jit call" is trace + passes + lowering/compilation + one run (@jax-js/jax: \`f(x.ref).dataSync()\`, which forces its lazy kernels, then \`f.dispose()\`). Aim: under 50 ms. "leaked tensors" of the tfjax rows is its cache of interned JS scalars (one per new literal, capped at 4096), not a leak per call.`;

export const groups = {
  [group(1000)]: `${what(1000)} @jax-js/jax may overflow Node's default stack past ~800 equations: the error is shown in its row.`,
  [group(700)]: `${what(700)} Like for like with @jax-js/jax below its stack limit.`,
};

// A cold compile can take seconds: fewer rounds keep this suite inside the bench's time budget.
export const rounds = { [group(1000)]: 4, [group(700)]: 4 };

/** The add literal for iteration k: distinct float32 values, so content-keyed caches miss. */
const lit = (k: number) => 0.5 + (k % 100_000) * 2 ** -20;

function chainTfjax(eqns: number, c: number) {
  return (x: JaxArray): JaxArray => {
    let y = x;
    for (let i = 0; i < eqns; i++) y = i % 3 === 0 ? jnp.sin(y) : i % 3 === 1 ? jnp.add(y, c) : jnp.multiply(y, 0.9);
    return y;
  };
}

/** The same chain in jax-js: each op consumes y, which is used once, so no `.ref` is needed. */
function chainJaxJs(eqns: number, c: number) {
  return (x: JxArray): JxArray => {
    let y = x;
    for (let i = 0; i < eqns; i++) y = i % 3 === 0 ? np.sin(y) : i % 3 === 1 ? y.add(c) : y.mul(0.9);
    return y;
  };
}

function casesFor(eqns: number): Case[] {
  const G = group(eqns);
  // One sample per round at least, one warm-up call: a cold compile can take seconds, and this
  // suite must not dominate the bench's ~5 minute budget.
  const common = { time: 1200, iterations: 1, warmupTime: 0, warmupIterations: 1 };
  const xs = uniform(N, 1);
  let k = 1; // iteration counter shared by the rows: every call sees a literal never seen before
  const j = jaxInputs(xs);
  const m = jaxInputs(xs);
  const xj = jxInputs(undefined, xs);
  const xm = jxInputs(undefined, xs);
  const tfjaxJit = (c: number) => jit(chainTfjax(eqns, c))(j.v[0]);
  const jaxJsJit = (c: number) => {
    const f = jxJit(chainJaxJs(eqns, c));
    try {
      return f(xj.v[0].ref).dataSync();
    } finally {
      f.dispose();
    }
  };
  return [
    {
      name: "tfjax first jit call",
      group: G,
      baseline: true,
      ...common,
      setup: onBackend("wasm", j.setup),
      teardown: j.teardown,
      fn: () => disposeJ(tfjaxJit(lit(k++))),
      value: () => {
        const y = tfjaxJit(lit(0));
        const v = (y as unknown as { dataSync(): Float32Array }).dataSync().slice();
        disposeJ(y);
        return v;
      },
    },
    {
      name: "tfjax makeJaxpr",
      group: G,
      ...common,
      setup: onBackend("wasm", m.setup),
      teardown: m.teardown,
      fn: () => makeJaxpr(chainTfjax(eqns, lit(k++)))(m.v[0]),
    },
    {
      name: "@jax-js/jax first jit call",
      group: G,
      ...common,
      rtol: 1e-5,
      setup: onBackend("wasm", xj.setup),
      teardown: xj.teardown,
      fn: () => jaxJsJit(lit(k++)),
      // A weak check: the chain contracts, so every element ends near the same fixed point.
      value: () => jaxJsJit(lit(0)),
      liveCount: jaxJsLiveRefs,
    },
    {
      name: "@jax-js/jax makeJaxpr",
      group: G,
      ...common,
      setup: onBackend("wasm", xm.setup),
      teardown: xm.teardown,
      // makeJaxpr only reads its arguments' shapes (it does not consume them); the result owns
      // the traced constants, freed by dispose().
      fn: () => jxMakeJaxpr(chainJaxJs(eqns, lit(k++)))(xm.v[0]).jaxpr.dispose(),
      liveCount: jaxJsLiveRefs,
    },
  ];
}

export const cases: Case[] = [...casesFor(1000), ...casesFor(700)];
