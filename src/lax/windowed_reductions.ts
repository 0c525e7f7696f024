// Windowed reductions (JAX's lax/windowed_reductions.py): reduce_window_sum, reduce_window_max
// and reduce_window_min with their jvp/transpose/batching rules ported from JAX, and the
// select_and_gather_add / select_and_scatter_add pair that max and min pooling differentiate
// through (the tangent at each window's winner, and its transpose, the cotangent scattered back
// to the winner). lax.reduceWindow dispatches to them for add/max/min with their identities.
import type { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar } from "../array/array.js";
import type { DType } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import type { Primitive } from "../jaxpr/jaxpr.js";
import { npInts, pyParam } from "../jaxpr/npint.js";
import { bind1 } from "../tracer/core.js";
import { deflinear, defjvp, isUndefined, prim } from "../tracer/ad_util.js";
import { bdimAtFront } from "../tracer/batching.js";
import * as lax from "./lax.js";
import { type ArrayLike, asArray } from "./lax.js";
import { definePrimitive } from "./primitive.js";
import { convVjpLhsPadding, dilateShape, padtypeToPads, strideDim } from "./convolution.js";
import { pad, slice } from "./structural.js";
import { type Monoid, identityOf, reduceWindowHost, reduceWindowTfjs, selectAndGatherAddHost, selectAndScatterAddHost } from "./window_lowering.js";
import { reduceWindowGeneric, setWindowShapeRule } from "./reduce_window_generic.js";

type Pads = [number, number][];
export type ReduceWindowParams = {
  window_dimensions: number[];
  window_strides: number[];
  padding: Pads;
  base_dilation: number[];
  window_dilation: number[];
};
type SelectParams = {
  select_prim: Primitive;
  window_dimensions: number[];
  window_strides: number[];
  padding: Pads;
};
type GatherParams = SelectParams & { base_dilation: number[]; window_dilation: number[] };

const tuple = (xs: readonly number[]) => pyShape(xs);
const ones = (n: number) => new Array<number>(n).fill(1);

/** lax._check_shapelike for the windowed reductions' integer tuples. */
function checkShapelike(fun: string, arg: string, obj: readonly number[], nonZero = false): void {
  if (obj.length === 0) return;
  if (!obj.every(Number.isInteger)) throw new TypeError(`${fun} ${arg} must have every element be an integer type, got ${tuple(obj)}.`);
  const [lower, what] = nonZero ? [1, "strictly positive"] : [0, "nonnegative"];
  if (!obj.every((d) => d >= lower)) throw new TypeError(`${fun} ${arg} must have every element be ${what}, got ${tuple(obj)}.`);
}

/** lax.reduce_window_shape_tuple. */
export function reduceWindowShapeTuple(
  operandShape: readonly number[],
  windowDimensions: readonly number[],
  windowStrides: readonly number[],
  padding: readonly (readonly [number, number])[],
  baseDilation: readonly number[] | null = null,
  windowDilation: readonly number[] | null = null,
): number[] {
  const shape = baseDilation ? dilateShape(operandShape, baseDilation) : operandShape;
  const win = windowDilation ? dilateShape(windowDimensions, windowDilation) : windowDimensions;
  return shape.map((d, i) => strideDim(d + padding[i][0] + padding[i][1], win[i], windowStrides[i]));
}

/** JAX's _common_reduce_window_shape_rule, error texts included. */
function windowShape(x: ShapedArray, p: ReduceWindowParams): number[] {
  checkShapelike("reduce_window", "window_dimensions", p.window_dimensions, true);
  checkShapelike("reduce_window", "window_strides", p.window_strides, true);
  checkShapelike("reduce_window", "base_dilation", p.base_dilation);
  checkShapelike("reduce_window", "window_dilation", p.window_dilation);
  const wd = tuple(p.window_dimensions);
  if (x.ndim !== p.window_dimensions.length)
    throw new TypeError(`reduce_window got the wrong number of window_dimensions for operand: got operand shape ${tuple(x.shape)} with window_dimensions ${wd}.`);
  if (p.window_strides.length !== p.window_dimensions.length)
    throw new TypeError(`reduce_window got inconsistent window_strides and window_dimensions: got window_strides ${tuple(p.window_strides)} and window_dimensions ${wd}.`);
  if (p.base_dilation.length !== p.window_dimensions.length)
    throw new TypeError(`reduce_window got inconsistent base_dilation and window_dimensions: got base_dilation ${tuple(p.base_dilation)} and window_dimensions ${wd}.`);
  if (p.window_dilation.length !== p.window_dimensions.length)
    throw new TypeError(`reduce_window got inconsistent window_dilation and window_dimensions: got window_dilation ${tuple(p.window_dilation)} and window_dimensions ${wd}.`);
  return reduceWindowShapeTuple(x.shape, p.window_dimensions, p.window_strides, p.padding, p.base_dilation, p.window_dilation);
}

setWindowShapeRule(windowShape);

function reduceWindowPrimitive(name: string, kind: Monoid) {
  return definePrimitive({
    name,
    abstractEval([x], p: ReduceWindowParams) {
      if (kind === "sum" && x.dtype === "bool") throw new TypeError(`operand to reduce_window_sum must have a number dtype, got bool`);
      return [x.update({ shape: windowShape(x, p) })];
    },
    impl([x], p, ctx) {
      const { dtype } = ctx.inAvals[0];
      const out = ctx.outAvals[0].shape;
      return [(dtype === "float32" && reduceWindowTfjs(x, kind, p, out)) || reduceWindowHost(x, kind, dtype, p, out)];
    },
    printParams: (p) => Object.keys(p).sort().map((k) => [k, pyParam((p as never)[k])]),
  });
}

export const reduce_window_sum_p = reduceWindowPrimitive("reduce_window_sum", "sum");
export const reduce_window_max_p = reduceWindowPrimitive("reduce_window_max", "max");
export const reduce_window_min_p = reduceWindowPrimitive("reduce_window_min", "min");

const windowParams = (x: JaxArray, p: Partial<ReduceWindowParams> & Pick<ReduceWindowParams, "window_dimensions" | "window_strides" | "padding">): ReduceWindowParams => ({
  window_dimensions: [...p.window_dimensions],
  window_strides: [...p.window_strides],
  padding: p.padding.map(([lo, hi]) => [lo, hi]) as Pads,
  base_dilation: [...(p.base_dilation ?? ones(p.window_dimensions.length))],
  window_dilation: [...(p.window_dilation ?? ones(p.window_dimensions.length))],
});

/** JAX's _reduce_window_sum/_max/_min: bind with dilations defaulted to ones. */
const reduceWindowBinder = (p: Primitive) => (x: JaxArray, q: Parameters<typeof windowParams>[1]) => bind1(p, [x], windowParams(x, q));
const reduceWindowSum = reduceWindowBinder(reduce_window_sum_p);
const reduceWindowMax = reduceWindowBinder(reduce_window_max_p);
const reduceWindowMin = reduceWindowBinder(reduce_window_min_p);

// ---- select_and_gather_add / select_and_scatter_add ------------------------------------------------

const isGe = (p: SelectParams) => p.select_prim.name === "ge";
const selectParamsPrint = (p: SelectParams) =>
  Object.keys(p)
    .sort()
    .map((k): [string, unknown] => [k, k === "select_prim" ? p.select_prim.name : pyParam((p as never)[k])]);

/** The tangent of each window's selected (max for ge, min for le) operand element. */
export const select_and_gather_add_p = definePrimitive({
  name: "select_and_gather_add",
  abstractEval([t, x], p: GatherParams) {
    if (t.shape.join() !== x.shape.join())
      throw new TypeError(`select_and_gather_add tangents and operand shapes must match, got ${tuple(t.shape)} and ${tuple(x.shape)}.`);
    return [t.update({ shape: windowShape(x, p) })];
  },
  impl([t, x], p, ctx) {
    return [selectAndGatherAddHost(t, x, isGe(p), ctx.inAvals[1].dtype, p, ctx.outAvals[0].shape)];
  },
  printParams: (p) => selectParamsPrint(p),
});

/** Each window's source value added at the window's selected operand element. */
export const select_and_scatter_add_p = definePrimitive({
  name: "select_and_scatter_add",
  abstractEval([source, x], p: SelectParams) {
    checkShapelike("select_and_scatter", "window_dimensions", p.window_dimensions);
    checkShapelike("select_and_scatter", "window_strides", p.window_strides);
    if (p.window_dimensions.length !== p.window_strides.length)
      throw new TypeError(
        `select_and_scatter got inconsistent window_strides and window_dimensions: got window_strides ${tuple(p.window_strides)} and window_dimensions ${tuple(p.window_dimensions)}.`,
      );
    return [source.update({ shape: [...x.shape] })];
  },
  impl([source, x], p, ctx) {
    return [selectAndScatterAddHost(source, x, isGe(p), ctx.inAvals[0].dtype, p)];
  },
  printParams: selectParamsPrint,
});

function selectAndGatherAdd(t: JaxArray, x: JaxArray, selectPrim: Primitive, p: Omit<GatherParams, "select_prim">): JaxArray {
  return bind1(select_and_gather_add_p, [t, x], {
    select_prim: selectPrim,
    window_dimensions: [...p.window_dimensions],
    window_strides: [...p.window_strides],
    padding: p.padding.map(([lo, hi]) => [lo, hi]),
    base_dilation: [...p.base_dilation],
    window_dilation: [...p.window_dilation],
  });
}
function selectAndScatterAdd(source: JaxArray, x: JaxArray, selectPrim: Primitive, p: Omit<SelectParams, "select_prim">): JaxArray {
  return bind1(select_and_scatter_add_p, [source, x], {
    select_prim: selectPrim,
    window_dimensions: [...p.window_dimensions],
    window_strides: [...p.window_strides],
    padding: p.padding.map(([lo, hi]) => [lo, hi]),
  });
}

// ---- rules --------------------------------------------------------------------------------------

/** `window_dimensions[:bdim] + (v,) + window_dimensions[bdim:]`, for each window param. */
function insertWindowDim<P extends Partial<ReduceWindowParams>>(p: P, at: number): P {
  const ins = <T>(xs: readonly T[] | undefined, v: T) => (xs ? [...xs.slice(0, at), v, ...xs.slice(at)] : xs);
  return {
    ...p,
    window_dimensions: ins(p.window_dimensions, 1),
    window_strides: ins(p.window_strides, 1),
    padding: ins(p.padding, [0, 0] as [number, number]),
    ...(p.base_dilation ? { base_dilation: ins(p.base_dilation, 1) } : {}),
    ...(p.window_dilation ? { window_dilation: ins(p.window_dilation, 1) } : {}),
  };
}

// reduce_window_sum is linear; its transpose (JAX's _reduce_window_sum_transpose_rule) pads the
// cotangent (strides as interior padding; np.int64 edges, as numpy computes them) and sums it
// over the same windows dilated as the operand was.
deflinear(reduce_window_sum_p, (ct, p, [x]) => {
  const inputShape = x.aval.shape;
  const pads = convVjpLhsPadding(inputShape, p.window_dimensions, p.window_strides, ct.shape, p.padding, p.base_dilation, p.window_dilation);
  const config = pads.map(([lo, hi], i) => npInts([lo, hi, p.window_strides[i] - 1], [true, true, false]));
  const padded = pad(ct, scalar(0, ct.dtype, ct.weakType), config);
  const result = reduceWindowSum(padded, {
    window_dimensions: p.window_dimensions,
    window_strides: p.base_dilation,
    padding: inputShape.map(() => [0, 0]),
    base_dilation: ones(inputShape.length),
    window_dilation: p.window_dilation,
  });
  return [result];
});

// Max and min pooling differentiate through select_and_gather_add (JAX's _reduce_window_chooser_jvp_rule).
const chooserJvp = (selectName: "ge" | "le") => (g: JaxArray, [x]: JaxArray[], p: ReduceWindowParams) => selectAndGatherAdd(g, x, prim(selectName), p);
defjvp(reduce_window_max_p, chooserJvp("ge"));
defjvp(reduce_window_min_p, chooserJvp("le"));

// vmap (JAX's _reduce_window_batch_rule): a window of 1 along the batch axis.
for (const [p, bindIt] of [
  [reduce_window_sum_p, reduceWindowSum],
  [reduce_window_max_p, reduceWindowMax],
  [reduce_window_min_p, reduceWindowMin],
] as const) {
  p.batch = ([x], [bd], params) => {
    const q = bd === null ? params : insertWindowDim(params, bd);
    return [[bindIt(x, q)], [bd]];
  };
}

// select_and_gather_add: linear in the tangents. Its transpose scatters back to the winners
// (JAX's _select_and_gather_add_transpose), through a padded operand if the base was dilated.
select_and_gather_add_p.jvp = ([t, x], [gt], p) => {
  const out = bind1(select_and_gather_add_p, [t, x], p);
  return [[out], [gt === null ? null : bind1(select_and_gather_add_p, [gt, x], p)]];
};
select_and_gather_add_p.transpose = ([ct], [t, x], p) => {
  if (!isUndefined(t) || isUndefined(x)) throw new Error("internal: select_and_gather_add is transposed in its tangents only");
  if (p.window_dilation.some((d) => d !== 1))
    throw new Error(`VJP not implemented for select_and_gather (MaxPool) with window dilation, got window_dilation=${tuple(p.window_dilation)}.`);
  if (ct === null) return [null, null];
  let operand = x as JaxArray;
  const dilated = p.base_dilation.some((d) => d !== 1);
  if (dilated) {
    const identity = identityOf(isGe(p) ? "max" : "min", operand.dtype);
    operand = pad(operand, scalar(identity, operand.dtype, false), p.base_dilation.map((d) => [0, 0, d - 1]));
  }
  let result = selectAndScatterAdd(ct, operand, p.select_prim, p);
  if (dilated) result = slice(result, ones(result.ndim).map(() => 0), result.shape, p.base_dilation);
  return [result, null];
};
select_and_gather_add_p.batch = ([t, x], [tb, xb], p, axis) => {
  const [t0, x0] = [bdimAtFront(t, tb, axis.size), bdimAtFront(x, xb, axis.size)];
  return [[selectAndGatherAdd(t0, x0, p.select_prim, insertWindowDim(p, 0))], [0]];
};

// select_and_scatter_add: linear in the source; its transpose gathers at the winners again.
select_and_scatter_add_p.jvp = ([s, x], [gs], p) => {
  const out = bind1(select_and_scatter_add_p, [s, x], p);
  return [[out], [gs === null ? null : bind1(select_and_scatter_add_p, [gs, x], p)]];
};
select_and_scatter_add_p.transpose = ([ct], [s, x], p) => {
  if (!isUndefined(s) || isUndefined(x)) throw new Error("internal: select_and_scatter_add is transposed in its source only");
  if (ct === null) return [null, null];
  const n = p.window_dimensions.length;
  return [selectAndGatherAdd(ct, x as JaxArray, p.select_prim, { ...p, base_dilation: ones(n), window_dilation: ones(n) }), null];
};
select_and_scatter_add_p.batch = ([s, x], [sb, xb], p, axis) => {
  const [s0, x0] = [bdimAtFront(s, sb, axis.size), bdimAtFront(x, xb, axis.size)];
  return [[selectAndScatterAdd(s0, x0, p.select_prim, insertWindowDim(p, 0))], [0]];
};

// ---- lax.reduceWindow ------------------------------------------------------------------------------

/** A concrete scalar's value, or null for a traced or non-scalar init value. */
function concreteScalar(x: ArrayLike): number | null {
  if (typeof x === "number") return x;
  if (typeof x === "boolean") return Number(x);
  if (x instanceof ArrayImpl && x.ndim === 0) return Number(x.dataSync()[0]);
  return null;
}

type Computation = ((a: JaxArray, b: JaxArray) => JaxArray) | ((a: JaxArray[], b: JaxArray[]) => JaxArray[]);

/**
 * Reduction over padded windows (lax.reduce_window). As in JAX, lax.add, lax.max or lax.min
 * with their identity as `initValue` (0, -Infinity, Infinity for floats) bind the
 * reduce_window_sum/max/min primitives; any other computation (or a list of operands and init
 * values, reduced together) binds the general reduce_window with the computation as a jaxpr.
 * `lax.reduceWindow(x, -Infinity, lax.max, [1, 1, 2, 2], [1, 1, 2, 2], "VALID")`,
 * `lax.reduceWindow(x, 1, lax.mul, [2])`.
 */
export function reduceWindow(
  operand: ArrayLike,
  initValue: ArrayLike,
  computation: (a: JaxArray, b: JaxArray) => JaxArray,
  windowDimensions: readonly number[],
  windowStrides?: readonly number[] | null,
  padding?: "SAME" | "VALID" | "SAME_LOWER" | readonly (readonly [number, number])[],
  baseDilation?: readonly number[] | null,
  windowDilation?: readonly number[] | null,
): JaxArray;
export function reduceWindow(
  operand: ArrayLike[],
  initValue: ArrayLike[],
  computation: (a: JaxArray[], b: JaxArray[]) => JaxArray[],
  windowDimensions: readonly number[],
  windowStrides?: readonly number[] | null,
  padding?: "SAME" | "VALID" | "SAME_LOWER" | readonly (readonly [number, number])[],
  baseDilation?: readonly number[] | null,
  windowDilation?: readonly number[] | null,
): JaxArray[];
export function reduceWindow(
  operand: ArrayLike | ArrayLike[],
  initValue: ArrayLike | ArrayLike[],
  computation: Computation,
  windowDimensions: readonly number[],
  windowStrides: readonly number[] | null = null,
  padding: "SAME" | "VALID" | "SAME_LOWER" | readonly (readonly [number, number])[] = "VALID",
  baseDilation: readonly number[] | null = null,
  windowDilation: readonly number[] | null = null,
): JaxArray | JaxArray[] {
  const multi = Array.isArray(operand);
  const ops = (multi ? (operand as ArrayLike[]) : [operand as ArrayLike]).map((x) => asArray(x));
  const rawInits = multi ? (initValue as ArrayLike[]) : [initValue as ArrayLike];
  if (multi !== Array.isArray(initValue)) throw new Error("Operands must have the same tree structure as init_values");
  if (rawInits.length !== ops.length) throw new Error(`Must have same total number of operands as init_values:  ${ops.length} vs. ${rawInits.length}`);
  if (ops.length === 0) throw new Error("reduce_window must have at least one operand.");
  const x = ops[0];
  const strides = windowStrides ?? ones(windowDimensions.length);
  let pads: Pads;
  if (typeof padding === "string") {
    const dilated = windowDilation === null ? windowDimensions : dilateShape(windowDimensions, windowDilation);
    pads = padtypeToPads(x.shape, dilated, strides, padding);
  } else pads = padding.map(([lo, hi]) => [lo, hi]);
  const q = { window_dimensions: [...windowDimensions], window_strides: [...strides], padding: pads, base_dilation: baseDilation ? [...baseDilation] : undefined, window_dilation: windowDilation ? [...windowDilation] : undefined };
  if (!multi) {
    const init = concreteScalar(rawInits[0]);
    const dtype: DType = x.dtype;
    if (init !== null && (typeof rawInits[0] !== "object" || rawInits[0].ndim === 0)) {
      if (computation === lax.add && init === 0) return reduceWindowSum(x, q);
      if (computation === lax.max && init === identityOf("max", dtype)) return reduceWindowMax(x, q);
      if (computation === lax.min && init === identityOf("min", dtype)) return reduceWindowMin(x, q);
    }
  }
  const inits = rawInits.map((v, i) => asArray(v, ops[i].dtype));
  const flat = multi ? (computation as (a: JaxArray[], b: JaxArray[]) => JaxArray[]) : (a: JaxArray[], b: JaxArray[]) => [(computation as (a: JaxArray, b: JaxArray) => JaxArray)(a[0], b[0])];
  const outs = reduceWindowGeneric(ops, inits, flat, windowParams(x, q));
  return multi ? outs : outs[0];
}
