// Algebraic simplification as a rewrite table (tinygrad's PatternMatcher in spirit): each
// primitive lists rules; a rule sees one equation, whose inputs are already renamed, and the
// defining equations of those inputs, and proposes either an atom to stand for the single
// output or a replacement equation. The driver accepts a proposal only if every type stays
// exactly the same (shape, dtype and weak type), so no rule can change what callers see.
//
// Float semantics: only identities that hold for every IEEE value are used, with one
// exception shared with XLA's AlgebraicSimplifier: x + 0 → x, although -0.0 + 0.0 is +0.0.
// Never x * 0 → 0 (NaN, inf), x - x → 0 (NaN, inf) or 0 - x → neg x (0 - 0 is +0).
import { type Atom, type Jaxpr, JaxprEqn, Literal, type Params, Var } from "../jaxpr.js";
import { shapeEqual } from "../aval.js";
import { Subst } from "./util.js";
import { primitives } from "../../lax/primitive.js";

type Def = (a: Atom) => JaxprEqn | undefined;
type Rule = (e: JaxprEqn, def: Def) => Atom | JaxprEqn | undefined;

const withInputs = (e: JaxprEqn, inputs: Atom[], params: Params = e.params) => new JaxprEqn(e.primitive, inputs, params, e.outBinders);

/** The scalar an atom holds everywhere: a Literal, or a broadcast_in_dim of one. */
function constOf(a: Atom, def: Def): number | boolean | undefined {
  if (a instanceof Literal) return a.val;
  const d = def(a);
  return d?.primitive.name === "broadcast_in_dim" && d.inputs[0] instanceof Literal ? d.inputs[0].val : undefined;
}

/** `x op c → x` (right) and `c op x → x` (left) for an identity element `c`; 0 matches -0. */
const rightUnit = (c: number): Rule => (e, def) => (constOf(e.inputs[1], def) === c ? e.inputs[0] : undefined);
const leftUnit = (c: number): Rule => (e, def) => (constOf(e.inputs[0], def) === c ? e.inputs[1] : undefined);

/** `f(f(x)) → x`: neg (exact, even for INT_MIN), not (bitwise and logical). */
const involution: Rule = (e, def) => {
  const d = def(e.inputs[0]);
  return d?.primitive === e.primitive ? d.inputs[0] : undefined;
};

/**
 * The operand itself, accepted only if the output type is exactly the operand's. Sound where
 * an equal type implies the identity: broadcast_in_dim (strictly increasing dimensions),
 * convert_element_type (same dtype), reshape without `dimensions` (row-major). Not transpose.
 */
const operand: Rule = (e) => e.inputs[0];

/** transpose by the identity permutation (not merely shape-preserving: [2,2] by (1,0) is not). */
const identityTranspose: Rule = (e) => ((e.params.permutation as number[]).every((d, i) => d === i) ? e.inputs[0] : undefined);

/** transpose(transpose(x, p), q) = transpose(x, i ↦ p[q[i]]), then possibly the identity. */
const transposeOfTranspose: Rule = (e, def) => {
  const d = def(e.inputs[0]);
  if (d?.primitive !== e.primitive) return undefined;
  const p = d.params.permutation as number[];
  const q = e.params.permutation as number[];
  return withInputs(e, [d.inputs[0]], { ...e.params, permutation: q.map((i) => p[i]) });
};

/** reshape(reshape(x)) = reshape(x): row-major reshapes compose (no `dimensions` reordering). */
const reshapeOfReshape: Rule = (e, def) => {
  const d = def(e.inputs[0]);
  return d?.primitive === e.primitive && d.params.dimensions == null && e.params.dimensions == null ? withInputs(e, [d.inputs[0]]) : undefined;
};

/**
 * op(x, broadcast_in_dim(s)) → op(x, s) for a rank-0 `s` when `x` already has the output
 * shape: lax's elementwise ops broadcast rank-0 operands themselves, so the broadcast (dead
 * afterwards) need not be materialised. `positions` are the operands that may be unbroadcast.
 */
const unbroadcastScalar =
  (positions: number[]): Rule =>
  (e, def) => {
    const shape = e.outBinders[0].aval.shape;
    for (const i of positions) {
      const d = def(e.inputs[i]);
      if (d?.primitive.name !== "broadcast_in_dim" || d.inputs[0].aval.ndim !== 0) continue;
      // Some other operand must still carry the full shape.
      if (!e.inputs.some((a, k) => k !== i && shapeEqual(a.aval.shape, shape))) continue;
      return withInputs(e, e.inputs.map((a, k) => (k === i ? d.inputs[0] : a)));
    }
    return undefined;
  };

/** broadcast_in_dim(broadcast_in_dim(x, d1), d2) = broadcast_in_dim(x, i ↦ d2[d1[i]]). */
const broadcastOfBroadcast: Rule = (e, def) => {
  const d = def(e.inputs[0]);
  if (d?.primitive !== e.primitive) return undefined;
  const outer = e.params.broadcast_dimensions as number[];
  const inner = d.params.broadcast_dimensions as number[];
  return withInputs(e, [d.inputs[0]], { ...e.params, broadcast_dimensions: inner.map((i) => outer[i]) });
};

/**
 * A reduction over axes of size 1 only is a reshape that drops them (each output element is its
 * single input element). Reverse mode makes these: the transpose of broadcasting [n] to [1,n].
 */
const unitReduction: Rule = (e) => {
  const x = e.inputs[0];
  const axes = e.params.axes as number[];
  if (!axes.every((a) => x.aval.shape[a] === 1)) return undefined;
  const shape = e.outBinders[0].aval.shape;
  return new JaxprEqn(primitives.get("reshape")!, [x], { dimensions: null, new_sizes: [...shape], sharding: null }, e.outBinders);
};

const BINARY = [
  "add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "and", "or", "xor",
  "shift_left", "shift_right_logical", "shift_right_arithmetic", "eq", "ne", "lt", "le", "gt", "ge",
];

/** The rewrite table: primitive name → rules, tried in order. */
export const RULES: Record<string, Rule[]> = {
  mul: [rightUnit(1), leftUnit(1)],
  add: [rightUnit(0), leftUnit(0)],
  sub: [rightUnit(0)],
  div: [rightUnit(1)],
  neg: [involution],
  not: [involution],
  transpose: [identityTranspose, transposeOfTranspose],
  reshape: [(e, def) => (e.params.dimensions == null ? operand(e, def) : undefined), reshapeOfReshape],
  convert_element_type: [operand],
  broadcast_in_dim: [operand, broadcastOfBroadcast],
  select_n: [unbroadcastScalar([0])], // a scalar predicate; the cases must keep their shape
};
for (const name of ["reduce_sum", "reduce_max", "reduce_min", "reduce_prod", "reduce_and", "reduce_or"]) RULES[name] = [unitReduction];
for (const name of BINARY) RULES[name] = [...(RULES[name] ?? []), unbroadcastScalar([0, 1])];

/** Whether a proposal keeps every type: an atom must have the binder's aval, an equation must
 *  abstract-evaluate to its binders' avals. */
function acceptable(e: JaxprEqn, r: Atom | JaxprEqn): boolean {
  if (!(r instanceof JaxprEqn)) return e.outBinders.length === 1 && r.aval.equals(e.outBinders[0].aval);
  try {
    const avals = r.primitive.abstractEval(
      r.inputs.map((a) => a.aval),
      r.params,
    );
    return avals.length === r.outBinders.length && avals.every((a, i) => a.equals(r.outBinders[i].aval));
  } catch {
    return false;
  }
}

function rewrite(e: JaxprEqn, def: Def): Atom | JaxprEqn | undefined {
  for (const rule of RULES[e.primitive.name] ?? []) {
    const r = rule(e, def);
    if (r !== undefined && acceptable(e, r)) return r;
  }
  return undefined;
}

const MAX_REWRITES_PER_EQN = 8; // rewritten equations are simplified again; this bounds it

export function simplify(jaxpr: Jaxpr): Jaxpr {
  const sub = new Subst();
  const defs = new Map<Var, JaxprEqn>();
  const def: Def = (a) => (a instanceof Var ? defs.get(a) : undefined);
  const eqns: JaxprEqn[] = [];
  for (const e0 of jaxpr.eqns) {
    let e = sub.eqn(e0);
    let atom: Atom | undefined;
    for (let n = 0; n < MAX_REWRITES_PER_EQN && atom === undefined; n++) {
      const r = rewrite(e, def);
      if (r === undefined) break;
      if (r instanceof JaxprEqn) e = r;
      else atom = r;
    }
    if (atom !== undefined) sub.set(e.outBinders[0], atom);
    else {
      eqns.push(e);
      for (const v of e.outBinders) defs.set(v, e);
    }
  }
  return sub.finish(jaxpr, eqns);
}
