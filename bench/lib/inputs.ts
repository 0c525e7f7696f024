// Per-case input holders: each case creates its own inputs in setup and frees them in teardown,
// so cases of a group can be set up together without sharing (or double-freeing) arrays.
import * as tf from "@tensorflow/tfjs-core";
import { ArrayImpl, jnp, type Array as JaxArray } from "../../src/index.js";

export interface Inputs<T> {
  /** The inputs; valid between setup and teardown. */
  v: T[];
  setup(): void;
  teardown(): void;
}

/** tf.Tensors made from the given host arrays. */
export function tfInputs(...data: Float32Array[]): Inputs<tf.Tensor> {
  return tfInputsShaped(undefined, ...data);
}

/** tf.Tensors of the given shape (default 1-D) made from the given host arrays. */
export function tfInputsShaped(shape: number[] | undefined, ...data: Float32Array[]): Inputs<tf.Tensor> {
  const h: Inputs<tf.Tensor> = {
    v: [],
    setup() {
      h.v = data.map((d) => (shape ? tf.tensor(d, shape) : tf.tensor1d(d)));
    },
    teardown() {
      h.v.forEach((t) => t.dispose());
      h.v = [];
    },
  };
  return h;
}

/** tfjax arrays made from the given host arrays. */
export function jaxInputs(...data: Float32Array[]): Inputs<JaxArray> {
  return jaxInputsShaped(undefined, ...data);
}

/** tfjax arrays of the given shape (default 1-D) made from the given host arrays. */
export function jaxInputsShaped(shape: number[] | undefined, ...data: Float32Array[]): Inputs<JaxArray> {
  const h: Inputs<JaxArray> = {
    v: [],
    setup() {
      h.v = data.map((d) => {
        const flat = jnp.array(d);
        if (!shape) return flat;
        const a = jnp.reshape(flat, shape);
        disposeJ(flat);
        return a;
      });
    },
    teardown() {
      h.v.forEach(disposeJ);
      h.v = [];
    },
  };
  return h;
}

/** Disposes a concrete tfjax array (the public Array type also covers tracers). */
export function disposeJ(x: unknown): void {
  if (!(x instanceof ArrayImpl)) throw new TypeError(`expected a concrete array, got ${String(x)}`);
  x.dispose();
}

/** A case's `value`: runs f once, copies the values out and frees the result. */
export const tfValue = (f: () => tf.Tensor) => (): Float32Array => {
  const o = f();
  const v = (o.dataSync() as Float32Array).slice();
  o.dispose();
  return v;
};

export const jaxValue = (f: () => unknown) => (): Float32Array => {
  const o = f();
  if (!(o instanceof ArrayImpl)) throw new TypeError("expected a concrete array");
  const v = (o.dataSync() as Float32Array).slice();
  o.dispose();
  return v;
};
