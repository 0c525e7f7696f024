// `lax.linalg`: the factorization primitives of lax/linalg.ts under JAX's names and arguments.
import type { Array as JaxArray } from "../array/base.js";
import { bind, bind1 } from "../tracer/core.js";
import { cholesky_p, lu_p, triangular_solve_p } from "./linalg.js";
import { type ArrayLike, add, asArray, div, transpose } from "./lax.js";

const mT = (x: JaxArray) => transpose(x, x.shape.map((_, i) => (i < x.ndim - 2 ? i : 2 * x.ndim - 3 - i)));

/** Lower Cholesky factor; the input is symmetrized first unless `symmetrizeInput` is false. */
export function cholesky(x: ArrayLike, opts: { symmetrizeInput?: boolean } = {}): JaxArray {
  let a = asArray(x);
  if (opts.symmetrizeInput ?? true) a = div(add(a, mT(a)), 2);
  return bind1(cholesky_p, [a]);
}

/** `[lu, pivots, permutation]` of a (batch of) square matrices: `P @ a = L @ U`, L unit-lower. */
export function lu(x: ArrayLike): [JaxArray, JaxArray, JaxArray] {
  return bind(lu_p, [asArray(x)], {}) as [JaxArray, JaxArray, JaxArray];
}

export interface TriangularSolveOptions {
  leftSide?: boolean;
  lower?: boolean;
  transposeA?: boolean;
  conjugateA?: boolean;
  unitDiagonal?: boolean;
}

/** Solves `a @ x = b` (or `x @ a = b` with `leftSide: false`) for triangular `a`. */
export function triangularSolve(a: ArrayLike, b: ArrayLike, opts: TriangularSolveOptions = {}): JaxArray {
  return bind1(triangular_solve_p, [asArray(a), asArray(b)], {
    left_side: opts.leftSide ?? false,
    lower: opts.lower ?? false,
    transpose_a: opts.transposeA ?? false,
    conjugate_a: opts.conjugateA ?? false,
    unit_diagonal: opts.unitDiagonal ?? false,
  });
}
