// The properties the differential fuzzer checks on a generated program (programs.ts): eager,
// jit and evalJaxpr(makeJaxpr) agree, grad agrees with finite differences, vmap agrees with a
// loop, and no path leaks a tensor. Shared by test/fuzz.test.ts, test/fuzz_regressions.test.ts
// and the browser suite.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../../src/array/base.js";
import { ArrayImpl, scope } from "../../src/array/array.js";
import * as jnp from "../../src/numpy/index.js";
import { evalJaxpr } from "../../src/tracer/eval_jaxpr.js";
import { grad } from "../../src/tracer/grad.js";
import { jit, makeJaxpr } from "../../src/tracer/jit.js";
import { vmap } from "../../src/tracer/vmap.js";
import { rng } from "./grad.js";
import { type Aval, type Input, type Program, hostValues, inputsFor, run, show, toArray } from "./programs.js";

/**
 * How far a float result of one path may be from another's. tfjax's paths differ in what they
 * run, not in the math: jit rewrites the jaxpr (simplify, constant folding, transpose folding
 * into dot_general), fuses elementwise chains and reductions into generated kernels (bit-exact
 * with tfjs-cpu's kernels, test/fusion.test.ts), and on cpu and wasm runs float32 dot_general and
 * reduce_sum through its own GEMMs, which sum in another order than tfjs's kernels (fusion.test.ts
 * compares a fused wasm sum to 4 decimals). A reordered float32 sum of n terms moves by about
 * n ulps of the sum of their magnitudes, and a chain of ops carries that error along
 * (amplified where it cancels), so values agree to a relative 2^-12 of max(1, |value|); integers,
 * bools, NaN-ness and infinities exactly. Zero's sign is not compared (x + 0 -> x).
 */
export const FLOAT_TOL = 2 ** -12;

export interface Tol {
  rel: number;
  /** An absolute floor (WebGL flushes subnormals). */
  abs?: number;
}

/** Mismatches of `got` against `want` (one output), as lines. */
function compare(what: string, a: Aval, want: number[], got: number[], tol: Tol): string[] {
  const bad: string[] = [];
  if (want.length !== got.length) return [`${what}: ${got.length} values, want ${want.length}`];
  want.forEach((w, i) => {
    const g = got[i];
    const ok =
      a.dtype !== "float32"
        ? g === w
        : Number.isNaN(w)
          ? Number.isNaN(g)
          : !Number.isFinite(w)
            ? g === w
            : Math.abs(g - w) <= tol.rel * Math.max(1, Math.abs(w)) + (tol.abs ?? 0);
    if (!ok) bad.push(`${what}[${i}]: got ${g}, want ${w}`);
  });
  return bad.slice(0, 8);
}

const avalOf = (x: JaxArray): Aval => ({ dtype: x.dtype as Aval["dtype"], shape: [...x.shape] });
const typeStr = (a: Aval) => `${a.dtype}[${a.shape}]`;

/** The counterexample, ready to paste into test/fuzz_regressions.test.ts. */
export function describeCase(p: Program, inputs: Input[], problems: string[]): string {
  return `${problems.join("\n")}\nprogram:\n${show(p)}\ninputs: ${JSON.stringify(inputs.map((x) => x.data))}\nas data:\n${JSON.stringify({ program: p, inputs })}`;
}

/** The outputs of one call of a path as host values; the outputs are disposed (never the inputs). */
function call(f: (...xs: JaxArray[]) => JaxArray[], args: JaxArray[]): { avals: Aval[]; data: number[][] } {
  const outs = f(...args);
  try {
    return { avals: outs.map(avalOf), data: outs.map(hostValues) };
  } finally {
    for (const o of outs) if (!args.includes(o) && o instanceof ArrayImpl) o.dispose();
  }
}

/**
 * Runs a path twice: the second call (caches warm) must leave tf.memory().numTensors where it
 * found it once its outputs are disposed.
 */
function steady(name: string, f: (...xs: JaxArray[]) => JaxArray[], args: JaxArray[], problems: string[]) {
  call(f, args);
  const before = tf.memory().numTensors;
  const r = call(f, args);
  const after = tf.memory().numTensors;
  if (after !== before) problems.push(`${name}: ${after - before} tensors leaked by a call`);
  return r;
}

/** The paths of the agreement property. */
export const PATHS: Record<string, (p: Program) => (...xs: JaxArray[]) => JaxArray[]> = {
  eager: (p) => (...xs) => scope(() => run(p, xs)),
  jit: (p) => jit((...xs: JaxArray[]) => run(p, xs)),
  evalJaxpr: (p) => (...xs) => scope(() => evalJaxpr(makeJaxpr((...a: JaxArray[]) => run(p, a))(...xs), ...xs)),
};

/** Eager, jit and evalJaxpr(makeJaxpr) give the same types and values, and leak nothing. */
export function checkAgree(p: Program, inputs: Input[], tol: Tol = { rel: FLOAT_TOL }, paths = Object.keys(PATHS)): void {
  const args = inputs.map(toArray);
  const problems: string[] = [];
  try {
    const results = paths.map((k) => [k, steady(k, PATHS[k](p), args, problems)] as const);
    const [ref, want] = results[0];
    for (const [k, got] of results.slice(1)) {
      const t0 = want.avals.map(typeStr).join(", ");
      const t1 = got.avals.map(typeStr).join(", ");
      if (t0 !== t1) problems.push(`${k}: output types (${t1}), ${ref}: (${t0})`);
      else want.avals.forEach((a, i) => problems.push(...compare(`${k} vs ${ref}: output ${i}`, a, want.data[i], got.data[i], tol)));
    }
  } catch (e) {
    problems.push(`threw: ${(e as Error).stack}`);
  } finally {
    args.forEach((a) => a.dispose());
  }
  if (problems.length) throw new Error(describeCase(p, inputs, problems));
}

/**
 * grad of the sum of the float outputs, with respect to every float input, against central
 * finite differences of the same function run eagerly in float32 along a random direction t:
 * D(h) = (L(x + h t) - L(x - h t)) / 2h at h = 1/64 and 1/128, Richardson-extrapolated (its h^2
 * terms cancel). float32 rounding makes each D noisy by about 2^-24 |L| / h; the check skips
 * points where L is not smooth within the step (the two D disagree: a kink, a jump, a select
 * switching), not finite, or where the gradient is not finite (JAX's gradients are NaN at points
 * where finite differences are not, e.g. through an unselected branch of a where). Tolerance:
 * 2^-8 of the sum of the terms |g_i t_i| and of |L|'s noise, which is what float32 affords.
 * Returns whether it checked anything.
 */
export function checkGradProgram(p: Program, inputs: Input[]): boolean {
  const floats = inputs.flatMap((x, i) => (x.dtype === "float32" && x.data.length ? [i] : []));
  if (!floats.length) return false;
  const args = inputs.map(toArray);
  const problems: string[] = [];
  let checked = false;
  const loss = (...xs: JaxArray[]): JaxArray => {
    const outs = run(p, xs).filter((o) => o.dtype === "float32");
    return outs.reduce<JaxArray>((s, o) => jnp.add(s, jnp.sum(o)), jnp.zeros([]));
  };
  try {
    const r = rng(`t ${JSON.stringify(inputs.map((x) => x.data))}`);
    const t = inputs.map((x) => x.data.map(() => (x.dtype === "float32" ? 2 * r() - 1 : 0)));
    const at = (h: number) =>
      scope(() => {
        const xs = inputs.map((x, i) => (x.dtype === "float32" ? toArray({ ...x, data: x.data.map((v, k) => Math.fround(v + h * t[i][k])) }) : args[i]));
        return Number(hostValues(loss(...xs))[0]);
      });
    const L0 = at(0);
    const [p1, m1, p2, m2] = [1 / 64, -1 / 64, 1 / 128, -1 / 128].map(at);
    const D1 = (p1 - m1) * 32;
    const D2 = (p2 - m2) * 64;
    const noise = 2 ** -24 * 128 * Math.max(1, Math.abs(L0), Math.abs(p1), Math.abs(m1));
    const finite = [L0, p1, m1, p2, m2].every(Number.isFinite) && Math.abs(L0) < 1e6;
    const smooth = Math.abs(D1 - D2) <= 2 ** -6 * Math.max(1, Math.abs(D2)) + 4 * noise;
    if (finite && smooth) {
      const g = scope(() => (grad(loss, { argnums: floats })(...args) as JaxArray[]).map(hostValues));
      const terms = g.flatMap((gi, j) => gi.map((v, k) => v * t[floats[j]][k]));
      if (terms.every(Number.isFinite)) {
        checked = true;
        const got = terms.reduce((a, b) => a + b, 0);
        const want = (4 * D2 - D1) / 3;
        const tol = 2 ** -8 * (terms.reduce((a, b) => a + Math.abs(b), 0) + Math.abs(want)) + 8 * noise;
        if (!(Math.abs(got - want) <= tol))
          problems.push(`grad: <grad, t> = ${got}, finite differences ${want} (D(1/64) ${D1}, D(1/128) ${D2}, tolerance ${tol.toExponential(2)}), t = ${JSON.stringify(t)}`);
      }
    }
    // grad leaks nothing either, once a first call has filled the caches.
    scope(() => void grad(loss, { argnums: floats })(...args));
    const before = tf.memory().numTensors;
    scope(() => void grad(loss, { argnums: floats })(...args));
    if (tf.memory().numTensors !== before) problems.push(`grad: ${tf.memory().numTensors - before} tensors leaked by a call`);
  } catch (e) {
    problems.push(`threw: ${(e as Error).stack}`);
  } finally {
    args.forEach((a) => a.dispose());
  }
  if (problems.length) throw new Error(describeCase(p, inputs, problems));
  return checked;
}

const BATCH = 3;

/**
 * vmap over a batch of 3 examples (each input batched along axis 0, or unmapped when the seed
 * says so) against a loop over the examples, eagerly and under jit.
 */
export function checkVmapProgram(p: Program, examples: Input[][], inAxes: (0 | null)[], tol: Tol = { rel: FLOAT_TOL }): void {
  const problems: string[] = [];
  const f = (...xs: JaxArray[]) => run(p, xs);
  const batched = p.inputs.map((a, i) =>
    inAxes[i] === null ? toArray(examples[0][i]) : toArray({ ...a, shape: [BATCH, ...a.shape], data: examples.flatMap((ex) => ex[i].data) }),
  );
  try {
    const loop = examples.map((ex) => {
      const xs = ex.map((x, i) => (inAxes[i] === null ? examples[0][i] : x)).map(toArray);
      try {
        return call(PATHS.eager(p), xs);
      } finally {
        xs.forEach((x) => x.dispose());
      }
    });
    for (const [where, g] of [
      ["vmap", vmap(f, { inAxes })],
      ["jit(vmap)", jit(vmap(f, { inAxes }))],
    ] as const) {
      const got = where === "vmap" ? steady(where, (...xs) => scope(() => g(...xs)), batched, problems) : steady(where, g, batched, problems);
      loop[0].avals.forEach((a, k) => {
        const want = typeStr({ ...a, shape: [BATCH, ...a.shape] });
        if (typeStr(got.avals[k]) !== want) problems.push(`${where}: output ${k} type ${typeStr(got.avals[k])}, want ${want}`);
        else {
          const n = got.data[k].length / BATCH;
          for (let b = 0; b < BATCH; b++)
            problems.push(...compare(`${where} example ${b} output ${k}`, a, loop[b].data[k], got.data[k].slice(b * n, (b + 1) * n), tol));
        }
      });
    }
  } catch (e) {
    problems.push(`threw: ${(e as Error).stack}`);
  } finally {
    batched.forEach((a) => a.dispose());
  }
  if (problems.length)
    throw new Error(`${problems.join("\n")}\nin_axes: ${JSON.stringify(inAxes)}\n${describeCase(p, examples[0], [])}\nexamples: ${JSON.stringify(examples.map((ex) => ex.map((x) => x.data)))}`);
}

/** The vmap property's examples and axes, from a seed. */
export function vmapSetup(p: Program, seed: number): { examples: Input[][]; inAxes: (0 | null)[] } {
  const r = rng(`axes ${seed}`);
  return {
    examples: [0, 1, 2].map((k) => inputsFor(p, seed * 3 + k)),
    inAxes: p.inputs.map((_, i) => (i > 0 && r() < 0.25 ? null : 0)),
  };
}
