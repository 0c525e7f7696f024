// Common-subexpression elimination: a pure equation equal to an earlier one (same primitive,
// same input atoms, deep-equal params) is dropped and its outputs renamed to the earlier ones.
import type { Jaxpr, JaxprEqn } from "../jaxpr.js";
import { Subst, eqnKey, isPure } from "./util.js";

export function cse(jaxpr: Jaxpr): Jaxpr {
  const sub = new Subst();
  const seen = new Map<string, JaxprEqn>();
  const eqns: JaxprEqn[] = [];
  for (const e0 of jaxpr.eqns) {
    // Renaming first makes chains collapse in one sweep: once b ≡ a, f(b) keys as f(a).
    const e = sub.eqn(e0);
    if (isPure(e.primitive)) {
      const key = eqnKey(e);
      const prev = seen.get(key);
      // Abstract eval is deterministic, so the types agree; checked anyway for hand-built jaxprs.
      if (prev && prev.outBinders.every((v, i) => v.aval.equals(e.outBinders[i].aval))) {
        e.outBinders.forEach((v, i) => sub.set(v, prev.outBinders[i]));
        continue;
      }
      if (!prev) seen.set(key, e);
    }
    eqns.push(e);
  }
  return sub.finish(jaxpr, eqns);
}
