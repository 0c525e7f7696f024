// Dead-code elimination: one backward sweep keeps the equations whose outputs reach an outvar.
import { Jaxpr, type JaxprEqn, Var } from "../jaxpr.js";
import { isPure } from "./util.js";

/**
 * Drops pure equations none of whose outputs is used. Invars stay, used or not: they are the
 * calling convention. A multi-output equation stays whole if any output is live.
 */
export function dce(jaxpr: Jaxpr): Jaxpr {
  const live = new Set<Var>();
  for (const a of jaxpr.outvars) if (a instanceof Var) live.add(a);
  const kept: JaxprEqn[] = [];
  for (let i = jaxpr.eqns.length - 1; i >= 0; i--) {
    const e = jaxpr.eqns[i];
    if (!isPure(e.primitive) || e.outBinders.some((v) => live.has(v))) {
      kept.push(e);
      for (const a of e.inputs) if (a instanceof Var) live.add(a);
    }
  }
  return new Jaxpr([...jaxpr.constvars], [...jaxpr.invars], kept.reverse(), [...jaxpr.outvars]);
}
