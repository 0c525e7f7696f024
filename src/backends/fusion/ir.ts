// The fused-kernel IR: a maximal chain of elementwise primitives, as an SSA list of scalar
// operations evaluated once per output element. Code generators (JS loop, wasm SIMD, GLSL)
// read only this, never jaxprs.
import type { SumOrder } from "./sum_order.js";

export type UnaryFn =
  | "neg" | "abs" | "sign" | "floor" | "ceil" | "round_even" | "round_away"
  | "exp" | "exp2" | "log" | "log1p" | "expm1" | "sin" | "cos" | "tan" | "tanh"
  | "logistic" | "sqrt" | "rsqrt" | "square" | "not" | "is_finite" | "erf_inv";
export type BinaryFn =
  | "add" | "sub" | "mul" | "div" | "max" | "min" | "pow" | "atan2"
  | "and" | "or" | "xor" | "shift_left" | "shift_right_logical" | "shift_right_arithmetic";
export type CompareFn = "eq" | "ne" | "lt" | "le" | "gt" | "ge";
/** Element types inside a kernel; uint32 is computed as u32, stored as i32 bits. */
export type ScalarType = "f32" | "i32" | "u32" | "bool";

export type Node =
  /** Element `i` of input `index`, read through its broadcast (see Input). */
  | { op: "input"; index: number; type: ScalarType }
  | { op: "const"; value: number; type: ScalarType }
  | { op: "unary"; fn: UnaryFn; a: number; type: ScalarType }
  | { op: "binary"; fn: BinaryFn; a: number; b: number; type: ScalarType }
  | { op: "compare"; fn: CompareFn; a: number; b: number; type: "bool"; operandType: ScalarType }
  /** `c ? t : f` (select_n with a boolean `which`). */
  | { op: "select"; c: number; t: number; f: number; type: ScalarType }
  | { op: "convert"; a: number; type: ScalarType; from: ScalarType }
  /** a*b + c rounded once (a fused multiply-add; see plan.ts contractUniformScale). */
  | { op: "fma"; a: number; b: number; c: number; type: "f32" }
  /** x ** y for a static integer y, by repeated multiplication (XLA's rounding). */
  | { op: "integer_pow"; a: number; y: number; type: ScalarType }
  /** The same 32 bits read as another type (f32, i32, u32). */
  | { op: "bitcast"; a: number; type: ScalarType; from: ScalarType }
  /**
   * `random_bits[bit_width=32]` of the key in input `key` (a key input, see Input), computed in
   * the kernel from the element's row-major index: the threefry2x32 words of JAX's
   * `jax_threefry_partitionable` stream, or of the legacy stream, which hashes the pairs
   * (j, j + ceil(size/2)) of iota(size) and so needs the element count `size` (0 when partitionable,
   * so partitionable kernels do not depend on the shape).
   */
  | { op: "random_bits"; key: number; partitionable: boolean; size: number; type: "u32" };

/**
 * How an input maps onto the output's iteration space: `strides[d]` is the input's element
 * stride along output dimension d (0 where the input is broadcast). A same-shape input has
 * the output's own row-major strides; a scalar has all zeros.
 */
export interface Input {
  shape: number[];
  strides: number[];
  type: ScalarType;
  /**
   * A PRNG key (key<fry>[], stored as two uint32 words): read once as two scalars by the
   * random_bits nodes, never per element (strides are all 0). On WebGL its words become uniforms
   * read on the host, so they never pass through a float texture.
   */
  key?: true;
}

export interface FusedProgram {
  /** Output iteration space (every output has this shape). */
  shape: number[];
  inputs: Input[];
  /** SSA: each node refers only to earlier nodes by index. */
  nodes: Node[];
  /** Node indices of the kernel's outputs. */
  outputs: number[];
  /**
   * Optional epilogue: a sum over these output dims of the single output, in XLA CPU's `order`
   * where tfjax knows it (sum_order.ts), else the backend's own.
   */
  reduceSum?: { axes: number[]; order?: SumOrder };
}

/** JSON that keeps apart the constants JSON cannot spell (inf, -inf and NaN are all `null`; -0 is `0`). */
export const keyJson = (x: unknown): string =>
  JSON.stringify(x, (_k, v) => (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? `#${Object.is(v, -0) ? "-0" : v}` : v));

/** A stable text for a program: the cache key of generated code (and GLSL shader text). */
export function programKey(p: FusedProgram): string {
  return keyJson([p.shape, p.inputs.map((i) => [i.strides, i.type, i.key ?? false]), p.nodes, p.outputs, p.reduceSum ?? null]);
}

/** True when every input is either the full output shape (contiguous) or a scalar. */
export const isSimpleIndexing = (p: FusedProgram): boolean => {
  const full = rowMajorStrides(p.shape);
  return p.inputs.every((i) => i.strides.every((s) => s === 0) || i.strides.every((s, d) => s === full[d] || p.shape[d] === 1));
};

/** Whether some node draws random bits (such kernels follow jax_threefry_partitionable at run time). */
export const hasRandomBits = (p: FusedProgram): boolean => p.nodes.some((n) => n.op === "random_bits");

export function rowMajorStrides(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = s;
    s *= shape[d];
  }
  return out;
}
