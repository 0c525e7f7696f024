// The jaxpr interpreter: evaluates equations in order through a caller-supplied `apply`
// (bind, for evalJaxpr), so a jaxpr is itself runnable and transformable.
import { type Atom, type Jaxpr, Literal, type Params, type Primitive, Var } from "./jaxpr.js";

export function interpretJaxpr<T>(
  jaxpr: Jaxpr,
  consts: T[],
  args: T[],
  literal: (l: Literal) => T,
  apply: (prim: Primitive, args: T[], params: Params) => T[],
): T[] {
  if (consts.length !== jaxpr.constvars.length || args.length !== jaxpr.invars.length)
    throw new TypeError(`evalJaxpr: expected ${jaxpr.constvars.length} consts and ${jaxpr.invars.length} args, got ${consts.length} and ${args.length}`);
  const env = new Map<Var, T>();
  jaxpr.constvars.forEach((v, i) => env.set(v, consts[i]));
  jaxpr.invars.forEach((v, i) => env.set(v, args[i]));
  const read = (a: Atom): T => {
    if (a instanceof Literal) return literal(a);
    if (!env.has(a)) throw new Error(`evalJaxpr: variable ${a.aval.strShort()} read before it is defined`);
    return env.get(a)!;
  };
  for (const e of jaxpr.eqns) {
    const outs = apply(e.primitive, e.inputs.map(read), e.params);
    e.outBinders.forEach((v, i) => env.set(v, outs[i]));
  }
  return jaxpr.outvars.map(read);
}
