// Defining primitives: one record per primitive, collected in a registry that the generic
// test harness walks (a primitive without a rule fails a test rather than a user).
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isFloat, isInteger, isSignedInt } from "../dtypes.js";
import { ShapedArray, pyShape } from "../jaxpr/aval.js";
import type { Params, Primitive } from "../jaxpr/jaxpr.js";
import { tensorFrom } from "../array/array.js";

/** Every primitive by name (`add`, `dot_general`, `random_bits`, ...): the registry the test harness walks. */
export const primitives = new Map<string, Primitive>();

export function definePrimitive<P extends Params>(p: Primitive<P>): Primitive<P> {
  if (primitives.has(p.name)) throw new Error(`primitive ${p.name} defined twice`);
  primitives.set(p.name, p as Primitive);
  return p;
}

/**
 * A set of accepted dtypes, with the names lax's errors print for it (JAX iterates a Python
 * set of numpy types, so the order is fixed by that set, not alphabetical).
 */
export interface DtypeSet {
  names: string;
  has(d: DType): boolean;
}
const dset = (names: string, has: (d: DType) => boolean): DtypeSet => ({ names, has });
export const FC = dset("floating, complexfloating", isFloat);
export const F = dset("floating", isFloat);
export const I = dset("integer", isInteger);
export const NUM = dset("integer, floating, complexfloating", (d) => d !== "bool");
export const IF = dset("integer, floating", (d) => d !== "bool");
export const ANY = dset("integer, bool, floating, complexfloating", () => true);
export const ORD = dset("integer, floating, bool", () => true);
export const BI = dset("integer, bool", (d) => !isFloat(d));
export const ABS = dset("floating, complexfloating, signedinteger", (d) => isFloat(d) || isSignedInt(d));
export const NUMBER = dset("number", (d) => d !== "bool");

/** lax's unop dtype rule: `sin does not accept dtype int32. Accepted dtypes are subtypes of ...` */
export function checkUnaryDtype(name: string, a: ShapedArray, accepted: DtypeSet): void {
  if (!accepted.has(a.dtype)) throw new TypeError(`${name} does not accept dtype ${a.dtype}. Accepted dtypes are subtypes of ${accepted.names}.`);
}

/** lax's naryop dtype rule, checked per position before the same-dtype rule. */
export function checkDtypes(name: string, avals: ShapedArray[], accepted: DtypeSet[]): void {
  avals.forEach((a, i) => {
    const acc = accepted[Math.min(i, accepted.length - 1)];
    if (!acc.has(a.dtype))
      throw new TypeError(`${name} does not accept dtype ${a.dtype} at position ${i}. Accepted dtypes at position ${i} are subtypes of ${acc.names}.`);
  });
}

/** `lax.add requires arguments to have the same dtypes, got float32, int32.` */
export function checkSameDtypes(name: string, avals: ShapedArray[], jnpName?: string): void {
  if (avals.every((a) => a.dtype === avals[0].dtype)) return;
  let msg = `lax.${name} requires arguments to have the same dtypes, got ${avals.map((a) => a.dtype).join(", ")}.`;
  if (jnpName) msg += ` (Tip: jnp.${jnpName} is a similar function that does automatic type promotion on inputs).`;
  throw new TypeError(msg);
}

/** lax's broadcasting rule: rank-0 operands broadcast; others need equal rank and sizes (or 1). */
export function broadcastingShape(name: string, avals: ShapedArray[]): number[] {
  const shapes = avals.map((a) => a.shape).filter((s) => s.length > 0);
  if (shapes.length === 0) return [];
  const ranks = new Set(shapes.map((s) => s.length));
  if (ranks.size !== 1) throw new TypeError(`${name}: arrays must have the same number of dimensions, got {${[...ranks].sort().join(", ")}}`);
  return shapes[0].map((_, i) => {
    const ds = shapes.map((s) => s[i]);
    const non1 = ds.filter((d) => d !== 1);
    if (non1.length === 0) return 1;
    if (non1.every((d) => d === non1[0])) return non1[0];
    throw new TypeError(`${name} got incompatible shapes for broadcasting: ${shapes.map(pyShape).join(", ")}.`);
  });
}

/** Typed views of a tensor's data with JAX's meaning (uint32 from its int32 bits). */
export function hostData(t: tf.Tensor, dtype: DType): Float32Array | Int32Array | Uint32Array | Uint8Array {
  const v = t.dataSync() as Float32Array | Int32Array | Uint8Array;
  return dtype === "uint32" ? new Uint32Array(v.buffer, v.byteOffset, v.length) : v;
}

/**
 * An elementwise kernel computed on the host, for what tfjs lacks (uint32 logic, shifts,
 * integer division, exact conversions). Operands are broadcast to `shape` first.
 */
export function hostElementwise(
  args: tf.Tensor[],
  dtypes: DType[],
  shape: readonly number[],
  outDtype: DType,
  fn: (...xs: number[]) => number,
): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const datas = args.map((t, i) => {
    const b = t.shape.length === shape.length && t.shape.every((d, j) => d === shape[j]) ? t : tf.broadcastTo(t, shape as number[]);
    const d = hostData(b, dtypes[i]);
    if (b !== t) b.dispose();
    return d;
  });
  // Results go straight into the storage type: typed-array stores do the wrap-around (uint32,
  // int32) and rounding (float32) that tensorFrom would, without a second copy.
  const out = outDtype === "uint32" ? new Uint32Array(n) : outDtype === "float32" ? new Float32Array(n) : outDtype === "bool" ? new Uint8Array(n) : new Int32Array(n);
  const at = (d: ArrayLike<number>, i: number) => (d.length === 1 ? d[0] : d[i]);
  if (datas.length === 1) {
    const [a] = datas;
    for (let i = 0; i < n; i++) out[i] = fn(at(a, i));
  } else if (datas.length === 2) {
    const [a, b] = datas;
    for (let i = 0; i < n; i++) out[i] = fn(at(a, i), at(b, i));
  } else {
    const xs = new Array<number>(datas.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < datas.length; k++) xs[k] = at(datas[k], i);
      out[i] = fn(...xs);
    }
  }
  if (outDtype === "bool") for (let i = 0; i < n; i++) out[i] = out[i] ? 1 : 0;
  if (outDtype === "uint32") return tf.tensor(new Int32Array(out.buffer), shape as number[], "int32");
  if (outDtype === "float32" || outDtype === "bool" || outDtype === "int32") return tf.tensor(out, shape as number[], outDtype);
  return tensorFrom(out, shape, outDtype);
}

export const sameAval = (a: ShapedArray): ShapedArray[] => [a];
