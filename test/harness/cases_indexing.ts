// Records for gather and the scatter primitives in the primitive harness's format (cases.ts).
// Their references follow XLA's operation semantics (openxla.org/xla/operation_semantics
// #gather and #scatter) index by index in plain JS: for each output (or update) element, the
// window start from its index vector, clamped or checked against the operand's bounds, plus its
// offset in the window. cases.ts adds them to its table.
import "../../src/index.js"; // registers every primitive (the scatters' update_jaxprs name `add`, ...)
import type { DType } from "../../src/dtypes.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import {
  type GatherDnums,
  type GatherOptions,
  GatherScatterMode,
  type ScatterDnums,
  type ScatterOptions,
  gatherParams,
  scatterParams,
} from "../../src/lax/slicing.js";
import type { Case } from "./cases.js";
import { type Host, at, bigIntOp, cast, generate, host, size, unravel } from "./ref.js";

export const indexingCases: Case[] = [];

const label = (x: Host) => `${x.dtype}[${x.shape}]`;
// Gathers move values and these scatters combine small binary fractions: every result is exact.
function add(prim: string, inputs: Host[], params: Params, ref: Case["ref"], what: string, ulps = 0): void {
  indexingCases.push({ prim, name: `${prim}(${inputs.map(label).join(", ")}) ${what}`, inputs, params, ref, ulps });
}
function addError(prim: string, inputs: Host[], params: Params, error: string): void {
  indexingCases.push({ prim, name: `${prim} error: ${error}`, inputs, params, ulps: 0, error });
}

const arr = (dtype: DType, shape: number[], data: (number | boolean)[]): Host => host(dtype, data, shape);
const F = (shape: number[], data: number[]) => arr("float32", shape, data);
const I = (shape: number[], data: number[]) => arr("int32", shape, data);
const iota = (dtype: DType, shape: number[], f: (i: number) => number = (i) => i): Host =>
  host(dtype, Array.from({ length: size(shape) }, (_, i) => f(i)), shape);

// ---- references ---------------------------------------------------------------------------------

/** The window start of batch element `batch` in operand coordinates (before clamping). */
function windowStart(indices: Host, batch: number[], rank: number, map: readonly number[], opBatch: readonly number[], idxBatch: readonly number[]): number[] {
  const start = new Array<number>(rank).fill(0);
  map.forEach((d, k) => (start[d] = at(indices, [...batch, k])));
  opBatch.forEach((d, k) => (start[d] = batch[idxBatch[k]]));
  return start;
}

/** XLA's Gather: out[o] = operand[clamp(S(batch(o))) + offset(o)], or the fill for out-of-bounds windows. */
const gatherRef =
  (p: Params) =>
  (operand: Host, indices: Host): Host[] => {
    const dn = (p.dimension_numbers as ReturnType<typeof gatherParams>["dimension_numbers"]);
    const ss = p.slice_sizes as number[];
    const rank = operand.shape.length;
    const batchShape = indices.shape.slice(0, -1);
    const windowDims = operand.shape.map((_, d) => d).filter((d) => !dn.collapsedSliceDims.includes(d) && !dn.operandBatchingDims.includes(d));
    const outRank = batchShape.length + dn.offsetDims.length;
    const outShape: number[] = [];
    let b = 0;
    let w = 0;
    for (let i = 0; i < outRank; i++) outShape.push(dn.offsetDims.includes(i) ? ss[windowDims[w++]] : batchShape[b++]);
    return [
      generate(operand.dtype, outShape, (o) => {
        const batch = o.filter((_, i) => !dn.offsetDims.includes(i));
        const offset = dn.offsetDims.map((i) => o[i]);
        const start = windowStart(indices, batch, rank, dn.startIndexMap, dn.operandBatchingDims, dn.startIndicesBatchingDims);
        const inBounds = start.every((s, d) => s >= 0 && s <= operand.shape[d] - ss[d]);
        if (p.mode === GatherScatterMode.FILL_OR_DROP && !inBounds) return p.fill_value as number;
        const idx = start.map((s, d) => Math.min(Math.max(s, 0), operand.shape[d] - ss[d]));
        windowDims.forEach((d, k) => (idx[d] += offset[k]));
        return at(operand, idx);
      }),
    ];
  };

type Combine = (dtype: DType) => (old: number, upd: number) => number;
const COMBINE: Record<string, Combine> = {
  scatter: () => (_o, u) => u,
  "scatter-add": (dt) => (dt === "float32" ? (o, u) => o + u : bigIntOp(dt, (a, b) => a + b)),
  "scatter-sub": (dt) => (dt === "float32" ? (o, u) => o - u : bigIntOp(dt, (a, b) => a - b)),
  "scatter-mul": (dt) => (dt === "float32" ? (o, u) => o * u : bigIntOp(dt, (a, b) => a * b)),
  "scatter-min": () => Math.min,
  "scatter-max": () => Math.max,
};

/**
 * XLA's Scatter: each update element, in row-major order, combined into
 * operand[S(batch) + window offset]; a window out of bounds is dropped (or its start clamped).
 */
const scatterRef =
  (prim: string, p: Params) =>
  (operand: Host, indices: Host, updates: Host): Host[] => {
    const dn = p.dimension_numbers as ReturnType<typeof scatterParams>["dimension_numbers"];
    const combine = COMBINE[prim](operand.dtype);
    const rank = operand.shape.length;
    const windowDims = operand.shape.map((_, d) => d).filter((d) => !dn.insertedWindowDims.includes(d) && !dn.operandBatchingDims.includes(d));
    const winSize = operand.shape.map((_, d) => (windowDims.includes(d) ? updates.shape[dn.updateWindowDims[windowDims.indexOf(d)]] : 1));
    const out = { ...operand, data: [...operand.data] };
    for (let u = 0; u < updates.data.length; u++) {
      const ui = unravel(u, updates.shape);
      const batch = ui.filter((_, i) => !dn.updateWindowDims.includes(i));
      const offset = dn.updateWindowDims.map((i) => ui[i]);
      let start = windowStart(indices, batch, rank, dn.scatterDimsToOperandDims, dn.operandBatchingDims, dn.scatterIndicesBatchingDims);
      if (p.mode === GatherScatterMode.CLIP) start = start.map((s, d) => Math.min(Math.max(s, 0), operand.shape[d] - winSize[d]));
      else if (!start.every((s, d) => s >= 0 && s <= operand.shape[d] - winSize[d])) continue;
      windowDims.forEach((d, k) => (start[d] += offset[k]));
      const o = start.reduce((acc, j, d) => acc * operand.shape[d] + j, 0);
      out.data[o] = cast(operand.dtype, combine(out.data[o], updates.data[u]));
    }
    return [out];
  };

function gather(operand: Host, indices: Host, dn: GatherDnums, sliceSizes: number[], opts: GatherOptions, what: string): void {
  const params = gatherParams(operand.dtype, dn, sliceSizes, opts);
  add("gather", [operand, indices], params, gatherRef(params), what);
}
function scatter(prim: string, operand: Host, indices: Host, updates: Host, dn: ScatterDnums, opts: ScatterOptions, what: string): void {
  const params = scatterParams(prim, operand.dtype, dn, opts);
  add(prim, [operand, indices, updates], params, scatterRef(prim, params), what);
}

// ---- gather ---------------------------------------------------------------------------------------

const TAKE0: GatherDnums = { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] };
const ROWS: GatherDnums = { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0] };
const X = F([5], [1.5, -2, 3.25, 0.5, 7]);

// x[idx] for a vector (jnp's advanced indexing), in bounds: the layout jnp's x[i] builds.
gather(X, I([3, 1], [4, 0, 2]), TAKE0, [1], {}, "x[idx]");
gather(I([5], [10, -11, 12, 2147483647, -2147483648]), I([4, 1], [3, 4, 0, 3]), TAKE0, [1], {}, "x[idx] int32 repeated");
gather(arr("uint32", [4], [0, 4294967295, 2147483648, 7]), arr("uint32", [2, 1], [1, 2]), TAKE0, [1], {}, "uint32 operand and indices");
gather(arr("bool", [3], [true, false, true]), I([2, 1], [1, 2]), TAKE0, [1], {}, "bool");
// Rows of a matrix, and a batch of index vectors of shape (2, 2).
gather(iota("float32", [3, 4], (i) => i * 0.5 - 2), I([2, 1], [2, 0]), ROWS, [1, 4], {}, "rows");
gather(iota("float32", [3, 4], (i) => i - 5), I([2, 2, 1], [1, 0, 2, 2]), { offsetDims: [2], collapsedSliceDims: [0], startIndexMap: [0] }, [1, 4], {}, "rows, 2-d batch");
// x[:, idx, :]: the gathered axis in the middle of the output.
gather(iota("float32", [2, 3, 4], (i) => i / 4), I([2, 1], [2, 0]), { offsetDims: [0, 2], collapsedSliceDims: [1], startIndexMap: [1] }, [2, 1, 4], {}, "middle axis");
// Windows (dynamic slices) with starts clamped so that the window fits: CLIP, and PROMISE_IN_BOUNDS (XLA clamps).
const M = iota("float32", [4, 5], (i) => i * 1.25 - 3);
gather(M, I([3, 2], [1, 3, 3, -1, 0, 0]), { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [0, 1] }, [2, 3], { mode: "clip" }, "windows clamped");
// (int32: the grad mode would find PROMISE_IN_BOUNDS's gradient wrong out of bounds, as JAX documents.)
gather(iota("int32", [4, 5]), I([2, 1], [5, -2]), { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [1] }, [4, 2], { mode: GatherScatterMode.PROMISE_IN_BOUNDS }, "one start, clamped");
// FILL_OR_DROP: a window out of bounds reads the fill value (NaN, INT_MIN, uint max, true, or given).
gather(X, I([5, 1], [1, 5, -1, 4, 0]), TAKE0, [1], { mode: "fill" }, "fill NaN");
gather(I([4], [5, 6, 7, 8]), I([3, 1], [3, 4, -5]), TAKE0, [1], { mode: "fill" }, "fill int32 min");
gather(arr("uint32", [2], [1, 2]), I([2, 1], [2, 1]), TAKE0, [1], { mode: "fill" }, "fill uint32 max");
gather(arr("bool", [2], [false, false]), I([2, 1], [9, 0]), TAKE0, [1], { mode: "fill" }, "fill true");
gather(X, I([3, 1], [7, 2, -3]), TAKE0, [1], { mode: "fill", fillValue: -1 }, "fill -1");
gather(M, I([2, 2], [2, 3, 3, 3]), { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [0, 1] }, [2, 2], { mode: "fill", fillValue: 0 }, "window partly out fills whole");
// Batching dims (take_along_axis): row i reads its own indices.
gather(
  iota("float32", [2, 3], (i) => 10 - i * 1.5),
  I([2, 2, 1], [2, 0, 1, 1]),
  { offsetDims: [], collapsedSliceDims: [1], startIndexMap: [1], operandBatchingDims: [0], startIndicesBatchingDims: [0] },
  [1, 1],
  {},
  "batching dims",
);
gather(
  iota("int32", [3, 2, 2], (i) => i * 3 - 7),
  I([2, 3, 1], [1, 0, 1, 0, 0, 1]),
  { offsetDims: [2], collapsedSliceDims: [2], startIndexMap: [2], operandBatchingDims: [0], startIndicesBatchingDims: [1] },
  [1, 2, 1],
  {},
  "batching dim not leading",
);
gather(X, I([0, 1], []), TAKE0, [1], {}, "no indices");
gather(F([2, 2], [1, 2, 3, 4]), I([2, 0], []), { offsetDims: [1, 2], collapsedSliceDims: [], startIndexMap: [] }, [2, 2], {}, "empty index vectors");
addError("gather", [X, F([1, 1], [0])], gatherParams("float32", TAKE0, [1]), "indices must have an integer type");
addError("gather", [X, I([1, 1], [0])], gatherParams("float32", TAKE0, [6]), "Slice size at index 0 in gather op is out of range, must be within [0, 5 + 1), got 6.");
addError("gather", [M, I([1, 1], [0])], gatherParams("float32", { offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0] }, [2, 5]), "Gather op can only collapse slice dims with bound 1, but bound is 2 for index 0 at position 0.");
addError("gather", [X, I([1, 2], [0, 0])], gatherParams("float32", TAKE0, [1]), "Gather op has 1 elements in start_index_map and the bound of dimension index_vector_dim=1 of indices is 2. These two numbers must be equal.");

// ---- scatter ----------------------------------------------------------------------------------------

const AT0: ScatterDnums = { updateWindowDims: [], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
const ROWS_S: ScatterDnums = { updateWindowDims: [1], insertedWindowDims: [0], scatterDimsToOperandDims: [0] };
const BATCHED_S: ScatterDnums = { updateWindowDims: [], insertedWindowDims: [1], scatterDimsToOperandDims: [1], operandBatchingDims: [0], scatterIndicesBatchingDims: [0] };
const M3 = iota("float32", [3, 4], (i) => i * 0.75 - 4);

// scatter: updates replace (unique indices; with repeats the winner is unspecified, as in XLA).
scatter("scatter", X, I([2, 1], [3, 0]), F([2], [10, -20]), AT0, {}, "x.at[idx].set(v)");
scatter("scatter", X, I([2, 1], [3, 0]), F([2], [10, -20]), AT0, { uniqueIndices: true, indicesAreSorted: false }, "unique_indices");
scatter("scatter", M3, I([2, 1], [2, 0]), F([2, 4], [1, 2, 3, 4, -5, -6, -7, -8]), ROWS_S, {}, "rows");
scatter("scatter", X, I([3, 1], [1, 5, -1]), F([3], [9, 8, 7]), AT0, {}, "out of bounds dropped");
scatter("scatter", X, I([3, 1], [1, 5, -1]), F([3], [9, 8, 7]), AT0, { mode: "clip", uniqueIndices: true }, "clip");
scatter("scatter", arr("bool", [3], [false, false, true]), I([1, 1], [1]), arr("bool", [1], [true]), AT0, {}, "bool");
scatter("scatter", M3, I([3, 1, 1], [1, 3, 0]), F([3, 1], [5, 6, 7]), BATCHED_S, {}, "batching dims");
// scatter-add: repeats accumulate.
scatter("scatter-add", X, I([4, 1], [1, 1, 3, 1]), F([4], [1, 2.5, -4, 0.25]), AT0, {}, "repeated");
scatter("scatter-add", M3, I([3, 1], [0, 2, 0]), iota("float32", [3, 4], (i) => i - 6), ROWS_S, {}, "rows repeated");
scatter("scatter-add", I([3], [2147483647, 0, -5]), I([3, 1], [0, 2, 2]), I([3], [1, 4, -2147483648]), AT0, {}, "int32 wraps");
scatter("scatter-add", arr("uint32", [2], [4294967295, 1]), I([2, 1], [0, 1]), arr("uint32", [2], [2, 4294967295]), AT0, {}, "uint32 wraps");
scatter("scatter-add", X, I([4, 1], [0, 5, -1, 4]), F([4], [1, 2, 3, 4]), AT0, {}, "out of bounds dropped");
scatter("scatter-add", X, I([3, 1], [7, -2, 2]), F([3], [1, 2, 3]), AT0, { mode: "clip" }, "clip");
scatter("scatter-add", M3, I([2, 2], [1, 2, 2, 2]), F([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), { updateWindowDims: [1, 2], insertedWindowDims: [], scatterDimsToOperandDims: [0, 1] }, {}, "windows, one out of bounds");
scatter("scatter-add", M3, I([2, 3, 1], [1, 1, 0, 3, 3, 2]), F([2, 3], [1, 2, 3, 4, 5, 6]), { ...BATCHED_S, scatterIndicesBatchingDims: [1] }, {}, "batching dim not leading");
scatter("scatter-add", iota("float32", [2, 3, 2]), I([2, 1], [2, 2]), F([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]), { updateWindowDims: [0, 2], insertedWindowDims: [1], scatterDimsToOperandDims: [1] }, { mode: GatherScatterMode.PROMISE_IN_BOUNDS }, "middle axis");
// scatter-sub, scatter-mul (unique indices: its gradient needs them), scatter-min/max (distinct values).
scatter("scatter-sub", X, I([3, 1], [2, 0, 2]), F([3], [1, -2, 0.5]), AT0, {}, "repeated");
scatter("scatter-sub", I([2], [-2147483648, 3]), I([2, 1], [0, 1]), I([2], [1, 5]), AT0, {}, "int32 wraps");
scatter("scatter-mul", X, I([2, 1], [4, 1]), F([2], [0.5, -3]), AT0, { uniqueIndices: true }, "unique");
scatter("scatter-mul", I([3], [3, -2, 65536]), I([4, 1], [0, 0, 2, 2]), I([4], [5, -7, 65536, 3]), AT0, {}, "int32 repeated, wraps");
scatter("scatter-mul", M3, I([2, 1], [0, 2]), iota("float32", [2, 4], (i) => 1 + i / 2), ROWS_S, { uniqueIndices: true }, "rows");
scatter("scatter-min", X, I([3, 1], [2, 2, 4]), F([3], [3, 1, 9]), AT0, {}, "repeated");
scatter("scatter-min", I([3], [5, -5, 0]), I([3, 1], [0, 1, 1]), I([3], [-2147483648, 7, 2147483647]), AT0, {}, "int32");
scatter("scatter-min", X, I([2, 1], [0, 1]), F([2], [NaN, 0]), AT0, {}, "NaN propagates");
scatter("scatter-max", X, I([3, 1], [2, 2, 4]), F([3], [3, 4, 9]), AT0, {}, "repeated");
scatter("scatter-max", arr("uint32", [2], [1, 2]), I([2, 1], [0, 0]), arr("uint32", [2], [4294967295, 3]), AT0, {}, "uint32");
scatter("scatter-max", arr("bool", [3], [false, true, false]), I([2, 1], [0, 2]), arr("bool", [2], [true, false]), AT0, {}, "bool");
scatter("scatter-max", M3, I([2, 1], [1, 1]), iota("float32", [2, 4], (i) => 3 - i), ROWS_S, {}, "rows repeated");

addError("scatter-add", [X, I([1, 1], [0]), I([1], [1])], scatterParams("scatter-add", "float32", AT0), "lax.scatter requires arguments to have the same dtypes, got float32, int32.");
addError("scatter", [X, I([1, 1], [0]), F([1, 1], [1])], scatterParams("scatter", "float32", AT0), "Updates tensor must be of rank 1; got 2.");
addError("scatter", [X, F([1, 1], [0]), F([1], [1])], scatterParams("scatter", "float32", AT0), "indices must have an integer type");
addError("scatter-mul", [X, I([2, 1], [0, 1]), F([3], [1, 2, 3])], scatterParams("scatter-mul", "float32", AT0), "Bounds of the scatter dimensions of updates must be the same as the bounds of the corresponding dimensions of scatter indices. For scatter dimension 0, updates bound is 3, indices bound is 2.");

