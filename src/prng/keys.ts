// Keys, as jax.random has them (jax/_src/random/core.py): typed keys (`key`, dtype key<fry>) and
// legacy raw keys (`PRNGKey`, uint32[2]), and the key operations split, foldIn, bits, keyData,
// wrapKeyData. Raw keys are wrapped on the way in and unwrapped on the way out, as JAX does, so
// jaxprs show random_wrap / random_unwrap around the key primitives.
import { Array as JaxArray } from "../array/base.js";
import { tensorFrom, wrap } from "../array/array.js";
import { type DType, isKey } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import { bind1 } from "../tracer/core.js";
import { ValueError } from "../errors.js";
import { random_bits_p, random_fold_in_p, random_seed_p, random_split_p, random_unwrap_p, random_wrap_p } from "./primitives.js";

export type Shape = number | readonly number[];

const FRY = { impl: "fry" };

export const randomWrap = (data: JaxArray): JaxArray => bind1(random_wrap_p, [data], FRY);
export const randomUnwrap = (keys: JaxArray): JaxArray => bind1(random_unwrap_p, [keys]);

/**
 * JAX's `_check_prng_key`: a typed key passes through; a uint32[..., 2] raw key is wrapped
 * (`wrapped` says to unwrap the result). Only a single key unless `allowBatched`.
 */
export function checkKey(name: string, key: unknown, allowBatched = false): [JaxArray, boolean] {
  if (!(key instanceof JaxArray)) throw new TypeError(`JAX encountered invalid PRNG key data: expected key_data to have ndim, shape, and dtype attributes. Got ${String(key)}`);
  const [typed, wrapped] = isKey(key.dtype) ? [key, false] : [randomWrap(key), true];
  if (!allowBatched && typed.ndim)
    throw new ValueError(`${name} accepts a single key, but was given a key array of shape ${pyShape(key.shape)} != (). Use jax.vmap for batching.`);
  return [typed, wrapped];
}

const returnKeys = (wrapped: boolean, keys: JaxArray): JaxArray => (wrapped ? randomUnwrap(keys) : keys);

/**
 * A seed as JAX's x32 mode makes it: a JS integer becomes int32 (wrapping modulo 2^32, as
 * `jnp.asarray(np.int64(seed))` does). It is a concrete array, not an inlined literal as in JAX's
 * jaxprs: tfjax's constant folding would turn random_seed of a literal into a one-word Literal,
 * and a key is two words. So a traced `key(0)` shows its seed as a constvar.
 */
function seedArray(ctor: string, seed: number | JaxArray): JaxArray {
  if (seed instanceof JaxArray) {
    if (isKey(seed.dtype)) throw new TypeError(`${ctor} accepts a scalar seed, but was given a PRNG key.`);
    if (seed.ndim) throw new TypeError(`${ctor} accepts a scalar seed, but was given an array of shape ${pyShape(seed.shape)} != (). Use jax.vmap for batching`);
    return seed;
  }
  if (!Number.isInteger(seed)) throw new TypeError(`PRNG key seed must be an integer; got ${seed}`);
  return wrap(tensorFrom([Number(BigInt.asIntN(32, BigInt(seed)))], [], "int32"), "int32");
}

/** `jax.random.key(seed)`: a scalar typed key (dtype key<fry>) holding [0, seed mod 2^32]. */
export const key = (seed: number | JaxArray): JaxArray => bind1(random_seed_p, [seedArray("key", seed)], FRY);

/** `jax.random.PRNGKey(seed)`: a legacy raw key, uint32[2] = [0, seed mod 2^32]. */
export const PRNGKey = (seed: number | JaxArray): JaxArray => randomUnwrap(bind1(random_seed_p, [seedArray("PRNGKey", seed)], FRY));

/** The uint32[..., 2] data of typed keys (raw keys pass through). */
export function keyData(keys: JaxArray): JaxArray {
  const [typed] = checkKey("key_data", keys, true);
  return randomUnwrap(typed);
}

/** uint32[..., 2] key data as typed keys of shape `data.shape[:-1]`. */
export const wrapKeyData = (data: JaxArray, _opts: { impl?: "threefry2x32" } = {}): JaxArray => randomWrap(data);

function shapeOf(num: Shape): number[] {
  const s = typeof num === "number" ? [num] : [...num];
  if (!s.every((d) => Number.isInteger(d) && d >= 0)) throw new TypeError(`split: num must be a non-negative integer or a shape of them, got ${JSON.stringify(num)}`);
  return s;
}

/** The typed split used inside samplers (JAX's `_split`): `num` new keys along a leading axis. */
export function splitTyped(key: JaxArray, num: Shape = 2): JaxArray {
  if (key.ndim) throw new TypeError(`split accepts a single key, but was given a key array of shape ${pyShape(key.shape)} != (). Use jax.vmap for batching.`);
  return bind1(random_split_p, [key], { shape: shapeOf(num) });
}

/** `jax.random.split(key, num=2)`: `num` (or shape `num`) new independent keys. */
export function split(key: JaxArray, num: Shape = 2): JaxArray {
  const [typed, wrapped] = checkKey("split", key);
  return returnKeys(wrapped, splitTyped(typed, num));
}

/** `jax.random.foldIn(key, data)`: a new key from a key and a 32-bit integer. */
export function foldIn(key: JaxArray, data: number | JaxArray): JaxArray {
  const [typed, wrapped] = checkKey("fold_in", key);
  if (data instanceof JaxArray && data.ndim)
    throw new TypeError(`fold_in accepts a scalar, but was given an array ofshape ${pyShape(data.shape)} != (). Use jax.vmap for batching.`);
  // `jnp.asarray(data, dtype='uint32')`: a JS integer is a uint32 literal (negative ones wrap).
  const msg = data instanceof JaxArray ? (data.dtype === "uint32" ? data : lax.convertElementType(data, "uint32")) : lax.asArray(Number(data) >>> 0, "uint32", false);
  return returnKeys(wrapped, bind1(random_fold_in_p, [typed, msg]));
}

/** JAX's `_random_bits`: `bitWidth`-bit random words of `shape` from a typed key. */
export const randomBits = (key: JaxArray, bitWidth: number, shape: readonly number[]): JaxArray =>
  bind1(random_bits_p, [key], { bit_width: bitWidth, shape: [...shape] });

/** `jax.random.bits(key, shape=(), dtype=uint32)`: uniform random unsigned integers. */
export function bits(key: JaxArray, shape: Shape = [], dtype: DType = "uint32"): JaxArray {
  const [typed] = checkKey("bits", key);
  if (dtype !== "uint8" && dtype !== "uint16" && dtype !== "uint32")
    throw new ValueError(`dtype argument to \`bits\` must be an unsigned int dtype, got ${dtype}`);
  return randomBits(typed, dtype === "uint8" ? 8 : dtype === "uint16" ? 16 : 32, typeof shape === "number" ? [shape] : shape);
}
