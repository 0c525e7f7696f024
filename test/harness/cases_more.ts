// Records for the structural primitives split, unstack and rev and the linear-algebra
// primitives cholesky, triangular_solve and lu, in the primitive harness's format (cases.ts).
// The references are plain float64 JS: index arithmetic for the moves; Cholesky-Banachiewicz,
// substitution and Gaussian elimination with partial pivoting for the factorizations, each
// reading only the triangle (and diagonal) LAPACK reads. cases.ts adds them to its table.
import type { DType } from "../../src/dtypes.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import { pyStr } from "../../src/jaxpr/print.js";
import type { Case, GradSpec } from "./cases.js";
import { type Host, at, f32, generate, host, size } from "./ref.js";

export const moreCases: Case[] = [];

/**
 * cholesky reads one triangle and its jvp assumes a symmetric tangent (JAX's does too): its
 * grad mode perturbs along symmetric tangents. triangular_solve's jvp restricts the tangent of
 * a to the triangle it reads, which finite differences of the reference see as zero elsewhere.
 * (No case of a matrix that is not positive definite: the primitive gives NaNs everywhere, its
 * jvp's primal, as JAX's, the lower triangle of those, so the grad mode's primal check cannot
 * hold there.)
 */
export const moreGrad: Record<string, GradSpec> = {
  cholesky: { symmetrize: [0] },
};

const label = (x: Host) => `${x.dtype}[${x.shape}]`;
function add(prim: string, inputs: Host[], params: Params, ref: Case["ref"], ulps = 0, what = ""): void {
  const ps = Object.entries(params).map(([k, v]) => `${k}=${pyStr(v)}`).join(" ");
  moreCases.push({ prim, name: `${prim}(${inputs.map(label).join(", ")})${ps ? `[${ps}]` : ""}${what ? ` ${what}` : ""}`, inputs, params, ref, ulps });
}
function addError(prim: string, inputs: Host[], params: Params, error: string): void {
  moreCases.push({ prim, name: `${prim} error: ${error}`, inputs, params, ulps: 0, error });
}

const arr = (dtype: DType, shape: number[], data: number[]): Host => host(dtype, data, shape);
const F = (shape: number[], data: number[]) => arr("float32", shape, data);
const iota = (dtype: DType, shape: number[], f: (i: number) => number = (i) => i): Host =>
  host(dtype, Array.from({ length: size(shape) }, (_, i) => f(i)), shape);
/** Distinct, non-integral values of both signs (a permutation shows in every element). */
const mixed = (shape: number[]) => iota("float32", shape, (i) => (i % 2 ? -1 : 1) * (0.75 + 0.5 * i));

// ---- split, unstack, rev ---------------------------------------------------------------------

const splitRef = (sizes: number[], axis: number) => (x: Host): Host[] => {
  let start = 0;
  return sizes.map((s) => {
    const off = start;
    start += s;
    return generate(x.dtype, x.shape.map((d, i) => (i === axis ? s : d)), (idx) => at(x, idx.map((v, i) => (i === axis ? v + off : v))));
  });
};
for (const [x, sizes, axis] of [
  [mixed([2, 5]), [2, 0, 3], 1],
  [iota("int32", [4, 2], (i) => 7 * i - 9), [1, 3], 0],
  [iota("bool", [3, 2], (i) => i % 3 === 0 ? 1 : 0), [3], 0],
] as [Host, number[], number][])
  add("split", [x], { sizes, axis }, splitRef(sizes, axis));
addError("split", [mixed([2, 5])], { sizes: [2, 2], axis: 1 }, "Sum of sizes 4 must be equal to dimension 1");

const unstackRef = (axis: number) => (x: Host): Host[] =>
  Array.from({ length: x.shape[axis] }, (_, k) =>
    generate(x.dtype, x.shape.filter((_, i) => i !== axis), (idx) => at(x, [...idx.slice(0, axis), k, ...idx.slice(axis)])),
  );
for (const [x, axis] of [
  [mixed([3, 2]), 0],
  [mixed([2, 3]), 1],
  [iota("int32", [2, 2, 2], (i) => i * i - 5), 2],
  [mixed([0, 2]), 1],
] as [Host, number][])
  add("unstack", [x], { axis }, unstackRef(axis));
addError("unstack", [F([], [1])], { axis: 0 }, "unstack requires arrays with rank > 0");

const revRef = (dims: number[]) => (x: Host): Host[] => [
  generate(x.dtype, x.shape, (idx) => at(x, idx.map((v, i) => (dims.includes(i) ? x.shape[i] - 1 - v : v)))),
];
for (const [x, dims] of [
  [mixed([2, 3]), [1]],
  [mixed([2, 3]), [0, 1]],
  [mixed([2, 1, 3]), []],
  [iota("int32", [5], (i) => 3 - i * 11), [0]],
  [iota("uint32", [2, 2], (i) => 4294967295 - i), [0]],
] as [Host, number[]][])
  add("rev", [x], { dimensions: dims }, revRef(dims));
addError("rev", [mixed([2, 3])], { dimensions: [1, 1] }, "rev dimensions must be unique");

// ---- linear algebra ---------------------------------------------------------------------------

/** The (batch of) matrices of `x`, each as rows of float64 values. */
function matrices(x: Host): number[][][] {
  const [m, n] = x.shape.slice(-2);
  return Array.from({ length: size(x.shape.slice(0, -2)) }, (_, b) =>
    Array.from({ length: m }, (_, i) => x.data.slice(b * m * n + i * n, b * m * n + (i + 1) * n)),
  );
}
const fromMatrices = (dtype: DType, shape: number[], ms: number[][][]): Host => host(dtype, ms.flat(2).map((v) => (dtype === "float32" ? f32(v) : v)), shape);

/** Cholesky-Banachiewicz, row by row, from the lower triangle; NaNs unless positive definite. */
function choleskyRef(x: Host): Host[] {
  const out = matrices(x).map((a) => {
    const n = a.length;
    const l = a.map(() => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        let s = a[i][j];
        for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
        l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
      }
    return l.flat().some((v) => Number.isNaN(v)) || l.some((r, i) => !(r[i] > 0)) ? l.map((r) => r.map(() => NaN)) : l;
  });
  return [fromMatrices("float32", x.shape, out)];
}
/** A symmetric positive definite matrix: m m^T + n I for a fixed m. */
const spd = (n: number, seed: number): number[] => {
  const m = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (((i * 7 + j * 3 + seed) % 5) - 2) / 2));
  return m.flatMap((r, i) => m.map((s, j) => r.reduce((acc, v, k) => acc + v * s[k], 0) + (i === j ? n : 0)));
};
add("cholesky", [F([3, 3], spd(3, 1))], {}, choleskyRef, 8);
add("cholesky", [F([2, 2, 2], [...spd(2, 0), ...spd(2, 3)])], {}, choleskyRef, 8);
add("cholesky", [F([4, 4], spd(4, 2))], {}, choleskyRef, 8);
addError("cholesky", [F([2, 3], [1, 2, 3, 4, 5, 6])], {}, "The last two dimensions of the argument to cholesky must be equal");

interface Tri {
  left_side: boolean;
  lower: boolean;
  transpose_a: boolean;
  conjugate_a: boolean;
  unit_diagonal: boolean;
}
/** Solves op(A) X = B (left) or X op(A) = B (right) by substitution over A's stored triangle. */
const triangularSolveRef = (p: Tri) => (a: Host, b: Host): Host[] => {
  const bs = matrices(b);
  const out = matrices(a).map((A, t) => {
    const n = A.length;
    // The triangular matrix as stored: the other triangle is not read, a unit diagonal neither.
    const T = (i: number, j: number) => (i === j ? (p.unit_diagonal ? 1 : A[i][i]) : (p.lower ? j < i : j > i) ? A[i][j] : 0);
    const op = (i: number, j: number) => (p.transpose_a ? T(j, i) : T(i, j));
    // Right side: X op(A) = B is op(A)^T X^T = B^T.
    const M = (i: number, j: number) => (p.left_side ? op(i, j) : op(j, i));
    const B = p.left_side ? bs[t] : bs[t][0].map((_, j) => bs[t].map((r) => r[j]));
    const lowerM = p.lower !== (p.transpose_a !== !p.left_side);
    const X = B.map((r) => r.map(() => 0));
    for (let c = 0; c < B[0].length; c++)
      for (let s = 0; s < n; s++) {
        const i = lowerM ? s : n - 1 - s;
        let v = B[i][c];
        for (let j = 0; j < n; j++) if (j !== i) v -= M(i, j) * X[j][c];
        X[i][c] = v / M(i, i);
      }
    return p.left_side ? X : X[0].map((_, j) => X.map((r) => r[j]));
  });
  return [fromMatrices("float32", b.shape, out)];
};
const tri = (o: Partial<Tri>): Tri => ({ left_side: true, lower: true, transpose_a: false, conjugate_a: false, unit_diagonal: false, ...o });
// Well-conditioned triangles (dominant diagonals); the unread triangle holds values that would change the answer.
const A3 = F([3, 3], [2, 9, -7, 0.5, -3, 8, -1.25, 0.75, 2.5]);
for (const p of [
  tri({}),
  tri({ lower: false }),
  tri({ transpose_a: true }),
  tri({ lower: false, transpose_a: true, unit_diagonal: true }),
  tri({ unit_diagonal: true }),
])
  add("triangular_solve", [A3, mixed([3, 2])], { ...p }, triangularSolveRef(p), 8);
for (const p of [tri({ left_side: false }), tri({ left_side: false, lower: false, transpose_a: true })])
  add("triangular_solve", [A3, mixed([2, 3])], { ...p }, triangularSolveRef(p), 8);
add("triangular_solve", [F([2, 2, 2], [1.5, 4, -0.5, 2, -2, 0, 1, 3]), mixed([2, 2, 1])], { ...tri({}) }, triangularSolveRef(tri({})), 8);
addError("triangular_solve", [A3, mixed([2, 2])], { ...tri({}) }, "triangular_solve requires a.shape[-1] == b.shape[-2]");

/**
 * Gaussian elimination with partial pivoting (the first largest |pivot|), eliminating column by
 * column with the multipliers stored below the diagonal: [lu, pivots, permutation].
 */
function luRef(x: Host): Host[] {
  const [m, n] = x.shape.slice(-2);
  const r = Math.min(m, n);
  const lus: number[][][] = [];
  const pivs: number[][][] = [];
  const perms: number[][][] = [];
  for (const a0 of matrices(x)) {
    const a = a0.map((row) => [...row]);
    const perm = a.map((_, i) => i);
    const piv: number[] = [];
    for (let k = 0; k < r; k++) {
      let p = k;
      for (let i = k + 1; i < m; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
      piv.push(p);
      [a[k], a[p]] = [a[p], a[k]];
      [perm[k], perm[p]] = [perm[p], perm[k]];
      if (a[k][k] === 0) continue;
      for (let i = k + 1; i < m; i++) {
        a[i][k] /= a[k][k];
        for (let j = k + 1; j < n; j++) a[i][j] -= a[i][k] * a[k][j];
      }
    }
    lus.push(a);
    pivs.push([piv]);
    perms.push([perm]);
  }
  const batch = x.shape.slice(0, -2);
  return [fromMatrices("float32", x.shape, lus), fromMatrices("int32", [...batch, r], pivs), fromMatrices("int32", [...batch, m], perms)];
}
add("lu", [F([3, 3], [1, 2, -1, 4, -3, 0.5, -2, 1.5, 6])], {}, luRef, 2);
add("lu", [F([3, 2], [0.5, -1, 3, 2, -1.5, 4])], {}, luRef, 2);
add("lu", [F([2, 3], [1, -2, 0.25, 3, 0.5, -1])], {}, luRef, 2);
add("lu", [F([2, 2, 2], [1, 2, 3, -4, -2, 0.5, 1, 1])], {}, luRef, 2);
addError("lu", [iota("int32", [2, 2])], {}, "lu does not accept dtype int32");
