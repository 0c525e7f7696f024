// jnp.linalg: cholesky, solve, inv, det, slogdet, norm. Factorizations are lax.linalg's host
// primitives; solve, det and slogdet carry custom jvps (ẋ = A⁻¹(ḃ - Ȧx), ḋ = d·tr(A⁻¹Ȧ)),
// so they differentiate in both modes without a derivative of lu.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { cholesky_p, lu_p, triangular_solve_p } from "../lax/linalg.js";
import { bind, bind1 } from "../tracer/core.js";
import { customJvp } from "../tracer/custom_derivatives.js";
import { convertTo, promoteDtypes } from "./promote.js";
import { abs, multiply, sign, where } from "./math.js";
import { max, min, prod, sum } from "./reductions.js";
import { matmul } from "./shape.js";
import { ValueError } from "../errors.js";
import { pyShape } from "../jaxpr/aval.js";

const floatArr = (x: ArrayLike): JaxArray => {
  const a = promoteDtypes(x)[0];
  return a.dtype === "float32" ? a : convertTo(a, "float32", false);
};
const mT = (x: JaxArray) => lax.transpose(x, x.shape.map((_, i) => (i < x.ndim - 2 ? i : 2 * x.ndim - 3 - i)));

/** Lower Cholesky factor of a symmetric positive-definite matrix (input symmetrized, as JAX). */
export function cholesky(a: ArrayLike): JaxArray {
  const x = floatArr(a);
  const sym = lax.div(lax.add(x, mT(x)), 2);
  return bind1(cholesky_p, [sym]);
}

/** Permutation matrices from lu's permutation vectors: P @ a == a[perm]. */
function permMatrix(perm: JaxArray, m: number): JaxArray {
  const cols = lax.broadcastedIota("int32", [...perm.shape, m], perm.ndim);
  return convertTo(lax.eq(lax.broadcastInDim(perm, [...perm.shape, m], perm.shape.map((_, i) => i)), cols), "float32", false);
}

const tri = (a: JaxArray, b: JaxArray, lower: boolean, unit: boolean) =>
  bind1(triangular_solve_p, [a, b], { left_side: true, lower, transpose_a: false, conjugate_a: false, unit_diagonal: unit });

function solveImpl(a: JaxArray, b: JaxArray): JaxArray {
  const [lu, , perm] = bind(lu_p, [a], {});
  const vec = b.ndim === a.ndim - 1;
  let rhs = vec ? lax.expandDims(b, [b.ndim]) : b;
  rhs = matmul(permMatrix(perm, a.shape.at(-1)!), rhs);
  const x = tri(lu, tri(lu, rhs, true, true), false, false);
  return vec ? lax.squeeze(x, [x.ndim - 1]) : x;
}

const solveCustom = customJvp(function solve(a: JaxArray, b: JaxArray): JaxArray {
  return solveImpl(a, b);
});
solveCustom.defjvp(function solve_jvp([a, b]: JaxArray[], [da, db]: JaxArray[]) {
  const x = solveCustom(a, b);
  const vec = b.ndim === a.ndim - 1;
  const dax = vec ? lax.squeeze(matmul(da, lax.expandDims(x, [x.ndim])), [x.ndim]) : matmul(da, x);
  return [x, solveCustom(a, lax.sub(db, dax))];
});

/** Solves a x = b for square a (b a vector or a matrix, with matching leading batch dims). */
export function solve(a: ArrayLike, b: ArrayLike): JaxArray {
  const A = floatArr(a);
  const B = floatArr(b);
  if (A.ndim < 2 || A.shape.at(-1) !== A.shape.at(-2)) throw new TypeError(`solve: a must be a (batch of) square matrices, got shape (${A.shape.join(", ")})`);
  return solveCustom(A, B);
}

/** The inverse of a square matrix. */
export function inv(a: ArrayLike): JaxArray {
  const A = floatArr(a);
  const n = A.shape.at(-1)!;
  if (A.ndim < 2 || A.shape.at(-2) !== n) throw new ValueError(`Argument to inv must have shape [..., n, n], got ${pyShape(A.shape)}.`);
  const eye = convertTo(lax.eq(lax.broadcastedIota("int32", [n, n], 0), lax.broadcastedIota("int32", [n, n], 1)), "float32", false);
  return solve(A, lax.broadcastInDim(eye, A.shape, [A.ndim - 2, A.ndim - 1]));
}

/** sign(det) and log|det| from lu: the pivots' parity times U's diagonal. */
function luDet(a: JaxArray): [JaxArray, JaxArray, JaxArray] {
  const [lu, pivots] = bind(lu_p, [a], {});
  const n = a.shape.at(-1)!;
  const diagMask = lax.eq(lax.broadcastedIota("int32", [n, n], 0), lax.broadcastedIota("int32", [n, n], 1));
  const diag = sum(where(lax.broadcastInDim(diagMask, lu.shape, [lu.ndim - 2, lu.ndim - 1]), lu, 0), -1);
  const swaps = sum(convertTo(lax.ne(pivots, lax.broadcastedIota("int32", pivots.shape, pivots.ndim - 1)), "int32", false), -1);
  const parity = lax.sub(1, lax.mul(lax.rem(swaps, 2), 2));
  return [diag, convertTo(parity, "float32", false), lu];
}

const traceSolve = (a: JaxArray, da: JaxArray) => {
  const s = solveCustom(a, da);
  const n = a.shape.at(-1)!;
  const diagMask = lax.eq(lax.broadcastedIota("int32", [n, n], 0), lax.broadcastedIota("int32", [n, n], 1));
  return sum(where(lax.broadcastInDim(diagMask, s.shape, [s.ndim - 2, s.ndim - 1]), s, 0), [s.ndim - 2, s.ndim - 1]);
};

const detCustom = customJvp(function det(a: JaxArray): JaxArray {
  const [diag, parity] = luDet(a);
  return multiply(parity, prod(diag, -1));
});
detCustom.defjvp(function det_jvp([a]: JaxArray[], [da]: JaxArray[]) {
  const d = detCustom(a);
  return [d, multiply(d, traceSolve(a, da))];
});

/** The determinant. */
export const det = (a: ArrayLike): JaxArray => detCustom(floatArr(a));

const logabsdetCustom = customJvp(function logabsdet(a: JaxArray): JaxArray {
  return sum(lax.log(abs(luDet(a)[0])), -1);
});
logabsdetCustom.defjvp(function logabsdet_jvp([a]: JaxArray[], [da]: JaxArray[]) {
  return [logabsdetCustom(a), traceSolve(a, da)];
});

/** `[sign, logabsdet]` of the determinant, without overflow. */
export function slogdet(a: ArrayLike): [JaxArray, JaxArray] {
  const A = floatArr(a);
  const [diag, parity] = luDet(lax.stopGradient(A));
  return [multiply(parity, prod(sign(diag), -1)), logabsdetCustom(A)];
}

/** Vector norms (ord null/2, 1, Infinity, -Infinity, 0, p) and matrix norms ("fro", 1, Infinity, -1, -Infinity). */
export function norm(x: ArrayLike, ord: number | "fro" | null = null, axis: number | [number, number] | null = null, opts: { keepdims?: boolean } = {}): JaxArray {
  const a = floatArr(x);
  const keep = { keepdims: opts.keepdims };
  const matrix = Array.isArray(axis) || (axis === null && a.ndim === 2 && ord !== null);
  if (!matrix) {
    const ax = axis === null ? null : (axis as number);
    if (ord === null || ord === 2) return lax.sqrt(sum(multiply(a, a), ax, keep));
    if (ord === Infinity) return max(abs(a), ax, keep);
    if (ord === -Infinity) return min(abs(a), ax, keep);
    if (ord === 0) return sum(convertTo(lax.ne(a, 0), "float32", false), ax, keep);
    if (ord === 1) return sum(abs(a), ax, keep);
    if (ord === "fro") throw new Error("Invalid norm order 'fro' for vectors");
    return lax.pow(sum(lax.pow(abs(a), lax.asArray(ord, "float32", false)), ax, keep), lax.asArray(1 / ord, "float32", false));
  }
  const [r, c] = (Array.isArray(axis) ? axis : [a.ndim - 2, a.ndim - 1]).map((d) => (d < 0 ? d + a.ndim : d));
  if (ord === null || ord === "fro") return lax.sqrt(sum(multiply(a, a), [r, c], keep));
  const colAxis = c > r ? c - 1 : c;
  const rowAxis = r > c ? r - 1 : r;
  if (ord === 1) return max(sum(abs(a), r, keep), opts.keepdims ? c : colAxis, keep);
  if (ord === -1) return min(sum(abs(a), r, keep), opts.keepdims ? c : colAxis, keep);
  if (ord === Infinity) return max(sum(abs(a), c, keep), opts.keepdims ? r : rowAxis, keep);
  if (ord === -Infinity) return min(sum(abs(a), c, keep), opts.keepdims ? r : rowAxis, keep);
  throw new Error(`norm: matrix norm ord=${ord} needs an SVD, which tfjax does not have yet`);
}
