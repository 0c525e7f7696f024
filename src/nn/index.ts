// The `nn` namespace: activations (jax.nn) and `nn.initializers`.
export * from "./functions.js";
export * as initializers from "./initializers.js";
