// The public `Array` type: what concrete arrays and tracers have in common.
import type { Tensor } from "@tensorflow/tfjs-core";
import type { DType } from "../dtypes.js";
import type { Shape, ShapedArray } from "../jaxpr/aval.js";

/**
 * A JAX array: concrete (`ArrayImpl`, backed by a tf.Tensor) or traced (`Tracer`, inside
 * `jit`/`makeJaxpr`). Fluent methods such as `x.add(y).sum()` are installed by `numpy`.
 * Reading values or freeing memory needs a concrete array: on a tracer these methods raise
 * `ConcretizationTypeError`, as JAX's do. `const v = jnp.sum(x).item()`.
 */
export abstract class Array {
  abstract get aval(): ShapedArray;

  /** The value of a size-1 array as a JS number (a boolean for bool). */
  abstract item(): number | boolean;
  /** Nested JS arrays of numbers (booleans for bool), as numpy's `tolist()`. */
  abstract tolist(): unknown;
  /** Flat values in row-major order as a typed array (Uint32Array for uint32 and key words, Uint8Array for bool). */
  abstract dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array;
  /** `dataSync()` without blocking: waits for the backend (WebGL) to download the values. */
  abstract data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array>;
  /** A tf.Tensor the caller owns (uint32 comes back as its int32 bits). */
  abstract toTensor(): Tensor;
  /** Frees the memory now rather than at garbage collection (JAX's `delete()`). Idempotent. */
  abstract dispose(): void;
  /** `using x = jnp.zeros([3])` disposes `x` at the end of the block. */
  abstract [Symbol.dispose](): void;
  /** True once disposed or donated (JAX's `is_deleted()`). */
  abstract get isDisposed(): boolean;

  get shape(): Shape {
    return this.aval.shape;
  }
  get dtype(): DType {
    return this.aval.dtype;
  }
  get weakType(): boolean {
    return this.aval.weakType;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return this.aval.size;
  }
  /** Iterates over the leading axis: `const [a, b] = x`. */
  *[Symbol.iterator](): Iterator<Array> {
    if (this.ndim === 0) throw new TypeError("iteration over a 0-d array");
    for (let i = 0; i < this.shape[0]; i++) yield arrayMethods.index(this, i);
  }
}

/** Hooks numpy installs so the base class needs no import of it. */
export const arrayMethods: { index(x: Array, i: number): Array } = {
  index() {
    throw new Error("tfjax: numpy not loaded");
  },
};
