// checkpoint (remat): differentiate `f` without saving its intermediates. Under reverse mode
// the forward pass keeps only the inputs the backward pass needs; the backward pass recomputes
// the rest (JAX's remat2 primitive, with its default policy: nothing saveable).
import { ClosedJaxpr, Jaxpr, type Params } from "../jaxpr/jaxpr.js";
import { dce } from "../jaxpr/passes/dce.js";
import { definePrimitive } from "../lax/primitive.js";
import * as tree from "../tree.js";
import { bind, withTrace } from "./core.js";
import { cached, defCallRules, evalClosed } from "./call_rules.js";
import { functionName, runClosedJaxpr, traceCall } from "./jit.js";
import { partialEvalJaxpr, partialEvalRules } from "./partial_eval.js";

interface RematParams extends Params {
  jaxpr: ClosedJaxpr;
  prevent_cse: boolean;
  differentiated: boolean;
  policy: null;
}

export const remat_p = definePrimitive<RematParams>({
  name: "remat2",
  abstractEval: (_avals, p) => p.jaxpr.outAvals,
  impl: (args, p) => runClosedJaxpr(p.jaxpr, args, "checkpoint"),
});
defCallRules(remat_p, (p) => p.jaxpr, (p, jaxpr, how) => ({ ...p, jaxpr, differentiated: p.differentiated || how !== "batch" }), () => "checkpoint", {
  transposeByPartialEval: true,
});

/** The body restricted to some outputs, with what those outputs do not need removed. */
const restrict = (j: Jaxpr, keep: boolean[]): Jaxpr => dce(new Jaxpr(j.constvars, j.invars, j.eqns, j.outvars.filter((_, i) => keep[i])));

// Known outputs are computed inline from the known inputs, and nothing else is kept: the staged
// remat recomputes, from the inputs, whatever the unknown (tangent) outputs need. The known
// outputs are computed by the known half of the split body, not by the body cut down to them:
// an equation with known and unknown outputs (a jit of primals and tangents) reads unknown
// inputs, which its known half does not (JAX's remat_partial_eval evaluates jaxpr_known).
partialEvalRules.set(remat_p, (trace, args, unknown, params) => {
  const p = params as RematParams;
  const body = p.jaxpr;
  const { outUnknown, knownBody, unknownBody } = cached(body, `remat-pe|${unknown.map(Number).join("")}`, () => {
    const split = partialEvalJaxpr(body.jaxpr, [], unknown, false, "checkpoint");
    const kj = split.known.jaxpr;
    const numKnown = split.outUnknown.filter((u) => !u).length;
    // Without its residuals: nothing is saved.
    const known = dce(new Jaxpr(kj.constvars, kj.invars, kj.eqns, kj.outvars.slice(0, numKnown)));
    return {
      outUnknown: split.outUnknown,
      knownBody: new ClosedJaxpr(known, split.known.consts),
      unknownBody: new ClosedJaxpr(restrict(body.jaxpr, split.outUnknown), []),
    };
  });
  const knownOuts = withTrace(trace.parent!, () => evalClosed(knownBody, args.filter((_, i) => !unknown[i])));
  const unknownOuts = trace.stage(remat_p, args, { ...p, jaxpr: unknownBody, differentiated: true });
  let a = 0;
  let b = 0;
  return outUnknown.map((u) => (u ? unknownOuts[b++] : knownOuts[a++]));
});

/**
 * `checkpoint(f)` computes what `f` does; under grad its intermediates are recomputed in the
 * backward pass instead of stored (trading compute for memory). Also exported as `remat`.
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F, opts: { preventCse?: boolean } = {}): F {
  const fname = functionName(f);
  const wrapped = (...args: unknown[]) => {
    const { call, consts, xs, outTree } = traceCall(f, args, `${fname} for checkpoint`);
    const outs = bind(remat_p, [...consts, ...xs], {
      jaxpr: call,
      prevent_cse: opts.preventCse ?? true,
      differentiated: false,
      policy: null,
    });
    return tree.unflatten(outTree, outs);
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped as unknown as F;
}

export { checkpoint as remat };
