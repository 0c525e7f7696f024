// Automatic differentiation as JAX does it: forward mode is a trace whose tracers carry a
// tangent (JVPTrace); reverse mode linearizes (jvp under partial evaluation, so the tangent
// computation is staged into a linear jaxpr while the primal one runs) and then transposes
// that jaxpr equation by equation (backwardPass).
import type { Array as JaxArray } from "../array/base.js";
import { isFloat } from "../dtypes.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { type Jaxpr, Literal, type MaybeZero, type Params, type Primitive, UndefinedPrimal, Var } from "../jaxpr/jaxpr.js";
import { scalar } from "../array/array.js";
import { Trace, Tracer, bind, currentTrace, withTrace } from "./core.js";
import { PartialEvalTrace } from "./partial_eval.js";
import { addAny, tangentAval, zerosLike as zerosOf } from "./ad_util.js";

// ---- forward mode -----------------------------------------------------------------------------

export class JVPTracer extends Tracer {
  constructor(
    readonly trace: JVPTrace,
    readonly primal: JaxArray,
    readonly tangent: JaxArray,
  ) {
    super();
  }
  get aval(): ShapedArray {
    return this.primal.aval;
  }
}

export class JVPTrace extends Trace {
  /** A value's primal and tangent in this trace (values from outside have zero tangents). */
  unpack(x: JaxArray): [JaxArray, MaybeZero] {
    return x instanceof JVPTracer && x.trace === this ? [x.primal, x.tangent] : [x, null];
  }

  pack(primal: JaxArray, tangent: MaybeZero): JaxArray {
    return tangent === null ? primal : new JVPTracer(this, primal, tangent);
  }

  processPrimitive(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    const primals: JaxArray[] = [];
    const tangents: MaybeZero[] = [];
    for (const a of args) {
      const [p, t] = this.unpack(a);
      primals.push(p);
      tangents.push(t);
    }
    const parent = this.parent!;
    // No tangents in, or a primitive without derivatives (keys, bits): the outputs are constants.
    if (tangents.every((t) => t === null) || prim.nonDifferentiable) return withTrace(parent, () => bind(prim, primals, params));
    if (!prim.jvp) throw new Error(`Differentiation rule for '${prim.name}' not implemented`);
    const [outs, touts] = withTrace(parent, () => prim.jvp!(primals, tangents, params));
    return outs.map((o, i) => this.pack(o, touts[i]));
  }
}

/** Tangent inputs for primal inputs: only floats carry tangents (integers get zero, JAX's float0). */
const differentiable = (a: ShapedArray): boolean => isFloat(a.dtype);

/**
 * jvp of a flat function: primal and tangent outputs (null tangents are symbolic zeros).
 * Runs `f` once under a new JVPTrace on top of the current trace.
 */
export function jvpFlat(
  f: (...xs: JaxArray[]) => JaxArray[],
  primals: JaxArray[],
  tangents: MaybeZero[],
  description: string,
  /** Called while the trace lives, to take primal values out of side outputs (aux). */
  primalOf?: (unwrap: (x: JaxArray) => JaxArray) => void,
): [JaxArray[], MaybeZero[]] {
  const trace = new JVPTrace(currentTrace(), description);
  try {
    const ins = primals.map((p, i) => trace.pack(p, differentiable(p.aval) ? tangents[i] : null));
    const outs = withTrace(trace, () => f(...ins));
    primalOf?.((x) => trace.unpack(x)[0]);
    const po: JaxArray[] = [];
    const to: MaybeZero[] = [];
    for (const o of outs) {
      const [p, t] = trace.unpack(o);
      po.push(p);
      to.push(t);
    }
    return [po, to];
  } finally {
    trace.alive = false;
  }
}

// ---- linearize and transpose ------------------------------------------------------------------

/** A linear function as a jaxpr over the tangent inputs, with its residuals as constvars. */
export interface LinearFn {
  jaxpr: Jaxpr;
  residuals: JaxArray[];
  /** Which primal inputs have a tangent input (an invar of `jaxpr`). */
  inMask: boolean[];
  /** Which outputs have a non-zero tangent (an outvar of `jaxpr`). */
  outMask: boolean[];
  inAvals: ShapedArray[];
  outAvals: ShapedArray[];
}

/**
 * Runs `f` at `primals`, returning its outputs and its linearization: the tangent map staged
 * into a jaxpr while the primal computation runs in the current trace (JAX's linearize).
 */
export function linearizeFlat(
  f: (...xs: JaxArray[]) => JaxArray[],
  primals: JaxArray[],
  description: string,
  primalOf?: (unwrap: (x: JaxArray) => JaxArray) => void,
): [JaxArray[], LinearFn] {
  const pe = new PartialEvalTrace(currentTrace(), description);
  try {
    const inMask = primals.map((p) => differentiable(p.aval));
    const tangentsIn = primals.map((p, i) => (inMask[i] ? pe.newArg(tangentAval(p.aval)) : null));
    const [outs, tangents] = withTrace(pe, () => jvpFlat(f, primals, tangentsIn, description, primalOf));
    // A tangent that does not depend on the tangent inputs is a constant of a linear map: zero
    // (JAX treats such known tangents as symbolic zeros rather than residual outputs).
    const tangentsOut: MaybeZero[] = tangents.map((t) => (t !== null && pe.owns(t) ? t : null));
    const outMask = tangentsOut.map((t) => t !== null);
    const { jaxpr, consts } = pe.toJaxpr(tangentsOut.filter((t): t is JaxArray => t !== null));
    return [
      outs,
      { jaxpr, residuals: consts, inMask, outMask, inAvals: primals.map((p) => tangentAval(p.aval)), outAvals: outs.map((o) => tangentAval(o.aval)) },
    ];
  } finally {
    pe.alive = false;
  }
}

/** Applies a linearization to tangents (JAX's linearize's f_jvp): evaluates the linear jaxpr. */
export function applyLinear(lin: LinearFn, tangents: MaybeZero[]): MaybeZero[] {
  const env = new Map<Var, JaxArray>();
  lin.jaxpr.constvars.forEach((v, i) => env.set(v, lin.residuals[i]));
  const ins = tangents.filter((_, i) => lin.inMask[i]);
  lin.jaxpr.invars.forEach((v, i) => env.set(v, ins[i] ?? zerosOf(v.aval)));
  const read = (a: Var | Literal): JaxArray => (a instanceof Literal ? scalar(a.val, a.aval.dtype, a.aval.weakType) : env.get(a)!);
  for (const e of lin.jaxpr.eqns) {
    const outs = bind(e.primitive, e.inputs.map(read), e.params);
    e.outBinders.forEach((v, i) => env.set(v, outs[i]));
  }
  const outs = lin.jaxpr.outvars.map(read);
  let k = 0;
  return lin.outMask.map((m) => (m ? outs[k++] : null));
}


/**
 * Transposes a linear jaxpr: from cotangents of its outputs, the cotangents of its linear
 * inputs (JAX's backward_pass). `args[i]` is a value for non-linear inputs, an UndefinedPrimal
 * for linear ones; constvars are values. Equations with no linear input are evaluated forward.
 */
export function backwardPass(jaxpr: Jaxpr, consts: JaxArray[], args: (JaxArray | UndefinedPrimal)[], cts: MaybeZero[], accums: MaybeZero[] = []): MaybeZero[] {
  const primal = new Map<Var, JaxArray>();
  const linear = new Set<Var>();
  jaxpr.constvars.forEach((v, i) => primal.set(v, consts[i]));
  jaxpr.invars.forEach((v, i) => {
    const a = args[i];
    if (a instanceof UndefinedPrimal) linear.add(v);
    else primal.set(v, a);
  });
  const isLinear = (a: Var | Literal) => a instanceof Var && linear.has(a);
  const readPrimal = (a: Var | Literal): JaxArray | UndefinedPrimal =>
    a instanceof Literal ? scalar(a.val, a.aval.dtype, a.aval.weakType) : linear.has(a) ? new UndefinedPrimal(a.aval) : primal.get(a)!;

  const linearEqns = [];
  for (const e of jaxpr.eqns) {
    if (e.inputs.some(isLinear)) {
      for (const v of e.outBinders) linear.add(v);
      linearEqns.push(e);
    } else {
      const outs = bind(e.primitive, e.inputs.map(readPrimal) as JaxArray[], e.params);
      e.outBinders.forEach((v, i) => primal.set(v, outs[i]));
    }
  }

  const ctEnv = new Map<Var, JaxArray>();
  // A linear input may start from a value its cotangents are added to as they arrive (JAX's
  // ValAccum(aval, val) in backward_pass3, as scan's transpose accumulates its consts').
  jaxpr.invars.forEach((v, i) => accums[i] && linear.has(v) && ctEnv.set(v, accums[i]!));
  const addCt = (v: Var | Literal, ct: MaybeZero) => {
    if (ct === null || !isLinear(v)) return;
    const prev = ctEnv.get(v as Var) ?? null;
    ctEnv.set(v as Var, addAny(prev, ct)!);
  };
  jaxpr.outvars.forEach((v, i) => addCt(v, cts[i]));
  for (let k = linearEqns.length - 1; k >= 0; k--) {
    const e = linearEqns[k];
    const ctsOut = e.outBinders.map((v) => {
      const ct = ctEnv.get(v) ?? null;
      ctEnv.delete(v);
      return ct;
    });
    if (ctsOut.every((c) => c === null)) continue;
    const rule = e.primitive.transpose;
    if (!rule) throw new Error(`Transpose rule (for reverse-mode differentiation) for '${e.primitive.name}' not implemented`);
    const ctsIn = rule(ctsOut, e.inputs.map(readPrimal), e.params);
    e.inputs.forEach((a, i) => addCt(a, ctsIn[i] ?? null));
  }
  return jaxpr.invars.map((v) => (linear.has(v) ? (ctEnv.get(v) ?? null) : null));
}

/** The transpose of a linearization: output cotangents to input cotangents (null = zero). */
export function transposeLinear(lin: LinearFn, cts: MaybeZero[]): MaybeZero[] {
  const ctIns = backwardPass(
    lin.jaxpr,
    lin.residuals,
    lin.jaxpr.invars.map((v) => new UndefinedPrimal(v.aval)),
    cts.filter((_, i) => lin.outMask[i]),
  );
  let k = 0;
  return lin.inMask.map((m) => (m ? ctIns[k++] : null));
}
