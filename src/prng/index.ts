/**
 * `random`: JAX's jax.random on tfjax, drawing JAX's numbers. Keys are explicit values: split
 * them, never reuse them.
 *
 * ```ts
 * const [key, subkey] = random.split(random.key(0));
 * random.uniform(subkey, [3]);  // [0.00729382 0.02089119 0.5814265 ]
 * ```
 * @module
 */
import { index } from "../numpy/index.js"; // installs numpy's hooks before the key hook below
import { arrayMethods } from "../array/base.js";
import { isKey } from "../dtypes.js";
import { randomUnwrap, randomWrap } from "./keys.js";
import "./key_layout.js"; // shape-only primitives on key arrays

// `const [k1, k2] = random.split(key)`: iterating a key array indexes its uint32 data and wraps
// the row back into a key (tfjax's slicing primitives see only plain arrays).
arrayMethods.index = (x, i) => (isKey(x.dtype) ? randomWrap(index(randomUnwrap(x), i)) : index(x, i));

export { key, PRNGKey, keyData, wrapKeyData, split, foldIn, bits } from "./keys.js";
export { uniform, normal, truncatedNormal, gumbel, exponential, laplace, logistic } from "./samplers.js";
export { randint, bernoulli, rademacher, permutation, choice, categorical } from "./discrete.js";
export { cauchy, lognormal, pareto, rayleigh, weibullMin, triangular, maxwell, doubleSidedMaxwell, geometric, multivariateNormal } from "./samplers_extra.js";
export { gamma, loggamma, beta, dirichlet, chisquare, f, t, generalizedNormal, ball, random_gamma_p } from "./gamma.js";
export { poisson, binomial } from "./poisson.js";
export { threefry2x32_p, iota_2x32_shape_p, random_seed_p, random_wrap_p, random_unwrap_p, random_split_p, random_fold_in_p, random_bits_p } from "./primitives.js";
export { bitcast_convert_type_p } from "./bitcast.js";
export { sort_p } from "./sort.js";
