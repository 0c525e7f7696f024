// Bad input, everywhere a user can reach (issue #7). Each row is a misuse of the public API and
// what JAX 0.10.2 does with the same program: the error class and JAX's text (run in JAX to get
// it), or the value JAX computes where JAX does not raise (NaN inputs, empty arrays, out-of-bounds
// gathers and scatters). After every row tfjax must be fully usable: no trace left current, no
// tensor kept alive, and a small jit/grad/vmap computation still right. JAX's side of each row:
// scripts/jax_reference/bad_input.py.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, test } from "vitest";
import {
  ConcretizationTypeError,
  UnexpectedTracerError,
  ValueError,
  grad,
  jit,
  jnp,
  lax,
  makeJaxpr,
  nn,
  random,
  scope,
  tree,
  vmap,
  type Array,
} from "../src/index.js";
import { IndexError } from "../src/numpy/index.js";
import { currentTrace, evalTrace } from "../src/tracer/core.js";

type ErrorClass = new (...args: any[]) => Error;
/** A misuse: `raises` is JAX's error class (ValueError for Python's ValueError) and text. */
type Row = { name: string; call: () => unknown; raises: [ErrorClass, RegExp | string] } | { name: string; call: () => unknown; gives: (out: any) => void };

// Inputs live outside the rows, so a row's tensors are only what the call makes.
const a3 = jnp.ones([3]);
const a4 = jnp.ones([4]);
const a6 = jnp.ones([6]);
const a23 = jnp.ones([2, 3]);
const a24 = jnp.ones([2, 4]);
const a45 = jnp.ones([4, 5]);
const r3 = jnp.arange(3); // [0, 1, 2] float32
const i3 = jnp.array([1, 2, 3], { dtype: "int32" });
const idx5 = jnp.array([5], { dtype: "int32" });
const idxNeg7 = jnp.array([-7], { dtype: "int32" });
const empty = jnp.zeros([0]);
const empty02 = jnp.zeros([0, 2]);
const withNaN = jnp.array([1, NaN, 3]);
const zeroNeg = jnp.array([0, -1, 1]);
const fkey = jnp.ones([2]);
const u3key = jnp.array([1, 2, 3], { dtype: "uint32" });
const key = random.key(0);
const keys2 = random.split(random.key(1), 2);

let leaked: any; // a tracer a transformed function stored in a global
const store = (x: Array) => ((leaked = x), x);
const values = (x: Array) => globalThis.Array.from(x.dataSync() as Float32Array);

const rows: Row[] = [
  // ---- wrong shapes
  { name: "matmul of (2,3) and (4,5)", call: () => jnp.matmul(a23, a45), raises: [TypeError, "dot_general requires contracting dimensions to have the same shape, got (3,) and (4,)."] },
  { name: "dot of (3,) and (4,)", call: () => jnp.dot(a3, a4), raises: [TypeError, "dot_general requires contracting dimensions to have the same shape, got (3,) and (4,)."] },
  { name: "matmul under jit", call: () => jit((x: Array, y: Array) => jnp.matmul(x, y))(a23, a45), raises: [TypeError, "dot_general requires contracting dimensions to have the same shape, got (3,) and (4,)."] },
  { name: "add of (3,) and (4,)", call: () => jnp.add(a3, a4), raises: [TypeError, "add got incompatible shapes for broadcasting: (3,), (4,)."] },
  { name: "add under grad", call: () => grad((x: Array) => jnp.sum(jnp.add(x, a4)))(a3), raises: [TypeError, "add got incompatible shapes for broadcasting: (3,), (4,)."] },
  { name: "reshape (6,) to (4, 2)", call: () => jnp.reshape(a6, [4, 2]), raises: [TypeError, "cannot reshape array of shape (6,) (size 6) into shape (4, 2) (size 8)"] },
  {
    name: "concatenate (2,3) and (2,4) on axis 0",
    call: () => jnp.concatenate([a23, a24], 0),
    raises: [TypeError, "Cannot concatenate arrays with shapes that differ in dimensions other than the one being concatenated: concatenating along dimension 0 for shapes (2, 3), (2, 4)."],
  },
  { name: "reshape with two -1s", call: () => jnp.reshape(a6, [-1, -1]), raises: [TypeError, "can only specify one unknown axis size with a `-1` value, got (-1, -1)"] },
  { name: "zeros of a negative shape", call: () => jnp.zeros([-1]), raises: [TypeError, "full: broadcast_in_dim shape must have every element be nonnegative, got (-1,)."] },
  { name: "ones of a fractional shape", call: () => jnp.ones([2.5]), raises: [TypeError, "full: Shapes must be 1D sequences of concrete values of integer type, got (2.5,)."] },
  { name: "eye of a negative size", call: () => jnp.eye(-1), raises: [ValueError, /^negative dimensions are not allowed, got -1 and /] },
  { name: "split into unequal sections", call: () => jnp.split(jnp.ones([5]), 2), raises: [ValueError, "array split does not result in an equal division: rest is 1"] },
  { name: "inv of a non-square matrix", call: () => jnp.linalg.inv(a23), raises: [ValueError, "Argument to inv must have shape [..., n, n], got (2, 3)."] },
  { name: "choice of more than the population without replacement", call: () => random.choice(key, 3, [5], false), raises: [ValueError, "Cannot take a larger sample (size 5) than population (size 3) when 'replace=False'"] },
  { name: "transpose with a non-permutation", call: () => jnp.transpose(a23, [0, 0]), raises: [TypeError, "transpose permutation isn't a permutation of operand dimensions, got permutation (0, 0) for operand shape (2, 3)."] },
  { name: "squeeze of a size-2 axis", call: () => jnp.squeeze(a23, 0), raises: [TypeError, "cannot select an axis to squeeze out which has size not equal to one, got shape=(2, 3) and dimensions=(0,)"] },
  { name: "vmap of arguments with different sizes", call: () => vmap((x: Array, y: Array) => jnp.add(x, y))(a3, a4), raises: [ValueError, /^vmap got inconsistent sizes for array axes to be mapped:\n {2}\* one axis had size 3: axis 0 of args\[0\]/] },
  {
    name: "vmap along an axis the argument lacks",
    call: () => vmap((x: Array) => x, { inAxes: 2 })(a23),
    raises: [ValueError, "vmap was requested to map its argument along axis 2, which implies that its rank should be at least 3, but is only 2 (its shape is (2, 3))"],
  },
  { name: "grad of a non-scalar output", call: () => grad((x: Array) => x)(a3), raises: [TypeError, /^Gradient only defined for scalar-output functions\. Output had shape: \(3,\)\./] },
  { name: "scan over xs of different lengths", call: () => lax.scan((c: Array, x: Array[]) => [c, x[0]], 0, [a3, a4]), raises: [ValueError, "scan got values with different leading axis sizes: 3, 4."] },

  // ---- wrong dtypes
  {
    name: "grad of an int32 input",
    call: () => grad((x: Array) => jnp.sum(x))(i3),
    raises: [TypeError, "grad requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got int32. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True."],
  },
  { name: "bitwise and of floats", call: () => lax.bitwiseAnd(a3, a3), raises: [TypeError, "and does not accept dtype float32 at position 0. Accepted dtypes at position 0 are subtypes of integer, bool."] },
  { name: "random.bits with a float dtype", call: () => random.bits(key, [2], "float32"), raises: [ValueError, "dtype argument to `bits` must be an unsigned int dtype, got float32"] },
  { name: "indexing with a float", call: () => jnp.index(r3, 1.5 as never), raises: [TypeError, "Indexer must have integer or boolean type, got indexer with type float64"] },
  { name: "lax.switch with a float index", call: () => lax.switch(1.5 as never, [() => 1, () => 2]), raises: [TypeError, "Index type must be an integer, got 1.5 as float32"] },
  { name: "lax.cond with a vector predicate", call: () => lax.cond(jnp.array([true, false]), () => 1, () => 2), raises: [TypeError, "Pred must be a scalar, got [ True False] of shape (2,)."] },

  { name: "astype to an unknown dtype", call: () => jnp.astype(a3, "foo" as never), raises: [TypeError, /^data type 'foo' not understood/] },
  { name: "astype to float64 is float32 (x32, as JAX)", call: () => jnp.astype(i3, "float64" as never), gives: (y) => expect(y.dtype).toBe("float32") },
  { name: "zeros of int64 are int32 (x32, as JAX)", call: () => jnp.zeros([2], { dtype: "int64" as never }), gives: (y) => expect(y.dtype).toBe("int32") },
  { name: "an array of a string", call: () => jnp.array("s" as never), raises: [TypeError, "Value 's' with dtype <U1 is not a valid JAX array type. Only arrays of numeric types are supported by JAX."] },

  // ---- NaN and Inf compute (JAX raises only under jax_debug_nans)
  { name: "sum with a NaN", call: () => jnp.sum(withNaN), gives: (y) => expect(y.item()).toBeNaN() },
  { name: "max with a NaN propagates it", call: () => jnp.max(withNaN), gives: (y) => expect(y.item()).toBeNaN() },
  { name: "log of 0 and -1", call: () => jnp.log(zeroNeg), gives: (y) => expect(values(y)).toEqual([-Infinity, NaN, 0]) },
  { name: "log of 0 and -1 under jit", call: () => jit((x: Array) => jnp.log(x))(zeroNeg), gives: (y) => expect(values(y)).toEqual([-Infinity, NaN, 0]) },
  { name: "grad of sqrt at 0", call: () => grad((x: Array) => jnp.sqrt(x))(0), gives: (y) => expect(y.item()).toBe(Infinity) },
  { name: "vmap over NaN", call: () => vmap((x: Array) => jnp.multiply(x, 2))(withNaN), gives: (y) => expect(values(y)).toEqual([2, NaN, 6]) },

  // ---- empty arrays and zero-size dimensions
  { name: "sum of an empty array", call: () => jnp.sum(empty), gives: (y) => expect(y.item()).toBe(0) },
  { name: "prod of an empty array", call: () => jnp.prod(empty), gives: (y) => expect(y.item()).toBe(1) },
  { name: "mean of an empty array", call: () => jnp.mean(empty), gives: (y) => expect(y.item()).toBeNaN() },
  { name: "max of an empty array", call: () => jnp.max(empty), raises: [ValueError, "zero-size array to reduction operation max which has no identity"] },
  { name: "max of an empty array under jit", call: () => jit((x: Array) => jnp.max(x))(empty), raises: [ValueError, "zero-size array to reduction operation max which has no identity"] },
  { name: "min over a zero-size axis", call: () => jnp.min(empty02, 0), raises: [ValueError, "zero-size array to reduction operation min which has no identity"] },
  { name: "max over a non-empty axis of an empty array", call: () => jnp.max(empty02, 1), gives: (y) => expect(y.shape).toEqual([0]) },
  { name: "argmax of an empty array", call: () => jnp.argmax(empty), raises: [ValueError, "attempt to get argmax of an empty sequence"] },
  { name: "argmin over a zero-size axis", call: () => jnp.argmin(empty02, 0), raises: [ValueError, "attempt to get argmin of an empty sequence"] },
  { name: "matmul of (2,0) and (0,3) is zeros", call: () => jnp.matmul(jnp.ones([2, 0]), jnp.ones([0, 3])), gives: (y) => expect(values(y)).toEqual([0, 0, 0, 0, 0, 0]) },
  { name: "grad over an empty input", call: () => grad((x: Array) => jnp.sum(x))(empty), gives: (y) => expect(y.shape).toEqual([0]) },
  { name: "vmap over a zero-size axis", call: () => vmap((x: Array) => jnp.sum(x))(jnp.zeros([0, 3])), gives: (y) => expect(y.shape).toEqual([0]) },
  { name: "jit of an empty input", call: () => jit((x: Array) => jnp.exp(x))(empty), gives: (y) => expect(y.shape).toEqual([0]) },
  { name: "an integer index into a size-0 axis", call: () => jnp.index(empty, 0), raises: [IndexError, "index is out of bounds for axis 0 with size 0"] },

  // ---- negative axes
  { name: "sum over axis -1", call: () => jnp.sum(a23, -1), gives: (y) => expect(values(y)).toEqual([3, 3]) },
  { name: "cumsum over axis -2", call: () => jnp.cumsum(a23, -2), gives: (y) => expect(values(y)).toEqual([1, 1, 1, 2, 2, 2]) },
  { name: "sum over axis 2 of a matrix", call: () => jnp.sum(a23, 2), raises: [ValueError, /^sum: axis 2 is out of bounds for array of dimension 2$/] },
  { name: "sum over axis -3 of a matrix", call: () => jnp.sum(a23, -3), raises: [ValueError, /^sum: axis -3 is out of bounds for array of dimension 2$/] },
  { name: "expandDims at axis 3", call: () => jnp.expandDims(a3, 3), raises: [ValueError, /axis 3 is out of bounds for array of dimension 2$/] },
  { name: "concatenate on axis 1 of vectors", call: () => jnp.concatenate([a3], 1), raises: [ValueError, /^concatenate: axis 1 is out of bounds for array of dimension 1$/] },
  { name: "cumsum over axis 1 of a vector", call: () => jnp.cumsum(a3, 1), raises: [ValueError, /^cumsum: axis 1 is out of bounds for array of dimension 1$/] },
  { name: "softmax over axis 3", call: () => nn.softmax(a3, 3), raises: [ValueError, "softmax: axis 3 is out of bounds for array of dimension 1"] },
  { name: "logSoftmax over axis -2", call: () => nn.logSoftmax(a3, -2), raises: [ValueError, "log_softmax: axis -2 is out of bounds for array of dimension 1"] },

  // ---- out-of-range indices: gathers clamp or fill, scatters drop, as in JAX
  { name: "take out of bounds fills with NaN", call: () => jnp.take(r3, idx5), gives: (y) => expect(values(y)).toEqual([NaN]) },
  { name: "at[[5]].get() clamps", call: () => r3.at(idx5).get(), gives: (y) => expect(values(y)).toEqual([2]) },
  { name: "at[[5]].set() drops the update", call: () => r3.at(idx5).set(9), gives: (y) => expect(values(y)).toEqual([0, 1, 2]) },
  { name: "at[[-7]].add() drops the update", call: () => r3.at(idxNeg7).add(9), gives: (y) => expect(values(y)).toEqual([0, 1, 2]) },
  { name: "a static index 5 clamps to the last", call: () => jnp.index(r3, 5), gives: (y) => expect(y.item()).toBe(2) },
  { name: "a static index -4 clamps to the first", call: () => jnp.index(r3, -4), gives: (y) => expect(y.item()).toBe(0) },
  { name: "dynamic_slice clamps its start", call: () => lax.dynamicSlice(jnp.arange(5), [4], [2]), gives: (y) => expect(values(y)).toEqual([3, 4]) },
  { name: "dynamic_update_slice clamps its start", call: () => lax.dynamicUpdateSlice(jnp.arange(5), jnp.ones([2]), [4]), gives: (y) => expect(values(y)).toEqual([0, 1, 2, 1, 1]) },
  // JAX's gradient of an out-of-bounds gather is zero everywhere, even though the value clamps.
  { name: "the gradient of an out-of-bounds gather", call: () => grad((x: Array) => jnp.sum(x.at(idx5).get()))(r3), gives: (y) => expect(values(y)).toEqual([0, 0, 0]) },

  // ---- wrong key shapes or dtypes
  { name: "normal with a float array as key", call: () => random.normal(fkey), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"] },
  { name: "normal with a uint32[3] key", call: () => random.normal(u3key), raises: [TypeError, /^JAX encountered invalid PRNG key data: expected key_data.shape to end with \(2,\); got shape=\(3,\) for impl=PRNGImpl\(/] },
  { name: "split of a float key", call: () => random.split(fkey), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"] },
  { name: "foldIn of a float key", call: () => random.foldIn(fkey, 1), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"] },
  { name: "keyData of a float key", call: () => random.keyData(fkey), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"] },
  { name: "normal with a string as key", call: () => random.normal("k" as never), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data to have ndim, shape, and dtype attributes. Got k"] },
  { name: "normal with a batch of keys", call: () => random.normal(keys2), raises: [ValueError, "normal accepts a single key, but was given a key array of shape (2,) != (). Use jax.vmap for batching."] },
  { name: "normal with a fractional shape", call: () => random.normal(key, [2.5]), raises: [TypeError, "Shapes must be 1D sequences of concrete values of integer type, got (2.5,)."] },
  { name: "normal under jit with a float key", call: () => jit((k: Array) => random.normal(k))(fkey), raises: [TypeError, "JAX encountered invalid PRNG key data: expected key_data.dtype = uint32; got dtype=float32"] },

  // ---- reused (leaked) tracers
  {
    name: "a tracer leaked from jit, used eagerly",
    call: () => (jit(store)(a3), jnp.add(leaked, 1)),
    raises: [
      UnexpectedTracerError,
      /^Encountered an unexpected tracer\. A function transformed by JAX had a side effect, allowing for a reference to an intermediate value with type float32\[3\] wrapped in a DynamicJaxprTracer to escape the scope of the transformation\.\nJAX transformations require that functions explicitly return their outputs, and disallow saving intermediate values to global state\.\nThe function being traced when the value leaked was store for jit\./,
    ],
  },
  { name: "a tracer leaked from jit, used in another jit", call: () => (jit(store)(a3), jit((y: Array) => jnp.add(leaked, y))(a3)), raises: [UnexpectedTracerError, /^Encountered an unexpected tracer\..* DynamicJaxprTracer /s] },
  { name: "a tracer leaked from grad, used later", call: () => (grad((x: Array) => jnp.sum(store(x)))(a3), jnp.add(leaked, 1)), raises: [UnexpectedTracerError, /^Encountered an unexpected tracer\..* JVPTracer /s] },
  { name: "a tracer leaked from vmap, used later", call: () => (vmap(store)(a3), jnp.add(leaked, 1)), raises: [UnexpectedTracerError, /^Encountered an unexpected tracer\..* BatchTracer /s] },
  { name: "a tracer leaked from makeJaxpr, in a jit", call: () => (makeJaxpr(store)(a3), jit((y: Array) => jnp.add(leaked, y))(a3)), raises: [UnexpectedTracerError, /^Encountered an unexpected tracer\./] },
  {
    name: "a traced value in an if",
    call: () => jit((x: Array) => ((x as unknown as number) > 0 ? x : jnp.negative(x)))(1),
    raises: [ConcretizationTypeError, /^Abstract tracer value encountered where concrete value is expected: traced array with shape float32\[\]/],
  },

  // ---- unhashable static args: arrays are (JS objects and functions hash by identity)
  {
    name: "a jnp array as a static arg",
    call: () => jit((x: Array, n: unknown) => x, { staticArgnums: 1 })(a3, a3),
    raises: [ValueError, /^Non-hashable static arguments are not supported\. An error occurred while trying to hash an object of type ArrayImpl, \[1\. 1\. 1\.\], passed as static argument 1 of <lambda>\. The error was:\nTypeError: unhashable type: 'ArrayImpl'/],
  },
  {
    name: "a typed array as a static arg",
    call: () => jit((x: Array, n: unknown) => x, { staticArgnums: 1 })(a3, new Float32Array(2)),
    raises: [ValueError, /^Non-hashable static arguments are not supported\. .*type Float32Array.*unhashable type: 'Float32Array'/s],
  },
  { name: "a plain object as a static arg hashes by identity", call: () => jit((x: Array, o: { k: number }) => jnp.multiply(x, o.k), { staticArgnums: 1 })(a3, { k: 2 }), gives: (y) => expect(values(y)).toEqual([2, 2, 2]) },
  { name: "a JS array as a static arg is a tuple", call: () => jit((x: Array, s: number[]) => jnp.reshape(x, s), { staticArgnums: 1 })(a6, [2, 3]), gives: (y) => expect(y.shape).toEqual([2, 3]) },

  // ---- non-array pytree leaves
  {
    name: "a string passed to jit",
    call: () => jit((x: unknown) => x)("hi"),
    raises: [
      TypeError,
      "Error interpreting argument to <lambda> as an abstract array. The problematic value is of type string and was passed to the function at path args[0].\n" +
        "This typically means that a jit-wrapped function was called with a non-array argument, and this argument was not marked as static using the staticArgnums or staticArgnames options of jit.",
    ],
  },
  { name: "a function nested in jit's arguments", call: () => jit((d: { f: unknown }) => 1)({ f: () => 1 }), raises: [TypeError, /^Error interpreting argument to <lambda> as an abstract array\. The problematic value is of type function and was passed to the function at path args\[0\]\['f'\]\./] },
  { name: "a string passed to grad", call: () => grad((x: unknown) => x)("hi"), raises: [TypeError, "Argument 'hi' of type string is not a valid JAX type."] },
  // @ts-expect-error a string leaf: the types reject it too
  { name: "a string in a dict passed to grad", call: () => grad((d: { a: Array }) => d.a)({ a: "s" }), raises: [TypeError, "Argument 's' of type string is not a valid JAX type."] },
  { name: "a string passed to vmap", call: () => vmap((x: unknown) => x)("hi"), raises: [TypeError, "Argument 'hi' of type string is not a valid JAX type."] },
  { name: "a string passed to lax.sin", call: () => lax.sin("hi" as never), raises: [TypeError, "Error interpreting argument to sin as a JAX value. The problematic value is of type string and was passed to sin at position 0."] },
  { name: "a string passed to lax.sin under jit", call: () => jit(() => lax.sin("hi" as never))(), raises: [TypeError, "Error interpreting argument to sin as a JAX value. The problematic value is of type string and was passed to sin at position 0."] },
  { name: "a string passed to jnp.add", call: () => jnp.add("hi" as never, 1), raises: [TypeError, "Argument 'hi' of type string is not a valid JAX type."] },
  { name: "undefined passed to jnp.sin", call: () => jnp.sin(undefined as never), raises: [TypeError, "Argument 'undefined' of type undefined is not a valid JAX type."] },
  { name: "split into a negative number of keys", call: () => random.split(key, -1), raises: [TypeError, "split: num must be a non-negative integer or a shape of them, got -1"] },
  { name: "jit returning a string", call: () => jit((x: Array) => "s")(a3), raises: [TypeError, /^<lambda> returned a value of type string at output path \(\), which is not a valid JAX type/] },

  // ---- mismatched pytree structures between branches and carries
  {
    name: "cond branches returning a list and an array",
    call: () => lax.cond(true, () => [a3], () => a3),
    raises: [
      TypeError,
      "cond branch outputs must have the same pytree structure, but they differ:\n\ntrue_fun is <lambda>\nfalse_fun is <lambda>\n\n" +
        "true_fun output is a <class 'list'> but false_fun output is a pytree leaf, so their Python types differ.\n\n" +
        "Revise true_fun and/or false_fun so that they have the same pytree structure.",
    ],
  },
  {
    name: "cond branches returning different shapes",
    call: () => lax.cond(true, () => a3, () => a4),
    raises: [
      TypeError,
      "cond branches must have equal output types but they differ.\n\ntrue_fun is <lambda>\nfalse_fun is <lambda>\n\n" +
        "The output of true_fun has type float32[3] but the corresponding output of false_fun has type float32[4], so the shapes do not match.\n\n" +
        "Revise true_fun and/or false_fun so that all output types match.",
    ],
  },
  {
    name: "scan carry out of a different structure",
    // @ts-expect-error the carry changes structure: the types reject it too
    call: () => lax.scan((c: Array, x: Array) => [[c, c], x], a3, a4),
    raises: [TypeError, /^scan body function carry input and carry output must have the same pytree structure, but they differ:\n\nThe input carry c is a .* but the corresponding component of the carry output is a <class 'list'>, so their Python types differ\./],
  },
  {
    name: "scan carry out of a different shape",
    call: () => lax.scan((c: Array, x: Array) => [a4, x], a3, a4),
    raises: [
      TypeError,
      "scan body function carry input and carry output must have equal types, but they differ:\n\n" +
        "The input carry c has type float32[3] but the corresponding output carry component has type float32[4], so the shapes do not match.\n\n" +
        "Revise the function so that all output types match the corresponding input types.",
    ],
  },
  {
    name: "whileLoop carry of a different length",
    call: () => lax.whileLoop((c: Array[]) => jnp.less(c[0], 3), (c: Array[]) => [jnp.add(c[0], 1)], [0, 1]),
    raises: [TypeError, /^while_loop body function carry input and carry output must have the same pytree structure, but they differ:\n\nThe input carry c is a list of length 2 but the corresponding component of the carry output is a list of length 1, so the lengths do not match\./],
  },
  {
    name: "foriLoop carry of a different shape",
    call: () => lax.foriLoop(0, 3, (i: Array, c: Array) => a3, 0),
    raises: [TypeError, /^scan body function carry input and carry output must have equal types, but they differ:\n\nThe input carry component loop_carry\[1\] has type float32\[\] but the corresponding output carry component has type float32\[3\], so the shapes do not match\./],
  },
  { name: "tree.map over different structures", call: () => tree.map((a: unknown) => a, [1, 2], [1]), raises: [TypeError, /^tree\.map: argument 1 has structure/] },

  // ---- recursion inside traced functions
  {
    name: "a jitted function calling itself",
    call: () => {
      const rec: (x: Array) => Array = jit((x: Array): Array => rec(jnp.add(x, 1)));
      return rec(a3);
    },
    raises: [RangeError, /^Recursively calling <lambda>: it calls itself while being traced for jit with the same argument types \(f32\[3\]\)/],
  },
  {
    name: "unbounded JS recursion while tracing",
    call: () => {
      const rec = (x: Array): Array => rec(jnp.add(x, 1));
      return jit(rec)(a3);
    },
    raises: [RangeError, "Maximum call stack size exceeded"],
  },
  {
    name: "recursion bounded by shapes works",
    call: () => {
      const first: (x: Array) => Array = jit((x: Array) => (x.shape[0] === 1 ? x : first(lax.slice(x, [0], [x.shape[0] - 1]))));
      return first(jnp.arange(4));
    },
    gives: (y) => expect(values(y)).toEqual([0]),
  },
];

const f = (x: Array) => jnp.sum(jnp.sin(x));
const x0 = jnp.array([0, 1, 2]);

/** tfjax still works: no trace left current, and jit/grad/vmap give the right answers. */
function checkUsable(): void {
  expect(currentTrace()).toBe(evalTrace);
  scope(() => {
    const xs = [0, 1, 2];
    expect(jit(f)(x0).item()).toBeCloseTo(xs.reduce((s, v) => s + Math.sin(v), 0), 5);
    values(jit(grad(f))(x0)).forEach((g, i) => expect(g).toBeCloseTo(Math.cos(xs[i]), 5));
    values(vmap(grad(f))(jnp.stack([x0, x0]))).forEach((g, i) => expect(g).toBeCloseTo(Math.cos(xs[i % 3]), 5));
  });
}

function runRow(row: Row): void {
  scope(() => {
    if ("raises" in row) {
      const [cls, text] = row.raises;
      let err: unknown;
      try {
        row.call();
      } catch (e) {
        err = e;
      }
      expect(err, "no error raised").toBeInstanceOf(cls);
      const msg = (err as Error).message;
      if (typeof text === "string") expect(msg).toBe(text);
      else expect(msg).toMatch(text);
    } else row.gives(row.call());
  });
}

describe("bad input", () => {
  for (const row of rows)
    test(row.name, () => {
      // The first run fills the caches (traces, compiled plans, interned scalars); the second
      // must leave tf.memory() where it found it.
      runRow(row);
      checkUsable();
      const before = tf.memory().numTensors;
      runRow(row);
      expect(tf.memory().numTensors - before, "tensors kept alive").toBe(0);
      checkUsable();
      expect(tf.memory().numTensors - before, "tensors kept alive").toBe(0);
    });
});
