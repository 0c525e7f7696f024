// jnp's implicit promotion: dtypes by JAX's lattice (weak types for JS numbers), then ranks by
// broadcast_in_dim, exactly as jax.numpy's promote_dtypes / promote_shapes do.
import { Array as JaxArray } from "../array/base.js";
import { type DType, type DTypeAndWeak, resultType } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";

/**
 * The (dtype, weak) a JS value contributes to promotion. Beside an array, an integer-valued
 * number acts as a Python int and any other number as a Python float; with no array around,
 * every number is a weak float32 (JS numbers are floats by convention, as in tfjs).
 */
function dtypeAndWeak(x: ArrayLike, anyArray: boolean): DTypeAndWeak {
  if (x instanceof JaxArray) return { dtype: x.dtype, weakType: x.weakType };
  if (typeof x === "boolean") return { dtype: "bool", weakType: false };
  if (typeof x !== "number") throw new TypeError(`Argument '${String(x)}' of type ${typeof x} is not a valid JAX type.`);
  return { dtype: anyArray && Number.isInteger(x) ? "int32" : "float32", weakType: true };
}

export function resultTypeOf(...xs: ArrayLike[]): DTypeAndWeak {
  const anyArray = xs.some((x) => x instanceof JaxArray);
  return resultType(...xs.map((x) => dtypeAndWeak(x, anyArray)));
}

/** Converts to a dtype as jnp does: literals are retyped, arrays get convert_element_type. */
export function convertTo(x: ArrayLike, dtype: DType, weakType: boolean): JaxArray {
  if (!(x instanceof JaxArray)) return lax.asArray(x, dtype, weakType);
  if (x.dtype === dtype && x.weakType === weakType) return x;
  return lax.convertElementType(x, dtype, weakType);
}

export function promoteDtypes(...xs: ArrayLike[]): JaxArray[] {
  if (xs.length === 1) {
    if (!(xs[0] instanceof JaxArray)) dtypeAndWeak(xs[0], false); // raises for a non-array, non-scalar
    return [lax.asArray(xs[0])];
  }
  const { dtype, weakType } = resultTypeOf(...xs);
  return xs.map((x) => convertTo(x, dtype, weakType));
}

/** numpy broadcasting of shapes; JAX's error text when they are incompatible. */
export function broadcastShapes(name: string, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const ds = shapes.map((s) => (i - (rank - s.length) >= 0 ? s[i - (rank - s.length)] : 1));
    const non1 = ds.filter((d) => d !== 1);
    if (non1.some((d) => d !== non1[0]))
      throw new TypeError(`${name} got incompatible shapes for broadcasting: ${shapes.map(pyShape).join(", ")}.`);
    out.push(non1.length ? non1[0] : 1);
  }
  return out;
}

/** Raises ranks with leading 1s where ranks differ (scalars are left to lax). */
export function promoteShapes(name: string, ...xs: JaxArray[]): JaxArray[] {
  const ranks = new Set(xs.map((x) => x.ndim).filter((r) => r > 0));
  if (xs.every((x) => x.ndim === xs[0].ndim) || ranks.size < 2) return xs;
  let rank: number;
  try {
    rank = broadcastShapes(name, ...xs.map((x) => x.shape)).length;
  } catch {
    // lax.broadcast_shapes raises a ValueError with this text (kept for backward compatibility in JAX).
    throw new RangeError(`Incompatible shapes for broadcasting: shapes=[${xs.map((x) => pyShape(x.shape)).join(", ")}]`);
  }
  return xs.map((x) => (x.ndim === rank ? x : lax.broadcast(x, new Array(rank - x.ndim).fill(1))));
}

/** Promotion then rank broadcasting: what every jnp binary ufunc does first. */
export function promoteArgs(name: string, ...xs: ArrayLike[]): JaxArray[] {
  return promoteShapes(name, ...promoteDtypes(...xs));
}

/** Broadcasts each array to the common shape (jnp's _broadcast_arrays). */
export function broadcastArrays(name: string, ...xs: JaxArray[]): JaxArray[] {
  const shape = broadcastShapes(name, ...xs.map((x) => x.shape));
  return xs.map((x) => broadcastTo(x, shape));
}

export function broadcastTo(x: JaxArray, shape: readonly number[]): JaxArray {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  const lead = shape.length - x.ndim;
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[lead + i]))
    throw new TypeError(`Incompatible shapes for broadcasting: ${pyShape(x.shape)} and requested shape ${pyShape(shape)}`);
  // Size-1 dims that grow are squeezed out of broadcast_dimensions, as jnp's _broadcast_to does.
  const grow = x.shape.flatMap((d, i) => (d === shape[lead + i] ? [] : [i]));
  const dims = x.shape.map((_, i) => lead + i).filter((_, i) => !grow.includes(i));
  return lax.broadcastInDim(lax.squeeze(x, grow), shape, dims);
}
