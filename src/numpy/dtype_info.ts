// jnp's scalar types, constants and dtype queries: `jnp.float32` and friends are the dtype names
// (pass them wherever a dtype is asked for), `finfo`/`iinfo` describe a type's values, and
// `promoteTypes` is JAX's promotion lattice for two strong types.
import { Array as JaxArray } from "../array/base.js";
import { type DType, checkDtype, isFloat, isInteger, isUnsigned, resultType } from "../dtypes.js";

// Only the dtypes tfjax stores (no float16/float64: tfjs has no such tensors; JAX without x64
// makes float64 arrays float32 anyway).
export const float32 = "float32" as const;
export const int32 = "int32" as const;
export const uint32 = "uint32" as const;
export const uint16 = "uint16" as const;
export const uint8 = "uint8" as const;
// `bool` is the dtype's name in jnp, so the export is renamed from a reserved-looking local.
const bool_ = "bool" as const;
export { bool_ as bool, bool_ };

export const pi = Math.PI;
export const e = Math.E;
export const inf = Infinity;
export const nan = NaN;
export const eulerGamma = 0.5772156649015329;
export const newaxis = null;

const dtypeOf = (t: DType | JaxArray, where: string): DType => (t instanceof JaxArray ? t.dtype : checkDtype(t, where));

/** Machine limits of a float dtype (numpy.finfo's fields, as JS numbers). */
export interface FInfo {
  dtype: DType;
  bits: number;
  eps: number;
  epsneg: number;
  max: number;
  min: number;
  tiny: number;
  smallest_normal: number;
  smallest_subnormal: number;
  resolution: number;
  precision: number;
  nmant: number;
  nexp: number;
  maxexp: number;
  minexp: number;
  machep: number;
  negep: number;
  iexp: number;
}

function floatInfo(dtype: DType, bits: number, nmant: number, nexp: number, precision: number): FInfo {
  const maxexp = 2 ** (nexp - 1);
  const minexp = 3 - maxexp - 1;
  const max = (2 - 2 ** -nmant) * 2 ** (maxexp - 1);
  return {
    dtype, bits, nmant, nexp, precision, maxexp, minexp, max, min: -max,
    eps: 2 ** -nmant, epsneg: 2 ** -(nmant + 1), machep: -nmant, negep: -(nmant + 1), iexp: nexp,
    tiny: 2 ** minexp, smallest_normal: 2 ** minexp, smallest_subnormal: 2 ** (minexp - nmant),
    resolution: 10 ** -precision,
  };
}

/** `finfo("float32").eps` is 2^-23: the limits of a float dtype (or of an array's dtype). */
export function finfo(dtype: DType | JaxArray): FInfo {
  const d = dtypeOf(dtype, "finfo");
  if (d === "float32") return floatInfo(d, 32, 23, 8, 6);
  if (d === "float16") return floatInfo(d, 16, 10, 5, 3);
  throw new TypeError(`data type ${JSON.stringify(d)} not inexact`);
}

/** The limits of an integer dtype: `iinfo("int32").max` is 2147483647. */
export interface IInfo {
  dtype: DType;
  bits: number;
  min: number;
  max: number;
  kind: "i" | "u";
}

export function iinfo(dtype: DType | JaxArray): IInfo {
  const d = dtypeOf(dtype, "iinfo");
  if (!isInteger(d)) throw new TypeError(`Invalid integer data type ${JSON.stringify(d)}.`);
  const bits = d.endsWith("8") ? 8 : d.endsWith("16") ? 16 : 32;
  return isUnsigned(d) ? { dtype: d, bits, min: 0, max: 2 ** bits - 1, kind: "u" } : { dtype: d, bits, min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1, kind: "i" };
}

/** The dtype both promote to, by JAX's lattice (strong types; 64-bit results canonicalized to 32). */
export function promoteTypes(a: DType, b: DType): DType {
  return resultType({ dtype: checkDtype(a, "promote_types"), weakType: false }, { dtype: checkDtype(b, "promote_types"), weakType: false }).dtype;
}

/** Whether `dtype` belongs to `kind`: "bool", "signed integer", "unsigned integer", "integral", "real floating", "numeric". */
export function isdtype(dtype: DType, kind: string | string[]): boolean {
  const kinds = typeof kind === "string" ? [kind] : kind;
  return kinds.some((k) =>
    k === "bool" ? dtype === "bool"
    : k === "signed integer" ? isInteger(dtype) && !isUnsigned(dtype)
    : k === "unsigned integer" ? isUnsigned(dtype)
    : k === "integral" ? isInteger(dtype)
    : k === "real floating" ? isFloat(dtype)
    : k === "numeric" ? dtype !== "bool"
    : k === dtype,
  );
}

/** True for JS numbers and booleans and for 0-d arrays (what numpy treats as scalars). */
export const isscalar = (x: unknown): boolean => typeof x === "number" || typeof x === "boolean" || (x instanceof JaxArray && x.ndim === 0);

type Shaped = JaxArray | number | boolean;
const shapeOf = (x: Shaped): readonly number[] => (x instanceof JaxArray ? x.shape : []);
/** The number of dimensions of an array (0 for a JS number). */
export const ndim = (x: Shaped): number => shapeOf(x).length;
/** The shape of an array (`[]` for a JS number). */
export const shape = (x: Shaped): number[] => [...shapeOf(x)];
/** The number of elements (along `axis` if given). */
export const size = (x: Shaped, axis?: number): number => {
  const s = shapeOf(x);
  if (axis === undefined) return s.reduce((n, d) => n * d, 1);
  return s[axis < 0 ? axis + s.length : axis];
};
