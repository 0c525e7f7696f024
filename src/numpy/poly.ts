// Polynomials as coefficient arrays, highest power first (numpy's poly1d convention): polyadd,
// polysub, polymul, polyder, polyval, after jax/_src/numpy/polynomial.py.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { promoteDtypesInexact } from "./math_extra.js";
import { add, multiply } from "./math.js";
import { broadcastShapes, promoteDtypes } from "./promote.js";
import { outer } from "./shape.js";

const vector = (name: string, x: JaxArray): JaxArray => {
  if (x.ndim !== 1) throw new RangeError(`${name}: coefficients must be a 1-d array, got shape (${x.shape.join(", ")})`);
  return x;
};
/** `p` with `n` leading zero coefficients. */
const padFront = (p: JaxArray, n: number) => (n === 0 ? p : lax.pad(p, lax.asArray(0, p.dtype, false), [[n, 0, 0]]));

const polyaddJit = jit(function polyadd(a: JaxArray, b: JaxArray) {
  const n = Math.max(a.shape[0], b.shape[0]);
  return lax.add(padFront(a, n - a.shape[0]), padFront(b, n - b.shape[0]));
});
/** The sum of two polynomials. */
export const polyadd = (a1: ArrayLike, a2: ArrayLike): JaxArray => {
  const [a, b] = promoteDtypes(a1, a2);
  return polyaddJit(vector("polyadd", a), vector("polyadd", b));
};
/** The difference of two polynomials. */
export const polysub = (a1: ArrayLike, a2: ArrayLike): JaxArray => {
  const [a, b] = promoteDtypes(a1, a2);
  return polyadd(a, lax.neg(b));
};

// Full convolution of the coefficients: row i of the outer product, shifted right by i, summed
// over rows (shifts by padding each row to width n1 + n2 and re-reading the flat buffer).
const polymulJit = jit(function polymul(a: JaxArray, b: JaxArray) {
  const [n1, n2] = [a.shape[0], b.shape[0]];
  const width = n1 + n2 - 1;
  const rows = lax.pad(outer(a, b), lax.asArray(0, a.dtype, false), [[0, 0, 0], [0, n1, 0]]);
  const flat = lax.slice(lax.reshape(rows, [n1 * (n2 + n1)]), [0], [n1 * width]);
  return lax.reduceSum(lax.reshape(flat, [n1, width]), [0]);
});
/** The product of two polynomials. */
export function polymul(a1: ArrayLike, a2: ArrayLike): JaxArray {
  let [a, b] = promoteDtypesInexact(a1, a2).map((x) => vector("polymul", x));
  if (a.shape[0] === 0) a = lax.broadcastInDim(lax.asArray(0, b.dtype, false), [1], []);
  if (b.shape[0] === 0) b = lax.broadcastInDim(lax.asArray(0, a.dtype, false), [1], []);
  return polymulJit(a, b);
}

/** The m-th derivative of a polynomial. */
export function polyder(p: ArrayLike, m = 1): JaxArray {
  const a = vector("polyder", promoteDtypesInexact(p)[0]);
  if (!Number.isInteger(m) || m < 0) throw new RangeError("Order of derivative must be positive");
  if (m === 0) return a;
  const n = a.shape[0];
  const k = Math.max(n - m, 0);
  // The coefficient of x^j becomes j (j-1) ... (j-m+1) times it.
  const factors = Array.from({ length: k }, (_, i) => {
    const j = n - 1 - i;
    let f = 1;
    for (let t = 0; t < m; t++) f *= j - t;
    return f;
  });
  const coeff = lax.concatenate(factors.map((f) => lax.broadcast(lax.asArray(f, a.dtype, false), [1])), 0);
  return k === 0 ? lax.slice(a, [0], [0]) : lax.mul(lax.slice(a, [0], [k]), coeff);
}

const polyvalJit = jit(
  function polyval(p: JaxArray, x: JaxArray, unroll: number) {
    const shape = broadcastShapes("polyval", p.shape.slice(1), x.shape);
    const y = lax.broadcastInDim(lax.asArray(0, x.dtype, x.weakType), shape, []);
    return lax.scan((acc: JaxArray, c: JaxArray) => [add(multiply(acc, x), c), null], y, p, { unroll })[0];
  },
  { staticArgnums: [2] },
);
/** The polynomial p evaluated at x by Horner's rule (a scan over the coefficients). */
export function polyval(p: ArrayLike, x: ArrayLike, opts: { unroll?: number } = {}): JaxArray {
  const [a, b] = promoteDtypes(p, x);
  return polyvalJit(a, b, opts.unroll ?? 16);
}
