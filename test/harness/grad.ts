// The grad mode of the primitive harness (JAX's lax_autodiff_test): for each case with float
// arguments, the jvp along a random tangent against central finite differences of the case's
// reference evaluated in float64, and the vjp against that jvp by the dot-product identity
// <ct, J t> = <J^T ct, t>; eagerly, under jit and of a jitted function. Where the reference is
// not differentiable (kinks, jumps, non-finite values), the finite differences say so and those
// elements are left out.
import { expect } from "vitest";
import type { Array as JaxArray } from "../../src/array/base.js";
import { ArrayImpl, tensorFrom, wrap } from "../../src/array/array.js";
import { jvp, vjp } from "../../src/tracer/grad.js";
import { jit } from "../../src/tracer/jit.js";
import { type Case, gradSpec } from "./cases.js";
import { type Host, unrounded } from "./ref.js";
import { checkOutputs, dispose, withInputs } from "./run.js";

const isFloatHost = (h: Host) => h.dtype === "float32";

/** Where jit goes: nowhere, around the transformation, or inside it (around the case's function). */
export type Placement = "eager" | "under jit" | "of jit";
/** `true` and `false` (jitted or not) are accepted for "under jit" and "eager". */
export const placementOf = (p: Placement | boolean): Placement => (p === true ? "under jit" : p === false ? "eager" : p);

/** The inputs that get tangents: float arrays passed as arguments (literals are constants). */
const diffInputs = (c: Case): number[] =>
  c.inputs.flatMap((x, i) => (isFloatHost(x) && !x.literal && !gradSpec(c).constant?.operands.includes(i) ? [i] : []));

/** The grad mode applies: a case with a reference, float arguments, and a derivative. */
export const hasGradMode = (c: Case): boolean => c.error === undefined && !!c.ref && diffInputs(c).length > 0 && !gradSpec(c).none;

/**
 * Tolerances, in float32 ulps (2^-23): `RTOL` bounds the jvp's error relative to the sum of its
 * terms |J_ij t_j|, 128 ulps per ulp the case allows its primal (the derivative of an
 * ill-conditioned function inherits the primal's error, magnified); `OUT_TOL`, relative to
 * |f(x)| / max(1, |x|), covers derivatives formed from the primal output by cancellation
 * (logistic's s (1 - s) at large x, tanh's 1 - tanh^2, expm1's ans + 1), whose error is an ulp of
 * the output rather than of the derivative. Measured on cpu and wasm: at most 2 ulps of the
 * terms, except erf_inv near +-1 (400 ulps, within its 64-ulp primal tolerance's 8192).
 */
const RTOL = 2 ** -16;
const OUT_TOL = 2 ** -19;
/** Subnormal results may flush to zero: an absolute floor. */
const TINY = 2 ** -126;
const F32_MAX = 3.4028234663852886e38;
/** The finite-difference steps, relative to max(1, |x_j|): the first of 1e-3, 1e-4, ... 1e-7 that works. */
const STEP = 1e-3;
const MIN_STEP = 1e-7;
/**
 * Argument elements get tangents only where |x| is within [2^-40, 2^40] (or 0): JAX's derivative
 * formulas square their operands (div's x / y^2, atan2's x^2 + y^2), which leaves float32's
 * range beyond about 2^63, so larger values would test the range, not the rule.
 */
const MAX_ARG = 2 ** 40;
const EPS64 = 2 ** -52;

// ---- finite differences of the reference --------------------------------------------------------

/** The case's reference in float64 with its float arguments replaced by `x` (flattened), float outputs flattened. */
function refAt(c: Case, diff: number[], x: readonly number[]): number[] {
  let k = 0;
  const inputs = c.inputs.map((h, i) => (diff.includes(i) ? { ...h, data: h.data.map(() => x[k++]) } : h));
  return unrounded(() => c.ref!(...inputs))
    .filter(isFloatHost)
    .flatMap((o) => o.data);
}

/** Finite-difference Jacobian of the float outputs with respect to the float arguments, and what of it is checkable. */
interface Jacobian {
  x: number[];
  f0: number[];
  /** J[i][j] (Richardson-extrapolated central differences) and a bound on its error. */
  J: number[][];
  err: number[][];
  /** Output i depends on argument element j. */
  dep: boolean[][];
  /** Outputs whose jvp is checked (finite, and every derivative into them exists). */
  rows: boolean[];
  /** Argument elements given a non-zero tangent (finite, and f smooth in them at x). */
  cols: boolean[];
}

const jacobians = new WeakMap<Case, Jacobian>();

function jacobian(c: Case, diff: number[]): Jacobian {
  let jac = jacobians.get(c);
  if (!jac) jacobians.set(c, (jac = computeJacobian(c, diff)));
  return jac;
}

function computeJacobian(c: Case, diff: number[]): Jacobian {
  const x = diff.flatMap((i) => c.inputs[i].data);
  const f0 = refAt(c, diff, x);
  const n = x.length;
  // Which outputs each element feeds, found by poisoning it with NaN at a generic point (distinct
  // values in (0.25, 0.75), inside every operand's domain); at x a NaN output would hide it. An
  // output NaN even there may depend on anything.
  const generic = x.map((_, j) => 0.25 + (0.5 * (j + 1)) / (n + 1));
  const fGeneric = refAt(c, diff, generic);
  const feeds = x.map((_, j) => {
    const probe = refAt(c, diff, generic.map((v, k) => (k === j ? NaN : v)));
    return f0.map((_, i) => Number.isNaN(fGeneric[i]) || !Object.is(probe[i], fGeneric[i]));
  });
  const J = f0.map(() => new Array<number>(n).fill(0));
  const err = f0.map(() => new Array<number>(n).fill(0));
  const dep = f0.map(() => new Array<boolean>(n).fill(false));
  const exists = f0.map(() => new Array<boolean>(n).fill(false));
  const rows = f0.map((v) => Number.isFinite(v) && Math.abs(v) <= F32_MAX);
  const cols = x.map((v) => v === 0 || (Math.abs(v) >= 1 / MAX_ARG && Math.abs(v) <= MAX_ARG));
  const smooth = x.map(() => false);

  // Elements feeding disjoint outputs are perturbed together (sparse-Jacobian colouring): an
  // elementwise case costs a few evaluations of its reference per step, not a few per element.
  const groups: number[][] = [];
  for (let j = 0; j < n; j++) {
    const g = groups.find((g) => g.every((k) => feeds[k].every((f, i) => !(f && feeds[j][i]))));
    if (g) g.push(j);
    else groups.push([j]);
  }
  while (groups.length) {
    let active = groups.pop()!;
    // The largest step at which f is finite and smooth around x in every output x_j feeds (a
    // singularity or kink near x needs a smaller one; at x itself none will do).
    for (let step = STEP; step >= MIN_STEP && active.length; step /= 10) {
      const h = x.map((v) => step * Math.max(1, Math.abs(v)));
      const [p1, m1, p2, m2] = [1, -1, 0.5, -0.5].map((d) => refAt(c, diff, x.map((v, k) => (active.includes(k) ? v + d * h[k] : v))));
      const changed = f0.map((v, i) => [p1, m1, p2, m2].some((f) => !Object.is(f[i], v)));
      const owner = f0.map((_, i) => (active.length === 1 ? active[0] : active.find((j) => feeds[j][i])));
      if (changed.some((ch, i) => ch && owner[i] === undefined)) {
        // An output moved that the probe did not attribute: perturb these elements one by one.
        groups.push(...active.map((j) => [j]));
        break;
      }
      for (const j of active) smooth[j] = true;
      f0.forEach((_, i) => {
        const j = owner[i];
        if (j === undefined) return;
        dep[i][j] ||= feeds[j][i] || changed[i];
        if (!dep[i][j]) return;
        const vals = [f0[i], p1[i], m1[i], p2[i], m2[i]];
        const c1 = (p1[i] - m1[i]) / (2 * h[j]);
        const c2 = (p2[i] - m2[i]) / h[j];
        J[i][j] = c2 + (c2 - c1) / 3; // Richardson: the h^2 error terms cancel
        const noise = (64 * EPS64 * Math.max(...vals.map(Math.abs))) / h[j];
        err[i][j] = Math.abs(c2 - c1) / 3 + noise;
        // The derivative exists: the central differences agree as the step halves (they
        // diverge at a singularity or a jump). f is smooth there: the one-sided slopes'
        // difference halves with the step too (it stays at a kink, whose derivative is a
        // convention, and grows at a jump).
        const finite = vals.every(Number.isFinite) && Math.abs(J[i][j]) <= 1e30;
        const converged = finite && Math.abs(c2 - c1) <= 1e-4 * Math.max(Math.abs(c1), Math.abs(c2)) + noise;
        const d1 = (p1[i] - 2 * f0[i] + m1[i]) / h[j];
        const d2 = (p2[i] - 2 * f0[i] + m2[i]) / (h[j] / 2);
        exists[i][j] ||= converged;
        if (!converged || !(Math.abs(d2) <= 0.75 * Math.abs(d1) + noise)) smooth[j] = false;
      });
      active = active.filter((j) => !smooth[j]);
    }
  }
  for (let j = 0; j < n; j++) {
    if (!smooth[j]) cols[j] = false;
    f0.forEach((_, i) => dep[i][j] && !exists[i][j] && (rows[i] = false));
  }
  // An argument feeding an unchecked output is not checked either: the derivative into that
  // output may be infinite or NaN, which a zero cotangent does not cancel (0 * inf).
  for (let j = 0; j < n; j++) if (f0.some((_, i) => dep[i][j] && !rows[i])) cols[j] = false;
  return { x, f0, J, err, dep, rows, cols };
}

/** How much of case `c` the grad mode checks: [output elements, argument elements]; null when it checks zeros. */
export function gradCoverage(c: Case): [number, number] | null {
  if (gradSpec(c).zero !== undefined || !c.ref!(...c.inputs).some(isFloatHost)) return null;
  const { rows, cols } = jacobian(c, diffInputs(c));
  return [rows.filter(Boolean).length, cols.filter(Boolean).length];
}

// ---- the checks -----------------------------------------------------------------------------------

/** A deterministic generator per case (mulberry32 seeded by the case's name). */
export function rng(seed: string): () => number {
  let a = [...seed].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619), 2166136261) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A random float32 of magnitude in [0.5, 1.5) and random sign. */
const draw = (r: () => number) => Math.fround((r() < 0.5 ? -1 : 1) * (0.5 + r()));

const values = (a: JaxArray): number[] => Array.from((a as ArrayImpl).dataSync(), Number);
const floatArray = (data: number[], shape: number[]): JaxArray => wrap(tensorFrom(data, shape, "float32"), "float32");
const zerosArray = (h: { dtype: Host["dtype"]; shape: readonly number[] }): JaxArray => {
  const n = h.shape.reduce((a, b) => a * b, 1);
  return wrap(tensorFrom(new Array(n).fill(0), h.shape, h.dtype), h.dtype);
};
const isZero = (v: number) => v === 0;

/**
 * Runs the grad mode on case `c`: the jvp (primal outputs against the reference, tangents
 * against finite differences) and the vjp (by the dot-product identity), eagerly, under jit
 * (`jit(jvp(f))`) or of a jitted function (`jvp(jit(f))`, which runs jit's own rules).
 */
export function checkGrad(c: Case, placement: Placement | boolean): void {
  const where = placementOf(placement);
  const diff = diffInputs(c);
  const spec = gradSpec(c);
  const outs = c.ref!(...c.inputs);
  const floatOut = outs.map(isFloatHost);
  const zero = spec.zero !== undefined || !floatOut.some(Boolean);
  const jac = zero ? null : jacobian(c, diff);
  const r = rng(`${c.name}/${where}`);
  // Tangents: random where checkable (everywhere for zero derivatives); cotangents likewise.
  const x = diff.flatMap((i) => c.inputs[i].data);
  const t = x.map((_, j) => (!jac || jac.cols[j] ? draw(r) : 0));
  symmetrize(c, diff, t);
  let row = 0;
  const ct = outs.map((o, k) =>
    floatOut[k] ? o.data.map(() => (!jac || jac.rows[row++] ? draw(r) : 0)) : o.data.map(() => 0),
  );

  withInputs(
    c,
    (fn, args, avals) => {
      // fn takes the non-literal inputs; g only the float ones (closing over the others).
      const dyn = c.inputs.flatMap((h, i) => (h.literal ? [] : [i]));
      const g0 = (...fs: JaxArray[]): JaxArray[] => fn(...dyn.map((i, k) => (diff.includes(i) ? fs[diff.indexOf(i)] : args[k])));
      const g = where === "of jit" ? jit(g0) : g0;
      const primals = diff.map((i) => args[dyn.indexOf(i)]);
      let off = 0;
      const tangents = diff.map((i) => floatArray(t.slice(off, (off += c.inputs[i].data.length)), c.inputs[i].shape));
      const cts = outs.map((o, k) => (floatOut[k] ? floatArray(ct[k], o.shape) : zerosArray(o)));
      // The jvp and the vjp in one function, so that under jit one trace and compile serve both.
      const both = (p: JaxArray[], t: JaxArray[], cot: JaxArray[]) => {
        const [po, to] = jvp(g, p, t) as [JaxArray[], JaxArray[]];
        return [po, to, (vjp(g, ...p)[1] as (ct: unknown) => JaxArray[])(cot)];
      };
      const results: JaxArray[] = [];
      try {
        const [po, to, gs] = (where === "under jit" ? jit(both) : both)(primals, tangents, cts);
        results.push(...po, ...to, ...gs);
        checkOutputs(c, po, avals);
        const tangentType = (a: JaxArray) => a.aval.update({ weakType: false }).strShort();
        expect(to.map(tangentType), "tangent types").toEqual(po.map(tangentType));
        expect(gs.map(tangentType), "cotangent types").toEqual(primals.map(tangentType));
        const tv = to.map(values);
        const gv = gs.map(values);
        // Integer and boolean outputs carry no tangent: zeros.
        tv.forEach((v, k) => floatOut[k] || expect(v.every(isZero), `tangent of integer output ${k} is zero`).toBe(true));
        if (!jac) {
          expect(tv.flat().every(isZero), `jvp is zero${spec.zero ? ` (${spec.zero})` : ""}`).toBe(true);
          expect(gv.flat().every(isZero), `vjp is zero${spec.zero ? ` (${spec.zero})` : ""}`).toBe(true);
          return;
        }
        compare(c, jac, t, ct.filter((_, k) => floatOut[k]).flat(), tv.filter((_, k) => floatOut[k]).flat(), gv.flat());
      } finally {
        dispose([...results, ...tangents, ...cts]);
      }
    },
    true,
  );
}

/** Mirrors the lower triangle of the tangents of the operands `spec.symmetrize` names onto their upper one. */
function symmetrize(c: Case, diff: number[], t: number[]): void {
  let off = 0;
  for (const i of diff) {
    const { shape, data } = c.inputs[i];
    if (gradSpec(c).symmetrize?.includes(i)) {
      const n = shape[shape.length - 1];
      for (let m = off; m < off + data.length; m += n * n)
        for (let row = 0; row < n; row++) for (let col = row + 1; col < n; col++) t[m + row * n + col] = t[m + col * n + row];
    }
    off += data.length;
  }
}

/** jvp against the finite differences row by row, then the dot-product identity. */
function compare(c: Case, jac: Jacobian, t: number[], ct: number[], jvpOut: number[], vjpOut: number[]): void {
  const { J, err, dep, rows, cols, f0, x } = jac;
  const rtol = RTOL * Math.max(1, c.ulps);
  const bad: string[] = [];
  const tol = f0.map((fi, i) => {
    let s = 0;
    for (let j = 0; j < x.length; j++)
      if (dep[i][j] && t[j] !== 0)
        s += Math.abs(t[j]) * (rtol * Math.abs(J[i][j]) + err[i][j] + (OUT_TOL * Math.abs(fi)) / Math.max(1, Math.abs(x[j])) + TINY);
    return s;
  });
  f0.forEach((_, i) => {
    if (!rows[i]) return;
    const want = J[i].reduce((s, Jij, j) => s + Jij * t[j], 0);
    const got = jvpOut[i];
    if (!(Math.abs(got - want) <= tol[i])) bad.push(`output element ${i}: jvp ${got}, finite differences ${want} (tolerance ${tol[i].toExponential(2)})`);
  });
  // <ct, J t> from the jvp against <J^T ct, t> from the vjp, over the checked elements.
  let lhs = 0;
  let rhs = 0;
  let tolIp = 0;
  f0.forEach((_, i) => {
    if (rows[i] && ct[i] !== 0) {
      lhs += ct[i] * jvpOut[i];
      tolIp += Math.abs(ct[i]) * tol[i];
    }
  });
  x.forEach((_, j) => {
    if (cols[j]) rhs += vjpOut[j] * t[j];
  });
  if (!(Math.abs(lhs - rhs) <= tolIp)) bad.push(`<ct, jvp> = ${lhs} but <vjp, t> = ${rhs} (tolerance ${tolIp.toExponential(2)})`);
  if (bad.length) throw new Error(`${c.name}: x = [${x}], t = [${t}]:\n${bad.join("\n")}`);
}
