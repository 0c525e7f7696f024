// jnp.convolve and jnp.correlate (JAX's lax_numpy.py): a 1-D conv_general_dilated of the two
// vectors, inside the same two jits as in JAX (convolve or correlate, then _conv).
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { jit } from "../tracer/jit.js";
import { index } from "./indexing.js";
import { rev } from "../lax/structural.js";
import { pyScalars } from "./math.js";
import { convertTo, resultTypeOf } from "./promote.js";

type Precision = { preferredElementType?: DType | null };

/** Promotion to the result type, then inexact (jnp's promote_dtypes_inexact). */
function promoteInexact(...xs: JaxArray[]): JaxArray[] {
  const { dtype, weakType } = resultTypeOf(...xs);
  const to = isFloat(dtype) ? dtype : "float32";
  return xs.map((x) => convertTo(x, to, weakType));
}
/** jnp's promote_dtypes. */
function promoteSame(...xs: JaxArray[]): JaxArray[] {
  const { dtype, weakType } = resultTypeOf(...xs);
  return xs.map((x) => convertTo(x, dtype, weakType));
}
const arrays = (...xs: ArrayLike[]) => pyScalars(...xs) as JaxArray[];
// jnp.flip of a vector as JAX stages it: its jitted _flip (axis=None) around one rev.
const flipJit = jit(function _flip(m: JaxArray) {
  return rev(m, [...Array(m.ndim).keys()]);
});

// ---- convolve / correlate (JAX's _conv, both jitted as in JAX) -------------------------------------

type Mode = "full" | "same" | "valid";

const convJit = jit(
  function _conv(x: JaxArray, y: JaxArray, mode: Mode, op: "convolve" | "correlate", preferred: DType | null) {
    if (x.ndim !== 1 || y.ndim !== 1) throw new RangeError(`${op}() only support 1-dimensional inputs.`);
    [x, y] = preferred === null ? promoteInexact(x, y) : promoteSame(x, y);
    if (x.shape[0] === 0 || y.shape[0] === 0) throw new RangeError(`${op}: inputs cannot be empty, got shapes ${pyShape(x.shape)} and ${pyShape(y.shape)}.`);
    let reversed = false;
    if (op === "correlate") {
      if (x.shape[0] < y.shape[0]) {
        [x, y] = [y, x];
        reversed = true;
      }
    } else {
      if (x.shape[0] < y.shape[0]) [x, y] = [y, x];
      y = flipJit(y);
    }
    const n = y.shape[0];
    if (!["full", "same", "valid"].includes(mode)) throw new RangeError("mode must be one of ['full', 'same', 'valid']");
    const padding: [number, number][] = mode === "valid" ? [[0, 0]] : mode === "same" ? [[Math.floor(n / 2), n - Math.floor(n / 2) - 1]] : [[n - 1, n - 1]];
    const result = lax.convGeneralDilated(index(x, null, null, ":"), index(y, null, null, ":"), [1], padding, { preferredElementType: preferred });
    return index(result, 0, 0, reversed ? "::-1" : ":");
  },
  { staticArgnums: [2, 3, 4] },
);

const convolveJit = jit(
  function convolve(a: JaxArray, v: JaxArray, mode: Mode, preferred: DType | null) {
    return convJit(a, v, mode, "convolve", preferred);
  },
  { staticArgnums: [2, 3] },
);
const correlateJit = jit(
  function correlate(a: JaxArray, v: JaxArray, mode: Mode, preferred: DType | null) {
    return convJit(a, v, mode, "correlate", preferred);
  },
  { staticArgnums: [2, 3] },
);

/** 1-D convolution, numpy's modes ("full" by default, "same", "valid"). `jnp.convolve([1, 2, 3], [0, 1, 0.5])` */
export function convolve(a: ArrayLike, v: ArrayLike, mode: Mode = "full", opts: Precision = {}): JaxArray {
  const [x, y] = arrays(a, v);
  return convolveJit(x, y, mode, opts.preferredElementType ?? null);
}

/** 1-D cross-correlation, numpy's modes ("valid" by default). `jnp.correlate(x, y, "full")` */
export function correlate(a: ArrayLike, v: ArrayLike, mode: Mode = "valid", opts: Precision = {}): JaxArray {
  const [x, y] = arrays(a, v);
  return correlateJit(x, y, mode, opts.preferredElementType ?? null);
}
