// Concrete arrays: a tf.Tensor plus the JAX aval (dtype, weak type) it stands for.
import * as tf from "@tensorflow/tfjs-core";
import { Array as JaxArray } from "./base.js";
import { ShapedArray } from "../jaxpr/aval.js";
import { type DType, isKey } from "../dtypes.js";
import { formatKeys, formatRepr, formatStr } from "./format.js";
import { storageDtype } from "../backends/storage.js";
import { ensureBackend } from "../backends/backend.js";
import { CACHE_SIZES, LRU } from "../cache.js";

// Arrays are freed when collected; explicit dispose() unregisters first. Compiled (jit) code
// frees its intermediates at their last use; eager ones (an eager jvp's, vjp's or vmap's) are
// arrays like any other, freed here or by an enclosing scope().
const registry = new FinalizationRegistry<tf.Tensor>((t) => {
  if (!t.isDisposed) t.dispose();
});

/** Open `scope()`s; each array created inside joins the innermost. */
const scopes: Set<ArrayImpl>[] = [];

export class ArrayImpl extends JaxArray {
  #tensor: tf.Tensor | null;
  readonly aval: ShapedArray;
  /** For scalars made from JS values: the value, so tracing inlines it as a literal (as JAX does numpy scalars). */
  readonly literal: number | boolean | undefined;
  /** Owned by the intern table of JS scalars: never disposed by users. */
  private interned: boolean;

  constructor(tensor: tf.Tensor, aval: ShapedArray, literal?: number | boolean, interned = false) {
    super();
    this.#tensor = tensor;
    this.aval = aval;
    this.literal = literal;
    this.interned = interned;
    if (!interned) {
      registry.register(this, tensor, this);
      if (scopes.length) scopes[scopes.length - 1].add(this);
    }
  }

  /** The backing tensor (int32 bits for uint32). Internal; users call toTensor(). */
  get tensor(): tf.Tensor {
    if (this.#tensor === null) throw new Error(`Array has been deleted with shape=${this.dtype}${JSON.stringify(this.shape)}.`);
    return this.#tensor;
  }

  get isDisposed(): boolean {
    return this.#tensor === null;
  }

  /** Frees the tensor now rather than at garbage collection. Idempotent. */
  dispose(): void {
    if (this.#tensor === null || this.interned) return;
    registry.unregister(this);
    this.#tensor.dispose();
    this.#tensor = null;
  }
  /**
   * Hands the tensor to a jitted call that donates this argument: the array is deleted from
   * here on (as a donated buffer is in JAX). Interned JS scalars are never donated.
   */
  get donatable(): boolean {
    return !this.interned && this.#tensor !== null;
  }
  donate(): tf.Tensor | null {
    if (!this.donatable) return null;
    const t = this.#tensor;
    registry.unregister(this);
    this.#tensor = null;
    return t;
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** Evicted from the intern table: an ordinary array from now on, freed once unreferenced. */
  unintern(): void {
    if (!this.interned) return;
    this.interned = false;
    if (this.#tensor !== null) registry.register(this, this.#tensor, this);
  }

  /** Flat values as a typed array (Uint32Array for uint32, Uint8Array for bool). */
  dataSync(): Float32Array | Int32Array | Uint32Array | Uint8Array {
    return viewAs(this.tensor.dataSync() as Float32Array | Int32Array | Uint8Array, this.dtype);
  }
  async data(): Promise<Float32Array | Int32Array | Uint32Array | Uint8Array> {
    return viewAs((await this.tensor.data()) as Float32Array | Int32Array | Uint8Array, this.dtype);
  }
  /** The value of a size-1 array as a JS number (or boolean). */
  item(): number | boolean {
    if (this.size !== 1)
      throw new TypeError(`item(): can only convert an array of size 1 to a scalar, got shape ${JSON.stringify(this.shape)}`);
    const v = this.dataSync()[0];
    return this.dtype === "bool" ? v !== 0 : v;
  }
  /** Nested JS arrays, as numpy's tolist(). */
  tolist(): unknown {
    const flat = [...this.dataSync()].map((v) => (this.dtype === "bool" ? v !== 0 : v));
    const build = (dim: number, off: number): unknown => {
      if (dim === this.ndim) return flat[off];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, off + i * stride));
    };
    return build(0, 0);
  }
  /** A tf.Tensor the caller owns (uint32 comes back as its int32 bits). */
  toTensor(): tf.Tensor {
    return tf.clone(this.tensor);
  }
  /** `str()` of a JAX array: `[1. 2. 3.]`. */
  toString(): string {
    if (isKey(this.dtype)) return formatKeys(this.dataSync(), this.shape, this.dtype);
    return formatStr(this.dataSync(), this.shape, this.dtype as Exclude<DType, "key<fry>">);
  }
  /** `repr()` of a JAX array: `Array([1., 2.], dtype=float32)`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    if (isKey(this.dtype)) return formatKeys(this.dataSync(), this.shape, this.dtype);
    return formatRepr(this.dataSync(), this.shape, this.dtype as Exclude<DType, "key<fry>">, this.weakType);
  }
  [Symbol.toPrimitive](hint: string): number | string | boolean {
    if (hint === "string") return this.toString();
    return this.item();
  }
}

function viewAs(v: Float32Array | Int32Array | Uint8Array, dtype: DType) {
  // Key arrays read as their uint32 words (two per key).
  return dtype === "uint32" || isKey(dtype) ? new Uint32Array(v.buffer, v.byteOffset, v.length) : v;
}

/** Wraps a tensor the caller hands over (ownership moves to the array). */
export function wrap(t: tf.Tensor, dtype: DType, weakType = false): ArrayImpl {
  // A key array's tensor carries its 2 uint32 words as a trailing axis the aval does not show.
  return new ArrayImpl(tf.keep(t), new ShapedArray(isKey(dtype) ? t.shape.slice(0, -1) : t.shape, dtype, weakType));
}

/** A host value as a tensor of the storage dtype. */
export function tensorFrom(values: ArrayLike<number> | ArrayLike<boolean>, shape: readonly number[], dtype: DType): tf.Tensor {
  ensureBackend();
  if (isKey(dtype)) return tensorFrom(values, [...shape, 2], "uint32"); // keys: 2 uint32 words each
  const sd = storageDtype(dtype);
  if (dtype === "uint32") {
    const u = Uint32Array.from(values as ArrayLike<number>, (x) => x >>> 0);
    return tf.tensor(new Int32Array(u.buffer), shape as number[], "int32");
  }
  if (sd === "bool") return tf.tensor(Uint8Array.from(values as ArrayLike<number>, (x) => (x ? 1 : 0)), shape as number[], "bool");
  if (sd === "int32") return tf.tensor(Int32Array.from(values as ArrayLike<number>, (x) => Number(x) | 0), shape as number[], "int32");
  return tf.tensor(Float32Array.from(values as ArrayLike<number>, Number), shape as number[], "float32");
}

// Scalars made from JS numbers are interned: eager `x.mul(2)` allocates no tensor for the 2. An
// evicted scalar may still be in use (an operand of the op being built), so it is not disposed
// but left to the FinalizationRegistry.
const interned = new LRU<string, ArrayImpl>("scalars", CACHE_SIZES.scalars, (a) => a.unintern());

/** A JS scalar as a (weak by default) array; tracing inlines it as a literal. */
export function scalar(v: number | boolean, dtype: DType, weakType: boolean): ArrayImpl {
  const key = `${dtype}${weakType ? "*" : ""}:${Object.is(v, -0) ? "-0" : v}`;
  let a = interned.get(key);
  if (a === undefined) {
    a = new ArrayImpl(tf.keep(tensorFrom([v as number], [], dtype)), new ShapedArray([], dtype, weakType), v, true);
    interned.set(key, a);
  }
  return a;
}

/**
 * Runs `fn`, then disposes every array created inside it except those in its result.
 * `const loss = scope(() => step(params, batch))`.
 */
export function scope<T>(fn: () => T): T {
  const s = new Set<ArrayImpl>();
  scopes.push(s);
  let out: T;
  try {
    out = fn();
  } catch (e) {
    // What was made before the error is unreachable for the caller: free it now, not at GC.
    scopes.pop();
    for (const a of s) a.dispose();
    throw e;
  }
  scopes.pop();
  const keep = new Set<unknown>();
  const visit = (x: unknown): void => {
    if (x instanceof ArrayImpl) keep.add(x);
    else if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) Object.values(x).forEach(visit);
  };
  visit(out);
  for (const a of s) {
    if (keep.has(a)) {
      if (scopes.length) scopes[scopes.length - 1].add(a);
    } else a.dispose();
  }
  return out;
}
