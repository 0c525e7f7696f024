// The IR: variables, literals, equations and jaxprs (JAX's core.Jaxpr), and the Primitive
// record that owns every rule of an operation.
import type { Tensor } from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { ShapedArray } from "./aval.js";
import type { DType } from "../dtypes.js";

export type Params = Record<string, unknown>;

/** A variable of a jaxpr, bound once (an input or an equation's output); typed by its aval. */
export class Var {
  private static counter = 0;
  /** Creation order; passes use it as a stable, cheap identity. */
  readonly id = Var.counter++;
  constructor(readonly aval: ShapedArray) {}
}

/** A scalar constant written inline, `2.0:f32[]`. */
export class Literal {
  constructor(
    readonly val: number | boolean,
    readonly aval: ShapedArray,
  ) {}
}

export type Atom = Var | Literal;

/** One equation, `outBinders = primitive[params] inputs`. */
export class JaxprEqn {
  constructor(
    readonly primitive: Primitive,
    readonly inputs: Atom[],
    readonly params: Params,
    readonly outBinders: Var[],
  ) {}
}

/**
 * JAX's IR: `{ lambda constvars ; invars. let eqns in (outvars) }`. `makeJaxpr` returns one,
 * closed over its constants, as a `ClosedJaxpr`.
 */
export class Jaxpr {
  constructor(
    readonly constvars: Var[],
    readonly invars: Var[],
    readonly eqns: JaxprEqn[],
    readonly outvars: Atom[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.invars.map((v) => v.aval);
  }
  get outAvals(): ShapedArray[] {
    return this.outvars.map((v) => v.aval);
  }
}

/**
 * A jaxpr with values for its constvars. `String(closed)` prints what JAX's
 * `str(jax.make_jaxpr(f)(...))` prints.
 */
export class ClosedJaxpr {
  constructor(
    readonly jaxpr: Jaxpr,
    readonly consts: unknown[],
  ) {}
  get inAvals(): ShapedArray[] {
    return this.jaxpr.inAvals;
  }
  get outAvals(): ShapedArray[] {
    return this.jaxpr.outAvals;
  }
  get eqns(): JaxprEqn[] {
    return this.jaxpr.eqns;
  }
  toString(): string {
    return printJaxpr(this.jaxpr);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

// Set by print.ts; kept as a hook so the IR does not import its printer.
let printJaxpr: (j: Jaxpr) => string = () => "<jaxpr>";
export function setJaxprPrinter(p: (j: Jaxpr) => string): void {
  printJaxpr = p;
}

/** Everything the tfjs lowering of one primitive is told. */
export interface LowerCtx {
  inAvals: ShapedArray[];
  outAvals: ShapedArray[];
}

/**
 * A linear input of an equation being transposed: only its type is known (JAX's
 * ad.UndefinedPrimal). Transpose rules receive these in place of the arguments they are linear in.
 */
export class UndefinedPrimal {
  constructor(readonly aval: ShapedArray) {}
}

/** A tangent or cotangent that may be a symbolic zero (`null`, JAX's ad_util.Zero). */
export type MaybeZero = JaxArray | null;

/** The batch dimension of a value under vmap, or null where it is not mapped. */
export type BatchDim = number | null;

/** What a batching rule knows about the axis being vmapped (JAX's batching.AxisData). */
export interface AxisData {
  name: string | null;
  size: number;
}

/** A primitive and all of its rules, in one record (as MLX keeps them). */
export interface Primitive<P extends Params = any> {
  readonly name: string;
  /** Shape and dtype rule; throws JAX's error text on bad input. */
  abstractEval(avals: ShapedArray[], params: P): ShapedArray[];
  /** Lowering to tfjs kernels, shared by eager execution and compiled plans. */
  impl(args: Tensor[], params: P, ctx: LowerCtx): Tensor[];
  /** Params in print order, when JAX hides or reorders some (a custom pp rule). */
  printParams?(params: P): [string, unknown][];
  /**
   * Forward-mode rule: primal and tangent outputs from primal and tangent inputs (null tangents
   * are symbolic zeros). Written with `bind`, so it works under any enclosing trace; the tangent
   * outputs must be linear in the tangent inputs.
   */
  jvp?(primals: JaxArray[], tangents: MaybeZero[], params: P): [JaxArray[], MaybeZero[]];
  /**
   * Reverse-mode rule for a primitive that is linear in its UndefinedPrimal arguments:
   * cotangents of those arguments (null for zero or for defined arguments).
   */
  transpose?(cts: MaybeZero[], args: (JaxArray | UndefinedPrimal)[], params: P): MaybeZero[];
  /** Batching rule: outputs and their batch dims from inputs with batch dims (null = unmapped). */
  batch?(args: JaxArray[], dims: BatchDim[], params: P, axis: AxisData): [JaxArray[], BatchDim[]];
  /** True for primitives with no derivative at all (integer/bool outputs only): tangents are zero. */
  nonDifferentiable?: boolean;
}

/** The jaxprs held in an equation's params, in order (JAX's jaxprs_in_params). */
export function jaxprsInParams(params: Params): Jaxpr[] {
  const out: Jaxpr[] = [];
  for (const v of Object.values(params)) {
    for (const x of Array.isArray(v) ? v : [v]) {
      if (x instanceof ClosedJaxpr) out.push(x.jaxpr);
      else if (x instanceof Jaxpr) out.push(x);
    }
  }
  return out;
}

/** A Python list in a param (printed `[1]`); plain JS arrays print as tuples. */
export class PyList<T = unknown> {
  constructor(readonly items: readonly T[]) {}
}

export function literalOf(val: number | boolean, dtype: DType, weakType = false): Literal {
  return new Literal(val, new ShapedArray([], dtype, weakType));
}
