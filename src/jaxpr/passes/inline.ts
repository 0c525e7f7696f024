// Inlining of nested `jit` equations: the callee's equations are spliced into the caller, so
// later passes (and the lowering) see one flat program.
import { type Atom, ClosedJaxpr, type Jaxpr, JaxprEqn, Var } from "../jaxpr.js";
import { Subst } from "./util.js";

/**
 * The body of a jit equation that can be spliced in, or null. Its constvars were already
 * converted to invars; we also insist that the avals agree exactly (weak types included),
 * because substituting an atom of another weak type would change the caller's types.
 */
// Call-like primitives and the param holding their body. Custom-derivative calls are plain
// calls once no transformation is left to apply (JAX inlines them when lowering too).
const CALLS: Record<string, string> = { jit: "jaxpr", custom_jvp_call: "call_jaxpr", custom_vjp_call: "call_jaxpr" };

function callee(e: JaxprEqn): Jaxpr | null {
  const param = CALLS[e.primitive.name];
  if (param === undefined) return null;
  const c = e.params[param];
  if (!(c instanceof ClosedJaxpr) || c.consts.length || c.jaxpr.constvars.length) return null;
  const j = c.jaxpr;
  if (j.invars.length !== e.inputs.length || j.outvars.length !== e.outBinders.length) return null;
  const same = (xs: readonly { aval: Atom["aval"] }[], ys: readonly { aval: Atom["aval"] }[]) => xs.every((x, i) => x.aval.equals(ys[i].aval));
  return same(j.invars, e.inputs) && same(j.outvars, e.outBinders) ? j : null;
}

/**
 * Appends `body`'s equations to `out`, renamed by `sub`. Inside a callee (`fresh`) every binder
 * is replaced by a new Var: one inner jaxpr may be inlined at several call sites, and a Var
 * must be bound only once.
 */
function emit(body: Jaxpr, sub: Subst, out: JaxprEqn[], fresh: boolean): void {
  for (const e0 of body.eqns) {
    const e = sub.eqn(e0);
    const inner = callee(e);
    if (inner) {
      const innerSub = new Subst();
      inner.invars.forEach((v, i) => innerSub.set(v, e.inputs[i]));
      emit(inner, innerSub, out, true);
      // The call's results become whatever the callee returned: a binder, one of its own
      // inputs (the caller's atom) or a Literal. Later uses and the outvars are renamed.
      e.outBinders.forEach((b, i) => sub.set(b, innerSub.atom(inner.outvars[i])));
    } else if (fresh) {
      const binders = e.outBinders.map((v) => new Var(v.aval));
      e.outBinders.forEach((v, i) => sub.set(v, binders[i]));
      out.push(new JaxprEqn(e.primitive, e.inputs, e.params, binders));
    } else out.push(e);
  }
}

/** Inlines every nested jit call, recursively. Invars and constvars are kept as they are. */
export function inlineJits(jaxpr: Jaxpr): Jaxpr {
  const sub = new Subst();
  const eqns: JaxprEqn[] = [];
  emit(jaxpr, sub, eqns, false);
  return sub.finish(jaxpr, eqns);
}
