// Dense linear algebra primitives (JAX's lax.linalg): cholesky, triangular_solve, lu. tfjs has
// no factorization kernels, so they run on the host over float32 data (accumulating in double,
// as LAPACK's float32 routines do not, so results can differ from JAX's in the last ulp).
// All take leading batch dimensions, which is also how they batch under vmap.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { scalar as scalarOf } from "../array/array.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import type { Primitive } from "../jaxpr/jaxpr.js";
import { bind1, bind } from "../tracer/core.js";
import { isUndefined, prim } from "../tracer/ad_util.js";
import { bdimAtFront } from "../tracer/batching.js";
import { definePrimitive } from "./primitive.js";
import { dotDimensionNumbers } from "./reductions.js";

const batchOf = (shape: readonly number[]) => shape.slice(0, -2).reduce((a, b) => a * b, 1);

function checkFloatMatrix(name: string, x: ShapedArray): void {
  if (x.dtype !== "float32") throw new TypeError(`${name} does not accept dtype ${x.dtype}. Accepted dtypes are subtypes of floating, complexfloating.`);
  if (x.ndim < 2) throw new TypeError(`${name} requires arrays of rank >= 2, got shape ${pyShape(x.shape)}`);
}

/** All operands batched at axis 0 (broadcast where unbatched): the primitives batch natively. */
const leadingBatch =
  (p: Primitive): NonNullable<Primitive["batch"]> =>
  (args, dims, params, axis) => {
    const xs = args.map((a, i) => bdimAtFront(a, dims[i], axis.size));
    const outs = bind(p, xs, params);
    return [outs, outs.map(() => 0)];
  };

// ---- cholesky -------------------------------------------------------------------------------

export const cholesky_p: Primitive = definePrimitive({
  name: "cholesky",
  abstractEval([x]) {
    checkFloatMatrix("cholesky", x);
    if (x.shape.at(-1) !== x.shape.at(-2)) throw new TypeError(`The last two dimensions of the argument to cholesky must be equal, got shape ${pyShape(x.shape)}`);
    return [x.update({ weakType: false })];
  },
  impl([x]) {
    const n = x.shape.at(-1)!;
    const a = x.dataSync() as Float32Array;
    const out = new Float32Array(a.length);
    for (let b = 0; b < batchOf(x.shape); b++) {
      const o = b * n * n;
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        let d = a[o + j * n + j];
        for (let k = 0; k < j; k++) d -= out[o + j * n + k] ** 2;
        if (!(d > 0)) ok = false;
        const ljj = Math.sqrt(d);
        out[o + j * n + j] = ljj;
        for (let i = j + 1; i < n; i++) {
          let s = a[o + i * n + j];
          for (let k = 0; k < j; k++) s -= out[o + i * n + k] * out[o + j * n + k];
          out[o + i * n + j] = s / ljj;
        }
      }
      // Like JAX on CPU: a matrix that is not positive definite gives NaNs.
      if (!ok) out.fill(NaN, o, o + n * n);
    }
    return [tf.tensor(out, x.shape, "float32")];
  },
});
cholesky_p.batch = leadingBatch(cholesky_p);

// ---- triangular_solve -----------------------------------------------------------------------

interface TriParams {
  left_side: boolean;
  lower: boolean;
  transpose_a: boolean;
  conjugate_a: boolean;
  unit_diagonal: boolean;
}

export const triangular_solve_p: Primitive<TriParams & Record<string, unknown>> = definePrimitive<TriParams & Record<string, unknown>>({
  name: "triangular_solve",
  abstractEval([a, b], p: TriParams) {
    checkFloatMatrix("triangular_solve", a);
    if (a.shape.at(-1) !== a.shape.at(-2)) throw new TypeError(`triangular_solve requires the last two dimensions of a to be equal in size, got a.shape of ${pyShape(a.shape)}.`);
    if (a.ndim !== b.ndim) throw new TypeError(`triangular_solve requires a and b to have the same number of dimensions, got ${a.ndim} and ${b.ndim}.`);
    const common = p.left_side ? b.shape.at(-2) : b.shape.at(-1);
    if (common !== a.shape.at(-1))
      throw new TypeError(`triangular_solve requires a.shape[-1] == b.shape[${p.left_side ? -2 : -1}], got a.shape of ${pyShape(a.shape)} and b.shape of ${pyShape(b.shape)}.`);
    return [b.update({ weakType: false })];
  },
  impl([a, b], p: TriParams) {
    const n = a.shape.at(-1)!;
    const [m, k] = b.shape.slice(-2);
    const A = a.dataSync() as Float32Array;
    const B = b.dataSync() as Float32Array;
    const X = new Float32Array(B.length);
    const x = new Float64Array(n);
    // op(A) x = rhs for each column (left side) or each row (right side: x op(A) = rhs,
    // i.e. op(A)^T x^T = rhs^T).
    for (let bt = 0; bt < batchOf(b.shape); bt++) {
      const ao = bt * n * n;
      const bo = bt * m * k;
      // element (i, j) of the effective matrix M we solve M x = r with.
      const trans = p.transpose_a !== !p.left_side;
      const M = (i: number, j: number) => (trans ? A[ao + j * n + i] : A[ao + i * n + j]);
      const lowerEff = p.lower !== trans;
      const count = p.left_side ? k : m;
      for (let c = 0; c < count; c++) {
        const rhs = (i: number) => (p.left_side ? B[bo + i * k + c] : B[bo + c * k + i]);
        const order = lowerEff ? [...Array(n).keys()] : [...Array(n).keys()].reverse();
        for (const i of order) {
          let s = rhs(i);
          if (lowerEff) for (let j = 0; j < i; j++) s -= M(i, j) * x[j];
          else for (let j = i + 1; j < n; j++) s -= M(i, j) * x[j];
          x[i] = p.unit_diagonal ? s : s / M(i, i);
        }
        for (let i = 0; i < n; i++) {
          if (p.left_side) X[bo + i * k + c] = x[i];
          else X[bo + c * k + i] = x[i];
        }
      }
    }
    return [tf.tensor(X, b.shape, "float32")];
  },
});

const triSolve = (a: JaxArray, b: JaxArray, p: TriParams): JaxArray => bind1(triangular_solve_p, [a, b], { ...p });
const mT = (x: JaxArray): JaxArray => bind1(prim("transpose"), [x], { permutation: [...x.shape.keys()].map((i, _, all) => (i < all.length - 2 ? i : i === all.length - 2 ? all.length - 1 : all.length - 2)) });
const batchMatmul = (x: JaxArray, y: JaxArray): JaxArray => {
  const batch = [...Array(x.ndim - 2).keys()];
  return bind1(prim("dot_general"), [x, y], {
    dimension_numbers: dotDimensionNumbers([x.ndim - 1], [y.ndim - 2], batch, batch),
    precision: null,
    preferred_element_type: "float32",
    out_sharding: null,
  });
};
/** Keep the lower (k <= 0 diagonal offset) or upper triangle of the last two dims. */
function triangle(x: JaxArray, lower: boolean, k: number): JaxArray {
  const shape = [...x.shape];
  const i = bind1(prim("iota"), [], { dimension: x.ndim - 2, dtype: "int32", shape, sharding: null });
  const j = bind1(prim("iota"), [], { dimension: x.ndim - 1, dtype: "int32", shape, sharding: null });
  const off = bind1(prim("sub"), [j, i]);
  const kk = bind1(prim("broadcast_in_dim"), [scalarOf(k, "int32", false)], { shape, broadcast_dimensions: [], sharding: null });
  const keep = bind1(prim(lower ? "le" : "ge"), [off, kk]);
  const zero = bind1(prim("broadcast_in_dim"), [scalarOf(0, "float32", false)], { shape, broadcast_dimensions: [], sharding: null });
  return bind1(prim("select_n"), [keep, zero, x]);
}

// jvp in a: -A^{-1} (∂A) X (left) or -X (∂A) A^{-1} (right), ∂A restricted to A's triangle.
triangular_solve_p.jvp = ([a, b], [ga, gb], p) => {
  const ans = bind1(triangular_solve_p, [a, b], p);
  let t: JaxArray | null = null;
  if (ga !== null) {
    const k = p.unit_diagonal ? 1 : 0;
    let g = triangle(ga, p.lower, p.lower ? -k : k);
    g = bind1(prim("neg"), [g]);
    if (p.transpose_a) g = mT(g);
    const inv = (rhs: JaxArray) => triSolve(a, rhs, p);
    t = p.left_side ? batchMatmul(inv(g), ans) : batchMatmul(ans, inv(g));
  }
  if (gb !== null) {
    const tb = triSolve(a, gb, p);
    t = t === null ? tb : bind1(prim("add_any"), [t, tb]);
  }
  return [[ans], [t]];
};
// Linear in b: the cotangent solves with the transposed matrix.
triangular_solve_p.transpose = ([ct], [a, b], p) => {
  if (isUndefined(a) || !isUndefined(b)) throw new Error("triangular_solve is only linear in b");
  if (ct === null) return [null, null];
  return [null, triSolve(a as JaxArray, ct, { ...p, transpose_a: !p.transpose_a })];
};
triangular_solve_p.batch = leadingBatch(triangular_solve_p);

// cholesky's jvp (https://arxiv.org/abs/1602.07527, as JAX): L̇ = L Φ(L⁻¹ Σ̇ L⁻ᵀ).
cholesky_p.jvp = ([x], [sigmaDot]) => {
  const L = triangle(bind1(cholesky_p, [x]), true, 0);
  const tmp = triSolve(L, sigmaDot!, { left_side: false, lower: true, transpose_a: true, conjugate_a: true, unit_diagonal: false });
  const inner = triSolve(L, tmp, { left_side: true, lower: true, transpose_a: false, conjugate_a: false, unit_diagonal: false });
  // Φ: the lower triangle with the diagonal halved.
  const shape = [...inner.shape];
  const i = bind1(prim("iota"), [], { dimension: shape.length - 2, dtype: "int32", shape, sharding: null });
  const j = bind1(prim("iota"), [], { dimension: shape.length - 1, dtype: "int32", shape, sharding: null });
  const half = bind1(prim("select_n"), [bind1(prim("eq"), [i, j]), bcast(1, shape), bcast(0.5, shape)]);
  const phi = bind1(prim("mul"), [triangle(inner, true, 0), half]);
  return [[L], [batchMatmul(L, phi)]];
};
const bcast = (v: number, shape: number[]) => bind1(prim("broadcast_in_dim"), [scalarOf(v, "float32", false)], { shape, broadcast_dimensions: [], sharding: null });

// ---- lu -------------------------------------------------------------------------------------

/** LU with partial pivoting: [lu (L below the unit diagonal, U on and above), pivots, permutation]. */
export const lu_p: Primitive = definePrimitive({
  name: "lu",
  abstractEval([x]) {
    checkFloatMatrix("lu", x);
    const [m, n] = x.shape.slice(-2);
    const batch = x.shape.slice(0, -2);
    return [x.update({ weakType: false }), new ShapedArray([...batch, Math.min(m, n)], "int32"), new ShapedArray([...batch, m], "int32")];
  },
  impl([x]) {
    const [m, n] = x.shape.slice(-2);
    const batch = x.shape.slice(0, -2);
    const A = Float64Array.from(x.dataSync() as Float32Array);
    const nb = batchOf(x.shape);
    const r = Math.min(m, n);
    const piv = new Int32Array(nb * r);
    const perm = new Int32Array(nb * m);
    for (let bt = 0; bt < nb; bt++) {
      const o = bt * m * n;
      const p = Array.from({ length: m }, (_, i) => i);
      for (let k = 0; k < r; k++) {
        let best = k;
        for (let i = k + 1; i < m; i++) if (Math.abs(A[o + i * n + k]) > Math.abs(A[o + best * n + k])) best = i;
        piv[bt * r + k] = best;
        if (best !== k) {
          for (let j = 0; j < n; j++) [A[o + k * n + j], A[o + best * n + j]] = [A[o + best * n + j], A[o + k * n + j]];
          [p[k], p[best]] = [p[best], p[k]];
        }
        const d = A[o + k * n + k];
        if (d === 0) continue;
        for (let i = k + 1; i < m; i++) {
          const f = (A[o + i * n + k] /= d);
          for (let j = k + 1; j < n; j++) A[o + i * n + j] -= f * A[o + k * n + j];
        }
      }
      perm.set(p, bt * m);
    }
    return [tf.tensor(Float32Array.from(A), x.shape, "float32"), tf.tensor(piv, [...batch, r], "int32"), tf.tensor(perm, [...batch, m], "int32")];
  },
});
lu_p.batch = leadingBatch(lu_p);

// lu's jvp (JAX's _lu_jvp_rule, after De Hoog, Anderssen and Lukas): with LU = P A,
// L' = L tril(L⁻¹ P A' U⁻¹, -1) and U' = triu(L⁻¹ P A' U⁻¹) U, packed as lu is. The rows of A'
// are permuted by a one-hot matmul (exact for finite tangents) rather than JAX's gather.
lu_p.jvp = ([a], [aDot]) => {
  const [lu, pivots, perm] = bind(lu_p, [a], {});
  const shape = [...lu.shape];
  const nd = shape.length;
  const [m, n] = shape.slice(-2);
  const k = Math.min(m, n);
  const zero = scalarOf(0, "float32", false);
  const sliceTo = (x: JaxArray, rows: number, cols: number) =>
    bind1(prim("slice"), [x], { start_indices: shape.map(() => 0), limit_indices: [...shape.slice(0, -2), rows, cols], strides: null });
  const padTo = (x: JaxArray, rows: number, cols: number) =>
    bind1(prim("pad"), [x, zero], { padding_config: [...shape.slice(0, -2).map(() => [0, 0, 0]), [0, rows - x.shape[nd - 2], 0], [0, cols - x.shape[nd - 1], 0]] });
  // Ones on the diagonal from row `from` on, in a matrix of `rows` x `cols`.
  const eyeFrom = (rows: number, cols: number, from: number) => {
    const s = [...shape.slice(0, -2), rows, cols];
    const i = bind1(prim("iota"), [], { dimension: nd - 2, dtype: "int32", shape: s, sharding: null });
    const j = bind1(prim("iota"), [], { dimension: nd - 1, dtype: "int32", shape: s, sharding: null });
    const diag = bind1(prim("and"), [bind1(prim("eq"), [i, j]), bind1(prim("ge"), [i, bind1(prim("broadcast_in_dim"), [scalarOf(from, "int32", false)], { shape: s, broadcast_dimensions: [], sharding: null })])]);
    return bind1(prim("select_n"), [diag, bcast(0, s), bcast(1, s)]);
  };
  const add = (x: JaxArray, y: JaxArray) => bind1(prim("add"), [x, y]);
  const l = add(padTo(triangle(sliceTo(lu, m, k), true, -1), m, m), eyeFrom(m, m, 0));
  const u = add(padTo(triangle(sliceTo(lu, k, n), false, 0), n, n), eyeFrom(n, n, k));
  // P[i, j] = (perm[i] == j): P A' holds the rows of A' in pivoted order.
  const ps = [...shape.slice(0, -2), m, m];
  const permRows = bind1(prim("broadcast_in_dim"), [perm], { shape: ps, broadcast_dimensions: [...Array(nd - 1).keys()], sharding: null });
  const cols = bind1(prim("iota"), [], { dimension: nd - 1, dtype: "int32", shape: ps, sharding: null });
  const P = bind1(prim("convert_element_type"), [bind1(prim("eq"), [permRows, cols])], { new_dtype: "float32", sharding: null, weak_type: false });
  const la = triSolve(l, batchMatmul(P, aDot!), { left_side: true, lower: true, transpose_a: false, conjugate_a: false, unit_diagonal: true });
  const lau = triSolve(u, la, { left_side: false, lower: false, transpose_a: false, conjugate_a: false, unit_diagonal: false });
  const luDot = add(batchMatmul(l, triangle(lau, true, -1)), batchMatmul(triangle(lau, false, 0), u));
  return [[lu, pivots, perm], [luDot, null, null]];
};
