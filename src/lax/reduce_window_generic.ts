// The general reduce_window primitive (JAX's reduce_window_p): windows of one or more operands
// reduced by any scalar computation, carried as a jaxpr (lax.reduceWindow uses it when the
// computation is not add/max/min with its identity). Rules as JAX's: jvp by reducing
// (primal, tangent) pairs with the computation's jvp; batching by a window of 1 on the batch
// axis; no transpose (JAX cannot linearize it either). Its kernel folds the windows element by
// element with the computation jitted and vmapped over all outputs at once, skipping padding and
// base-dilation holes as XLA does (the init value enters each window once).
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar, wrap } from "../array/array.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { ClosedJaxpr } from "../jaxpr/jaxpr.js";
import { pyParam } from "../jaxpr/npint.js";
import { Tracer, bind, bind1 } from "../tracer/core.js";
import { prim, tangentAval, zerosLike } from "../tracer/ad_util.js";
import { bdimAtFront } from "../tracer/batching.js";
import { evalClosed, jvpJaxpr } from "../tracer/call_rules.js";
import { traceToJaxpr } from "../tracer/jaxpr_trace.js";
import { jit } from "../tracer/jit.js";
import { vmap } from "../tracer/vmap.js";
import { definePrimitive } from "./primitive.js";
import { forEachWindow } from "./window_lowering.js";
import type { ReduceWindowParams } from "./windowed_reductions.js";

export type GenericParams = ReduceWindowParams & { jaxpr: ClosedJaxpr; consts: unknown[] };

/** Set by windowed_reductions.ts: its shape rule with JAX's error texts. */
let windowShapeRule: (x: ShapedArray, p: ReduceWindowParams) => number[] = () => {
  throw new Error("internal: reduce_window shape rule not set");
};
export const setWindowShapeRule = (f: typeof windowShapeRule): void => void (windowShapeRule = f);

const dtypeList = (avals: ShapedArray[]) => `[${avals.map((a) => `dtype('${a.dtype}')`).join(", ")}]`;

// The computation, jitted over vectors: (in window?, accumulators..., window elements...) ->
// accumulators, unchanged where the element is padding or a hole (XLA skips those).
const steps = new WeakMap<ClosedJaxpr, (...xs: JaxArray[]) => JaxArray[]>();
function stepOf(jaxpr: ClosedJaxpr): (...xs: JaxArray[]) => JaxArray[] {
  let f = steps.get(jaxpr);
  if (f === undefined) {
    const step = (valid: JaxArray, ...xs: JaxArray[]) => evalClosed(jaxpr, xs).map((y, i) => bind1(prim("select_n"), [valid, xs[i], y]));
    steps.set(jaxpr, (f = jit(vmap(step))));
  }
  return f;
}

export const reduce_window_p = definePrimitive({
  name: "reduce_window",
  abstractEval(avals, p: GenericParams) {
    const n = avals.length / 2;
    const [ops, inits] = [avals.slice(0, n), avals.slice(n)];
    if (ops.some((o, i) => o.dtype !== inits[i].dtype))
      throw new TypeError(`reduce_window got inconsistent dtypes for operands and init_values: got operand dtypes ${dtypeList(ops)} and init_value dtypes ${dtypeList(inits)}.`);
    if (inits.some((v) => v.ndim !== 0))
      throw new TypeError(`reduce_window expected init_values to be scalars but init_values have shapes [${inits.map((v) => pyShape(v.shape)).join(", ")}].`);
    const shape = windowShapeRule(ops[0], p);
    return ops.map((o) => new ShapedArray(shape, o.dtype, false));
  },
  impl(args, p, ctx) {
    const n = args.length / 2;
    const x0 = args[0];
    const outShape = ctx.outAvals[0].shape;
    const m = sizeOf(outShape);
    const k = sizeOf(p.window_dimensions);
    const size = sizeOf(x0.shape);
    // Where each window element of each output comes from (`size`: padding or a hole, skipped).
    const where = Array.from({ length: k }, () => new Int32Array(m));
    const valid = Array.from({ length: k }, () => new Uint8Array(m));
    forEachWindow(x0.shape, outShape, p, (o, offs) => {
      for (let j = 0; j < k; j++) {
        where[j][o] = offs[j] < 0 ? size : offs[j];
        valid[j][o] = offs[j] < 0 ? 0 : 1;
      }
    });
    const avals = ctx.inAvals;
    // Operand elements, then the init value at index `size` (where padding points).
    const flat = args.slice(0, n).map((x, i) => tf.tidy(() => tf.concat([tf.reshape(x, [-1]), tf.reshape(args[n + i], [1])])));
    let acc: JaxArray[] = args.slice(n).map((v, i) => wrap(tf.broadcastTo(v, [m]), avals[n + i].dtype));
    const step = stepOf(p.jaxpr);
    for (let j = 0; j < k; j++) {
      const idx = tf.tensor1d(where[j], "int32");
      const mask = wrap(tf.tensor1d(valid[j], "bool"), "bool");
      const slabs = flat.map((f, i) => wrap(tf.gather(f, idx), avals[i].dtype));
      const next = step(mask, ...acc, ...slabs);
      [mask, ...acc, ...slabs].forEach((a) => (a as ArrayImpl).dispose());
      idx.dispose();
      acc = next;
    }
    flat.forEach((f) => f.dispose());
    return acc.map((a) => {
      const t = tf.reshape((a as ArrayImpl).tensor, outShape as number[]);
      const out = t === (a as ArrayImpl).tensor ? tf.clone(t) : t;
      (a as ArrayImpl).dispose();
      return out;
    });
  },
  printParams: (p) =>
    Object.keys(p)
      .sort()
      .map((k): [string, unknown] => [k, k === "jaxpr" ? p.jaxpr : pyParam((p as never)[k])]),
});

/** Binds reduce_window for flat operands and init values with `computation` over flat lists. */
export function reduceWindowGeneric(operands: JaxArray[], inits: JaxArray[], computation: (xs: JaxArray[], ys: JaxArray[]) => JaxArray[], p: ReduceWindowParams): JaxArray[] {
  const n = operands.length;
  const avals = inits.map((v) => v.aval);
  const { jaxpr, consts } = traceToJaxpr((...xs) => computation(xs.slice(0, n), xs.slice(n)), [...avals, ...avals], "reduce_window comp");
  if (consts.some((c) => c instanceof Tracer))
    throw new Error("NotImplementedError: Reduction computations can't close over Tracers. Please open an issue at https://github.com/jax-ml/jax.");
  if (jaxpr.outvars.length !== n)
    throw new TypeError(`reduce_window output must have the same tree structure as the operands: ${n} operands, ${jaxpr.outvars.length} outputs`);
  const closed = new ClosedJaxpr(jaxpr, consts);
  return bind(reduce_window_p, [...operands, ...inits], { ...p, jaxpr: closed, consts: [] } satisfies GenericParams);
}

// jvp (JAX's reduce_window_jvp): the (primal, tangent) pairs reduced together by the
// computation's jvp; init values must have zero tangents.
reduce_window_p.jvp = (primals, tangents, p) => {
  const n = primals.length / 2;
  if (tangents.slice(n).some((t) => t !== null)) throw new TypeError("reduce_window jvp does not support non-zero init_value_tangent.");
  const ops = primals.slice(0, n);
  const inits = primals.slice(n);
  const tOps = tangents.slice(0, n).map((t, i) => t ?? zerosLike(tangentAval(ops[i].aval)));
  const tInits = inits.map((v) => scalar(0, v.dtype, v.weakType));
  const jvp = jvpJaxpr(p.jaxpr, new Array(2 * n).fill(true), true, "reduce_window jvp");
  const wrapper = (left: JaxArray[], right: JaxArray[]) => {
    const [pl, tl, pr, tr] = [left.slice(0, n), left.slice(n), right.slice(0, n), right.slice(n)];
    return evalClosed(jvp.closed, [...jvp.consts, ...pl, ...pr, ...tl, ...tr]);
  };
  const outs = reduceWindowGeneric([...ops, ...tOps], [...inits, ...tInits], wrapper, p);
  return [outs.slice(0, n), outs.slice(n)];
};

// vmap (JAX's _generic_reduce_window_batch_rule): operands' batch axes to the front, a window of 1 there.
reduce_window_p.batch = (args, dims, p, axis) => {
  const n = args.length / 2;
  if (dims.slice(n).some((d) => d !== null)) throw new Error("NotImplementedError: reduce_window batching is not implemented for initial values");
  const ops = args.slice(0, n).map((x, i) => bdimAtFront(x, dims[i], axis.size));
  const q: GenericParams = {
    ...p,
    window_dimensions: [1, ...p.window_dimensions],
    window_strides: [1, ...p.window_strides],
    padding: [[0, 0], ...p.padding],
    base_dilation: [1, ...p.base_dilation],
    window_dilation: [1, ...p.window_dilation],
  };
  const outs = bind(reduce_window_p, [...ops, ...args.slice(n)], q);
  return [outs, outs.map(() => 0)];
};
