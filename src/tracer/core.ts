// Traces, tracers and bind: every operation goes through `bind`, and the current trace decides
// what it means (evaluate it now, record it in a jaxpr, ...). "Stackless" as in current JAX:
// the current trace is a dynamic variable, and each trace knows its parent.
import { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, wrap } from "../array/array.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import type { Params, Primitive } from "../jaxpr/jaxpr.js";
import { ensureBackend } from "../backends/backend.js";
import { runPrimitive } from "../backends/dispatch.js";
import { ConcretizationTypeError, UnexpectedTracerError } from "../errors.js";
import { debugChecks, config } from "../config.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { ClosedJaxpr } from "../jaxpr/jaxpr.js";
import { scalar } from "../array/array.js";
import { deoptimized, findSpecial, invalidValue } from "./debug_nans.js";
import { callArgIndex, checkSignature, primitiveSignature, updateConsumption } from "./key_reuse.js";

export abstract class Trace {
  /** False once the transformation that owns this trace has returned. */
  alive = true;
  constructor(
    readonly parent: Trace | null,
    /** What is being traced, for error messages: `f for jit`. */
    readonly description: string,
  ) {}
  abstract processPrimitive(prim: Primitive, args: JaxArray[], params: Params): JaxArray[];
}

export abstract class Tracer extends JaxArray {
  abstract readonly trace: Trace;

  private concretizationError(what: string): never {
    throw new ConcretizationTypeError(
      `Abstract tracer value encountered where concrete value is expected: traced array with shape ${this.aval.dtype}[${this.aval.shape.join(",")}]\n` +
        `The problem arose with ${what}. A traced value has no concrete value during tracing; ` +
        `use jnp.where or lax.cond for data-dependent choices, or mark the argument static (staticArgnums).\n` +
        `The error occurred while tracing the function ${this.trace.description}.`,
    );
  }
  item(): never {
    this.concretizationError("`item()`");
  }
  dataSync(): never {
    this.concretizationError("`dataSync()`");
  }
  tolist(): never {
    this.concretizationError("`tolist()`");
  }
  data(): never {
    this.concretizationError("`data()`");
  }
  toTensor(): never {
    this.concretizationError("`toTensor()`");
  }
  // A tracer owns no memory; freeing one is a mistake, as JAX's Tracer.delete() is.
  dispose(): never {
    this.concretizationError("`dispose()`");
  }
  [Symbol.dispose](): never {
    this.concretizationError("`dispose()` (the end of a `using` block)");
  }
  get isDisposed(): never {
    return this.concretizationError("`isDisposed`");
  }
  [Symbol.toPrimitive](hint: string): never {
    this.concretizationError(
      hint === "string" ? "a string conversion (`String(x)` or a template literal)" : "a JS number or boolean conversion (`Number(x)`, `x > 0`, `if (x)`)",
    );
  }
  valueOf(): never {
    this.concretizationError("`valueOf()`");
  }
  toString(): string {
    return `Traced<${this.aval.strShort()}>with<${this.trace.constructor.name}>`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** Evaluates primitives now, on tfjs kernels. The bottom of every trace stack. */
export class EvalTrace extends Trace {
  processPrimitive(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
    ensureBackend();
    const inAvals = args.map((a, i) => checkConcrete(a, prim, i).aval);
    const outAvals = prim.abstractEval(inAvals, params);
    if (debugChecks) return checkedEval(prim, args as ArrayImpl[], params, inAvals, outAvals);
    const outs = runPrimitive(
      prim,
      args.map((a) => (a as ArrayImpl).tensor),
      params,
      { inAvals, outAvals },
    );
    return outs.map((t, i) => wrap(t, outAvals[i].dtype, outAvals[i].weakType));
  }
}

const CALLS = new Set(["jit", "remat2", "custom_jvp_call", "custom_vjp_call"]);

/** Eager evaluation under jax_debug_nans / jax_debug_infs / jax_debug_key_reuse. */
function checkedEval(prim: Primitive, args: ArrayImpl[], params: Params, inAvals: ShapedArray[], outAvals: ShapedArray[]): JaxArray[] {
  const keySig = config.read("jax_debug_key_reuse") ? primitiveSignature(prim.name, params, inAvals, outAvals.length) : null;
  if (keySig) {
    if (prim.name === "jit") checkSignature(keySig, args, "jit-compiled function", callArgIndex(params.jaxpr, args.length));
    else checkSignature(keySig, args, prim.name);
  }
  const outs = runPrimitive(
    prim,
    args.map((a) => a.tensor),
    params,
    { inAvals, outAvals },
  );
  const ty = findSpecial(outs, outAvals);
  if (ty) {
    outs.forEach((t) => t.dispose());
    // A call primitive (a jit of a vmapped function, ...) is run again op by op to find the culprit.
    const call = params.jaxpr ?? params.call_jaxpr;
    if (!CALLS.has(prim.name) || !(call instanceof ClosedJaxpr)) throw invalidValue(ty, prim.name);
    deoptimized(String(params.name ?? prim.name), ty, () => evalClosedJaxpr(call, args));
  }
  const res = outs.map((t, i) => wrap(t, outAvals[i].dtype, outAvals[i].weakType));
  if (keySig) updateConsumption(keySig, args, res);
  return res;
}

/** Runs a closed jaxpr equation by equation under the current trace. */
export const evalClosedJaxpr = (c: ClosedJaxpr, args: JaxArray[]): JaxArray[] =>
  interpretJaxpr<JaxArray>(c.jaxpr, c.consts as JaxArray[], args, (l) => scalar(l.val, l.aval.dtype, l.aval.weakType), (p, xs, ps) => bind(p, xs, ps));

/** JAX's text for a non-array operand of a primitive (lax.sin("hi")). */
export function notAJaxValue(x: unknown, name: string, position: number): TypeError {
  const type = x === null ? "null" : typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x;
  return new TypeError(`Error interpreting argument to ${name} as a JAX value. The problematic value is of type ${type} and was passed to ${name} at position ${position}.`);
}

function checkConcrete(a: JaxArray, prim: Primitive, position: number): ArrayImpl {
  if (a instanceof ArrayImpl) return a;
  if (a instanceof Tracer) throw escapedTracer(a);
  throw notAJaxValue(a, prim.name, position);
}

export function escapedTracer(t: Tracer): UnexpectedTracerError {
  return new UnexpectedTracerError(
    `Encountered an unexpected tracer. A function transformed by JAX had a side effect, allowing for a reference to an ` +
      `intermediate value with type ${t.aval.dtype}[${t.aval.shape.join(",")}] wrapped in a ${t.trace.constructor.name.replace(/Trace$/, "Tracer")} to escape the scope of the transformation.\n` +
      `JAX transformations require that functions explicitly return their outputs, and disallow saving intermediate values to global state.\n` +
      `The function being traced when the value leaked was ${t.trace.description}.`,
  );
}

export const evalTrace: Trace = new EvalTrace(null, "eager");
let current: Trace = evalTrace;

export const currentTrace = (): Trace => current;

/** Runs `fn` with `trace` as the current trace. */
export function withTrace<T>(trace: Trace, fn: () => T): T {
  const prev = current;
  current = trace;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** Applies a primitive to arrays under the current trace. */
export function bind(prim: Primitive, args: JaxArray[], params: Params): JaxArray[] {
  return current.processPrimitive(prim, args, params);
}

/** `bind` for single-output primitives. */
export function bind1(prim: Primitive, args: JaxArray[], params: Params = {}): JaxArray {
  return current.processPrimitive(prim, args, params)[0];
}
