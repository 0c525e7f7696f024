// JAX's error classes, by name, so users can catch them as they would in JAX.

/** A traced value was used where a concrete one is needed (JAX's ConcretizationTypeError). */
export class ConcretizationTypeError extends TypeError {
  override name = "ConcretizationTypeError";
}

/** A tracer outlived the transformation that made it (JAX's UnexpectedTracerError). */
export class UnexpectedTracerError extends Error {
  override name = "UnexpectedTracerError";
}
