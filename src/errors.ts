// JAX's error classes, by name, so users can catch them as they would in JAX.

/** An argument has the right type but a wrong value: an axis out of bounds, an empty reduction (Python's ValueError). */
export class ValueError extends Error {
  override name = "ValueError";
}

/** A traced value was used where a concrete one is needed (JAX's ConcretizationTypeError). */
export class ConcretizationTypeError extends TypeError {
  override name = "ConcretizationTypeError";
}

/** A tracer outlived the transformation that made it (JAX's UnexpectedTracerError). */
export class UnexpectedTracerError extends Error {
  override name = "UnexpectedTracerError";
}

/** A NaN or Inf was produced while jax_debug_nans / jax_debug_infs is set (Python's FloatingPointError). */
export class FloatingPointError extends Error {
  override name = "FloatingPointError";
}

/** A PRNG key was consumed twice while jax_debug_key_reuse is set (JAX's KeyReuseError). */
export class KeyReuseError extends Error {
  override name = "KeyReuseError";
}
