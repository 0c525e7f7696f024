// jnp's indexing (JAX's numpy/indexing.py and ops/scatter.py): `jnp.index(x, ...idx)` (also
// `x.get(...idx)`) for NumPy's basic and advanced indexing, `x.at(...idx).set(v)` and friends
// for indexed updates, `take` and `takeAlongAxis`. As in JAX, static integers and slices lower
// to slice/rev/squeeze, scalar traced indices to dynamic_slice, the rest to gather/scatter.
//
// JS has no `x[...]`, so an index is a list with one element per argument:
//   a number (negative counts from the end) · null (np.newaxis) · "..." (Ellipsis) ·
//   a slice: Python's syntax in a string ("1:3", ":", "::-1") or jnp.slice(start, stop, step) ·
//   jnp.ds(start, size): a slice whose start may be traced (jax.ds) ·
//   an integer or boolean array (advanced indexing): a tfjax array or nested JS arrays ·
//   true / false (a scalar boolean index).
// `x.get(0, ":", null)` is `x[0, :, None]`; `x.at(idx).add(1)` is `x.at[idx].add(1)`.
import { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar } from "../array/array.js";
import { isInteger, isUnsigned } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { prim } from "../tracer/ad_util.js";
import { bind1 } from "../tracer/core.js";
import { jit } from "../tracer/jit.js";
import {
  GatherDimensionNumbers,
  GatherScatterMode,
  type ModeLike,
  type ScatterDnums,
  type ScatterOptions,
  gather,
  scatter,
  scatterAdd,
  scatterMax,
  scatterMin,
  scatterMul,
  scatterSub,
} from "../lax/slicing.js";
import { array, onesLike } from "./creation.js";
import { add, divide, less, power, remainder, where } from "./math.js";
import { broadcastArrays, broadcastShapes, broadcastTo, convertTo, promoteDtypes } from "./promote.js";

/** NumPy's IndexError (a RangeError in JS terms). */
export class IndexError extends RangeError {
  override name = "IndexError";
}

/** Python's `slice(start, stop, step)`; `slice(stop)` alone, as in Python. `jnp.slice(1, null, 2)` is `1::2`. */
export class Slice {
  constructor(
    readonly start: number | null = null,
    readonly stop: number | null = null,
    readonly step: number | null = null,
  ) {
    for (const v of [start, stop, step])
      if (v !== null && !Number.isInteger(v)) throw new TypeError(`slice indices must be integers or None, got ${String(v)}`);
  }
  toString(): string {
    const s = (v: number | null) => (v === null ? "None" : String(v));
    return `slice(${s(this.start)}, ${s(this.stop)}, ${s(this.step)})`;
  }
  /** Python's slice.indices(size): start, stop and step resolved against an axis. */
  indices(size: number): [number, number, number] {
    const step = this.step ?? 1;
    if (step === 0) throw new RangeError("slice step cannot be zero");
    const [lo, hi] = step > 0 ? [0, size] : [-1, size - 1];
    const clamp = (v: number | null, dflt: number) => (v === null ? dflt : v < 0 ? Math.max(v + size, lo) : Math.min(v, hi));
    return [clamp(this.start, step > 0 ? lo : hi), clamp(this.stop, step > 0 ? hi : lo), step];
  }
}

export function slice(stop?: number | null): Slice;
export function slice(start: number | null, stop: number | null, step?: number | null): Slice;
export function slice(a: number | null = null, b?: number | null, c: number | null = null): Slice {
  return b === undefined ? new Slice(null, a, null) : new Slice(a, b, c);
}

/** A slice of static `size` from a possibly traced `start` (jax.ds / pl.ds): `x.get(jnp.ds(i, 2))`. */
export class DynamicSlice {
  constructor(
    readonly start: ArrayLike,
    readonly size: number,
    readonly stride = 1,
  ) {
    if (stride < 0) throw new RangeError("`stride` must be >= 0.");
  }
}
export const ds = (start: ArrayLike, size: number, stride = 1): DynamicSlice => new DynamicSlice(start, size, stride);

type IndexList = readonly (number | boolean | IndexList)[];
/** One element of an index (see the top of this file). */
export type IndexElement = number | boolean | null | string | Slice | DynamicSlice | JaxArray | IndexList;

type IndexType = "none" | "slice" | "ellipsis" | "integer" | "boolean" | "array" | "dynamic_slice";
interface Parsed {
  index: unknown;
  typ: IndexType;
  axes: number[];
}

const SLICE_SYNTAX = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/;
const num = (s: string | undefined) => (s === undefined ? null : Number(s));

/** A JS list index as an array: bool if all booleans, int32 if all integers (JAX's asarray of a list). */
function listIndex(xs: IndexList): JaxArray {
  const flat = (xs as unknown[]).flat(Infinity) as (number | boolean)[];
  if (flat.length > 0 && flat.every((v) => typeof v === "boolean")) return array(xs as never, { dtype: "bool" });
  if (flat.every((v) => typeof v === "number" && Number.isInteger(v))) return array(xs as never, { dtype: "int32" });
  throw new TypeError("Indexer must have integer or boolean type, got indexer with type float64");
}

/** One user index element as (normalized value, type) (JAX's IndexType.from_index). */
function classify(idx: IndexElement): [unknown, IndexType] {
  if (idx === null) return [null, "none"];
  if (typeof idx === "string") {
    if (idx === "...") return [idx, "ellipsis"];
    const m = SLICE_SYNTAX.exec(idx);
    if (!m) throw new TypeError(`JAX does not support string indexing; got idx='${idx}'`);
    return [new Slice(num(m[1]), num(m[2]), num(m[3])), "slice"];
  }
  if (idx instanceof Slice) return [idx, "slice"];
  if (idx instanceof DynamicSlice) return [idx, "dynamic_slice"];
  if (typeof idx === "number") {
    if (!Number.isInteger(idx)) throw new TypeError("Indexer must have integer or boolean type, got indexer with type float64");
    return [idx, "integer"];
  }
  if (typeof idx === "boolean") return [idx, "boolean"];
  if (idx instanceof JaxArray) {
    if (idx.dtype === "bool") return [idx, "boolean"];
    if (isInteger(idx.dtype)) return [idx, "array"];
    throw new TypeError(
      `Indexer must have integer or boolean type, got indexer with type ${idx.dtype}` +
        (idx.dtype === "float32" ? ' (JS numbers make float32 arrays: pass { dtype: "int32" } to jnp.array, or index with a plain JS array)' : ""),
    );
  }
  if (Array.isArray(idx)) {
    const a = listIndex(idx);
    return [a, a.dtype === "bool" ? "boolean" : "array"];
  }
  throw new IndexError(`only integers, slices (\`:\`), ellipsis (\`...\`), newaxis (\`None\`) and integer or boolean arrays are valid indices. Got ${String(idx)}`);
}

/** JAX's _parse_indices: each element with the axes of the array it consumes. */
function parseIndices(idx: readonly IndexElement[], shape: readonly number[]): Parsed[] {
  const typed = idx.map(classify);
  const consumed = typed.map(([v, t]) => (t === "none" || t === "ellipsis" ? 0 : t === "boolean" ? (v instanceof JaxArray ? v.ndim : 0) : 1));
  const ellipses = typed.flatMap(([, t], i) => (t === "ellipsis" ? [i] : []));
  if (ellipses.length > 1) throw new IndexError("an index can only have a single ellipsis ('...')");
  const total = consumed.reduce((a, b) => a + b, 0);
  if (total > shape.length) throw new IndexError(`Too many indices: array is ${shape.length}-dimensional, but ${total} were indexed`);
  if (ellipses.length) consumed[ellipses[0]] = shape.length - total;
  let dim = 0;
  return typed.map(([index, typ], i) => {
    const axes = Array.from({ length: consumed[i] }, (_, k) => dim + k);
    dim += consumed[i];
    return { index, typ, axes };
  });
}

/** Explicit full slices for the Ellipsis and the trailing axes (JAX's expand_ellipses). */
function expandEllipses(indices: Parsed[], ndim: number): Parsed[] {
  const out: Parsed[] = [];
  let consumed = 0;
  for (const p of indices) {
    consumed += p.axes.length;
    if (p.typ === "ellipsis") for (const a of p.axes) out.push({ index: new Slice(), typ: "slice", axes: [a] });
    else out.push(p);
  }
  for (let a = consumed; a < ndim; a++) out.push({ index: new Slice(), typ: "slice", axes: [a] });
  return out;
}

const isConcrete = (x: JaxArray): x is ArrayImpl => x instanceof ArrayImpl;
const arr0 = (x: unknown): x is JaxArray => x instanceof JaxArray && x.ndim === 0;

// ---- basic indexing: static slices, then dynamic slices ------------------------------------------

interface StaticSliceIndexer {
  start: number[];
  limit: number[];
  strides: number[] | null;
  rev: number[];
  squeeze: number[];
  newaxis: number[];
}

/** JAX's to_static_slice, or null where it raises (the caller then tries the next strategy). */
function toStaticSlice(indices: Parsed[], shape: readonly number[], normalize: boolean, mode: GatherScatterMode): StaticSliceIndexer | null {
  if (mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  if (indices.some((p) => !["integer", "ellipsis", "slice", "none"].includes(p.typ))) return null;
  if (indices.some((p) => p.typ === "slice" && (p.index as Slice).step === 0)) return null;
  if (mode === GatherScatterMode.PROMISE_IN_BOUNDS) {
    for (const p of indices) {
      if (p.typ !== "integer") continue;
      const i = p.index as number;
      const size = shape[p.axes[0]];
      const j = normalize && i < 0 ? i + size : i;
      if (!(j >= 0 && j < size)) return null; // JAX: IndexError, so the dynamic slice clamps it
    }
  }
  const r: StaticSliceIndexer = { start: [], limit: [], strides: [], rev: [], squeeze: [], newaxis: [] };
  for (const p of expandEllipses(indices, shape.length)) {
    if (p.typ === "none") r.newaxis.push(r.start.length - r.squeeze.length + r.newaxis.length);
    else if (p.typ === "integer") {
      const axis = p.axes[0];
      if (shape[axis] === 0) return null;
      let s = p.index as number;
      if (normalize && s < 0) s += shape[axis];
      s = Math.min(Math.max(s, 0), shape[axis] - 1);
      r.start.push(s);
      r.limit.push(s + 1);
      r.strides!.push(1);
      r.squeeze.push(axis);
    } else {
      const axis = p.axes[0];
      const size = shape[axis];
      const [start, stop, step] = (p.index as Slice).indices(size);
      if (step < 0) {
        const newStart = Math.min(size, stop + 1 + (Math.abs(start - stop - 1) % -step));
        r.start.push(newStart);
        r.limit.push(Math.max(newStart, start + 1));
        r.strides!.push(-step);
        r.rev.push(axis);
      } else {
        r.start.push(start);
        r.limit.push(Math.max(start, stop));
        r.strides!.push(step);
      }
    }
  }
  if (r.strides!.every((s) => s === 1)) r.strides = null;
  return r;
}

const rev = (x: JaxArray, dims: readonly number[]) => bind1(prim("rev"), [x], { dimensions: [...dims] });

function staticSlice(arr: JaxArray, ix: StaticSliceIndexer): JaxArray {
  const trivial = ix.strides === null && ix.start.length === arr.ndim && ix.start.every((s, i) => s === 0 && ix.limit[i] === arr.shape[i]);
  let y = trivial ? arr : lax.slice(arr, ix.start, ix.limit, ix.strides);
  if (ix.rev.length) y = rev(y, ix.rev);
  if (ix.squeeze.length) y = lax.squeeze(y, ix.squeeze);
  if (ix.newaxis.length) y = lax.expandDims(y, ix.newaxis);
  return y;
}

interface DynamicSliceIndexer {
  start: (number | JaxArray)[];
  sizes: number[];
  rev: number[];
  squeeze: number[];
  newaxis: number[];
  trivial: boolean;
}

/** JAX's to_dynamic_slice, or null where it raises. */
function toDynamicSlice(indices: Parsed[], shape: readonly number[], mode: GatherScatterMode | null): DynamicSliceIndexer | null {
  if (mode !== null && mode !== GatherScatterMode.PROMISE_IN_BOUNDS && mode !== GatherScatterMode.CLIP) return null;
  for (const p of indices) {
    if (p.typ === "boolean") return null;
    if (p.typ === "dynamic_slice" && (p.index as DynamicSlice).stride !== 1) return null;
    if (p.typ === "slice" && ![null, 1, -1].includes((p.index as Slice).step)) return null;
    if (p.typ === "array" && !arr0(p.index)) return null;
  }
  const r: DynamicSliceIndexer = { start: [], sizes: [], rev: [], squeeze: [], newaxis: [], trivial: true };
  for (const p of expandEllipses(indices, shape.length)) {
    const axis = p.axes[0];
    if (p.typ === "none") r.newaxis.push(r.start.length - r.squeeze.length + r.newaxis.length);
    else if (p.typ === "integer" || p.typ === "array") {
      r.trivial = false;
      if (shape[axis] === 0) return null;
      r.start.push(p.index as number | JaxArray);
      r.sizes.push(1);
      r.squeeze.push(axis);
    } else if (p.typ === "slice") {
      const s = p.index as Slice;
      if (s.start !== null || s.stop !== null || s.step !== null) r.trivial = false;
      const [start, stop, step] = s.indices(shape[axis]);
      if (step < 0) {
        const newStart = stop + 1;
        r.start.push(newStart);
        r.sizes.push(Math.max(0, start + 1 - newStart));
        r.rev.push(axis);
      } else {
        r.start.push(start);
        r.sizes.push(Math.max(0, stop - start));
      }
    } else {
      const d = p.index as DynamicSlice;
      r.start.push(d.start instanceof JaxArray ? d.start : (d.start as number));
      r.sizes.push(d.size);
      r.trivial = false;
    }
  }
  // dynamic_slice needs one index dtype: with several starts, all become int32 arrays.
  if (r.start.length > 1) r.start = r.start.map((i) => (i instanceof JaxArray ? convertTo(i, "int32", false) : scalar(i, "int32", false)));
  return r;
}

/**
 * lax.dynamic_slice's start indices (JAX's _dynamic_slice_indices): a negative static start
 * counts from the end; a traced one is wrapped by `select(i < 0, i + n, i)`.
 */
function dynamicSliceIndices(starts: (number | JaxArray)[], shape: readonly number[], allowNegative: boolean): JaxArray[] {
  return starts.map((i, k) => {
    const d = shape[k];
    if (typeof i === "number") {
      if (!allowNegative && i < 0) throw new RangeError(`Index ${i} is out of bounds for dimension ${d} if allow_negative_indices=False`);
      return scalar(i < 0 && allowNegative ? i + d : i, "int32", false);
    }
    if (isUnsigned(i.dtype) || !allowNegative) return i;
    return lax.select(lax.lt(i, 0), lax.add(i, scalar(d, i.dtype, false)), i);
  });
}

function dynamicSlice(arr: JaxArray, ix: DynamicSliceIndexer, normalize: boolean): JaxArray {
  let y = ix.trivial ? arr : lax.dynamicSlice(arr, dynamicSliceIndices(ix.start, arr.shape, normalize), ix.sizes);
  if (ix.rev.length) y = rev(y, ix.rev);
  if (ix.squeeze.length) y = lax.squeeze(y, ix.squeeze);
  if (ix.newaxis.length) y = lax.expandDims(y, ix.newaxis);
  return y;
}

// ---- advanced indexing: gather --------------------------------------------------------------------

/** Boolean arrays become the integer arrays of their true positions (JAX's expand_bool_indices). */
function expandBoolIndices(indices: Parsed[], shape: readonly number[]): Parsed[] {
  const out: Parsed[] = [];
  indices.forEach((p, position) => {
    if (p.typ !== "boolean" || typeof p.index === "boolean") return void out.push(p);
    const mask = p.index as JaxArray;
    if (!isConcrete(mask)) throw new IndexError(`Array boolean indices must be concrete; got ShapedArray(${mask.aval.strShort()})\n`);
    const expected = p.axes.map((a) => shape[a]);
    if (!mask.shape.every((s, i) => s === 0 || s === expected[i]))
      throw new IndexError(
        `boolean index did not match shape of indexed array in index ${position}: got (${mask.shape.join(", ")}${mask.ndim === 1 ? "," : ""}), expected [${expected.join(", ")}]`,
      );
    const data = mask.dataSync();
    const coords: number[][] = mask.shape.map(() => []);
    for (let f = 0; f < data.length; f++) {
      if (!data[f]) continue;
      let rem = f;
      for (let d = mask.ndim - 1; d >= 0; d--) {
        coords[d].push(rem % mask.shape[d]);
        rem = Math.floor(rem / mask.shape[d]);
      }
    }
    coords.forEach((c, d) => out.push({ index: array(c, { dtype: "int32" }), typ: "array", axes: [p.axes[d]] }));
  });
  return out;
}

interface GatherIndexer {
  sliceShape: number[];
  gatherSliceShape: number[];
  gatherIndices: JaxArray;
  dnums: GatherDimensionNumbers;
  uniqueIndices: boolean;
  indicesAreSorted: boolean;
  reversedYDims: number[];
  newaxisDims: number[];
  scalarBoolDims: number[];
}

const int32 = (x: JaxArray | number): JaxArray => (typeof x === "number" ? scalar(x, "int32", false) : convertTo(x, "int32", false));
const asIndexArray = (x: unknown): JaxArray => (x instanceof JaxArray ? x : scalar(x as number, "int32", true));

/** JAX's _index_to_gather: the gather (and the reshaping around it) that computes `x[idx]`. */
function indexToGather(parsed: Parsed[], shape0: readonly number[], normalize: boolean): GatherIndexer {
  // Advanced indices (arrays and integers) side by side keep their place; apart, they go first.
  const advancedPos = parsed.flatMap((p, i) => (p.typ === "array" || p.typ === "integer" ? [i] : []));
  const contiguous = advancedPos.every((p, k) => k === 0 || p - advancedPos[k - 1] === 1);
  let indices = expandEllipses(parsed, shape0.length);
  // Scalar booleans: a new axis of size 1 (true) or 0 (false), indexed by arange.
  const scalarBoolDims = indices.flatMap((p, n) => (p.typ === "boolean" ? [n] : []));
  const shape = [...shape0];
  {
    let dim = 0;
    indices = indices.map((p, i) => {
      if (p.typ === "boolean") {
        shape.splice(i, 0, 1);
        return { index: array(p.index ? [0] : [], { dtype: "int32" }), typ: "array", axes: [dim++] };
      }
      const axes = p.axes.map((_, k) => dim + k);
      dim += axes.length;
      return { ...p, axes };
    });
  }
  if (normalize)
    indices = indices.map((p) => {
      const size = shape[p.axes[0]];
      if (p.typ === "integer") return { ...p, index: (p.index as number) < 0 ? (p.index as number) + size : p.index };
      if (p.typ !== "array") return p;
      const i = p.index as JaxArray;
      if (isUnsigned(i.dtype)) return p;
      return { ...p, index: lax.select(less(i, 0), lax.add(i, scalar(size, i.dtype, false)), i) };
    });

  const isAdvancedIndexer = indices.some((p) => p.typ === "array" && (p.index as JaxArray).ndim > 0);
  let advanced: JaxArray[] = [];
  let idxAdvancedAxes: number[] = [];
  let xAdvancedAxes: number[] = [];
  if (isAdvancedIndexer) {
    const withoutNone = indices.map((p, i) => [i, p] as const).filter(([, p]) => p.typ !== "none");
    withoutNone.forEach(([i, p], j) => {
      if (p.typ !== "array" && p.typ !== "integer") return;
      advanced.push(asIndexArray(p.index));
      idxAdvancedAxes.push(i);
      xAdvancedAxes.push(j);
    });
  }

  let xAxis = 0;
  let yAxis = 0;
  let collapsedYAxis = 0;
  const offsetDims: number[] = [];
  const collapsedSliceDims: number[] = [];
  const startIndexMap: number[] = [];
  const gatherIndices: [JaxArray, number][] = [];
  const gatherIndicesShape: number[] = [];
  const sliceShape: number[] = [];
  const newaxisDims: number[] = [];
  const reversedYDims: number[] = [];
  const gatherSliceShape: number[] = [];

  indices.forEach((p, pos) => {
    if (advanced.length && ((contiguous && pos === idxAdvancedAxes[0]) || (!contiguous && pos === 0))) {
      const arrs = broadcastArrays("broadcast_arrays", ...advanced);
      const bshape = arrs[0].shape;
      const startDim = gatherIndicesShape.length;
      for (const a of arrs) gatherIndices.push([int32(a), startDim]);
      gatherIndicesShape.push(...bshape);
      startIndexMap.push(...xAdvancedAxes);
      collapsedSliceDims.push(...xAdvancedAxes);
      sliceShape.push(...bshape);
      yAxis += bshape.length;
      collapsedYAxis += bshape.length;
    }
    if (idxAdvancedAxes.includes(pos)) {
      xAxis++;
      gatherSliceShape.push(1);
      return;
    }
    if (p.typ === "integer" || (p.typ === "array" && arr0(p.index))) {
      if (shape[xAxis] === 0) throw new IndexError(`index is out of bounds for axis ${xAxis} with size 0`);
      gatherIndices.push([int32(p.index as number | JaxArray), gatherIndicesShape.length]);
      collapsedSliceDims.push(xAxis);
      gatherSliceShape.push(1);
      startIndexMap.push(xAxis);
      xAxis++;
    } else if (p.typ === "none") {
      sliceShape.push(1);
      newaxisDims.push(yAxis);
      yAxis++;
    } else if (p.typ === "slice" || p.typ === "dynamic_slice") {
      let start: number | JaxArray;
      let step: number;
      let size: number;
      if (p.index instanceof DynamicSlice) [start, step, size] = [p.index.start as number | JaxArray, p.index.stride, p.index.size];
      else {
        const [s, e, st] = (p.index as Slice).indices(shape[xAxis]);
        const gap = Math.abs(st);
        [start, step, size] = [s, st, Math.floor(Math.max(0, (st > 0 ? e - s : s - e) + gap - 1) / gap)];
      }
      sliceShape.push(size);
      if (step === 1) {
        if (size !== shape[xAxis]) {
          gatherIndices.push([int32(start), gatherIndicesShape.length]);
          startIndexMap.push(xAxis);
        }
        gatherSliceShape.push(size);
        offsetDims.push(collapsedYAxis);
      } else {
        let ii = lax.add(int32(start), lax.mul(int32(step), lax.iota("int32", size)));
        if (step < 0) {
          reversedYDims.push(collapsedYAxis);
          ii = rev(ii, [0]);
        }
        gatherSliceShape.push(1);
        gatherIndices.push([ii, gatherIndicesShape.length]);
        startIndexMap.push(xAxis);
        gatherIndicesShape.push(size);
        collapsedSliceDims.push(xAxis);
      }
      collapsedYAxis++;
      yAxis++;
      xAxis++;
    } else throw new IndexError(`Got unsupported indexer at position ${pos}: ${String(p.index)}`);
  });

  let gatherIndicesArray: JaxArray;
  if (gatherIndices.length === 0) gatherIndicesArray = array([], { dtype: "int32" });
  else if (gatherIndices.length === 1) gatherIndicesArray = lax.expandDims(gatherIndices[0][0], [gatherIndices[0][0].ndim]);
  else {
    const last = gatherIndicesShape.length;
    const full = [...gatherIndicesShape, 1];
    gatherIndicesArray = lax.concatenate(
      gatherIndices.map(([g, i]) =>
        lax.broadcastInDim(
          g,
          full,
          g.shape.map((_, k) => i + k),
        ),
      ),
      last,
    );
  }
  return {
    sliceShape,
    gatherSliceShape,
    gatherIndices: gatherIndicesArray,
    dnums: GatherDimensionNumbers.of({ offsetDims, collapsedSliceDims: [...collapsedSliceDims].sort((a, b) => a - b), startIndexMap }),
    uniqueIndices: advanced.length === 0,
    indicesAreSorted: advanced.length === 0,
    reversedYDims,
    newaxisDims,
    scalarBoolDims,
  };
}

export interface GetOptions {
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  /** null: clamp (PROMISE_IN_BOUNDS); "fill": out-of-bounds reads give `fillValue`; "clip". */
  mode?: ModeLike | null;
  fillValue?: number | boolean | null;
  /** Negative indices count from the end (default); false makes them out of bounds. */
  wrapNegativeIndices?: boolean;
}

/** `arr[idx]` (JAX's rewriting_take): a static slice if possible, else a dynamic slice, else a gather. */
export function rewritingTake(arr: JaxArray, idx: readonly IndexElement[], opts: GetOptions = {}): JaxArray {
  const normalize = opts.wrapNegativeIndices ?? true;
  const parsed = parseIndices(idx, arr.shape);
  const mode = opts.mode == null ? null : GatherScatterMode.fromAny(opts.mode);
  const st = toStaticSlice(parsed, arr.shape, normalize, mode ?? GatherScatterMode.PROMISE_IN_BOUNDS);
  if (st) return staticSlice(arr, st);
  const dy = toDynamicSlice(parsed, arr.shape, mode);
  if (dy) return dynamicSlice(arr, dy, normalize);
  return gatherIndexed(arr, expandBoolIndices(parsed, arr.shape), opts, normalize);
}

function gatherIndexed(arr: JaxArray, parsed: Parsed[], opts: GetOptions, normalize: boolean): JaxArray {
  const ix = indexToGather(parsed, arr.shape, normalize);
  if (opts.fillValue != null && typeof opts.fillValue !== "number" && typeof opts.fillValue !== "boolean")
    throw new RangeError("fill_value argument to indexed get() must be a scalar");
  let y = arr;
  if (ix.scalarBoolDims.length) y = lax.expandDims(y, ix.scalarBoolDims);
  if (ix.sliceShape.includes(0)) return lax.broadcastInDim(scalar(0, y.dtype, y.weakType), ix.sliceShape, []);
  if (ix.gatherIndices.size !== 0)
    y = gather(y, ix.gatherIndices, ix.dnums, ix.gatherSliceShape, {
      uniqueIndices: !!opts.uniqueIndices || ix.uniqueIndices,
      indicesAreSorted: !!opts.indicesAreSorted || ix.indicesAreSorted,
      mode: opts.mode ?? null,
      fillValue: opts.fillValue ?? null,
    });
  if (ix.reversedYDims.length) y = rev(y, ix.reversedYDims);
  return ix.newaxisDims.length ? lax.expandDims(y, ix.newaxisDims) : y;
}

/**
 * NumPy indexing, `x[...]`: `jnp.index(x, 0, ":", null)` is `x[0, :, None]`; integer arrays
 * gather (`jnp.index(x, idx)`); also the fluent `x.get(...)`.
 */
export function index(x: JaxArray, ...idx: IndexElement[]): JaxArray {
  return rewritingTake(x, idx);
}

// ---- indexed updates: scatter ----------------------------------------------------------------------

type ScatterFn = (operand: JaxArray, indices: JaxArray, updates: JaxArray, dn: ScatterDnums, opts?: ScatterOptions) => JaxArray;

export interface UpdateOptions {
  indicesAreSorted?: boolean;
  uniqueIndices?: boolean;
  /** null (default): out-of-bounds updates are dropped (FILL_OR_DROP); "clip" clamps them. */
  mode?: ModeLike | null;
  /** Negative indices count from the end (default); false makes them out of bounds. */
  wrapNegativeIndices?: boolean;
}

/** `x[idx] op= y` without mutation (JAX's _scatter_update and _scatter_impl). */
function scatterUpdate(x: JaxArray, idx: readonly IndexElement[], y: ArrayLike, op: ScatterFn, opts: UpdateOptions): JaxArray {
  const normalize = opts.wrapNegativeIndices ?? true;
  // An integer beside an integer array takes its dtype (when it fits), as a Python int does.
  let yv: ArrayLike = y;
  if (typeof y === "number" && Number.isInteger(y) && isInteger(x.dtype)) yv = lax.asArray(y, x.dtype, false);
  const parsed = expandBoolIndices(parseIndices(idx, x.shape), x.shape);
  const dtype = x.dtype;
  const weak = x.weakType;
  const ix = indexToGather(parsed, x.shape, normalize);
  if (ix.sliceShape.includes(0)) return x;
  let [xp, yp] = promoteDtypes(x, yv);
  yp = broadcastTo(yp, ix.sliceShape);
  if (ix.newaxisDims.length) yp = lax.squeeze(yp, ix.newaxisDims);
  if (ix.reversedYDims.length) yp = rev(yp, ix.reversedYDims);
  if (ix.scalarBoolDims.length) xp = lax.expandDims(xp, ix.scalarBoolDims);
  const dn = ix.dnums;
  let out = op(
    xp,
    ix.gatherIndices,
    yp,
    {
      updateWindowDims: dn.offsetDims,
      insertedWindowDims: dn.collapsedSliceDims,
      scatterDimsToOperandDims: dn.startIndexMap,
      operandBatchingDims: dn.operandBatchingDims,
      scatterIndicesBatchingDims: dn.startIndicesBatchingDims,
    },
    { indicesAreSorted: ix.indicesAreSorted || !!opts.indicesAreSorted, uniqueIndices: ix.uniqueIndices || !!opts.uniqueIndices, mode: opts.mode ?? null },
  );
  if (ix.scalarBoolDims.length) out = lax.squeeze(out, ix.scalarBoolDims);
  return convertTo(out, dtype, weak);
}

/**
 * `x.at(...idx)`: functional updates of `x` at an index (JAX's `x.at[idx]`). Repeated indices
 * all apply (add accumulates); out-of-bounds updates are dropped unless `mode: "clip"`.
 * `x.at(1).set(5)`, `x.at(idx).add(v)`, `x.at(":", 0).get({ mode: "fill", fillValue: -1 })`.
 */
export class IndexUpdateRef {
  constructor(
    readonly array: JaxArray,
    readonly index: readonly IndexElement[],
  ) {}
  /** `x[idx]`, with gather options. */
  get(opts: GetOptions = {}): JaxArray {
    return rewritingTake(this.array, this.index, opts);
  }
  /** `x[idx] = values` */
  set(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatter, opts);
  }
  /** `x[idx] += values` */
  add(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatterAdd, opts);
  }
  /** `x[idx] -= values` */
  subtract(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatterSub, opts);
  }
  /** `x[idx] *= values` */
  multiply(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatterMul, opts);
  }
  /** `x[idx] /= values` */
  divide(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return divide(this.array, scatterUpdate(onesLike(this.array), this.index, values, scatterMul, opts));
  }
  /** `x[idx] **= values` */
  power(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return power(this.array, scatterUpdate(onesLike(this.array), this.index, values, scatterMul, opts));
  }
  /** `x[idx] = minimum(x[idx], values)` */
  min(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatterMin, opts);
  }
  /** `x[idx] = maximum(x[idx], values)` */
  max(values: ArrayLike, opts: UpdateOptions = {}): JaxArray {
    return scatterUpdate(this.array, this.index, values, scatterMax, opts);
  }
}

export const at = (x: JaxArray, ...idx: IndexElement[]): IndexUpdateRef => new IndexUpdateRef(x, idx);

// ---- take and takeAlongAxis ------------------------------------------------------------------------

export interface TakeOptions {
  /** Take along this axis; null (default) flattens first. */
  axis?: number | null;
  /** "fill" (default: out-of-bounds reads give `fillValue`, NaN for floats), "clip" or "wrap". */
  mode?: "fill" | "clip" | "wrap" | null;
  fillValue?: number | boolean | null;
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
}

// jnp.take is jitted in JAX (`_take`, its options static), so it appears as a jit equation.
const takeJit = jit(
  function _take(
    a: JaxArray,
    indices: JaxArray,
    axis: number | null,
    mode: string | null,
    uniqueIndices: boolean,
    indicesAreSorted: boolean,
    fillValue: number | boolean | null,
  ): JaxArray {
    let axisIdx: number;
    if (axis === null) {
      a = lax.reshape(a, [a.size]);
      axisIdx = 0;
    } else axisIdx = lax.canonicalizeAxis(axis, a.ndim, "take");
    let gatherMode: GatherScatterMode;
    if (mode === null || mode === "fill") {
      gatherMode = GatherScatterMode.FILL_OR_DROP;
      // lax.gather does not wrap negative indices: wrap them here.
      indices = where(less(indices, 0), add(indices, a.shape[axisIdx]), indices);
    } else if (mode === "raise") throw new Error("The 'raise' mode to jnp.take is not supported.");
    else if (mode === "wrap") {
      indices = remainder(indices, scalar(a.shape[axisIdx], indices.dtype, false));
      gatherMode = GatherScatterMode.PROMISE_IN_BOUNDS;
    } else if (mode === "clip") gatherMode = GatherScatterMode.CLIP;
    else throw new RangeError(`Invalid mode '${mode}' for np.take`);
    const indexDims = indices.ndim;
    const sliceSizes = [...a.shape];
    if (sliceSizes[axisIdx] === 0) {
      if (indices.size !== 0) throw new IndexError("Cannot do a non-empty jnp.take() from an empty axis.");
      return a;
    }
    if (indices.size === 0) {
      const outShape = [...sliceSizes.slice(0, axisIdx), ...indices.shape, ...sliceSizes.slice(axisIdx + 1)];
      return lax.broadcastInDim(scalar(0, a.dtype, a.weakType), outShape, []);
    }
    sliceSizes[axisIdx] = 1;
    const offsetDims = [...Array(axisIdx).keys(), ...Array.from({ length: a.ndim - axisIdx - 1 }, (_, k) => axisIdx + indexDims + k)];
    const dnums = { offsetDims, collapsedSliceDims: [axisIdx], startIndexMap: [axisIdx] };
    return gather(a, lax.expandDims(indices, [indices.ndim]), dnums, sliceSizes, { mode: gatherMode, uniqueIndices, indicesAreSorted, fillValue });
  },
  { staticArgnums: [2, 3, 4, 5, 6] },
);

const toIndexArray = (name: string, x: JaxArray | IndexList): JaxArray => {
  const a = x instanceof JaxArray ? x : listIndex(x);
  if (!isInteger(a.dtype)) throw new TypeError(`${name} indices must be of integer type, got ${a.dtype}`);
  return a;
};

/**
 * Elements of `a` at `indices` along `axis` (numpy.take). Out-of-bounds indices read
 * `fillValue` (NaN for floats) by default, as in JAX. `jnp.take(x, [2, 0], { axis: 1 })`
 */
export function take(a: JaxArray, indices: JaxArray | IndexList, opts: TakeOptions = {}): JaxArray {
  const idx = toIndexArray("take", indices);
  return takeJit(a, idx, opts.axis ?? null, opts.mode ?? null, !!opts.uniqueIndices, !!opts.indicesAreSorted, opts.fillValue ?? null);
}

const takeAlongAxisJit = jit(
  function take_along_axis(a: JaxArray, indices: JaxArray, axis: number | null, mode: string | null, fillValue: number | boolean | null): JaxArray {
    if (axis === null) {
      if (indices.ndim !== 1) throw new RangeError(`take_along_axis indices must be 1D if axis=None, got shape (${indices.shape.join(", ")}${indices.ndim === 1 ? "," : ""})`);
      a = lax.reshape(a, [a.size]);
      axis = 0;
    }
    const rank = a.ndim;
    if (rank !== indices.ndim) throw new RangeError(`indices and arr must have the same number of dimensions; ${indices.ndim} vs. ${a.ndim}`);
    const ax = lax.canonicalizeAxis(axis, rank, "take_along_axis");
    const idxShape = indices.shape;
    const arrShape = a.shape.map((d, i) => (i === ax ? 1 : d));
    const outShape = broadcastShapes("take_along_axis", idxShape, arrShape);
    const axisSize = a.shape[ax];
    if (axisSize === 0) return lax.broadcastInDim(scalar(0, a.dtype, false), outShape, []);
    const wrap = mode !== "promise_in_bounds";
    if (wrap) {
      // int_dtype_for_dim(axis_size, signed=True): int32, then _normalize_index.
      indices = convertTo(indices, "int32", false);
      indices = lax.select(lax.lt(indices, 0), lax.add(indices, scalar(axisSize, "int32", false)), indices);
    }
    const indexDims = idxShape.flatMap((d, i) => (i === ax || d !== 1 ? [i] : []));
    const gatherIndexShape = [...indexDims.map((i) => outShape[i]), 1];
    const gatherIndices = lax.reshape(indices, gatherIndexShape);
    const sliceSizes: number[] = [];
    const offsetDims: number[] = [];
    const startIndexMap: number[] = [];
    const collapsedSliceDims: number[] = [];
    const operandBatchingDims: number[] = [];
    const startIndicesBatchingDims: number[] = [];
    const squeezeDims: number[] = [];
    let newI = 0;
    let j = 0;
    for (let i = 0; i < rank; i++) {
      if (i === ax) {
        sliceSizes.push(1);
        startIndexMap.push(newI);
        collapsedSliceDims.push(newI);
        newI++;
        j++;
      } else if (idxShape[i] === 1) {
        offsetDims.push(i);
        sliceSizes.push(arrShape[i]);
        newI++;
      } else if (arrShape[i] === 1) {
        squeezeDims.push(i);
        j++;
      } else {
        sliceSizes.push(arrShape[i] === 0 ? 0 : 1);
        operandBatchingDims.push(newI);
        startIndicesBatchingDims.push(j);
        newI++;
        j++;
      }
    }
    a = lax.squeeze(a, squeezeDims);
    const dnums = { offsetDims, collapsedSliceDims, startIndexMap, operandBatchingDims, startIndicesBatchingDims };
    return gather(a, gatherIndices, dnums, sliceSizes, { mode: (mode ?? "fill") as ModeLike, fillValue });
  },
  { staticArgnums: [2, 3, 4] },
);

/**
 * numpy.take_along_axis: `out[..., i, ...] = a[..., indices[..., i, ...], ...]` along `axis`
 * (default -1), e.g. with argsort's output. Out-of-bounds indices read NaN by default.
 */
export function takeAlongAxis(a: JaxArray, indices: JaxArray | IndexList, axis: number | null = -1, opts: { mode?: "fill" | "clip" | "promise_in_bounds" | null; fillValue?: number | boolean | null } = {}): JaxArray {
  const idx = toIndexArray("take_along_axis", indices);
  return takeAlongAxisJit(a, idx, axis, opts.mode ?? null, opts.fillValue ?? null);
}

