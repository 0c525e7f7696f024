// A jaxpr type checker (JAX's core.check_jaxpr): every variable is bound once before use, and
// every equation's binders have the types its primitive's abstract-eval rule gives.
import { type Atom, ClosedJaxpr, type Jaxpr, Literal, Var } from "./jaxpr.js";
import { printJaxpr } from "./print.js";

/** What `checkJaxpr` throws: a variable used before it is bound, or an equation of the wrong type. */
export class JaxprTypeError extends TypeError {
  override name = "JaxprTypeError";
}

/**
 * Type-checks a jaxpr as JAX's `core.check_jaxpr` does; throws `JaxprTypeError` with the jaxpr.
 *
 * ```ts
 * checkJaxpr(makeJaxpr(grad(jnp.sin))(1.0).jaxpr);
 * ```
 */
export function checkJaxpr(jaxpr: Jaxpr): void {
  const defined = new Set<Var>();
  const bind = (v: Var, where: string) => {
    if (defined.has(v)) throw new JaxprTypeError(`Variable ${v.aval.strShort()} bound twice (${where})`);
    defined.add(v);
  };
  const use = (a: Atom, where: string) => {
    if (a instanceof Literal) {
      if (a.aval.ndim !== 0) throw new JaxprTypeError(`Non-scalar literal in ${where}`);
      return;
    }
    if (!defined.has(a)) throw new JaxprTypeError(`Variable ${a.aval.strShort()} used in ${where} before it is defined\n${printJaxpr(jaxpr)}`);
  };
  jaxpr.constvars.forEach((v) => bind(v, "constvars"));
  jaxpr.invars.forEach((v) => bind(v, "invars"));
  jaxpr.eqns.forEach((e, i) => {
    const where = `equation ${i} (${e.primitive.name})`;
    e.inputs.forEach((a) => use(a, where));
    let outAvals;
    try {
      outAvals = e.primitive.abstractEval(
        e.inputs.map((a) => a.aval),
        e.params,
      );
    } catch (err) {
      throw new JaxprTypeError(`${where}: ${(err as Error).message}`);
    }
    if (outAvals.length !== e.outBinders.length) throw new JaxprTypeError(`${where}: ${outAvals.length} outputs but ${e.outBinders.length} binders`);
    outAvals.forEach((a, k) => {
      const b = e.outBinders[k].aval;
      if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join())
        throw new JaxprTypeError(`${where}: binder ${k} has type ${b.strShort()} but the rule gives ${a.strShort()}`);
    });
    for (const v of Object.values(e.params)) if (v instanceof ClosedJaxpr) checkJaxpr(v.jaxpr);
    e.outBinders.forEach((v) => bind(v, where));
  });
  jaxpr.outvars.forEach((a) => use(a, "outvars"));
}
