// Poisson and binomial draws (jax/_src/random/core.py), as JAX computes them: both samplers run
// two rejection loops over the whole shape (lax.whileLoop) and select per element, Knuth's
// product of uniforms for lam < 10 and Hormann's transformed rejection (PTRS) above; binomial
// inverts geometric waiting times for n p <= 10 and uses BTRS (transformed rejection with
// Stirling-series tails) above.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { type DType, isFloat, isInteger } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { abs, add, bitwiseAnd, bitwiseNot, bitwiseOr, ceil, divide, floor, greater, greaterEqual, isnan, less, lessEqual, log, log1p, multiply, negative, sqrt, subtract } from "../numpy/math.js";
import { any } from "../numpy/reductions.js";
import { array } from "../numpy/creation.js";
import { isinf, promoteDtypesInexact } from "../numpy/math_extra.js";
import { broadcastTo, convertTo } from "../numpy/promote.js";
import { take } from "../numpy/indexing.js";
import { type Shape, checkKey } from "./keys.js";
import { type Bound, checkShape, shapeList, uniform } from "./samplers.js";
import { sampleShape } from "./samplers_extra.js";
import { random_split_p } from "./primitives.js";
import { bind1 } from "../tracer/core.js";

/** `_split(key, n)` unpacked: random_split, then a slice and squeeze per key. */
function splitN(key: JaxArray, n: number): JaxArray[] {
  const ks = bind1(random_split_p, [key], { shape: [n] });
  return Array.from({ length: n }, (_, i) => lax.squeeze(lax.slice(ks, [i], [i + 1], [1]), [0]));
}

/** lax.full_like(x, v, dtype, shape): a literal, broadcast unless the shape is scalar. */
const fullLike = (v: number | boolean, dtype: DType, shape: readonly number[]): JaxArray => {
  const s = scalar(v, dtype, false);
  return shape.length ? lax.broadcastInDim(s, shape, []) : s;
};
/** `dtype.type(iinfo(dtype).max)` (finfo for float dtypes): the loops' iteration cap, strongly typed. */
const maxIters = (dtype: DType): JaxArray => scalar(isFloat(dtype) ? 3.4028234663852886e38 : dtype === "uint32" ? 4294967295 : 2147483647, dtype, false);

// ---- poisson ------------------------------------------------------------------------------------

// Knuth: multiply uniforms until the product drops below exp(-lam); k counts the factors.
const _poisson_knuth = jit(
  function _poisson_knuth(key: JaxArray, lam: JaxArray, shape: number[], dtype: DType): JaxArray {
    const body = ([i, k0, rng0, logProd]: JaxArray[]) => {
      const [rng, subkey] = splitN(rng0, 2);
      const k = lax.select(greater(logProd, negative(lam)), add(k0, 1), k0);
      const u = uniform(subkey, shape, "float32");
      return [add(i, 1), k, rng, add(logProd, log(u))];
    };
    const cond = ([i, , , logProd]: JaxArray[]) => bitwiseAnd(any(greater(logProd, negative(lam))), less(i, maxIters(dtype)));
    const init = [scalar(0, "int32", true), fullLike(0, dtype, shape), key, fullLike(0, "float32", shape)];
    const k = (lax.whileLoop(cond, body, init) as JaxArray[])[1];
    return convertTo(subtract(k, 1), dtype, false);
  },
  { staticArgnums: [2, 3] },
);

// Hormann's PTRS: a candidate k from two uniforms, accepted by a squeeze or the exact log test.
const _poisson_rejection = jit(
  function _poisson_rejection(key: JaxArray, lam: JaxArray, shape: number[], dtype: DType): JaxArray {
    const logLam = lax.log(lam);
    const b = add(0.931, multiply(2.53, lax.sqrt(lam)));
    const a = add(-0.059, multiply(0.02483, b));
    const invAlpha = add(1.1239, divide(1.1328, subtract(b, 3.4)));
    const vR = subtract(0.9277, divide(3.6224, subtract(b, 2)));
    const body = ([i, kOut0, accepted, key0]: JaxArray[]) => {
      const [k1, sub0, sub1] = splitN(key0, 3);
      const u = subtract(uniform(sub0, shape, lam.dtype), 0.5);
      const v = uniform(sub1, shape, lam.dtype);
      const us = subtract(0.5, abs(u));
      const k = lax.floor(add(add(multiply(add(divide(multiply(2, a), us), b), u), lam), 0.43));
      const s = lax.log(divide(multiply(v, invAlpha), add(divide(a, multiply(us, us)), b)));
      const t = subtract(add(negative(lam), multiply(k, logLam)), lax.lgamma(add(k, 1)));
      const accept1 = bitwiseAnd(greaterEqual(us, 0.07), lessEqual(v, vR));
      const reject = bitwiseOr(less(k, 0), bitwiseAnd(less(us, 0.013), greater(v, us)));
      const accept2 = lessEqual(s, t);
      const accept = bitwiseOr(accept1, bitwiseAnd(bitwiseNot(reject), accept2));
      const kOut = lax.select(accept, k, kOut0);
      const acc = bitwiseOr(accepted, accept);
      return [add(i, 1), kOut, acc, k1];
    };
    const cond = ([i, , accepted]: JaxArray[]) => bitwiseAnd(any(bitwiseNot(accepted)), less(i, maxIters(dtype)));
    const init = [scalar(0, "int32", true), fullLike(-1, lam.dtype, shape), fullLike(false, "bool", shape), key];
    const k = (lax.whileLoop(cond, body, init) as JaxArray[])[1];
    return convertTo(k, dtype, false);
  },
  { staticArgnums: [2, 3] },
);

const _poisson = jit(
  function _poisson(key: JaxArray, lam: JaxArray, shape: number[], dtype: DType): JaxArray {
    const useKnuth = bitwiseOr(lax.ne(lam, lam), less(lam, 10));
    // Each loop sees a harmless parameter where the other algorithm applies.
    const lamKnuth = lax.select(useKnuth, lam, fullLike(0, lam.dtype, lam.shape));
    const lamRejection = lax.select(useKnuth, fullLike(1e5, lam.dtype, lam.shape), lam);
    const result = lax.select(useKnuth, _poisson_knuth(key, lamKnuth, shape, dtype), _poisson_rejection(key, lamRejection, shape, dtype));
    return lax.select(lax.eq(lam, scalar(0, lam.dtype, true)), fullLike(0, dtype, result.shape), result);
  },
  { staticArgnums: [2, 3] },
);

/** Poisson(lam) counts: `poisson(key, lam, shape=null, dtype="int32")` (shape defaults to lam's). */
export function poisson(key: JaxArray, lam: Bound, shape: Shape | null = null, dtype: DType = "int32"): JaxArray {
  const [typed] = checkKey("poisson", key);
  if (!isInteger(dtype)) throw new TypeError(`dtype argument to \`poisson\` must be an int dtype, got ${dtype}`);
  const l = typeof lam === "number" ? lax.asArray(lam) : lam;
  const s = shape === null ? [...l.shape] : shapeList(shape);
  return _poisson(typed, convertTo(broadcastTo(l, s), "float32", false), s, dtype);
}

// ---- binomial -----------------------------------------------------------------------------------

const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211, 0.0138761288230707, 0.0118967099458917,
  0.010411265261972, 0.00925546218271273, 0.00833056343336287,
];

/** log(k!) minus Stirling's approximation of it: a table up to 9, the series beyond. */
function stirlingApproxTail(k0: JaxArray): JaxArray {
  const vals = array(STIRLING_TAIL, { dtype: k0.dtype });
  const useTable = lessEqual(k0, 9);
  const k = lax.clamp(scalar(0, k0.dtype, false), k0, scalar(9, k0.dtype, false));
  const kp1sq = multiply(add(k, 1), add(k, 1));
  const approx = divide(subtract(1 / 12, divide(subtract(1 / 360, divide(1 / 1260, kp1sq)), kp1sq)), add(k, 1));
  const idx = convertTo(floor(k), "int32", false);
  return lax.select(useTable, take(vals, idx), approx);
}

// Inversion: count geometric waiting times until they pass n.
function binomialInversion(key: JaxArray, count: JaxArray, prob: JaxArray, shape: number[], dtype: DType): JaxArray {
  const log1mp = log1p(negative(prob));
  const body = ([i, numGeom, geomSum, key0]: JaxArray[]) => {
    const [subkey, k1] = splitN(key0, 2);
    const numGeomOut = lax.select(lessEqual(geomSum, count), add(numGeom, 1), numGeom);
    const u = uniform(subkey, shape, prob.dtype);
    const geom = ceil(divide(log(u), log1mp));
    return [add(i, 1), numGeomOut, add(geomSum, geom), k1];
  };
  const cond = ([i, , geomSum]: JaxArray[]) => bitwiseAnd(any(lessEqual(geomSum, count)), less(i, maxIters(dtype)));
  const init = [scalar(0, "int32", true), fullLike(0, prob.dtype, shape), fullLike(0, prob.dtype, shape), key];
  const k = (lax.whileLoop(cond, body, init) as JaxArray[])[1];
  return convertTo(subtract(k, 1), dtype, false);
}

// BTRS (Hormann 1993): transformed rejection with a Stirling-corrected acceptance bound.
function btrs(key: JaxArray, count: JaxArray, prob: JaxArray, shape: number[], dtype: DType): JaxArray {
  const stddev = sqrt(multiply(multiply(count, prob), subtract(1, prob)));
  const b = add(1.15, multiply(2.53, stddev));
  const a = add(add(-0.0873, multiply(0.0248, b)), multiply(0.01, prob));
  const c = add(multiply(count, prob), 0.5);
  const vR = subtract(0.92, divide(4.2, b));
  const r = divide(prob, subtract(1, prob));
  const alpha = multiply(add(2.83, divide(5.1, b)), stddev);
  const m = floor(multiply(add(count, 1), prob));
  const body = ([i, kOut, accepted, key0]: JaxArray[]) => {
    const [k1, sub0, sub1] = splitN(key0, 3);
    const u0 = uniform(sub0, shape, prob.dtype);
    const v0 = uniform(sub1, shape, prob.dtype);
    const u = subtract(u0, 0.5);
    const us = subtract(0.5, abs(u));
    const accept1 = bitwiseAnd(greaterEqual(us, 0.07), lessEqual(v0, vR));
    const k = floor(add(multiply(add(divide(multiply(2, a), us), b), u), c));
    const reject = bitwiseOr(less(k, 0), greater(k, count));
    const v = log(divide(multiply(v0, alpha), add(divide(a, multiply(us, us)), b)));
    const ub = subtract(
      subtract(
        add(
          add(
            add(
              add(multiply(add(m, 0.5), log(divide(add(m, 1), multiply(r, add(subtract(count, m), 1))))), multiply(add(count, 1), log(divide(add(subtract(count, m), 1), add(subtract(count, k), 1))))),
              multiply(add(k, 0.5), log(divide(multiply(r, add(subtract(count, k), 1)), add(k, 1)))),
            ),
            stirlingApproxTail(m),
          ),
          stirlingApproxTail(subtract(count, m)),
        ),
        stirlingApproxTail(k),
      ),
      stirlingApproxTail(subtract(count, k)),
    );
    const accept2 = lessEqual(v, ub);
    const accept = bitwiseOr(accept1, bitwiseAnd(bitwiseNot(reject), accept2));
    const kNext = lax.select(accept, k, kOut);
    const acc = bitwiseOr(accepted, accept);
    return [add(i, 1), kNext, acc, k1];
  };
  const cond = ([i, , accepted]: JaxArray[]) => bitwiseAnd(any(bitwiseNot(accepted)), less(i, maxIters(dtype)));
  const init = [scalar(0, "int32", true), fullLike(-1, prob.dtype, shape), fullLike(false, "bool", shape), key];
  return convertTo((lax.whileLoop(cond, body, init) as JaxArray[])[1], dtype, false);
}

function binomialImpl(key: JaxArray, n: JaxArray, p: JaxArray, shape: number[] | null, dtype: DType): JaxArray {
  const s = shape ?? sampleShape("binomial", null, n, p);
  if (shape !== null) checkShape("binomial", shape, n.shape, p.shape);
  let [prob] = promoteDtypesInexact(p);
  let count = broadcastTo(convertTo(n, prob.dtype, false), s);
  prob = broadcastTo(prob, s);
  const pLtHalf = less(prob, 0.5);
  let q = lax.select(pLtHalf, prob, subtract(1, prob));
  const countNanOrNeg = bitwiseOr(isnan(count), less(count, 0));
  const countInf = isinf(count);
  const qIsNan = isnan(q);
  const qLt0 = less(q, 0);
  q = lax.select(bitwiseOr(qIsNan, qLt0), fullLike(0.01, q.dtype, q.shape), q);
  const useInversion = bitwiseOr(countNanOrNeg, lessEqual(multiply(count, q), 10));
  count = floor(count); // a float count rounds down, as numpy's binomial does
  const countInv = lax.select(useInversion, count, fullLike(0, count.dtype, count.shape));
  const countBtrs = lax.select(useInversion, fullLike(1e4, count.dtype, count.shape), count);
  const qBtrs = lax.select(useInversion, fullLike(0.5, q.dtype, q.shape), q);
  let samples = lax.select(useInversion, binomialInversion(key, countInv, q, s, dtype), btrs(key, countBtrs, qBtrs, s, dtype));
  // NaN for an invalid p or n, inf for an infinite n, and n - k where p was reflected to 1 - p.
  const invalid = bitwiseOr(bitwiseOr(qLt0, qIsNan), countNanOrNeg);
  samples = lax.select(invalid, fullLike(NaN, dtype, samples.shape), samples);
  samples = lax.select(bitwiseAnd(countInf, bitwiseNot(invalid)), fullLike(Infinity, dtype, samples.shape), samples);
  return lax.select(bitwiseOr(bitwiseOr(bitwiseOr(pLtHalf, countNanOrNeg), qIsNan), countInf), samples, subtract(convertTo(count, dtype, false), samples));
}

/** Binomial(n, p) counts as floats: `binomial(key, n, p, shape=null, dtype="float32")`. */
export function binomial(key: JaxArray, n: Bound, p: Bound, shape: Shape | null = null, dtype: DType = "float32"): JaxArray {
  const [typed] = checkKey("binomial", key);
  if (!isFloat(dtype)) throw new TypeError(`dtype argument to \`binomial\` must be a float dtype, got ${dtype}`);
  const asArr = (x: Bound) => (typeof x === "number" ? lax.asArray(x) : x);
  return binomialImpl(typed, asArr(n), asArr(p), shape === null ? null : shapeList(shape), dtype);
}
