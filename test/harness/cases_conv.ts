// Records for conv_general_dilated and the windowed reductions (reduce_window_sum/max/min,
// select_and_gather_add, select_and_scatter_add) in the primitive harness's format (cases.ts).
// The references follow XLA's operation semantics (openxla.org/xla/operation_semantics #conv
// and #reducewindow) by materializing what XLA describes: the input dilated and padded (with
// zeros, or with the reduction's identity), the kernel dilated, then plain sliding windows.
// Inputs are small integers and halves, so every sum is exact in float32 whatever its order.
import "../../src/index.js"; // registers every primitive
import type { DType } from "../../src/dtypes.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import { ConvDimensionNumbers, convDimensionNumbers, padtypeToPads } from "../../src/lax/convolution.js";
import { primitives } from "../../src/lax/primitive.js";
import { scalar } from "../../src/array/array.js";
import * as lax from "../../src/lax/lax.js";
import type { Array as JaxArray } from "../../src/array/base.js";
import { makeJaxpr } from "../../src/tracer/jit.js";
import type { Case } from "./cases.js";
import { type Host, at, cast, generate, host, size, unravel } from "./ref.js";

export const convCases: Case[] = [];

const label = (x: Host) => `${x.dtype}[${x.shape}]`;
function add(prim: string, inputs: Host[], params: Params, ref: Case["ref"], what: string): void {
  convCases.push({ prim, name: `${prim}(${inputs.map(label).join(", ")}) ${what}`, inputs, params, ref, ulps: 0 });
}
function addError(prim: string, inputs: Host[], params: Params, error: string): void {
  convCases.push({ prim, name: `${prim} error: ${error}`, inputs, params, ulps: 0, error });
}

const iota = (dtype: DType, shape: number[], f: (i: number) => number = (i) => i): Host => host(dtype, Array.from({ length: size(shape) }, (_, i) => f(i)), shape);
/** Distinct small values in a scrambled order (no ties, so max pooling's derivatives exist). */
const scrambled = (shape: number[], scale = 0.5) => iota("float32", shape, (i) => (((i * 7 + 3) % 13) - 6) * scale + i * 0.0625 * (i % 2 ? 1 : -1));

// ---- host-array helpers -------------------------------------------------------------------------

/** Axis k of the result is axis perm[k] of x. */
function permute(x: Host, perm: readonly number[]): Host {
  return generate(
    x.dtype,
    perm.map((d) => x.shape[d]),
    (idx) => {
      const src = new Array<number>(idx.length);
      perm.forEach((d, k) => (src[d] = idx[k]));
      return at(x, src);
    },
  );
}
const argsort = (xs: readonly number[]) => xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j]);

/** `d - 1` fill values between neighbours, then (lo, hi) edges (negative edges crop), along `axes`. */
function dilatePad(x: Host, axes: readonly number[], dil: readonly number[], pads: readonly (readonly [number, number])[], fill: number): Host {
  const shape = x.shape.map((n, d) => {
    const k = axes.indexOf(d);
    if (k < 0) return n;
    const dilated = n === 0 ? 0 : (n - 1) * dil[k] + 1;
    return dilated + pads[k][0] + pads[k][1];
  });
  return generate(x.dtype, shape, (idx) => {
    const src = [...idx];
    for (let k = 0; k < axes.length; k++) {
      const q = idx[axes[k]] - pads[k][0];
      if (q < 0 || q % dil[k] !== 0 || q / dil[k] >= x.shape[axes[k]]) return fill;
      src[axes[k]] = q / dil[k];
    }
    return at(x, src);
  });
}

// ---- conv_general_dilated -------------------------------------------------------------------------

interface ConvP {
  window_strides: number[];
  padding: [number, number][];
  lhs_dilation: number[];
  rhs_dilation: number[];
  dimension_numbers: ConvDimensionNumbers;
  feature_group_count: number;
  batch_group_count: number;
  preferred_element_type: DType | null;
}

/** XLA's convolution: out[n, o, s] = sum over i, k of lhs'[n', g*I + i, s*stride + k] * rhs'[o, i, k]. */
const convRef =
  (p: ConvP) =>
  (lhs0: Host, rhs0: Host): Host[] => {
    const dn = p.dimension_numbers;
    const nsp = lhs0.shape.length - 2;
    const spatial = Array.from({ length: nsp }, (_, i) => 2 + i);
    const lhs = dilatePad(permute(lhs0, dn.lhsSpec), spatial, p.lhs_dilation, p.padding, 0);
    const rhs = dilatePad(permute(rhs0, dn.rhsSpec), spatial, p.rhs_dilation, spatial.map(() => [0, 0]), 0);
    const [N, C] = lhs.shape;
    const [O, I] = rhs.shape;
    const G = p.feature_group_count;
    const B = p.batch_group_count;
    const win = rhs.shape.slice(2);
    const outSp = spatial.map((d, i) => Math.max(0, Math.floor((lhs.shape[d] - win[i]) / p.window_strides[i]) + 1));
    const outDtype = p.preferred_element_type ?? lhs0.dtype;
    const canonical = generate(outDtype, [N / B, O, ...outSp], ([n, o, ...s]) => {
      const g = Math.floor(o / (O / G));
      const bg = Math.floor(o / (O / B));
      let acc = 0;
      for (let i = 0; i < I; i++)
        for (let k = 0; k < size(win); k++) {
          const kk = unravel(k, win);
          acc += at(lhs, [bg * (N / B) + n, g * I + i, ...s.map((v, d) => v * p.window_strides[d] + kk[d])]) * at(rhs, [o, i, ...kk]);
        }
      return acc;
    });
    void C;
    return [permute(canonical, argsort(dn.outSpec))];
  };

type ConvOpts = Partial<Omit<ConvP, "dimension_numbers" | "padding">> & { dn?: [string, string, string]; padding?: [number, number][] | "SAME" | "VALID" };
function convParams(lhs: Host, rhs: Host, o: ConvOpts): Params {
  const nsp = lhs.shape.length - 2;
  const ones = new Array(nsp).fill(1);
  const dn = convDimensionNumbers(lhs.shape, rhs.shape, o.dn ?? null);
  const strides = o.window_strides ?? ones;
  const rd = o.rhs_dilation ?? ones;
  let padding = o.padding ?? "VALID";
  if (typeof padding === "string") {
    const k = dn.rhsSpec.slice(2).map((d, i) => (rhs.shape[d] - 1) * rd[i] + 1);
    padding = padtypeToPads(dn.lhsSpec.slice(2).map((d) => lhs.shape[d]), k, strides, padding);
  }
  return {
    window_strides: strides,
    padding,
    lhs_dilation: o.lhs_dilation ?? ones,
    rhs_dilation: rd,
    dimension_numbers: dn,
    feature_group_count: o.feature_group_count ?? 1,
    batch_group_count: o.batch_group_count ?? 1,
    precision: null,
    preferred_element_type: o.preferred_element_type ?? null,
    out_sharding: null,
  };
}
function conv(lhs: Host, rhs: Host, o: ConvOpts, what: string): void {
  const params = convParams(lhs, rhs, o);
  add("conv_general_dilated", [lhs, rhs], params, convRef(params as unknown as ConvP), what);
}

const F = (shape: number[], f?: (i: number) => number) => iota("float32", shape, f);
const small = (i: number) => ((i * 5 + 2) % 7) - 3; // -3..3
const halves = (i: number) => (((i * 3 + 1) % 9) - 4) / 2; // -2..2 by halves

conv(F([1, 1, 4, 4]), F([1, 1, 2, 2], small), {}, "NCHW/OIHW VALID");
conv(F([1, 1, 4, 4], halves), F([1, 1, 2, 2], small), { window_strides: [2, 1], padding: [[1, 0], [0, 1]], rhs_dilation: [1, 2] }, "strides, explicit padding, rhs dilation");
conv(F([2, 3, 3, 2], halves), F([2, 2, 2, 3], small), { dn: ["NHWC", "HWIO", "NHWC"], padding: "SAME" }, "NHWC/HWIO SAME, 2 in / 3 out channels");
conv(F([2, 3, 5, 2], halves), F([2, 3, 2, 2], small), { dn: ["NHWC", "HWIO", "NHWC"], window_strides: [2, 2], padding: "SAME", rhs_dilation: [2, 1] }, "strides and rhs dilation together (kernel dilated by hand)");
conv(F([1, 2, 3], halves), F([3, 2, 2], small), { lhs_dilation: [2], padding: [[1, 1]] }, "1-D, lhs dilation (transposed conv)");
conv(F([2, 4, 5], halves), F([4, 2, 3], small), { feature_group_count: 2, padding: [[1, 1]] }, "1-D, 2 feature groups");
conv(F([1, 3, 4, 4], halves), F([6, 1, 2, 2], small), { feature_group_count: 3, window_strides: [1, 2] }, "depthwise (feature groups = channels), multiplier 2");
conv(F([4, 2, 5], halves), F([4, 2, 2], small), { batch_group_count: 2 }, "1-D, 2 batch groups");
conv(F([2, 3], halves), F([4, 3], small), {}, "0-D (a matrix product)");
conv(F([1, 1, 3, 3, 3], halves), F([2, 1, 2, 2, 2], small), { padding: [[0, 1], [1, 0], [0, 0]] }, "3-D");
conv(F([1, 1, 2, 3, 2, 2], halves), F([1, 1, 1, 2, 2, 1], small), { window_strides: [1, 1, 2, 1] }, "4 spatial dims (host loop)");
conv(F([1, 2, 6], halves), F([1, 2, 3], small), { padding: [[-1, -2]], window_strides: [2] }, "negative padding");
conv(F([3, 2, 4], halves), F([3, 2, 2], small), { dn: ["CNW", "IWO", "WCN"] }, "permuted layouts");
conv(iota("int32", [1, 2, 4], small), iota("int32", [2, 2, 2], (i) => i - 3), { padding: [[1, 0]] }, "int32 (host loop)");
conv(iota("int32", [1, 1, 4]), iota("int32", [1, 1, 2], (i) => i + 1), { preferred_element_type: "float32" }, "int32 -> float32");
conv(F([1, 1, 0]), F([1, 1, 1]), {}, "empty spatial input");

const cp = (lhs: Host, rhs: Host, o: ConvOpts) => convParams(lhs, rhs, o);
addError("conv_general_dilated", [F([1, 4, 3]), F([2, 3, 1])], cp(F([1, 4, 3]), F([2, 4, 1]), { feature_group_count: 2 }), "conv_general_dilated lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension size, but 4 // 2 != 3.");
addError("conv_general_dilated", [F([1, 4, 3]), F([3, 2, 1])], cp(F([1, 4, 3]), F([3, 2, 1]), { feature_group_count: 2 }), "conv_general_dilated rhs output feature dimension size must be a multiple of feature_group_count, but 3 is not a multiple of 2.");
addError("conv_general_dilated", [F([3, 2, 3]), F([2, 2, 1])], cp(F([3, 2, 3]), F([2, 2, 1]), { batch_group_count: 2 }), "conv_general_dilated batch_group_count must divide lhs batch dimension size, but 2 does not divide 3.");
addError("conv_general_dilated", [F([1, 2, 3]), F([2, 2, 1, 1])], cp(F([1, 2, 3]), F([2, 2, 1]), {}), "conv_general_dilated lhs and rhs must have the same number of dimensions, but got (1, 2, 3) and (2, 2, 1, 1).");
addError("conv_general_dilated", [F([1, 2, 3]), iota("int32", [2, 2, 1])], cp(F([1, 2, 3]), F([2, 2, 1]), {}), "lax.conv_general_dilated requires arguments to have the same dtypes, got float32, int32.");
addError("conv_general_dilated", [F([1, 2, 3]), F([2, 2, 1])], cp(F([1, 2, 3]), F([2, 2, 1]), { padding: [[-2, -2]] }), "Negative padding is larger than the size of the corresponding dimension: got padding=((-2, -2),) for lhs_shape[2:]=(3,)");

// ---- windowed reductions ----------------------------------------------------------------------------

interface WinP {
  window_dimensions: number[];
  window_strides: number[];
  padding: [number, number][];
  base_dilation: number[];
  window_dilation: number[];
}
type WinOpts = Partial<WinP> & { window_dimensions: number[] };
function winParams(x: Host, o: WinOpts): WinP {
  const ones = x.shape.map(() => 1);
  return {
    window_dimensions: o.window_dimensions,
    window_strides: o.window_strides ?? ones,
    padding: o.padding ?? x.shape.map((): [number, number] => [0, 0]),
    base_dilation: o.base_dilation ?? ones,
    window_dilation: o.window_dilation ?? ones,
  };
}

/** Each window of the base-dilated, padded operand (identity in the holes), in row-major order. */
function windows(x: Host, p: WinP, fill: number): { outShape: number[]; at: (o: number[]) => { values: number[]; where: (number[] | null)[] } } {
  const axes = x.shape.map((_, d) => d);
  const base = dilatePad(x, axes, p.base_dilation, p.padding, fill);
  // Where each element of `base` came from in x (null for holes and padding).
  const origin = dilatePad(iota("int32", x.shape), axes, p.base_dilation, p.padding, -1);
  const span = p.window_dimensions.map((w, d) => (w - 1) * p.window_dilation[d] + 1);
  const outShape = base.shape.map((n, d) => Math.max(0, Math.floor((n - span[d]) / p.window_strides[d]) + 1));
  return {
    outShape,
    at: (o) => {
      const values: number[] = [];
      const where: (number[] | null)[] = [];
      for (let k = 0; k < size(p.window_dimensions); k++) {
        const w = unravel(k, p.window_dimensions);
        const pos = o.map((v, d) => v * p.window_strides[d] + w[d] * p.window_dilation[d]);
        values.push(at(base, pos));
        const src = at(origin, pos);
        where.push(src < 0 ? null : unravel(src, x.shape));
      }
      return { values, where };
    },
  };
}

const IDENTITY: Record<string, (dt: DType) => number> = {
  sum: () => 0,
  max: (dt) => (dt === "float32" ? -Infinity : dt === "int32" ? -(2 ** 31) : 0),
  min: (dt) => (dt === "float32" ? Infinity : dt === "int32" ? 2 ** 31 - 1 : 2 ** 32 - 1),
};
const FOLD: Record<string, (a: number, b: number) => number> = {
  sum: (a, b) => a + b,
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
};

const reduceWindowRef =
  (kind: string, p: WinP) =>
  (x: Host): Host[] => {
    const init = IDENTITY[kind](x.dtype);
    const w = windows(x, p, init);
    return [generate(x.dtype, w.outShape, (o) => cast(x.dtype, w.at(o).values.reduce(FOLD[kind], init)))];
  };
function reduceWindow(kind: "sum" | "max" | "min", x: Host, o: WinOpts, what: string): void {
  const p = winParams(x, o);
  add(`reduce_window_${kind}`, [x], p as unknown as Params, reduceWindowRef(kind, p), what);
}

for (const kind of ["sum", "max", "min"] as const) {
  reduceWindow(kind, scrambled([4, 4]), { window_dimensions: [2, 2], window_strides: [2, 2] }, "2x2 pooling (tfjs)");
  reduceWindow(kind, scrambled([1, 2, 4, 5]), { window_dimensions: [1, 1, 3, 2], window_strides: [1, 1, 1, 2], padding: [[0, 0], [0, 0], [1, 1], [0, 1]] }, "NCHW pooling with padding (tfjs)");
  reduceWindow(kind, scrambled([5]), { window_dimensions: [3], padding: [[1, 1]] }, "1-D SAME (tfjs)");
  reduceWindow(kind, scrambled([2, 4, 5, 3]), { window_dimensions: [1, 2, 2, 1], window_strides: [1, 2, 1, 1], padding: [[0, 0], [0, 0], [1, 0], [0, 0]] }, "NHWC pooling, channels kept (tfjs)");
  reduceWindow(kind, scrambled([3, 4, 2, 5]), { window_dimensions: [1, 3, 1, 2], window_strides: [1, 1, 1, 2] }, "an unwindowed axis between windowed ones (tfjs)");
  reduceWindow(kind, scrambled([4, 3]), { window_dimensions: [2, 2], base_dilation: [2, 1], padding: [[1, 0], [0, 1]] }, "base dilation (host)");
  reduceWindow(kind, scrambled([2, 3, 4]), { window_dimensions: [2, 2, 2], window_strides: [1, 2, 1] }, "three windowed axes (host)");
  reduceWindow(kind, iota("int32", [3, 4], (i) => ((i * 7) % 11) - 5), { window_dimensions: [2, 3], padding: [[0, 1], [1, 0]] }, "int32 (host)");
  reduceWindow(kind, scrambled([6]), { window_dimensions: [2], window_strides: [2], padding: [[-1, -1]] }, "negative padding");
}
// (JAX has no VJP for max/min pooling with window dilation: sums only.)
reduceWindow("sum", scrambled([4, 5]), { window_dimensions: [2, 2], base_dilation: [1, 2], window_dilation: [2, 3], padding: [[0, 1], [1, 0]] }, "window dilation (host)");
reduceWindow("max", F([2, 4], (i) => [1, NaN, 3, -2, 0, 5, -Infinity, 2][i]), { window_dimensions: [1, 2], window_strides: [1, 2] }, "NaN propagates (tfjs)");
reduceWindow("min", F([6], (i) => [1, NaN, 3, -2, 0, 5][i]), { window_dimensions: [2], base_dilation: [2] }, "NaN propagates (host)");
reduceWindow("sum", iota("uint32", [5], (i) => 2 ** 31 + i), { window_dimensions: [2] }, "uint32 wraps");
reduceWindow("max", F([2, 3]), { window_dimensions: [2, 2], padding: [[2, 0], [0, 0]] }, "windows of padding only give the identity (tfjs)");

const rw = (x: Host, o: WinOpts) => winParams(x, o) as unknown as Params;
addError("reduce_window_max", [F([4, 4])], rw(F([4, 4]), { window_dimensions: [2] }), "reduce_window got the wrong number of window_dimensions for operand: got operand shape (4, 4) with window_dimensions (2,).");
addError("reduce_window_sum", [F([4])], rw(F([4]), { window_dimensions: [0] }), "reduce_window window_dimensions must have every element be strictly positive, got (0,).");
addError("reduce_window_sum", [iota("bool", [4], (i) => i % 2)], rw(F([4]), { window_dimensions: [2] }), "operand to reduce_window_sum must have a number dtype, got bool");

// ---- select_and_gather_add / select_and_scatter_add ---------------------------------------------------

const selectPrim = (name: "ge" | "le") => primitives.get(name)!;

/** XLA's variadic reduce_window on (operand, tangent) pairs from (identity, 0): keep the pair unless select(kept, next) fails; padding and holes skipped. */
const gatherAddRef =
  (ge: boolean, p: WinP) =>
  (t: Host, x: Host): Host[] => {
    const init = ge ? -Infinity : Infinity;
    const w = windows(x, p, init);
    return [
      generate(t.dtype, w.outShape, (o) => {
        const { values, where } = w.at(o);
        let [k, v] = [init, 0];
        values.forEach((ek, j) => {
          if (where[j] && !(ge ? k >= ek : k <= ek)) [k, v] = [ek, at(t, where[j]!)];
        });
        return v;
      }),
    ];
  };
function selectAndGatherAdd(sel: "ge" | "le", t: Host, x: Host, o: WinOpts, what: string): void {
  const p = winParams(x, o);
  add("select_and_gather_add", [t, x], { select_prim: selectPrim(sel), ...p }, gatherAddRef(sel === "ge", p), `select_prim=${sel} ${what}`);
}

/** SelectAndScatter on the identity-padded operand: each window's source value added at its selected element. */
const scatterAddRef =
  (ge: boolean, p: WinP) =>
  (source: Host, x: Host): Host[] => {
    const w = windows(x, p, ge ? -Infinity : Infinity);
    const out = { ...x, data: x.data.map(() => 0) };
    for (let i = 0; i < size(source.shape); i++) {
      const o = unravel(i, source.shape);
      const { values, where } = w.at(o);
      let best = 0;
      values.forEach((ek, j) => {
        if (j > 0 && !(ge ? values[best] >= ek : values[best] <= ek)) best = j;
      });
      if (where[best]) {
        const flat = where[best]!.reduce((acc, v, d) => acc * x.shape[d] + v, 0);
        out.data[flat] = cast(x.dtype, out.data[flat] + source.data[i]);
      }
    }
    return [out];
  };
function selectAndScatterAdd(sel: "ge" | "le", source: Host, x: Host, o: WinOpts, what: string): void {
  const p = winParams(x, o);
  const params = { select_prim: selectPrim(sel), window_dimensions: p.window_dimensions, window_strides: p.window_strides, padding: p.padding };
  add("select_and_scatter_add", [source, x], params, scatterAddRef(sel === "ge", p), `select_prim=${sel} ${what}`);
}

// The operand increases in row-major order, so each window's winner is its last element (ge) or
// its first (le): the harness finds which outputs an element feeds at a generic increasing point,
// and a winner elsewhere would be attributed to the wrong element. Other winners and ties are
// checked against finite differences in test/conv.test.ts.
const rising = (shape: number[]) => F(shape, (i) => i * 0.75 - 3);
for (const sel of ["ge", "le"] as const) {
  selectAndGatherAdd(sel, F([4, 4], halves), rising([4, 4]), { window_dimensions: [2, 2], window_strides: [2, 2] }, "2x2 pooling");
  selectAndGatherAdd(sel, F([5], halves), rising([5]), { window_dimensions: [3], padding: [[1, 1]] }, "SAME padding");
  selectAndGatherAdd(sel, F([4, 3], halves), rising([4, 3]), { window_dimensions: [2, 2], base_dilation: [2, 1], padding: [[0, 1], [1, 0]] }, "base dilation");
  selectAndScatterAdd(sel, F([2, 2], halves), rising([4, 4]), { window_dimensions: [2, 2], window_strides: [2, 2] }, "2x2 pooling");
  selectAndScatterAdd(sel, F([5], halves), rising([5]), { window_dimensions: [3], padding: [[1, 1]] }, "SAME padding, overlapping windows");
  selectAndScatterAdd(sel, F([2, 3], halves), rising([3, 4]), { window_dimensions: [2, 2], window_strides: [1, 1] }, "overlapping 2-D windows");
}
addError(
  "select_and_gather_add",
  [F([4]), F([5])],
  { select_prim: selectPrim("ge"), ...winParams(F([5]), { window_dimensions: [2] }) },
  "select_and_gather_add tangents and operand shapes must match, got (4,) and (5,).",
);

// ---- reduce_window (the general primitive) -------------------------------------------------------------
// Computations are jaxprs over scalars; operands are int32 (its derivative is forward-only, as in
// JAX, so the grad mode's vjp does not apply; test/conv.test.ts checks the jvp) and the init
// values literals (JAX does not batch init values). XLA skips padding and holes: each window
// folds its elements, in row-major order, into the init value.

const I32 = (v: number) => v | 0;
function generalReduceWindow(name: string, xs: Host[], inits: number[], f: (as: JaxArray[], bs: JaxArray[]) => JaxArray[], ref: (acc: number[], e: number[]) => number[], o: WinOpts): void {
  const p = winParams(xs[0], o);
  const n = xs.length;
  const s0 = scalar(0, "int32", false);
  const jaxpr = makeJaxpr((...a: JaxArray[]) => f(a.slice(0, n), a.slice(n)))(...new Array(2 * n).fill(s0));
  const params = { ...p, jaxpr, consts: [] };
  const reference = (...hs: Host[]): Host[] => {
    const ws = hs.slice(0, n).map((h) => windows(h, p, 0));
    return hs.slice(0, n).map((h, i) =>
      generate("int32", ws[0].outShape, (o) => {
        const per = ws.map((w) => w.at(o));
        let acc = [...inits];
        per[0].where.forEach((src, j) => {
          if (src) acc = ref(acc, per.map((q) => q.values[j])).map(I32);
        });
        return acc[i];
      }),
    );
  };
  add("reduce_window", [...xs, ...inits.map((v) => ({ ...host("int32", [v], []), literal: true }))], params, reference, name);
}
const ints = (shape: number[], f: (i: number) => number) => iota("int32", shape, f);
generalReduceWindow("windowed product, padded", [ints([2, 5], (i) => (i % 5) - 2)], [1], ([a], [b]) => [lax.mul(a, b)], ([a], [b]) => [Math.imul(a, b)], {
  window_dimensions: [1, 2],
  window_strides: [1, 2],
  padding: [[0, 0], [1, 0]],
});
// (a + a, not 2a: a constant in the computation is a tensor its cached kernel keeps, which the
// eager mode's leak check would count.)
generalReduceWindow("order-sensitive fold (2a + b) with padding and base dilation", [ints([4], (i) => i + 1)], [0], ([a], [b]) => [lax.add(lax.add(a, a), b)], ([a], [b]) => [2 * a + b], {
  window_dimensions: [3],
  padding: [[1, 1]],
  base_dilation: [2],
});
generalReduceWindow(
  "two operands (sum, max) with window dilation",
  [ints([3, 4], (i) => ((i * 5) % 7) - 3), ints([3, 4], (i) => ((i * 3) % 5) - 2)],
  [0, -(2 ** 31)],
  ([a, m], [b, n]) => [lax.add(a, b), lax.max(m, n)],
  ([a, m], [b, n]) => [a + b, Math.max(m, n)],
  { window_dimensions: [2, 2], window_dilation: [1, 2], window_strides: [1, 1] },
);
{
  const s0 = scalar(0, "int32", false);
  const jaxpr = makeJaxpr((a: JaxArray, b: JaxArray) => [lax.add(a, b)])(s0, s0);
  const p = { ...winParams(ints([4], (i) => i), { window_dimensions: [2] }), jaxpr, consts: [] };
  addError("reduce_window", [ints([4], (i) => i), F([1])], p, "reduce_window got inconsistent dtypes for operands and init_values: got operand dtypes [dtype('int32')] and init_value dtypes [dtype('float32')].");
  addError("reduce_window", [ints([4], (i) => i), ints([2], (i) => i)], p, "reduce_window expected init_values to be scalars but init_values have shapes [(2,)].");
}
