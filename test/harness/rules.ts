// What transformation rules each primitive must have (the registry walk of test/primitives.test.ts):
// a batching rule; a jvp rule or an explicit mark of non-differentiability; and, for the
// primitives JAX transposes, a transpose rule. The exemptions follow JAX's own definitions.
import type { Primitive } from "../../src/jaxpr/jaxpr.js";

/**
 * Linear primitives (in some operands): JAX registers a transpose for each (ad.deflinear,
 * defbilinear, primitive_transposes), so linearized jaxprs contain them.
 */
export const LINEAR = new Set([
  "add_any", "neg", "add", "sub", "mul", "div", "dot_general", "convert_element_type", "copy", "reduce_sum",
  "cumsum", "broadcast_in_dim", "reshape", "squeeze", "transpose", "concatenate", "stack", "pad", "slice",
  "dynamic_slice", "dynamic_update_slice", "select_n", "rev", "split", "unstack", "gather", "scatter",
  "scatter-add", "scatter-sub", "scatter-mul", "triangular_solve", "conv_general_dilated", "reduce_window_sum",
  "select_and_gather_add", "select_and_scatter_add", "cond", "scan", "psum", "all_gather", "jit",
  "remat2", "xla_pmap", "custom_lin",
]);

/** Primitives with no batching rule, and why (none of them is ever handed a batched operand). */
export const NO_BATCH: Record<string, string> = {
  iota: "no operands: nothing to batch (JAX's iota has no batching rule either)",
  iota_2x32_shape: "no operands: nothing to batch (JAX's iota_2x32_shape has no batching rule either)",
  custom_lin: "exists only inside linear jaxprs, which are transposed, never batched (JAX's custom_lin)",
};

/** Primitives with no jvp rule, and why (differentiating them raises, as in JAX). */
export const NO_JVP: Record<string, string> = {
  nextafter: "JAX defines no derivative for nextafter",
  zeta: "JAX defines no derivative for zeta",
  igamma_grad_a: "JAX defines no derivative for igamma_grad_a (itself a derivative, of igamma)",
  pmax: "JAX defines no derivative for pmax",
  pmin: "JAX defines no derivative for pmin",
  iota: "no operands: no tangent ever reaches it",
  iota_2x32_shape: "no operands: no tangent ever reaches it",
  custom_lin: "exists only inside linear jaxprs, which are transposed, never differentiated (JAX's custom_lin)",
};

/** The rules `p` lacks (empty when complete). */
export function missingRules(p: Primitive): string[] {
  const missing: string[] = [];
  if (!p.batch && !(p.name in NO_BATCH)) missing.push("batch");
  if (!p.jvp && !p.nonDifferentiable && !(p.name in NO_JVP)) missing.push("jvp (or nonDifferentiable)");
  if (LINEAR.has(p.name) && !p.transpose) missing.push("transpose");
  return missing;
}
