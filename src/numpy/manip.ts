// More of jax.numpy, built from lax ops as jnp builds them: var/std, tile/repeat, flip/roll,
// triu/tril, meshgrid, pad modes, split, diag/trace, sort/argsort, isclose/allclose.
import type { Array as JaxArray } from "../array/base.js";
import { isFloat } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { bind } from "../tracer/core.js";
import { sort_p } from "../prng/sort.js";
import { rev_p } from "../lax/structural.js";
import { convertTo, promoteDtypes } from "./promote.js";
import { type Axis, mean, sum } from "./reductions.js";
import { abs, add, less, lessEqual, logicalAnd, multiply, subtract, where } from "./math.js";
import { concatenate, reshape } from "./shape.js";
import { eye } from "./creation.js";
import { ValueError } from "../errors.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];
const axisOf = (a: JaxArray, axis: number, name: string) => lax.canonicalizeAxis(axis, a.ndim, name);

/** Variance with `ddof` (numpy's delta degrees of freedom). */
export function variance(x: ArrayLike, axis: Axis = null, opts: { ddof?: number; keepdims?: boolean } = {}): JaxArray {
  let a = arr(x);
  if (!isFloat(a.dtype)) a = convertTo(a, "float32", false);
  const m = mean(a, axis, { keepdims: true });
  const centered = subtract(a, m);
  const sq = multiply(centered, centered);
  const axes = axis === null ? a.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : [...axis]).map((d) => axisOf(a, d, "var"));
  const n = axes.reduce((k, i) => k * a.shape[i], 1);
  return lax.div(sum(sq, axes, { keepdims: opts.keepdims }), Math.max(n - (opts.ddof ?? 0), 0));
}
export { variance as var };

export const std = (x: ArrayLike, axis: Axis = null, opts: { ddof?: number; keepdims?: boolean } = {}): JaxArray => lax.sqrt(variance(x, axis, opts));

/** Repeats the whole array `reps` times along each axis. */
export function tile(x: ArrayLike, reps: number | readonly number[]): JaxArray {
  let a = arr(x);
  const r = typeof reps === "number" ? [reps] : [...reps];
  const nd = Math.max(a.ndim, r.length);
  const rr = [...new Array(nd - r.length).fill(1), ...r];
  a = reshape(a, [...new Array(nd - a.ndim).fill(1), ...a.shape]);
  // Broadcast to (r0, s0, r1, s1, ...) then merge each pair.
  const shape = a.shape.flatMap((s, i) => [rr[i], s]);
  const b = lax.broadcastInDim(a, shape, a.shape.map((_, i) => 2 * i + 1));
  return lax.reshape(b, a.shape.map((s, i) => s * rr[i]));
}

/** Repeats each element `repeats` times along `axis` (flattened when null). */
export function repeat(x: ArrayLike, repeats: number, axis: number | null = null): JaxArray {
  let a = arr(x);
  if (!Number.isInteger(repeats) || repeats < 0) throw new TypeError(`repeat: repeats must be a non-negative integer, got ${repeats}`);
  if (axis === null) {
    a = reshape(a, [-1]);
    axis = 0;
  }
  const ax = axisOf(a, axis, "repeat");
  const shape = [...a.shape.slice(0, ax + 1), repeats, ...a.shape.slice(ax + 1)];
  const dims = a.shape.map((_, i) => (i <= ax ? i : i + 1));
  const b = lax.broadcastInDim(a, shape, dims);
  const out = [...a.shape];
  out[ax] *= repeats;
  return lax.reshape(b, out);
}

export function flip(x: ArrayLike, axis: Axis = null): JaxArray {
  const a = arr(x);
  const axes = axis === null ? a.shape.map((_, i) => i) : (typeof axis === "number" ? [axis] : [...axis]).map((d) => axisOf(a, d, "flip"));
  return bind(rev_p, [a], { dimensions: axes })[0];
}

/** Rolls elements along `axis` by a static `shift` (flattened when axis is null). */
export function roll(x: ArrayLike, shift: number, axis: number | null = null): JaxArray {
  const a = arr(x);
  if (axis === null) return reshape(roll(reshape(a, [-1]), shift, 0), a.shape);
  const ax = axisOf(a, axis, "roll");
  const n = a.shape[ax];
  if (n === 0) return a;
  const s = ((shift % n) + n) % n;
  if (s === 0) return a;
  const part = (lo: number, hi: number) => lax.slice(a, a.shape.map((_, i) => (i === ax ? lo : 0)), a.shape.map((d, i) => (i === ax ? hi : d)));
  return concatenate([part(n - s, n), part(0, n - s)], ax);
}

function triMask(n: number, m: number, k: number): JaxArray {
  const i = lax.broadcastedIota("int32", [n, m], 0);
  const j = lax.broadcastedIota("int32", [n, m], 1);
  return lax.ge(lax.add(i, lax.asArray(k, "int32", false)), j);
}

/** Lower triangle (elements above diagonal `k` zeroed). */
export function tril(x: ArrayLike, k = 0): JaxArray {
  const a = arr(x);
  if (a.ndim < 2) throw new Error("tril: input must be at least 2-dimensional");
  const [n, m] = a.shape.slice(-2);
  return where(triMask(n, m, k), a, lax.asArray(0, a.dtype, false));
}

/** Upper triangle (elements below diagonal `k` zeroed). */
export function triu(x: ArrayLike, k = 0): JaxArray {
  const a = arr(x);
  if (a.ndim < 2) throw new Error("triu: input must be at least 2-dimensional");
  const [n, m] = a.shape.slice(-2);
  return where(triMask(n, m, k - 1), lax.asArray(0, a.dtype, false), a);
}

/** Coordinate grids from 1-d arrays; `indexing` "xy" (numpy's default) or "ij". */
export function meshgrid(xs: ArrayLike[], opts: { indexing?: "xy" | "ij" } = {}): JaxArray[] {
  const arrs = xs.map((x) => reshape(arr(x), [-1]));
  const ij = (opts.indexing ?? "xy") === "ij";
  const sizes = arrs.map((a) => a.size);
  if (!ij && arrs.length >= 2) [sizes[0], sizes[1]] = [sizes[1], sizes[0]];
  return arrs.map((a, i) => {
    const d = !ij && arrs.length >= 2 && i < 2 ? 1 - i : i;
    return lax.broadcastInDim(a, sizes, [d]);
  });
}

export type PadWidth = number | [number, number] | [number, number][];
export type PadMode = "constant" | "edge" | "reflect" | "symmetric" | "wrap";

/** numpy.pad with static widths. */
export function pad(x: ArrayLike, padWidth: PadWidth, opts: { mode?: PadMode; constantValues?: number } = {}): JaxArray {
  let a = arr(x);
  const widths: [number, number][] =
    typeof padWidth === "number" ? a.shape.map(() => [padWidth, padWidth]) : typeof padWidth[0] === "number" ? a.shape.map(() => padWidth as [number, number]) : (padWidth as [number, number][]);
  if (widths.length !== a.ndim) throw new Error(`pad: pad_width must have one pair per axis, got ${widths.length} for rank ${a.ndim}`);
  const mode = opts.mode ?? "constant";
  if (mode === "constant") return lax.pad(a, lax.asArray(opts.constantValues ?? 0, a.dtype, false), widths.map(([lo, hi]) => [lo, hi, 0]));
  widths.forEach(([lo, hi], ax) => {
    if (lo === 0 && hi === 0) return;
    const n = a.shape[ax];
    const take = (start: number, stop: number) => lax.slice(a, a.shape.map((_, i) => (i === ax ? start : 0)), a.shape.map((d, i) => (i === ax ? stop : d)));
    const rev = (t: JaxArray) => bind(rev_p, [t], { dimensions: [ax] })[0];
    const piece = (count: number, before: boolean): JaxArray | null => {
      if (count === 0) return null;
      const parts: JaxArray[] = [];
      let left = count;
      while (left > 0) {
        let p: JaxArray;
        const c = Math.min(left, mode === "reflect" ? n - 1 : n);
        if (mode === "edge") p = lax.broadcastInDim(before ? take(0, 1) : take(n - 1, n), a.shape.map((d, i) => (i === ax ? left : d)), a.shape.map((_, i) => i));
        else if (mode === "wrap") p = before ? take(n - c, n) : take(0, c);
        else if (mode === "symmetric") p = rev(before ? take(0, c) : take(n - c, n));
        else p = rev(before ? take(1, c + 1) : take(n - 1 - c, n - 1));
        parts.push(p);
        left -= mode === "edge" ? left : c;
      }
      return parts.length === 1 ? parts[0] : concatenate(before ? parts.reverse() : parts, ax);
    };
    const loP = piece(lo, true);
    const hiP = piece(hi, false);
    a = concatenate([...(loP ? [loP] : []), a, ...(hiP ? [hiP] : [])], ax);
  });
  return a;
}

/** Splits into `sections` equal parts, or at the given indices, along `axis`. */
export function split(x: ArrayLike, sections: number | readonly number[], axis = 0): JaxArray[] {
  const a = arr(x);
  const ax = axisOf(a, axis, "split");
  const n = a.shape[ax];
  let cuts: number[];
  if (typeof sections === "number") {
    if (n % sections !== 0) throw new ValueError(`array split does not result in an equal division: rest is ${n % sections}`);
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else cuts = [...sections];
  const bounds = [0, ...cuts.map((c) => Math.min(Math.max(c, 0), n)), n];
  return bounds.slice(0, -1).map((lo, i) =>
    lax.slice(a, a.shape.map((_, d) => (d === ax ? lo : 0)), a.shape.map((s, d) => (d === ax ? Math.max(lo, bounds[i + 1]) : s))),
  );
}

/** The diagonal of a 2-d array, or a 2-d array with `x` on its diagonal. */
export function diag(x: ArrayLike, k = 0): JaxArray {
  const a = arr(x);
  if (a.ndim === 1) {
    const n = a.size + Math.abs(k);
    const mask = eye(n, n, k, { dtype: "bool" });
    // Row i holds a[i] at column i + k (k >= 0); column j holds a[j] at row j - k (k < 0).
    const padded = lax.pad(a, lax.asArray(0, a.dtype, false), [[0, Math.abs(k), 0]]);
    const rows = lax.broadcastInDim(padded, [n, n], [k >= 0 ? 0 : 1]);
    return where(mask, rows, lax.asArray(0, a.dtype, false));
  }
  if (a.ndim !== 2) throw new Error("diag: input must be 1- or 2-dimensional");
  const [n, m] = a.shape;
  const mask = eye(n, m, k, { dtype: "bool" });
  const masked = where(mask, a, lax.asArray(0, a.dtype, false));
  const s = sum(masked, k >= 0 ? [0] : [1]);
  const len = Math.max(0, Math.min(k >= 0 ? Math.min(n, m - k) : Math.min(n + k, m), k >= 0 ? m - k : n + k));
  const start = k >= 0 ? k : -k;
  return lax.slice(s, [start], [start + len]);
}

export const trace = (x: ArrayLike, k = 0): JaxArray => sum(diag(x, k));

/** Sorted along `axis` (default -1; flattened when null), NaNs last, as jnp.sort. */
export function sort(x: ArrayLike, axis: number | null = -1): JaxArray {
  let a = arr(x);
  if (axis === null) {
    a = reshape(a, [-1]);
    axis = 0;
  }
  return bind(sort_p, [a], { dimension: axisOf(a, axis, "sort"), is_stable: true, num_keys: 1 })[0];
}

/** Indices that sort along `axis` (stable). */
export function argsort(x: ArrayLike, axis: number | null = -1): JaxArray {
  let a = arr(x);
  if (axis === null) {
    a = reshape(a, [-1]);
    axis = 0;
  }
  const ax = axisOf(a, axis, "argsort");
  const iota = lax.broadcastedIota("int32", a.shape, ax);
  return bind(sort_p, [a, iota], { dimension: ax, is_stable: true, num_keys: 1 })[1];
}

/** |a - b| <= atol + rtol * |b| elementwise (NaNs unequal unless equalNan). */
export function isclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number } = {}): JaxArray {
  const [x, y] = promoteDtypes(a, b);
  return lessEqual(abs(subtract(x, y)), add(opts.atol ?? 1e-8, multiply(opts.rtol ?? 1e-5, abs(y))));
}

export function allclose(a: ArrayLike, b: ArrayLike, opts: { rtol?: number; atol?: number } = {}): boolean {
  const c = isclose(a, b, opts);
  return Boolean((lax.reduceAnd(c, c.shape.map((_, i) => i)) as unknown as { item(): number }).item());
}

export { less, logicalAnd };
