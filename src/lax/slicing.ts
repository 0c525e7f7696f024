// Gather and scatter (JAX's lax/slicing.py): XLA's general indexed read, and indexed update with
// a combiner (replace, add, sub, mul, min, max). jnp's indexing, take and `.at()` updates lower
// to them. Each primitive's jvp, transpose and batching rules follow its definition, ported
// from JAX, so transformed jaxprs bind the same primitives with the same params.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { scalar, tensorFrom } from "../array/array.js";
import { type DType, isFloat, isInteger, isKey, isSignedInt } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { ClosedJaxpr, Jaxpr, JaxprEqn, type LowerCtx, type Primitive, Var } from "../jaxpr/jaxpr.js";
import { npInts, npMask, pyParam } from "../jaxpr/npint.js";
import { storageDtype } from "../backends/storage.js";
import { CACHE_SIZES, LRU } from "../cache.js";
import { bind1 } from "../tracer/core.js";
import { type MaybeZero, defjvp, instantiate, isUndefined, prim, tangentAval } from "../tracer/ad_util.js";
import { type AxisData, type BatchDim, bdimAtFront, moveaxis } from "../tracer/batching.js";
import { checkSameDtypes, definePrimitive, hostData } from "./primitive.js";

// ---- dimension numbers ------------------------------------------------------------------------

/**
 * A tuple of dimensions. JAX's batching rules compute some with numpy (`np.add(1, dims)`), whose
 * elements print as `np.int64(1)`: those are marked (src/jaxpr/npint.ts).
 */
export type Dims = readonly number[];
const marked = (xs: number[], mask: readonly boolean[]): Dims => Object.freeze(mask.some(Boolean) ? npInts(xs, mask) : xs);
/** `tuple(np.add(k, xs))`: numpy ints. */
const npAdd = (k: number, xs: Dims): Dims => marked(xs.map((d) => d + k), xs.map(() => true));
/** `tuple(k + d for d in xs)`: Python ints stay Python ints, numpy ints stay numpy ints. */
const pyAdd = (k: number, xs: Dims): Dims => marked(xs.map((d) => d + k), npMask(xs));
/** `(0,) + xs`. */
const cat = (...parts: Dims[]): Dims => marked(parts.flatMap((p) => [...p]), parts.flatMap((p) => npMask(p)));
/** `repr(tuple)`: `()`, `(0,)`, `(0, np.int64(2))`. */
export const reprDims = (xs: Dims): string => pyParam(xs);

/** Equal dimension numbers are one object: params compare by identity in jit's passes (CSE). */
function interned<T>(cache: Map<string, T> | LRU<string, T>, key: string, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) cache.set(key, (v = make()));
  return v;
}

export interface GatherDnums {
  offsetDims: Dims;
  collapsedSliceDims: Dims;
  startIndexMap: Dims;
  operandBatchingDims?: Dims;
  startIndicesBatchingDims?: Dims;
}

/** lax.GatherDimensionNumbers; prints as JAX's NamedTuple does. */
export class GatherDimensionNumbers {
  private static cache = new LRU<string, GatherDimensionNumbers>("lax.gather_dimension_numbers", CACHE_SIZES.small);
  private constructor(
    readonly offsetDims: Dims,
    readonly collapsedSliceDims: Dims,
    readonly startIndexMap: Dims,
    readonly operandBatchingDims: Dims,
    readonly startIndicesBatchingDims: Dims,
    private readonly repr: string,
  ) {}
  /** `GatherDimensionNumbers.of({ offsetDims: [1], collapsedSliceDims: [0], startIndexMap: [0] })` */
  static of(d: GatherDnums): GatherDimensionNumbers {
    if (d instanceof GatherDimensionNumbers) return d;
    const f = [d.offsetDims, d.collapsedSliceDims, d.startIndexMap, d.operandBatchingDims ?? [], d.startIndicesBatchingDims ?? []] as const;
    const names = ["offset_dims", "collapsed_slice_dims", "start_index_map", "operand_batching_dims", "start_indices_batching_dims"];
    const repr = `GatherDimensionNumbers(${f.map((x, i) => `${names[i]}=${reprDims(x)}`).join(", ")})`;
    return interned(this.cache, repr, () => new GatherDimensionNumbers(...f, repr));
  }
  toString(): string {
    return this.repr;
  }
}

export interface ScatterDnums {
  updateWindowDims: Dims;
  insertedWindowDims: Dims;
  scatterDimsToOperandDims: Dims;
  operandBatchingDims?: Dims;
  scatterIndicesBatchingDims?: Dims;
}

/** lax.ScatterDimensionNumbers; prints as JAX's NamedTuple does. */
export class ScatterDimensionNumbers {
  private static cache = new LRU<string, ScatterDimensionNumbers>("lax.scatter_dimension_numbers", CACHE_SIZES.small);
  private constructor(
    readonly updateWindowDims: Dims,
    readonly insertedWindowDims: Dims,
    readonly scatterDimsToOperandDims: Dims,
    readonly operandBatchingDims: Dims,
    readonly scatterIndicesBatchingDims: Dims,
    private readonly repr: string,
  ) {}
  static of(d: ScatterDnums): ScatterDimensionNumbers {
    if (d instanceof ScatterDimensionNumbers) return d;
    const f = [d.updateWindowDims, d.insertedWindowDims, d.scatterDimsToOperandDims, d.operandBatchingDims ?? [], d.scatterIndicesBatchingDims ?? []] as const;
    const names = ["update_window_dims", "inserted_window_dims", "scatter_dims_to_operand_dims", "operand_batching_dims", "scatter_indices_batching_dims"];
    const repr = `ScatterDimensionNumbers(${f.map((x, i) => `${names[i]}=${reprDims(x)}`).join(", ")})`;
    return interned(this.cache, repr, () => new ScatterDimensionNumbers(...f, repr));
  }
  toString(): string {
    return this.repr;
  }
}

/** The scatter that undoes a gather, and back (JAX builds one from the other in every rule). */
const scatterOfGather = (d: GatherDimensionNumbers) =>
  ScatterDimensionNumbers.of({
    updateWindowDims: d.offsetDims,
    insertedWindowDims: d.collapsedSliceDims,
    scatterDimsToOperandDims: d.startIndexMap,
    operandBatchingDims: d.operandBatchingDims,
    scatterIndicesBatchingDims: d.startIndicesBatchingDims,
  });
const gatherOfScatter = (d: ScatterDimensionNumbers) =>
  GatherDimensionNumbers.of({
    offsetDims: d.updateWindowDims,
    collapsedSliceDims: d.insertedWindowDims,
    startIndexMap: d.scatterDimsToOperandDims,
    operandBatchingDims: d.operandBatchingDims,
    startIndicesBatchingDims: d.scatterIndicesBatchingDims,
  });

/** The gather's slice sizes that read back a scatter's update windows (repeated in JAX's rules). */
function windowSizes(d: ScatterDimensionNumbers, rank: number, updatesShape: readonly number[]): number[] {
  let pos = 0;
  return Array.from({ length: rank }, (_, i) =>
    d.insertedWindowDims.includes(i) || d.operandBatchingDims.includes(i) ? 1 : updatesShape[d.updateWindowDims[pos++]],
  );
}

/** How out-of-bounds indices behave (lax.GatherScatterMode). */
export class GatherScatterMode {
  /** Indices are clamped so the whole window is in bounds. */
  static readonly CLIP = new GatherScatterMode("CLIP");
  /** Gathers of an out-of-bounds window return `fill_value`; scatters of one are dropped. */
  static readonly FILL_OR_DROP = new GatherScatterMode("FILL_OR_DROP");
  /** The caller promises in-bounds indices: gathers clamp, scatters drop (XLA's behavior). */
  static readonly PROMISE_IN_BOUNDS = new GatherScatterMode("PROMISE_IN_BOUNDS");
  private constructor(readonly name: string) {}
  /** `"clip"`, `"fill"`/`"drop"` (and null), `"promise_in_bounds"`, or a mode (JAX's from_any). */
  static fromAny(s: ModeLike | null | undefined): GatherScatterMode {
    if (s instanceof GatherScatterMode) return s;
    if (s === "clip") return GatherScatterMode.CLIP;
    if (s === null || s === undefined || s === "fill" || s === "drop") return GatherScatterMode.FILL_OR_DROP;
    if (s === "promise_in_bounds") return GatherScatterMode.PROMISE_IN_BOUNDS;
    throw new RangeError(`Unknown gather mode "${s}"`);
  }
  toString(): string {
    return `GatherScatterMode.${this.name}`;
  }
}
export type ModeLike = GatherScatterMode | "clip" | "fill" | "drop" | "promise_in_bounds";

// ---- shape rules (JAX's _gather_shape_rule and _scatter_shape_rule, with their texts) ----------

function isSorted(dims: Dims, op: string, name: string): void {
  for (let i = 1; i < dims.length; i++) if (dims[i] < dims[i - 1]) throw new TypeError(`${name} in ${op} op must be sorted; got ${reprDims(dims)}`);
}
function dimsInRange(dims: Dims, rank: number, op: string, name: string): void {
  for (const d of dims) if (d < 0 || d >= rank) throw new TypeError(`Invalid ${name} set in ${op} op; valid range is [0, ${rank}); got: ${d}.`);
}
function sortedDimsInRange(dims: Dims, rank: number, op: string, name: string): void {
  if (dims.length === 0) return;
  const bad = dims[0] < 0 ? dims[0] : dims[dims.length - 1] >= rank ? dims[dims.length - 1] : null;
  if (bad !== null) throw new TypeError(`Invalid ${name} set in ${op} op; valid range is [0, ${rank}); got: ${bad}.`);
}
function noDuplicateDims(dims: Dims, op: string, name: string): void {
  if (new Set(dims).size !== dims.length) throw new TypeError(`${name} in ${op} op must not repeat; got: ${reprDims(dims)}.`);
}
function disjointDims(a: Dims, b: Dims, op: string, na: string, nb: string): void {
  if (a.some((d) => b.includes(d))) throw new TypeError(`${na} and ${nb} in ${op} op must be disjoint; got: ${reprDims(a)} and ${reprDims(b)}.`);
}
const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function checkIndexDtype(indices: ShapedArray): void {
  if (!isInteger(indices.dtype)) throw new RangeError("indices must have an integer type");
}

function gatherShape(operand: ShapedArray, indices: ShapedArray, dn: GatherDimensionNumbers, sliceSizes: Dims): number[] {
  const { offsetDims, collapsedSliceDims: csd, startIndexMap: sim, operandBatchingDims: obd, startIndicesBatchingDims: sibd } = dn;
  const ivd = indices.ndim - 1;
  if (ivd < 0)
    throw new TypeError(`Gather index leaf dimension must be within [0, rank(indices) + 1). rank(indices) is ${indices.ndim} and gather index leaf dimension is ${ivd}.`);
  isSorted(offsetDims, "gather", "offset_dims");
  noDuplicateDims(offsetDims, "gather", "offset_dims");
  const outRank = offsetDims.length + indices.ndim - 1;
  offsetDims.forEach((d, i) => {
    if (d < 0 || d >= outRank) throw new TypeError(`Offset dimension ${i} in gather op is out of bounds; got ${d}, but should have been in [0, ${outRank})`);
  });
  if (sim.length !== indices.shape[ivd])
    throw new TypeError(
      `Gather op has ${sim.length} elements in start_index_map and the bound of dimension index_vector_dim=${ivd} of indices is ${indices.shape[ivd]}. These two numbers must be equal.`,
    );
  sim.forEach((d, i) => {
    if (d < 0 || d >= operand.ndim) throw new TypeError(`Invalid start_index_map; domain is [0, ${operand.ndim}), got: ${i}->${d}.`);
  });
  noDuplicateDims(sim, "gather", "start_index_map");
  isSorted(csd, "gather", "collapsed_slice_dims");
  sortedDimsInRange(csd, operand.ndim, "gather", "collapsed_slice_dims");
  noDuplicateDims(csd, "gather", "collapsed_slice_dims");
  noDuplicateDims(obd, "gather", "operand_batching_dims");
  isSorted(obd, "gather", "operand_batching_dims");
  sortedDimsInRange(obd, operand.ndim, "gather", "operand_batching_dims");
  disjointDims(csd, obd, "gather", "collapsed_slice_dims", "operand_batching_dims");
  disjointDims(sim, obd, "gather", "start_index_map", "operand_batching_dims");
  noDuplicateDims(sibd, "gather", "start_indices_batching_dims");
  dimsInRange(sibd, indices.ndim, "gather", "start_indices_batching_dims");
  if (sibd.includes(ivd)) throw new TypeError(`Gather op cannot have the index vector dimension as a batching dimension; got ${reprDims(sibd)}.`);
  if (obd.length !== sibd.length)
    throw new TypeError(`Gather op requires equal numbers of operand_batching_dims and start_indices_batching_dims, got ${reprDims(obd)} and${reprDims(sibd)}.`);
  const opBatch = obd.map((i) => operand.shape[i]);
  const idxBatch = sibd.map((i) => indices.shape[i]);
  if (!sameShape(opBatch, idxBatch))
    throw new TypeError(
      `Gather op requires operand batching dimensions and indices batching dimensions to have the same shape, got ${pyShape(opBatch)} and ${pyShape(idxBatch)}.`,
    );
  if (operand.ndim !== sliceSizes.length)
    throw new TypeError(`Gather op must have one slice size for every input dimension; got: len(slice_sizes)=${sliceSizes.length}, input_shape.rank=${operand.ndim}`);
  if (sliceSizes.length !== offsetDims.length + csd.length + obd.length)
    throw new TypeError(
      `All components of the offset index in a gather op must either be a offset dimension or explicitly collapsed/batching; got len(slice_sizes)=${sliceSizes.length}, output_slice_sizes=${reprDims(offsetDims)}, collapsed_slice_dims=${reprDims(csd)}, operand_batching_dims=${reprDims(obd)}.`,
    );
  sliceSizes.forEach((s, i) => {
    if (indices.size !== 0 && !(s >= 0 && operand.shape[i] >= s))
      throw new TypeError(`Slice size at index ${i} in gather op is out of range, must be within [0, ${operand.shape[i]} + 1), got ${s}.`);
  });
  csd.forEach((d, i) => {
    if (sliceSizes[d] !== 1) throw new TypeError(`Gather op can only collapse slice dims with bound 1, but bound is ${sliceSizes[d]} for index ${d} at position ${i}.`);
  });
  obd.forEach((d, i) => {
    if (sliceSizes[d] > 1)
      throw new TypeError(`Gather op can only have operand batching dims with bound 0/1, but bound is ${sliceSizes[d]} for index ${d} at position ${i}.`);
  });
  // Output: batch dims of the indices in order, with the kept slice dims at offset_dims.
  const batch = indices.shape.slice(0, ivd);
  const window = sliceSizes.filter((_, i) => !csd.includes(i) && !obd.includes(i));
  let b = 0;
  let w = 0;
  return Array.from({ length: outRank }, (_, i) => (offsetDims.includes(i) ? window[w++] : batch[b++]));
}

function scatterCheck(operand: ShapedArray, indices: ShapedArray, updates: ShapedArray, dn: ScatterDimensionNumbers): void {
  const { updateWindowDims: uwd, insertedWindowDims: iwd, scatterDimsToOperandDims: sdod, operandBatchingDims: obd, scatterIndicesBatchingDims: sibd } = dn;
  const ivd = indices.ndim - 1;
  if (ivd < 0)
    throw new TypeError(`Scatter index leaf dimension must be within [0, rank(indices) + 1). rank(indices) is ${indices.ndim} and scatter index leaf dimension is ${ivd}.`);
  const expectedRank = indices.ndim - 1 + uwd.length;
  if (updates.ndim !== expectedRank) throw new TypeError(`Updates tensor must be of rank ${expectedRank}; got ${updates.ndim}.`);
  isSorted(uwd, "scatter", "update_window_dims");
  noDuplicateDims(uwd, "scatter", "update_window_dims");
  sortedDimsInRange(uwd, updates.ndim, "scatter", "update_window_dims");
  isSorted(iwd, "scatter", "inserted_window_dims");
  noDuplicateDims(iwd, "scatter", "inserted_window_dims");
  sortedDimsInRange(iwd, operand.ndim, "scatter", "inserted_window_dims");
  isSorted(obd, "scatter", "operand_batching_dims");
  noDuplicateDims(obd, "scatter", "operand_batching_dims");
  sortedDimsInRange(obd, operand.ndim, "scatter", "operand_batching_dims");
  disjointDims(iwd, obd, "scatter", "inserted_window_dims", "operand_batching_dims");
  disjointDims(sdod, obd, "scatter", "scatter_dims_to_operand_dims", "operand_batching_dims");
  noDuplicateDims(sibd, "scatter", "scatter_indices_batching_dims");
  dimsInRange(sibd, indices.ndim, "scatter", "scatter_indices_batching_dims");
  if (sibd.includes(ivd)) throw new TypeError(`Scatter op cannot have the index vector dimension as a batching dimension; got ${reprDims(sibd)}.`);
  if (obd.length !== sibd.length)
    throw new TypeError(`Scatter op requires equal numbers of operand_batching_dims and scatter_indices_batching_dims, got ${reprDims(obd)} and ${reprDims(sibd)}.`);
  const opBatch = obd.map((i) => operand.shape[i]);
  const idxBatch = sibd.map((i) => indices.shape[i]);
  if (!sameShape(opBatch, idxBatch))
    throw new TypeError(
      `Scatter op requires operand batching dimensions and indices batching dimensions to have the same shape, got ${pyShape(opBatch)} and ${pyShape(idxBatch)}.`,
    );
  // The updates dims that are not window dims are the indices' batch dims, in order.
  const scatterDimsInUpdates: (number | null)[] = Array.from({ length: ivd }, (_, i) => i);
  for (const i of uwd) scatterDimsInUpdates.splice(i, 0, null);
  const updBatch = sibd.map((i) => updates.shape[scatterDimsInUpdates.indexOf(i)]);
  if (!sameShape(opBatch, updBatch))
    throw new TypeError(
      `Scatter op requires operand batching dimensions and updates batching dimensions to have the same shape, got ${pyShape(opBatch)} and ${pyShape(updBatch)}.`,
    );
  const windowSize = uwd.length + iwd.length + obd.length;
  if (operand.ndim !== windowSize) throw new TypeError(`Scatter op has window of size ${windowSize}; doesn't match operand of rank ${operand.ndim}.`);
  if (sdod.length !== indices.shape[ivd])
    throw new TypeError(
      `Scatter op has ${sdod.length} elements in scatter_dims_to_operand_dims and the bound of dimension index_vector_dim=${ivd} of indices is ${indices.shape[ivd]}. These two numbers must be equal`,
    );
  sdod.forEach((d, i) => {
    if (d < 0 || d >= operand.ndim) throw new TypeError(`Invalid scatter_dims_to_operand_dims mapping; domain is [0, ${operand.ndim}), got: ${i}->${d}.`);
  });
  noDuplicateDims(sdod, "scatter", "scatter_dims_to_operand_dims");
  const maxWindow = operand.shape.filter((_, i) => !iwd.includes(i) && !obd.includes(i));
  uwd.forEach((d, i) => {
    if (maxWindow[i] < updates.shape[d])
      throw new TypeError(
        `Bounds of the window dimensions of updates must not exceed the bounds of the corresponding dimensions of operand. For dimension ${d}, updates bound is ${updates.shape[d]}, operand bound is ${maxWindow[i]}.`,
      );
  });
  let seen = 0;
  for (let i = 0; i < updates.ndim; i++) {
    if (uwd.includes(i)) continue;
    if (seen === ivd) seen++;
    if (updates.shape[i] !== indices.shape[seen])
      throw new TypeError(
        `Bounds of the scatter dimensions of updates must be the same as the bounds of the corresponding dimensions of scatter indices. For scatter dimension ${i}, updates bound is ${updates.shape[i]}, indices bound is ${indices.shape[seen]}.`,
      );
    seen++;
  }
}

// ---- lowering ---------------------------------------------------------------------------------

const INT32_MAX = 2147483647;
const strides = (shape: readonly number[]) => shape.map((_, i) => sizeOf(shape.slice(i + 1)));
/** Words per element of a dtype's storage (a PRNG key is two uint32 words). */
const words = (d: DType) => (isKey(d) ? 2 : 1);
const physical = (a: ShapedArray) => (isKey(a.dtype) ? [...a.shape, 2] : [...a.shape]);

/** Where each element of a gather's output (or a scatter's updates) sits in the operand. */
interface Positions {
  /** Flat operand position of each element (windows clamped into bounds), shaped like the elements. */
  flat: tf.Tensor;
  /** Whether each window was in bounds as given, shaped like the elements with 1s at window axes. */
  inBounds: tf.Tensor;
}

/**
 * The flat operand positions of the elements of `elemShape` (a gather's output or a scatter's
 * updates, whose `windowAxes` index within a window): each batch element's window start, from its
 * index vector clamped so that the window of `sizes` fits (XLA's rule), plus the element's offset
 * in its window. Call inside tf.tidy.
 */
function windowPositions(
  indices: tf.Tensor,
  idxAval: ShapedArray,
  shape: readonly number[],
  sizes: readonly number[],
  startMap: Dims,
  batching: [Dims, Dims],
  windowDims: readonly number[],
  elemShape: readonly number[],
  windowAxes: Dims,
): Positions {
  const st = strides(shape);
  const batchShape = idxAval.shape.slice(0, -1);
  const B = sizeOf(batchShape);
  const K = startMap.length;
  const i32 = (v: number) => tf.scalar(v, "int32");
  let idx = tf.reshape(indices, [B, K]);
  // uint32 indices are stored as int32 bits: those >= 2^31 are far out of bounds.
  if (idxAval.dtype === "uint32") idx = tf.where(tf.less(idx, i32(0)), tf.fill([B, K], INT32_MAX, "int32"), idx);
  const hi = tf.tensor1d(
    startMap.map((d) => shape[d] - sizes[d]),
    "int32",
  );
  let base = K ? tf.sum(tf.mul(tf.minimum(tf.maximum(idx, i32(0)), hi), tf.tensor1d(startMap.map((d) => st[d]), "int32")), 1) : tf.zeros([B], "int32");
  // Batching dims: the batch element's own coordinate along the paired indices dim.
  batching[0].forEach((od, k) => {
    const sd = batching[1][k];
    const coord = tf.reshape(tf.range(0, batchShape[sd], 1, "int32"), batchShape.map((n, i) => (i === sd ? n : 1)));
    base = tf.add(base, tf.reshape(tf.broadcastTo(tf.mul(coord, i32(st[od])), batchShape), [B]));
  });
  const windowShape = windowDims.map((d) => sizes[d]);
  const offsets = new Int32Array(sizeOf(windowShape));
  const wst = strides(windowShape);
  for (let j = 0; j < offsets.length; j++) for (let k = 0; k < windowDims.length; k++) offsets[j] += (Math.floor(j / wst[k]) % windowShape[k]) * st[windowDims[k]];
  const baseShape = elemShape.map((n, i) => (windowAxes.includes(i) ? 1 : n));
  const offShape = elemShape.map((n, i) => (windowAxes.includes(i) ? n : 1));
  const flat = tf.add(tf.reshape(base, baseShape), tf.reshape(tf.tensor(offsets, [offsets.length], "int32"), offShape));
  // (With no index vector every window is in bounds; tfjs-cpu's `all` over an empty axis says false.)
  const inBounds = K ? tf.reshape(tf.all(tf.logicalAnd(tf.greaterEqual(idx, i32(0)), tf.lessEqual(idx, hi)), 1), baseShape) : tf.ones(baseShape, "bool");
  return { flat, inBounds };
}

const windowDimsOf = (rank: number, excluded: Dims, batching: Dims) => Array.from({ length: rank }, (_, i) => i).filter((i) => !excluded.includes(i) && !batching.includes(i));

/**
 * XLA's gather as tfjs kernels: one tf.gather of every output element's flat operand position;
 * FILL_OR_DROP then puts the fill where a window was out of bounds.
 */
function gatherImpl([operand, indices]: tf.Tensor[], p: GatherParams, ctx: LowerCtx): tf.Tensor[] {
  const [opAval, idxAval] = ctx.inAvals;
  const out = ctx.outAvals[0];
  const w = words(opAval.dtype);
  if (out.size === 0) return [tf.zeros(physical(out), storageDtype(out.dtype))];
  const dn = p.dimension_numbers;
  return [
    tf.tidy(() => {
      const windowDims = windowDimsOf(opAval.ndim, dn.collapsedSliceDims, dn.operandBatchingDims);
      const batching: [Dims, Dims] = [dn.operandBatchingDims, dn.startIndicesBatchingDims];
      const pos = windowPositions(indices, idxAval, opAval.shape, p.slice_sizes, dn.startIndexMap, batching, windowDims, out.shape, dn.offsetDims);
      // Bools move as int32: tfjs-wasm's select (tf.where) mixes up bool operands.
      const isBool = operand.dtype === "bool";
      const table = tf.reshape(isBool ? tf.cast(operand, "int32") : operand, w === 1 ? [opAval.size] : [opAval.size, w]);
      let got = tf.reshape(tf.gather(table, tf.reshape(pos.flat, [out.size])), physical(out));
      if (p.mode === GatherScatterMode.FILL_OR_DROP) {
        const mask = tf.broadcastTo(w === 1 ? pos.inBounds : tf.expandDims(pos.inBounds, -1), physical(out));
        const fill = tensorFrom(new Array<number | boolean>(w).fill(p.fill_value!) as number[], w === 1 ? [] : [w], isKey(out.dtype) ? "uint32" : isBool ? "int32" : out.dtype);
        got = tf.where(mask, got, tf.broadcastTo(fill, physical(out)));
      }
      return isBool ? tf.cast(got, "bool") : got;
    }),
  ];
}

/**
 * scatter-add of float32 as tfjs kernels: tf.scatterND sums the updates at their flat positions
 * into a buffer with one extra slot, where dropped windows (out of bounds, unless CLIP) go.
 */
function scatterAddKernel([operand, indices, updates]: tf.Tensor[], p: ScatterParams, ctx: LowerCtx): tf.Tensor {
  const [opAval, idxAval, updAval] = ctx.inAvals;
  const dn = p.dimension_numbers;
  return tf.tidy(() => {
    const windowDims = windowDimsOf(opAval.ndim, dn.insertedWindowDims, dn.operandBatchingDims);
    const sizes = windowSizes(dn, opAval.ndim, updAval.shape);
    const batching: [Dims, Dims] = [dn.operandBatchingDims, dn.scatterIndicesBatchingDims];
    const pos = windowPositions(indices, idxAval, opAval.shape, sizes, dn.scatterDimsToOperandDims, batching, windowDims, updAval.shape, dn.updateWindowDims);
    let flat = pos.flat;
    if (p.mode !== GatherScatterMode.CLIP) flat = tf.where(tf.broadcastTo(pos.inBounds, updAval.shape as number[]), flat, tf.fill(updAval.shape as number[], opAval.size, "int32"));
    const summed = tf.scatterND(tf.reshape(flat, [updAval.size, 1]), tf.reshape(updates, [updAval.size]), [opAval.size + 1]);
    return tf.add(operand, tf.reshape(tf.slice(summed, [0], [opAval.size]), opAval.shape as number[]));
  });
}

type Combine = (old: number, upd: number) => number;
const COMBINE: Record<string, (dt: DType) => Combine> = {
  scatter: () => (_o, u) => u,
  "scatter-add": () => (o, u) => o + u,
  "scatter-sub": () => (o, u) => o - u,
  // Integer products wrap (Math.imul); float products round once when stored in a Float32Array.
  "scatter-mul": (dt) => (isFloat(dt) ? (o, u) => o * u : (o, u) => Math.imul(o, u)),
  "scatter-min": () => Math.min,
  "scatter-max": () => Math.max,
};

/**
 * XLA's scatter on the host (tfjs has no scatter with a combiner, a drop mode or duplicates):
 * for each update window, the start from its index vector (clamped in CLIP mode; the whole
 * window dropped when out of bounds otherwise), then each element combined in order.
 */
function scatterImpl(name: string) {
  return ([operand, indices, updates]: tf.Tensor[], p: ScatterParams, ctx: LowerCtx): tf.Tensor[] => {
    const [opAval, idxAval, updAval] = ctx.inAvals;
    const dt = opAval.dtype;
    // Gradients of gathers are float scatter-adds: those stay on the device.
    if (name === "scatter-add" && dt === "float32" && updAval.size > 0) return [scatterAddKernel([operand, indices, updates], p, ctx)];
    const w = words(dt);
    const combine = COMBINE[name](dt);
    const src = hostData(operand, isKey(dt) ? "uint32" : dt);
    const out = src.slice();
    const idx = hostData(indices, idxAval.dtype);
    const upd = hostData(updates, isKey(dt) ? "uint32" : dt);
    const { updateWindowDims: uwd, insertedWindowDims: iwd, scatterDimsToOperandDims: sdod, operandBatchingDims: obd, scatterIndicesBatchingDims: sibd } = p.dimension_numbers;
    const shape = opAval.shape;
    const st = strides(shape);
    const K = sdod.length;
    const batchShape = idxAval.shape.slice(0, -1);
    const bst = strides(batchShape);
    // Update dims: window dims map to operand dims in order; the others to the indices' batch dims.
    const ust = strides(updAval.shape);
    const scatterUpdDims = updAval.shape.map((_, i) => i).filter((i) => !uwd.includes(i));
    const windowOpDims = shape.map((_, i) => i).filter((i) => !iwd.includes(i) && !obd.includes(i));
    const win = windowSizes(p.dimension_numbers, shape.length, updAval.shape);
    const windowShape = uwd.map((d) => updAval.shape[d]);
    const wst = strides(windowShape);
    const W = sizeOf(windowShape);
    const winOp = new Array<number>(W).fill(0);
    const winUpd = new Array<number>(W).fill(0);
    for (let j = 0; j < W; j++)
      for (let k = 0; k < uwd.length; k++) {
        const c = Math.floor(j / wst[k]) % windowShape[k];
        winOp[j] += c * st[windowOpDims[k]];
        winUpd[j] += c * ust[uwd[k]];
      }
    const clip = p.mode === GatherScatterMode.CLIP;
    const start = new Array<number>(shape.length);
    for (let b = 0; b < sizeOf(batchShape); b++) {
      const coord = (d: number) => Math.floor(b / bst[d]) % batchShape[d];
      start.fill(0);
      for (let k = 0; k < K; k++) start[sdod[k]] = idx[b * K + k];
      obd.forEach((od, k) => (start[od] = coord(sibd[k])));
      let base = 0;
      let inBounds = true;
      for (let d = 0; d < shape.length; d++) {
        let s = start[d];
        if (clip) s = Math.min(Math.max(s, 0), shape[d] - win[d]);
        else if (s < 0 || s > shape[d] - win[d]) inBounds = false;
        base += s * st[d];
      }
      if (!inBounds) continue;
      let ubase = 0;
      scatterUpdDims.forEach((ud, k) => (ubase += coord(k) * ust[ud]));
      for (let j = 0; j < W; j++) {
        const o = (base + winOp[j]) * w;
        const u = (ubase + winUpd[j]) * w;
        for (let c = 0; c < w; c++) out[o + c] = combine(out[o + c], upd[u + c]);
      }
    }
    const phys = physical(opAval);
    if (out instanceof Uint32Array) return [tf.tensor(new Int32Array(out.buffer), phys, "int32")];
    return [tf.tensor(out, phys, storageDtype(dt))];
  };
}

// ---- primitives ---------------------------------------------------------------------------------

export type GatherParams = {
  dimension_numbers: GatherDimensionNumbers;
  fill_value: number | boolean | null;
  indices_are_sorted: boolean;
  mode: GatherScatterMode;
  slice_sizes: number[];
  unique_indices: boolean;
};

export type ScatterParams = {
  dimension_numbers: ScatterDimensionNumbers;
  indices_are_sorted: boolean;
  mode: GatherScatterMode;
  unique_indices: boolean;
  update_consts: unknown[];
  update_jaxpr: ClosedJaxpr | null;
};

export const gather_p = definePrimitive<GatherParams>({
  name: "gather",
  abstractEval([operand, indices], p) {
    checkIndexDtype(indices);
    return [operand.update({ shape: gatherShape(operand, indices, p.dimension_numbers, p.slice_sizes) })];
  },
  impl: gatherImpl,
});

function scatterPrimitive(name: string): Primitive<ScatterParams> {
  return definePrimitive<ScatterParams>({
    name,
    abstractEval([operand, indices, updates], p) {
      checkIndexDtype(indices);
      checkSameDtypes("scatter", [operand, updates]);
      scatterCheck(operand, indices, updates, p.dimension_numbers);
      return [operand];
    },
    impl: scatterImpl(name),
  });
}

export const scatter_p = scatterPrimitive("scatter");
export const scatter_add_p = scatterPrimitive("scatter-add");
export const scatter_sub_p = scatterPrimitive("scatter-sub");
export const scatter_mul_p = scatterPrimitive("scatter-mul");
export const scatter_min_p = scatterPrimitive("scatter-min");
export const scatter_max_p = scatterPrimitive("scatter-max");

// ---- lax's functions ---------------------------------------------------------------------------

export interface GatherOptions {
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
  /** Out-of-bounds behavior; lax.gather's default is PROMISE_IN_BOUNDS (XLA clamps). */
  mode?: ModeLike | null;
  /** What FILL_OR_DROP returns for an out-of-bounds window (default: NaN, the most negative int, uint max, true). */
  fillValue?: number | boolean | null;
}

/** gather's default fill: NaN for floats, the most negative signed int, the largest unsigned, true. */
export function defaultFill(dtype: DType): number | boolean {
  if (isFloat(dtype)) return NaN;
  if (isSignedInt(dtype)) return dtype === "int32" ? -2147483648 : dtype === "int16" ? -32768 : -128;
  if (dtype === "bool") return true;
  return dtype === "uint8" ? 255 : dtype === "uint16" ? 65535 : 4294967295; // uint32 and key words
}

/**
 * XLA's Gather: slices of `operand` at the starts in `startIndices` (lax.gather).
 * `lax.gather(x, idx.reshape([3, 1]), { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] }, [1])`
 */
export function gather(operand: JaxArray, startIndices: JaxArray, dimensionNumbers: GatherDnums, sliceSizes: readonly number[], opts: GatherOptions = {}): JaxArray {
  return bind1(gather_p, [operand, startIndices], gatherParams(operand.dtype, dimensionNumbers, sliceSizes, opts));
}

/** The params lax.gather binds: the mode parsed, and FILL_OR_DROP's default fill for `dtype`. */
export function gatherParams(dtype: DType, dimensionNumbers: GatherDnums, sliceSizes: readonly number[], opts: GatherOptions = {}): GatherParams {
  const mode = opts.mode == null ? GatherScatterMode.PROMISE_IN_BOUNDS : GatherScatterMode.fromAny(opts.mode);
  return {
    dimension_numbers: GatherDimensionNumbers.of(dimensionNumbers),
    fill_value: mode === GatherScatterMode.FILL_OR_DROP ? (opts.fillValue ?? defaultFill(dtype)) : null,
    indices_are_sorted: !!opts.indicesAreSorted,
    mode,
    slice_sizes: [...sliceSizes],
    unique_indices: !!opts.uniqueIndices,
  };
}

export interface ScatterOptions {
  uniqueIndices?: boolean;
  indicesAreSorted?: boolean;
  /** Out-of-bounds behavior; scatter's default (null) is FILL_OR_DROP: such updates are dropped. */
  mode?: ModeLike | null;
}

// lax._reduction_jaxpr(op, ShapedArray((), dtype)), cached as JAX caches it: the scatter's
// combiner as a jaxpr param, `{ lambda ; a:f32[] b:f32[]. let c:f32[] = add a b in (c,) }`.
const reductionJaxprs = new Map<string, ClosedJaxpr>();
function reductionJaxpr(op: string, dtype: DType): ClosedJaxpr {
  return interned(reductionJaxprs, `${op}/${dtype}`, () => {
    const aval = new ShapedArray([], dtype);
    const p = prim(op);
    const [outAval] = p.abstractEval([aval, aval], {});
    const [a, b, c] = [new Var(aval), new Var(aval), new Var(outAval)];
    return new ClosedJaxpr(new Jaxpr([], [a, b], [new JaxprEqn(p, [a, b], {}, [c])], [c]), []);
  });
}

/** The combiner each scatter primitive's update_jaxpr applies (none for scatter: replace). */
const COMBINER: Record<string, string | null> = { scatter: null, "scatter-add": "add", "scatter-sub": "sub", "scatter-mul": "mul", "scatter-min": "min", "scatter-max": "max" };

/** The params lax.scatter_* binds for an operand of `dtype` (`name`: "scatter-add", ...). */
export function scatterParams(name: string, dtype: DType, dimensionNumbers: ScatterDnums, opts: ScatterOptions = {}): ScatterParams {
  const op = COMBINER[name];
  return {
    dimension_numbers: ScatterDimensionNumbers.of(dimensionNumbers),
    indices_are_sorted: !!opts.indicesAreSorted,
    mode: GatherScatterMode.fromAny(opts.mode),
    unique_indices: !!opts.uniqueIndices,
    update_consts: [],
    update_jaxpr: op === null ? null : reductionJaxpr(op, dtype),
  };
}

function scatterFn(p: Primitive<ScatterParams>) {
  return (operand: JaxArray, indices: JaxArray, updates: JaxArray, dimensionNumbers: ScatterDnums, opts: ScatterOptions = {}): JaxArray =>
    bind1(p, [operand, indices, updates], scatterParams(p.name, operand.dtype, dimensionNumbers, opts));
}

/** XLA's Scatter, updates replacing operand values (lax.scatter). */
export const scatter = scatterFn(scatter_p);
/** Scatter with `add` combining (lax.scatter_add): duplicates accumulate. */
export const scatterAdd = scatterFn(scatter_add_p);
export const scatterSub = scatterFn(scatter_sub_p);
export const scatterMul = scatterFn(scatter_mul_p);
export const scatterMin = scatterFn(scatter_min_p);
export const scatterMax = scatterFn(scatter_max_p);

// ---- helpers the rules bind (lax's wrappers) ---------------------------------------------------

const bindp = (name: string, args: JaxArray[], params = {}) => bind1(prim(name), args, params);
/** lax.full: a literal, broadcast unless the shape is scalar. */
function full(shape: readonly number[], v: number, dtype: DType, weakType = false): JaxArray {
  const s = scalar(v, dtype, weakType);
  return shape.length === 0 ? s : bindp("broadcast_in_dim", [s], { broadcast_dimensions: [], shape: [...shape], sharding: null });
}
/** lax._zeros / _ones / full_like(x, v): x's shape, dtype and weak type. */
const fullLike = (x: JaxArray, v: number, dtype: DType = x.dtype) => full(x.shape, v, dtype, dtype === x.dtype && x.weakType);
/** lax.select(pred, onTrue, onFalse) = select_n(pred, onFalse, onTrue). */
const select = (pred: JaxArray, t: JaxArray, f: JaxArray) => bindp("select_n", [pred, f, t]);
/** A Python float beside an array: a weak literal of its dtype. */
const lit = (x: JaxArray, v: number) => scalar(v, x.dtype, true);

// ---- gather's rules ---------------------------------------------------------------------------------

defjvp<GatherParams>(
  gather_p,
  (g, [, indices], p) =>
    gather(g, indices, p.dimension_numbers, p.slice_sizes, {
      uniqueIndices: p.unique_indices,
      indicesAreSorted: p.indices_are_sorted,
      mode: p.mode,
      fillValue: 0,
    }),
  null,
);

// Transpose: scatter-add the cotangent into zeros of the operand's shape.
gather_p.transpose = ([ct], [operand, indices], p) => {
  if (ct === null || !isUndefined(operand)) return [null, null];
  const zeros = full(operand.aval.shape, 0, ct.dtype);
  const opts = { uniqueIndices: p.unique_indices, indicesAreSorted: p.indices_are_sorted, mode: p.mode };
  return [scatterAdd(zeros, indices as JaxArray, ct, scatterOfGather(p.dimension_numbers), opts), null];
};

gather_p.batch = ([operand, indices], [ob, ib], p) => {
  const dn = p.dimension_numbers;
  const opts = { uniqueIndices: p.unique_indices, indicesAreSorted: p.indices_are_sorted, mode: p.mode, fillValue: p.fill_value };
  if (ob !== null && ib === null) {
    operand = moveaxis(operand, ob, 0);
    const dnums = {
      offsetDims: cat([0], npAdd(1, dn.offsetDims)),
      collapsedSliceDims: npAdd(1, dn.collapsedSliceDims),
      startIndexMap: npAdd(1, dn.startIndexMap),
      operandBatchingDims: npAdd(1, dn.operandBatchingDims),
      startIndicesBatchingDims: dn.startIndicesBatchingDims,
    };
    return [[gather(operand, indices, dnums, [operand.shape[0], ...p.slice_sizes], opts)], [0]];
  }
  if (ob === null && ib !== null) {
    indices = moveaxis(indices, ib, 0);
    const dnums = { ...dn, offsetDims: pyAdd(1, dn.offsetDims), startIndicesBatchingDims: npAdd(1, dn.startIndicesBatchingDims) };
    // Batched indexing into one array: the indices may no longer be sorted or unique.
    return [[gather(operand, indices, dnums, p.slice_sizes, { ...opts, uniqueIndices: false, indicesAreSorted: false })], [0]];
  }
  operand = moveaxis(operand, ob!, 0);
  indices = moveaxis(indices, ib!, 0);
  const dnums = {
    offsetDims: npAdd(1, dn.offsetDims),
    collapsedSliceDims: npAdd(1, dn.collapsedSliceDims),
    startIndexMap: npAdd(1, dn.startIndexMap),
    operandBatchingDims: cat([0], npAdd(1, dn.operandBatchingDims)),
    startIndicesBatchingDims: cat([0], npAdd(1, dn.startIndicesBatchingDims)),
  };
  return [[gather(operand, indices, dnums, [operand.shape[0] === 0 ? 0 : 1, ...p.slice_sizes], opts)], [0]];
};

// ---- scatter's rules --------------------------------------------------------------------------------

const scatterOpts = (p: ScatterParams): ScatterOptions => ({ indicesAreSorted: p.indices_are_sorted, uniqueIndices: p.unique_indices, mode: p.mode });

/** The gather reading back each update window of a scatter (the cotangent of its updates). */
function gatherWindows(x: JaxArray, indices: JaxArray, updatesShape: readonly number[], p: ScatterParams, opts: GatherOptions = {}): JaxArray {
  const dn = p.dimension_numbers;
  return gather(x, indices, gatherOfScatter(dn), windowSizes(dn, x.ndim, updatesShape), opts);
}

const shapeOfArg = (x: JaxArray | { aval: ShapedArray }) => x.aval.shape;

// scatter-add and scatter-sub: linear in (operand, updates).
for (const p of [scatter_add_p, scatter_sub_p]) {
  p.jvp = ([operand, indices, updates], [go, , gu], params) => {
    const out = bind1(p, [operand, indices, updates], params);
    if (go === null && gu === null) return [[out], [null]];
    const t = bind1(p, [instantiate(go, tangentAval(operand.aval)), indices, instantiate(gu, tangentAval(updates.aval))], params);
    return [[out], [t]];
  };
  p.transpose = ([t], [operand, indices, updates], params) => {
    if (t === null) return [null, null, null];
    const operandT = isUndefined(operand) ? t : null;
    let updateT: MaybeZero = null;
    if (isUndefined(updates)) {
      updateT = gatherWindows(t, indices as JaxArray, shapeOfArg(updates), params, { mode: params.mode, fillValue: 0 });
      if (p === scatter_sub_p) updateT = bindp("neg", [updateT]);
    }
    return [operandT, null, updateT];
  };
}

// scatter-mul: linear in the operand; in the updates only with unique indices.
const MUL_GRAD_ERROR = "scatter_mul gradients are only implemented if `unique_indices=True`";
defjvp<ScatterParams>(
  scatter_mul_p,
  (g, [, i, y], p) => bind1(scatter_mul_p, [g, i, y], p),
  null,
  (g, [x, i], p) => {
    if (!p.unique_indices) throw new Error(MUL_GRAD_ERROR);
    return bindp("mul", [x, scatterAdd(fullLike(x, 0), i, g, p.dimension_numbers, scatterOpts(p))]);
  },
);
scatter_mul_p.transpose = ([t], [operand, indices, updates], p) => {
  if (t === null) return [null, null, null];
  const operandT = isUndefined(operand) ? scatterMul(t, indices as JaxArray, updates as JaxArray, p.dimension_numbers, scatterOpts(p)) : null;
  let updateT: MaybeZero = null;
  if (isUndefined(updates)) {
    if (!p.unique_indices) throw new Error(MUL_GRAD_ERROR);
    updateT = gatherWindows(bindp("mul", [t, operand as JaxArray]), indices as JaxArray, shapeOfArg(updates), p, { mode: p.mode, fillValue: 0 });
  }
  return [operandT, null, updateT];
};

// scatter-min / scatter-max: where several values contend for one position, the tangent is the
// average of the tangents of the winners (JAX's _scatter_extremal_jvp).
for (const p of [scatter_min_p, scatter_max_p]) {
  p.jvp = ([operand, indices, updates], [go, , gu], params) => {
    const out = bind1(p, [operand, indices, updates], params);
    if (go === null && gu === null) return [[out], [null]];
    const gOp = instantiate(go, tangentAval(operand.aval));
    const gUp = instantiate(gu, tangentAval(updates.aval));
    const dn = params.dimension_numbers;
    const back = (x: JaxArray) => gatherWindows(x, indices, updates.shape, params);
    const initial = back(operand);
    const target = back(out);
    const successful = bindp("eq", [updates, target]);
    const retained = bindp("eq", [initial, target]);
    const numUpdates = back(scatterAdd(fullLike(operand, 0), indices, select(successful, fullLike(updates, 1), fullLike(updates, 0)), dn));
    const numRefs = back(scatterAdd(fullLike(operand, 0), indices, fullLike(updates, 1), dn));
    const recipPlus1 = () => bindp("div", [lit(numUpdates, 1), bindp("add", [numUpdates, lit(numUpdates, 1)])]);
    const updatesNormalizer = select(retained, recipPlus1(), bindp("div", [lit(numUpdates, 1), numUpdates]));
    const updatesCoef = select(successful, updatesNormalizer, fullLike(updates, 0));
    const operandNormalizer = select(retained, recipPlus1(), fullLike(numUpdates, 0));
    const operandCoef = bindp("div", [bindp("add", [lit(operandNormalizer, -1), operandNormalizer]), numRefs]);
    const targetTangents = back(gOp);
    const tangentUpdates = bindp("add", [bindp("mul", [targetTangents, operandCoef]), bindp("mul", [gUp, updatesCoef])]);
    return [[out], [scatterAdd(gOp, indices, tangentUpdates, dn, scatterOpts(params))]];
  };
}

// scatter: overlapping updates make the winner unspecified, so the jvp tags each update with an
// id, scatters the ids, and keeps only the values (and tangents) whose id won (JAX's _scatter_jvp).
scatter_p.jvp = ([operand, indices, updates], [go, , gu], p) => {
  if (p.update_jaxpr !== null) throw new Error("scatter_apply JVP not implemented");
  const dn = p.dimension_numbers;
  if (go === null && gu === null) {
    const out = bind1(scatter_p, [operand, indices, updates], p);
    return [[out], [null]];
  }
  const gOp = instantiate(go, tangentAval(operand.aval));
  const gUp = instantiate(gu, tangentAval(updates.aval));
  if (p.unique_indices) {
    const out = bind1(scatter_p, [operand, indices, updates], { ...p, unique_indices: true });
    return [[out], [bind1(scatter_p, [gOp, indices, gUp], { ...p, unique_indices: true })]];
  }
  const idsShape = updates.shape.map((n, i) => (dn.updateWindowDims.includes(i) ? 1 : n));
  const numIds = sizeOf(idsShape);
  const iota = bindp("iota", [], { dimension: 0, dtype: "uint32", shape: [numIds], sharding: null });
  const reshaped = idsShape.length === 1 ? iota : bindp("reshape", [iota], { dimensions: null, new_sizes: idsShape, sharding: null });
  const updateIds = bindp("add", [reshaped, fullLike(updates, 1, "uint32")]);
  const opts = scatterOpts(p);
  const scatteredIds = scatter(full(operand.shape, 0, "uint32"), indices, updateIds, dn, opts);
  const gatheredIds = gatherWindows(scatteredIds, indices, updates.shape, p);
  const keepOperand = () => bindp("eq", [scatteredIds, fullLike(scatteredIds, 0)]);
  const keepUpdate = () => bindp("eq", [updateIds, gatheredIds]);
  const maskedOperand = select(keepOperand(), operand, fullLike(operand, 0));
  const maskedUpdates = select(keepUpdate(), updates, fullLike(updates, 0));
  const maskedGOperand = select(keepOperand(), gOp, fullLike(gOp, 0));
  const maskedGUpdates = select(keepUpdate(), gUp, fullLike(gUp, 0));
  return [[scatterAdd(maskedOperand, indices, maskedUpdates, dn, opts)], [scatterAdd(maskedGOperand, indices, maskedGUpdates, dn, opts)]];
};

scatter_p.transpose = ([ct], [operand, indices, updates], p) => {
  if (!p.unique_indices) throw new Error("scatter transpose is only implemented where unique_indices=True");
  if (ct === null) return [null, null, null];
  const operandT = isUndefined(operand)
    ? scatter(ct, indices as JaxArray, full(shapeOfArg(updates), 0, ct.dtype), p.dimension_numbers, { ...scatterOpts(p), uniqueIndices: true })
    : null;
  const updateT = isUndefined(updates) ? gatherWindows(ct, indices as JaxArray, shapeOfArg(updates), p, { mode: p.mode, fillValue: 0 }) : null;
  return [operandT, null, updateT];
};

// Batching (JAX's _scatter_batching_rule): the operand and updates get the batch axis in front;
// batched indices pair it up as a batching dim, unbatched ones make it a window dim.
function scatterBatch(p: Primitive<ScatterParams>) {
  return ([operand, indices, updates]: JaxArray[], [ob, ib, ub]: BatchDim[], params: ScatterParams, axis: AxisData): [JaxArray[], BatchDim[]] => {
    const size = axis.size;
    operand = bdimAtFront(operand, ob, size);
    updates = bdimAtFront(updates, ub, size);
    const dn = params.dimension_numbers;
    let dnums: ScatterDnums;
    if (ib === null) {
      dnums = {
        updateWindowDims: cat([0], npAdd(1, dn.updateWindowDims)),
        insertedWindowDims: npAdd(1, dn.insertedWindowDims),
        scatterDimsToOperandDims: npAdd(1, dn.scatterDimsToOperandDims),
        operandBatchingDims: npAdd(1, dn.operandBatchingDims),
        scatterIndicesBatchingDims: dn.scatterIndicesBatchingDims,
      };
    } else {
      indices = bdimAtFront(indices, ib, size);
      dnums = {
        updateWindowDims: npAdd(1, dn.updateWindowDims),
        insertedWindowDims: npAdd(1, dn.insertedWindowDims),
        scatterDimsToOperandDims: npAdd(1, dn.scatterDimsToOperandDims),
        operandBatchingDims: cat([0], npAdd(1, dn.operandBatchingDims)),
        scatterIndicesBatchingDims: cat([0], npAdd(1, dn.scatterIndicesBatchingDims)),
      };
    }
    return [[bind1(p, [operand, indices, updates], { ...params, dimension_numbers: ScatterDimensionNumbers.of(dnums) })], [0]];
  };
}
for (const p of [scatter_p, scatter_add_p, scatter_sub_p, scatter_mul_p, scatter_min_p, scatter_max_p]) p.batch = scatterBatch(p);
