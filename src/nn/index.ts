/**
 * The `nn` namespace: jax.nn's activations and helpers (`relu`, `softplus`, `logSoftmax`,
 * `oneHot`, `dotProductAttention`, ...) and `nn.initializers`.
 *
 * ```ts
 * nn.relu(jnp.array([-1, 2]));                               // [0. 2.]
 * const w = nn.initializers.heNormal()(random.key(0), [2, 3]);
 * ```
 * @module
 */
export * from "./functions.js";
export { dotProductAttention, type AttentionOptions } from "./attention.js";
export * as initializers from "./initializers.js";
