// Partial evaluation: split a computation into the part computable from known values and the
// part that waits for unknown ones (JAX's pe.JaxprTrace, in the single-trace form of
// autodidax). Known work runs in the parent trace right away; unknown work is staged into a
// jaxpr whose constvars are the known values it needed (the residuals). Linearization is jvp
// under this trace with the tangents unknown; primitives with inner jaxprs (jit) split those
// jaxprs through `partialEvalJaxpr`.
import type { Array as JaxArray } from "../array/base.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import type { Jaxpr, Params, Primitive } from "../jaxpr/jaxpr.js";
import { bind, withTrace } from "./core.js";
import { DynamicJaxprTrace } from "./jaxpr_trace.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { scalar } from "../array/array.js";

/** A partial-eval rule: split a primitive whose inputs are partly unknown (jit's). */
export type PartialEvalRule = (trace: PartialEvalTrace, args: JaxArray[], unknown: boolean[], params: Params) => JaxArray[];
export const partialEvalRules = new Map<Primitive, PartialEvalRule>();

export class PartialEvalTrace extends DynamicJaxprTrace {
  processPrimitive(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    const unknown = args.map((a) => this.owns(a));
    if (!unknown.some(Boolean)) return withTrace(this.parent!, () => bind(prim, args, params));
    const rule = partialEvalRules.get(prim);
    if (rule) return rule(this, args, unknown, params);
    return super.processPrimitive(prim, args, params);
  }

  /** Stages `prim` here regardless of which inputs are known (for rules). */
  stage(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    return super.processPrimitive(prim, args, params);
  }
}

export interface SplitJaxpr {
  /** known inputs -> [known outputs, residuals] */
  known: { jaxpr: Jaxpr; consts: JaxArray[] };
  /** [residuals, unknown inputs] -> unknown outputs */
  unknown: { jaxpr: Jaxpr; consts: JaxArray[] };
  /** Which outputs of the original jaxpr are unknown. */
  outUnknown: boolean[];
  numResiduals: number;
}

/**
 * Splits a closed jaxpr by which inputs are unknown (JAX's partial_eval_jaxpr_nounits), by
 * re-running it under a PartialEvalTrace stacked on a staging trace for the known part.
 * `instantiate` forces outputs to be unknown (then the known jaxpr computes residuals only).
 */
export function partialEvalJaxpr(jaxpr: Jaxpr, consts: JaxArray[], unknown: boolean[], instantiate: boolean | boolean[], description: string): SplitJaxpr {
  const knownTrace = new DynamicJaxprTrace(null, description);
  const pe = new PartialEvalTrace(knownTrace, description);
  try {
    const knownIns: JaxArray[] = [];
    const ins = jaxpr.invars.map((v, i) => {
      if (unknown[i]) return pe.newArg(v.aval);
      const t = knownTrace.newArg(v.aval);
      knownIns.push(t);
      return t;
    });
    const outs = withTrace(pe, () =>
      interpretJaxpr<JaxArray>(jaxpr, consts, ins, (l) => scalar(l.val, l.aval.dtype, l.aval.weakType), (p, xs, params) => bind(p, xs, params)),
    );
    const inst = (i: number) => (Array.isArray(instantiate) ? instantiate[i] : instantiate);
    const outUnknown = outs.map((o, i) => pe.owns(o) || inst(i));
    // Unknown outputs staged from known values (instantiated ones) are read through residuals.
    const unknownJ = pe.toJaxpr(outs.filter((_, i) => outUnknown[i]));
    const residuals = unknownJ.consts;
    const knownJ = withTrace(knownTrace, () => knownTrace.toJaxpr([...outs.filter((_, i) => !outUnknown[i]), ...residuals]));
    return {
      known: knownJ,
      unknown: { jaxpr: unknownJ.jaxpr, consts: [] },
      outUnknown,
      numResiduals: residuals.length,
    };
  } finally {
    pe.alive = false;
    knownTrace.alive = false;
  }
}

export type { ShapedArray };
