// The `nn` namespace: activations (jax.nn) and `nn.initializers`.
export * from "./functions.js";
export { dotProductAttention, type AttentionOptions } from "./attention.js";
export * as initializers from "./initializers.js";
