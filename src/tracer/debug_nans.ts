// jax_debug_nans / jax_debug_infs: JAX's check_special (jax/_src/dispatch.py). Eagerly each
// primitive's float outputs are read back and checked; a jit call checks its outputs, then runs
// its jaxpr again op by op (JAX's "de-optimized version") to name the primitive at fault.
import type { Tensor } from "@tensorflow/tfjs-core";
import { scope } from "../array/array.js";
import { isFloat } from "../dtypes.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { config } from "../config.js";
import { FloatingPointError } from "../errors.js";

/** "nan" or "inf" if a float output holds one that a flag asks about (JAX's _check_special). */
export function findSpecial(outs: readonly Tensor[], avals: readonly ShapedArray[]): "nan" | "inf" | null {
  const nans = config.read<boolean>("jax_debug_nans");
  const infs = config.read<boolean>("jax_debug_infs");
  if (!nans && !infs) return null; // jax_debug_key_reuse alone reads nothing back
  for (let i = 0; i < outs.length; i++) {
    if (!isFloat(avals[i].dtype)) continue;
    const data = outs[i].dataSync() as Float32Array;
    if (nans && data.some(Number.isNaN)) return "nan";
    if (infs && data.some((v) => v === Infinity || v === -Infinity)) return "inf";
  }
  return null;
}

/** The error of an eager primitive whose output holds `ty`. */
export const invalidValue = (ty: string, name: string): FloatingPointError => new FloatingPointError(`invalid value (${ty}) encountered in ${name}`);

/**
 * JAX's maybe_recursive_nan_check: after a jit call produced `ty`, `run` evaluates its jaxpr
 * eagerly, primitive by primitive, so the first primitive producing it raises. If none does (an
 * optimization made the value, or a NaN literal), JAX's explanation is raised instead.
 */
export function deoptimized(name: string, ty: string, run: () => unknown): never {
  console.log("Invalid nan value encountered in the output of a jax.jit function. Calling the de-optimized version.");
  scope(run);
  throw new FloatingPointError(
    `('jit(${name})', '${ty}'). Because jax_config.debug_nans.value and/or config.jax_debug_infs is set, the de-optimized function ` +
      "(i.e., the function as if the `jit` decorator were removed) was called in an attempt to get a more precise error message. " +
      "However, the de-optimized function did not produce invalid values during its execution. This behavior can result from `jit` " +
      "optimizations causing the invalid value to be produced. It may also arise from having nan/inf literals as inputs or outputs, " +
      "like `jax.jit(lambda ...: jax.numpy.nan)(...)`. \n\n" +
      "It may be possible to avoid the invalid value by removing the `jit` decorator, at the cost of losing optimizations. \n\n" +
      "If you see this error, consider opening a bug report at https://github.com/jax-ml/jax.",
  );
}
