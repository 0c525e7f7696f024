// Staging: a trace that records every primitive into a jaxpr instead of running it
// (JAX's DynamicJaxprTrace; "omnistaging": everything inside the trace is staged).
import type { Array as JaxArray } from "../array/base.js";
import { ArrayImpl } from "../array/array.js";
import { ShapedArray } from "../jaxpr/aval.js";
import { type Atom, Jaxpr, JaxprEqn, Literal, type Params, type Primitive, Var } from "../jaxpr/jaxpr.js";
import { Trace, Tracer, currentTrace, escapedTracer, notAJaxValue, withTrace } from "./core.js";

export class JaxprTracer extends Tracer {
  constructor(
    readonly trace: DynamicJaxprTrace,
    readonly aval: ShapedArray,
  ) {
    super();
  }
}

export class DynamicJaxprTrace extends Trace {
  readonly eqns: JaxprEqn[] = [];
  readonly invars: Var[] = [];
  private readonly atoms = new Map<JaxprTracer, Atom>();
  /** Closed-over values (concrete arrays, or tracers of enclosing traces), in first-use order. */
  private readonly constvars = new Map<JaxArray, Var>();

  newArg(aval: ShapedArray): JaxprTracer {
    const v = new Var(aval);
    this.invars.push(v);
    return this.tracerFor(v, aval);
  }

  private tracerFor(atom: Atom, aval: ShapedArray): JaxprTracer {
    const t = new JaxprTracer(this, aval);
    this.atoms.set(t, atom);
    return t;
  }

  /** True for this trace's own tracers (values staged here, not inputs from outside). */
  owns(x: JaxArray): x is JaxprTracer {
    return x instanceof JaxprTracer && x.trace === this;
  }

  /** The jaxpr atom standing for `x` in this trace. */
  getAtom(x: JaxArray): Atom {
    if (x instanceof JaxprTracer && x.trace === this) return this.atoms.get(x)!;
    if (x instanceof Tracer && !x.trace.alive) throw escapedTracer(x);
    if (x instanceof ArrayImpl && x.literal !== undefined) return new Literal(x.literal, x.aval);
    if (!(x instanceof ArrayImpl) && !(x instanceof Tracer)) throw new TypeError(`Value ${String(x)} is not a valid JAX type`);
    let v = this.constvars.get(x);
    if (v === undefined) {
      v = new Var(x.aval);
      this.constvars.set(x, v);
    }
    return v;
  }

  processPrimitive(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    args.forEach((a, i) => {
      if (!(a instanceof ArrayImpl) && !(a instanceof Tracer)) throw notAJaxValue(a, prim.name, i);
    });
    const inputs = args.map((a) => this.getAtom(a));
    const outAvals = prim.abstractEval(
      args.map((a) => a.aval),
      params,
    );
    const outBinders = outAvals.map((a) => new Var(a));
    this.eqns.push(new JaxprEqn(prim, inputs, params, outBinders));
    return outBinders.map((v) => this.tracerFor(v, v.aval));
  }

  /** The recorded jaxpr with `outs` as its outputs, and the values of its constvars. */
  toJaxpr(outs: JaxArray[]): { jaxpr: Jaxpr; consts: JaxArray[] } {
    const outvars = outs.map((o) => this.getAtom(o));
    return {
      jaxpr: new Jaxpr([...this.constvars.values()], this.invars, this.eqns, outvars),
      consts: [...this.constvars.keys()],
    };
  }
}

/**
 * Traces `fn` on abstract arguments into a jaxpr (JAX's trace_to_jaxpr_dynamic). Tracers of
 * enclosing traces and concrete arrays that `fn` closes over become constvars.
 */
export function traceToJaxpr(
  fn: (...args: JaxArray[]) => JaxArray[],
  inAvals: ShapedArray[],
  description: string,
): { jaxpr: Jaxpr; consts: JaxArray[] } {
  const trace = new DynamicJaxprTrace(currentTrace(), description);
  try {
    const args = inAvals.map((a) => trace.newArg(a));
    const outs = withTrace(trace, () => fn(...args));
    return trace.toJaxpr(outs);
  } finally {
    trace.alive = false;
  }
}

/** Moves constvars to the front of the invars (JAX's convert_constvars_jaxpr). */
export function convertConstvars(j: Jaxpr): Jaxpr {
  return new Jaxpr([], [...j.constvars, ...j.invars], j.eqns, j.outvars);
}
