// The public `Array` type: what concrete arrays and tracers have in common.
import type { DType } from "../dtypes.js";
import type { Shape, ShapedArray } from "../jaxpr/aval.js";

/**
 * A JAX array: concrete (`ArrayImpl`, backed by a tf.Tensor) or traced (`Tracer`, inside
 * `jit`/`makeJaxpr`). Fluent methods such as `x.add(y).sum()` are installed by `numpy`.
 */
export abstract class Array {
  abstract get aval(): ShapedArray;

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
