// jax.test_util.check_grads: derivatives from automatic differentiation against finite
// differences, along one random direction per check, up to a given order, in forward mode
// (jvp), reverse mode (vjp, by the dot-product identity) and by linearize.
import { ArrayImpl, tensorFrom, wrap } from "./array/array.js";
import { type DType, isFloat } from "./dtypes.js";
import * as tree from "./tree.js";
import { jvp, linearize, vjp } from "./tracer/grad.js";
import { leafValue } from "./tracer/jit.js";

type Fn = (...args: any[]) => any;

/** `"fwd"`: jvp; `"rev"`: vjp; `"lin"`: linearize (JAX's modes). */
export type GradCheckMode = "fwd" | "rev" | "lin";

/** Options of `checkGrads`, as `jax.test_util.check_grads` takes them. */
export interface CheckGradsOptions {
  /** Check derivatives up to this order: 2 also checks the derivatives of the jvp/vjp. */
  order: number;
  /** Which modes to check, default `["fwd", "rev"]`. */
  modes?: GradCheckMode[];
  /** Absolute and relative tolerances (JAX's default for float32 gradients: 2e-3 each). */
  atol?: number;
  rtol?: number;
  /** The finite-difference step (default 1e-4). */
  eps?: number;
}

const EPS = 1e-4;
/** JAX's default_gradient_tolerance for float32; integer and boolean values must match exactly. */
const FLOAT32_GRAD_TOL = 2e-3;

/** What jax.test_util raises: an assertion about values, not a usage error. */
class AssertionError extends Error {
  name = "AssertionError";
}

/**
 * Checks the derivatives of `f` at `args` against finite differences, as
 * `jax.test_util.check_grads` does: each check draws one random direction (seeded, so runs
 * repeat), compares jvp to central differences and vjp to them by <ct, J t> = <J^T ct, t>,
 * and with `order` > 1 recurses into the jvp and vjp themselves. Throws an AssertionError
 * naming the check that failed ("JVP tangent", "VJP of JVP cotangent projection", ...).
 *
 * @example
 * checkGrads((x) => jnp.sin(x).mul(x), [jnp.array([0.5, 1.5])], { order: 2 });
 */
export function checkGrads(f: Fn, args: unknown[], opts: CheckGradsOptions): void {
  const { order, modes = ["fwd", "rev"], atol, rtol, eps = EPS } = opts;
  if (!Number.isInteger(order) || order < 1) throw new TypeError(`checkGrads: order must be a positive integer, got ${order}`);
  const tol = { atol, rtol };
  const check = (g: Fn, xs: unknown[], k: number, msg: string): void => {
    const of = (what: string) => (msg ? `${what} of ${msg}` : what);
    if (modes.includes("fwd")) {
      checkJvp(g, (p, t) => jvp(g, p, t) as [unknown, unknown], xs, tol, eps, of("JVP"));
      if (k > 1) check((p: unknown[], t: unknown[]) => jvp(g, p, t), [xs, xs], k - 1, of("JVP"));
    }
    if (modes.includes("rev")) {
      checkVjp(g, (...p) => vjp(g, ...p), xs, tol, eps, of("VJP"));
      if (k > 1) {
        const gVjp = (...p: unknown[]) => {
          const [out, pullback] = vjp(g, ...p);
          return pullback(out);
        };
        check(gVjp, xs, k - 1, of("VJP"));
      }
    }
    if (modes.includes("lin")) {
      const jvpFromLin = (p: unknown[], t: unknown[]): [unknown, unknown] => {
        const [out, fLin] = linearize(g, ...p);
        return [out, fLin(...t)];
      };
      checkJvp(g, jvpFromLin, xs, tol, eps, of("LIN"));
      if (k > 1) check(jvpFromLin, [xs, xs], k - 1, of("LIN"));
    }
  };
  check(f, args, order, "");
}

interface Tol {
  atol?: number;
  rtol?: number;
}

/** jax.test_util.check_jvp: `fJvp(primals, tangents)` against central differences of `f`. */
function checkJvp(f: Fn, fJvp: (p: unknown[], t: unknown[]) => [unknown, unknown], args: unknown[], tol: Tol, eps: number, msg: string): void {
  const rand = normal(0);
  const tangent = args.map((a) => randLike(rand, a));
  const [vOut, tOut] = fJvp(args, tangent);
  checkDtypesMatch(vOut, tOut, msg);
  checkClose(vOut, f(...args), tol, `${msg} primal`);
  checkClose(tOut, numericalJvp(f, args, tangent, eps), tol, `${msg} tangent`);
}

/** jax.test_util.check_vjp: <ct, J t> from the vjp against the same from central differences. */
function checkVjp(f: Fn, fVjp: (...p: unknown[]) => [unknown, (ct: unknown) => unknown[]], args: unknown[], tol: Tol, eps: number, msg: string): void {
  const rand = normal(0);
  const [vOut, pullback] = fVjp(...args);
  checkClose(vOut, f(...args), tol, `${msg} primal`);
  const tangent = args.map((a) => randLike(rand, a));
  const tangentOut = numericalJvp(f, args, tangent, eps);
  const cotangent = tree.map((x: unknown) => randLike(rand, x), vOut);
  const cotangentOut = pullback(cotangent);
  checkClose(innerProduct(tangent, cotangentOut), innerProduct(tangentOut, cotangent), tol, `${msg} cotangent projection`);
}

// ---- pytrees of host values -----------------------------------------------------------------

/** A leaf's values as numbers (JS numbers are leaves too). */
function values(x: unknown): number[] {
  if (typeof x === "number" || typeof x === "boolean") return [Number(x)];
  const a = leafValue(x);
  if (!(a instanceof ArrayImpl)) throw new TypeError("checkGrads: arguments and outputs must be concrete arrays");
  return Array.from(a.dataSync(), Number);
}

/** A leaf like `like` (same shape and dtype, a JS number for a JS number) holding `data`. */
function likeLeaf(like: unknown, data: number[]): unknown {
  if (typeof like === "number") return data[0];
  const a = leafValue(like);
  return wrap(tensorFrom(data, a.shape, a.dtype), a.dtype, a.weakType);
}

/** A standard normal generator (mulberry32 seeded, Box-Muller), as JAX's check seeds RandomState(0). */
function normal(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Random normal values shaped like the pytree `x` (JAX's rand_like). */
const randLike = (rand: () => number, x: unknown): unknown => tree.map((leaf: unknown) => likeLeaf(leaf, values(leaf).map(() => rand())), x);

/** (f(x + eps t) - f(x - eps t)) / (2 eps), with inf - inf taken as 0 (JAX's numerical_jvp). */
function numericalJvp(f: Fn, primals: unknown[], tangents: unknown[], eps: number): unknown {
  const shift = (sign: number) =>
    tree.map((p: unknown, t: unknown) => {
      const tv = values(t);
      return likeLeaf(p, values(p).map((v, i) => v + sign * eps * tv[i]));
    }, primals, tangents) as unknown[];
  const fPos = f(...shift(1));
  const fNeg = f(...shift(-1));
  return tree.map((a: unknown, b: unknown) => {
    const bv = values(b);
    return likeLeaf(a, values(a).map((v, i) => (v === bv[i] ? 0 : ((v - bv[i]) * 0.5) / eps)));
  }, fPos, fNeg);
}

/** The sum over leaves of the dot products of their flattened values (JAX's inner_prod). */
function innerProduct(xs: unknown, ys: unknown): number {
  const [xl] = tree.flatten(xs);
  const [yl] = tree.flatten(ys);
  return xl.reduce<number>((s, x, k) => {
    const yv = values(yl[k]);
    return s + values(x).reduce((acc, v, i) => acc + v * yv[i], 0);
  }, 0);
}

const dtypeOf = (x: unknown): DType => (typeof x === "number" ? "float32" : leafValue(x).dtype);

function checkDtypesMatch(xs: unknown, ys: unknown, msg: string): void {
  const [xl] = tree.flatten(xs);
  const [yl] = tree.flatten(ys);
  xl.forEach((x, i) => {
    if (isFloat(dtypeOf(x)) && dtypeOf(x) !== dtypeOf(yl[i]))
      throw new AssertionError(`${msg}: primal output dtype ${dtypeOf(x)} but tangent dtype ${dtypeOf(yl[i])}`);
  });
}

/**
 * numpy's assert_allclose per leaf, with JAX's check_close scaling: |a - b| <= atol * size +
 * rtol * size * |b|, NaN matching NaN and infinities matching themselves.
 */
function checkClose(xs: unknown, ys: unknown, tol: Tol, msg: string): void {
  const [xl, xdef] = tree.flatten(xs);
  const [yl, ydef] = tree.flatten(ys);
  if (String(xdef) !== String(ydef)) throw new AssertionError(`${msg}: tree structures differ: ${xdef} vs ${ydef}`);
  xl.forEach((x, k) => {
    const a = values(x);
    const b = values(yl[k]);
    if (a.length !== b.length) throw new AssertionError(`${msg}: leaf ${k} has ${a.length} values, expected ${b.length}`);
    const exact = !isFloat(dtypeOf(x)) && !isFloat(dtypeOf(yl[k]));
    const atol = (exact ? 0 : (tol.atol ?? FLOAT32_GRAD_TOL)) * a.length;
    const rtol = (exact ? 0 : (tol.rtol ?? FLOAT32_GRAD_TOL)) * b.length;
    const bad = a.flatMap((v, i) => {
      const w = b[i];
      const ok = Number.isNaN(v) || Number.isNaN(w) ? Number.isNaN(v) && Number.isNaN(w) : v === w || Math.abs(v - w) <= atol + rtol * Math.abs(w);
      return ok ? [] : [i];
    });
    if (bad.length === 0) return;
    const absDiff = Math.max(...bad.map((i) => Math.abs(a[i] - b[i])));
    const relDiff = Math.max(...bad.map((i) => Math.abs(a[i] - b[i]) / Math.abs(b[i])));
    throw new AssertionError(
      `\nNot equal to tolerance rtol=${rtol}, atol=${atol}\n${msg}\n` +
        `Mismatched elements: ${bad.length} / ${a.length} (${((100 * bad.length) / a.length).toFixed(3)}%)\n` +
        `Max absolute difference among violations: ${absDiff}\nMax relative difference among violations: ${relDiff}\n` +
        ` ACTUAL: [${a.join(", ")}]\n DESIRED: [${b.join(", ")}]`,
    );
  });
}
