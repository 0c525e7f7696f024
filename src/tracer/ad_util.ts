// The vocabulary primitive rules are written in (JAX's ad_util and the defjvp/deflinear
// helpers of ad.py): symbolic zeros, add_any, instantiating and unbroadcasting cotangents.
// Rules live next to their primitive's definition and register through these functions.
// Primitives of other files are looked up by name, so this module imports no lax file.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { ShapedArray } from "../jaxpr/aval.js";
import { type MaybeZero, type Params, type Primitive, UndefinedPrimal } from "../jaxpr/jaxpr.js";
import { definePrimitive, primitives } from "../lax/primitive.js";
import { bind, bind1 } from "./core.js";

export { UndefinedPrimal, type MaybeZero };

export const isUndefined = (x: unknown): x is UndefinedPrimal => x instanceof UndefinedPrimal;

/** A primitive of another file, by name (resolved at rule time, when every file is loaded). */
export function prim(name: string): Primitive {
  const p = primitives.get(name);
  if (!p) throw new Error(`internal: no primitive named ${name}`);
  return p;
}

/** The tangent type of a primal type (JAX's to_tangent_aval): the same for floats, weak type included. */
export const tangentAval = (a: ShapedArray): ShapedArray => a;

/** Sums tangents (JAX's add_tangents, which binds add_any). */
export const add_any_p = definePrimitive({
  name: "add_any",
  abstractEval: ([x]) => [x],
  impl: ([x, y]) => [tf.add(x, y)],
});

export function addAny(x: MaybeZero, y: MaybeZero): MaybeZero {
  if (x === null) return y;
  if (y === null) return x;
  return bind1(add_any_p, [x, y]);
}

/** Zeros of a type: a literal for scalars, broadcast_in_dim of one otherwise (zeros_like_aval). */
export function zerosLike(aval: ShapedArray): JaxArray {
  const zero = scalar(aval.dtype === "bool" ? false : 0, aval.dtype, aval.weakType);
  if (aval.ndim === 0) return zero;
  return bind1(prim("broadcast_in_dim"), [zero], { shape: [...aval.shape], broadcast_dimensions: [], sharding: null });
}

export const instantiate = (t: MaybeZero, aval: ShapedArray): JaxArray => t ?? zerosLike(aval);

/**
 * Sums a cotangent down to the shape of the operand it flowed from, where lax broadcast a
 * rank-0 or size-1 operand (JAX's _unbroadcast).
 */
export function unbroadcast(aval: ShapedArray, x: JaxArray): JaxArray {
  const xs = x.shape;
  if (xs.length === aval.ndim && xs.every((d, i) => d === aval.shape[i])) return x;
  if (aval.ndim === 0) return bind1(prim("reduce_sum"), [x], { axes: xs.map((_, i) => i), out_sharding: null });
  const dims = xs.flatMap((d, i) => (d !== aval.shape[i] ? [i] : []));
  const summed = bind1(prim("reduce_sum"), [x], { axes: dims, out_sharding: null });
  return bind1(prim("reshape"), [summed], { new_sizes: [...aval.shape], dimensions: null, sharding: null });
}

// ---- registering rules ----------------------------------------------------------------------

/** One input's tangent contribution; null for a symbolic zero (JAX rules may return Zero). */
type JvpPart<P> = (g: JaxArray, primals: JaxArray[], params: P) => MaybeZero;

/**
 * JAX's defjvp: the primal is the primitive itself; each input's tangent contribution is its
 * own rule (null for inputs that are not differentiable), and the contributions are summed.
 */
export function defjvp<P extends Params>(p: Primitive<P>, ...parts: (JvpPart<P> | null)[]): void {
  p.jvp = (primals, tangents, params) => {
    const out = bind(p, primals, params);
    let t: MaybeZero = null;
    tangents.forEach((g, i) => {
      if (g !== null && parts[i]) t = addAny(t, parts[i]!(g, primals, params));
    });
    return [out, [t]];
  };
}

/** JAX's defjvp2: tangent rules that also see the primal output (`exp`: g * ans). */
export function defjvp2<P extends Params>(p: Primitive<P>, ...parts: (((g: JaxArray, ans: JaxArray, primals: JaxArray[], params: P) => MaybeZero) | null)[]): void {
  p.jvp = (primals, tangents, params) => {
    const out = bind(p, primals, params);
    let t: MaybeZero = null;
    tangents.forEach((g, i) => {
      if (g !== null && parts[i]) t = addAny(t, parts[i]!(g, out[0], primals, params));
    });
    return [out, [t]];
  };
}

/** Outputs with no derivative (integer results, comparisons): the tangents are symbolic zeros. */
export function defZeroJvp(p: Primitive): void {
  p.jvp = (primals, _tangents, params) => {
    const out = bind(p, primals, params);
    return [out, out.map(() => null)];
  };
}

/**
 * A primitive linear in all its inputs (neg, reduce_sum, reshape, ...): its jvp applies it to
 * the tangents, and `transpose(ct, params, argAvals)` maps an output cotangent to its inputs'.
 */
export function deflinear<P extends Params>(
  p: Primitive<P>,
  transpose: (ct: JaxArray, params: P, args: (JaxArray | UndefinedPrimal)[]) => MaybeZero[],
): void {
  p.jvp = (primals, tangents, params) => {
    const out = bind(p, primals, params);
    if (tangents.every((t) => t === null)) return [out, out.map(() => null)];
    const ts = tangents.map((t, i) => instantiate(t, tangentAval(primals[i].aval)));
    return [out, bind(p, ts, params)];
  };
  p.transpose = ([ct], args, params) => (ct === null ? args.map(() => null) : transpose(ct, params, args));
}

// add_any is linear: its cotangent flows to both operands unchanged.
deflinear(add_any_p, (ct) => [ct, ct]);

/** The type of an argument seen by a transpose rule, defined or not. */
export const avalOf = (x: JaxArray | UndefinedPrimal): ShapedArray => x.aval;
