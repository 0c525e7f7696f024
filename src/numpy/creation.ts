// Array creation: jnp.array, zeros, ones, full, arange, linspace, eye.
import * as tf from "@tensorflow/tfjs-core";
import { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, tensorFrom, wrap } from "../array/array.js";
import { type DType, canonicalizeDtype } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import { ValueError } from "../errors.js";
import { ensureBackend } from "../backends/backend.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike as ArrayLikeValue } from "../lax/lax.js";
import { convertTo } from "./promote.js";
import { pyScalars } from "./math.js";
import { jit } from "../tracer/jit.js";

export interface DtypeOpt {
  dtype?: DType;
}

type Nested = number | boolean | JaxArray | Nested[] | ArrayLikeValue[] | Float32Array | Int32Array | Uint32Array | Uint8Array;

function inferDtype(x: unknown): DType {
  if (x instanceof Int32Array) return "int32";
  if (x instanceof Uint32Array) return "uint32";
  if (x instanceof Uint8Array) return "bool";
  if (x instanceof Float32Array) return "float32";
  if (typeof x === "boolean") return "bool";
  if (Array.isArray(x) && x.length > 0) {
    const ds = x.map(inferDtype);
    return ds.every((d) => d === "bool") ? "bool" : ds.includes("float32") ? "float32" : ds.find((d) => d !== "bool") ?? "float32";
  }
  if (x instanceof JaxArray) return x.dtype;
  return "float32";
}

function shapeOf(x: unknown, where: string): number[] {
  if (ArrayBuffer.isView(x)) return [(x as Float32Array).length];
  if (x instanceof JaxArray) return [...x.shape];
  if (!Array.isArray(x)) return [];
  if (x.length === 0) return [0];
  const inner = shapeOf(x[0], where);
  for (const y of x)
    if (shapeOf(y, where).join() !== inner.join())
      throw new TypeError(`${where}: setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions.`);
  return [x.length, ...inner];
}

const containsArray = (x: unknown): boolean => x instanceof JaxArray || (Array.isArray(x) && x.some(containsArray));

/**
 * An array from nested JS arrays, typed arrays, numbers or booleans (copied, never shared).
 * Numbers make float32 (as in tfjs); `Int32Array`/`Uint32Array` or `{ dtype }` make integers.
 * `jnp.array([[1, 2], [3, 4]], { dtype: "int32" })`
 */
export function array(values: Nested, opts: DtypeOpt = {}): JaxArray {
  if (typeof values === "string")
    throw new TypeError(`Value '${values}' with dtype <U${(values as string).length} is not a valid JAX array type. Only arrays of numeric types are supported by JAX.`);
  const dtype = opts.dtype ? canonicalizeDtype(opts.dtype, "array") : inferDtype(values);
  if (values instanceof JaxArray) return values.dtype === dtype && !values.weakType ? copy(values) : convertTo(values, dtype, false);
  if (typeof values === "number" || typeof values === "boolean") {
    // A 0-d array from a JS scalar traces as a literal, as a numpy scalar does in JAX.
    const v = lax.castScalar(values, dtype);
    return new ArrayImpl(tf.keep(tensorFrom([v as number], [], dtype)), new ShapedArray([], dtype, false), v);
  }
  if (containsArray(values)) {
    // Traced or concrete arrays inside a list: stack them.
    const items = (values as ArrayLikeValue[]).map((v) => array(v as Nested, { dtype }));
    return lax.concatenate(
      items.map((v) => lax.broadcast(v, [1])),
      0,
    );
  }
  const shape = shapeOf(values, "array");
  const flat = ArrayBuffer.isView(values) ? (values as unknown as ArrayLike<number>) : (values as unknown[]).flat?.(Infinity) ?? [values];
  ensureBackend();
  return new ArrayImpl(tf.keep(tensorFrom(flat as ArrayLike<number>, shape, dtype)), new ShapedArray(shape, dtype, false));
}

function copy(x: JaxArray): JaxArray {
  return x instanceof ArrayImpl ? wrap(tf.clone(x.tensor), x.dtype, false) : lax.copy(x);
}

/** Converts without copying where possible; a tf.Tensor is wrapped (as its own clone). */
export function asarray(values: Nested | tf.Tensor, opts: DtypeOpt = {}): JaxArray {
  if (values instanceof tf.Tensor) {
    const dt = values.dtype === "float32" || values.dtype === "int32" || values.dtype === "bool" ? values.dtype : undefined;
    if (!dt) throw new TypeError(`asarray: tf.Tensor of dtype ${values.dtype} is not supported`);
    ensureBackend();
    const a = wrap(tf.clone(values), dt);
    return opts.dtype && opts.dtype !== dt ? convertTo(a, opts.dtype, false) : a;
  }
  if (values instanceof JaxArray && (!opts.dtype || opts.dtype === values.dtype)) return values;
  return array(values as Nested, opts);
}

const checkShape = (shape: number | readonly number[], where: string): number[] => {
  const s = typeof shape === "number" ? [shape] : [...shape];
  // JAX's texts (from canonicalize_shape and broadcast_in_dim), naming the function.
  if (!s.every(Number.isInteger)) throw new TypeError(`${where}: Shapes must be 1D sequences of concrete values of integer type, got ${pyShape(s)}.`);
  if (s.some((d) => d < 0)) throw new TypeError(`${where}: broadcast_in_dim shape must have every element be nonnegative, got ${pyShape(s)}.`);
  return s;
};

/** An array of `shape` filled with `fillValue` (a broadcast literal, as in JAX). */
export function full(shape: number | readonly number[], fillValue: ArrayLikeValue, opts: DtypeOpt = {}): JaxArray {
  const s = checkShape(shape, "full");
  const dtype = opts.dtype ? canonicalizeDtype(opts.dtype, "full") : (fillValue instanceof JaxArray ? fillValue.dtype : typeof fillValue === "boolean" ? "bool" : "float32");
  const v = fillValue instanceof JaxArray ? convertTo(fillValue, dtype, false) : lax.asArray(fillValue, dtype, false);
  return lax.broadcastInDim(v, s, v.shape.map((_, i) => s.length - v.ndim + i));
}
export const zeros = (shape: number | readonly number[], opts: DtypeOpt = {}): JaxArray => full(shape, 0, opts);
export const ones = (shape: number | readonly number[], opts: DtypeOpt = {}): JaxArray => full(shape, 1, opts);
export const zerosLike = (x: JaxArray, opts: DtypeOpt = {}): JaxArray => full(x.shape, 0, { dtype: opts.dtype ?? x.dtype });
export const onesLike = (x: JaxArray, opts: DtypeOpt = {}): JaxArray => full(x.shape, 1, { dtype: opts.dtype ?? x.dtype });
export const fullLike = (x: JaxArray, v: ArrayLikeValue, opts: DtypeOpt = {}): JaxArray => full(x.shape, v, { dtype: opts.dtype ?? x.dtype });

/**
 * `arange(stop)`, `arange(start, stop, step)`: float32 unless `{ dtype }` says otherwise
 * (JS numbers are floats). Values are computed now, as JAX does for static bounds.
 */
export function arange(start: number, stop?: number, step = 1, opts: DtypeOpt = {}): JaxArray {
  if (stop === undefined) [start, stop] = [0, start];
  for (const v of [start, stop, step]) if (typeof v !== "number") throw new TypeError("arange: start, stop and step must be JS numbers (static values)");
  if (step === 0) throw new RangeError("arange: step must not be zero");
  const dtype = opts.dtype ?? "float32";
  // As JAX: an iota, scaled and shifted only when step and start ask for it.
  if (step !== 1) {
    const n = Math.max(0, Math.ceil((stop - start) / step));
    return lax.add(lax.asArray(start, dtype, false), lax.mul(lax.asArray(step, dtype, false), lax.iota(dtype, n)));
  }
  const n = Math.max(0, Math.ceil(stop - start));
  const iota = lax.iota(dtype, n);
  return start === 0 ? iota : lax.add(lax.asArray(start, dtype, false), iota);
}

// JAX's _linspace, equation for equation: interpolation that recovers both endpoints in float32.
const linspaceJit = jit(
  function _linspace(start: JaxArray, stop: JaxArray, num: number, endpoint: boolean, dtype: DType) {
    const a = convertTo(start, "float32", false);
    const b = convertTo(stop, "float32", false);
    const div = endpoint ? num - 1 : num;
    if (num === 0) return full([0], 0, { dtype });
    if (num === 1) return convertTo(lax.reshape(a, [1]), dtype, false);
    lax.div(lax.sub(b, a), array(div, { dtype: "float32" })); // delta: unused, as in JAX without retstep
    const step = lax.div(lax.iota("float32", div), array(div, { dtype: "float32" }));
    let out = lax.add(lax.mul(lax.reshape(a, [1]), lax.sub(lax.asArray(1, "float32", false), step)), lax.mul(lax.reshape(b, [1]), step));
    if (endpoint) out = lax.concatenate([out, lax.expandDims(b, [0])], 0);
    return convertTo(out, dtype, false);
  },
  { staticArgnums: [2, 3, 4] },
);

/** `num` evenly spaced values from start to stop (inclusive unless `endpoint: false`). */
export function linspace(start: ArrayLikeValue, stop: ArrayLikeValue, num = 50, opts: DtypeOpt & { endpoint?: boolean } = {}): JaxArray {
  if (!Number.isInteger(num) || num < 0) throw new RangeError(`Number of samples, ${num}, must be non-negative.`);
  const [a, b] = pyScalars(start, stop) as JaxArray[];
  if (a.ndim !== 0 || b.ndim !== 0) throw new TypeError("linspace: start and stop must be scalars");
  return linspaceJit(a, b, num, opts.endpoint ?? true, opts.dtype ?? "float32");
}

/** The identity matrix (or an `n x m` one with ones on diagonal `k`), built from iotas as in JAX. */
export function eye(n: number, m: number = n, k = 0, opts: DtypeOpt = {}): JaxArray {
  if (!(n >= 0 && m >= 0)) throw new ValueError(`negative dimensions are not allowed, got ${n} and ${m}`);
  const i = lax.broadcastedIota("int32", [n, m], 0);
  const j = lax.broadcastedIota("int32", [n, m], 1);
  return convertTo(lax.eq(lax.add(i, lax.asArray(k, "int32", false)), j), opts.dtype ?? "float32", false);
}
