// XLA's algebraic simplifier turns a float division by an exp, pow, sqrt or rsqrt (directly or
// through a broadcast) into a product, and JAX's jitted code (its samplers included) computes
// that product: a / exp(b) → a * exp(-b), a / pow(b, c) → a * pow(b, -c), a / sqrt(b) →
// a * rsqrt(b), a / rsqrt(b) → a * sqrt(b); a / broadcast(f(...)) the same inside the broadcast,
// and a / c for any other c of a smaller shape (broadcast written out or left to lax) →
// a * (1 / c). Then (a * C) * s → a * (C * s) for a constant C and a scalar s, as XLA keeps
// constants together (chisquare's 2 exp(...) divided by df is exp(...) * (2 * (1/df)) in JAX).
// Each rounds differently from the quotient (random.ball's g / |g|_p^(1/p) is a * pow(s, -1/p) in
// JAX). Eager ops see no producer, in JAX as here, so this runs only on compiled jaxprs
// (optimize); eager divisions by smaller shapes get the reciprocal in div's own lowering
// (lax/special.ts divByReciprocal). Checked against JAX by test/xla_simplify.test.ts.
import { type Atom, Jaxpr, JaxprEqn, Literal, Var, literalOf } from "../jaxpr.js";
import { isFloat } from "../../dtypes.js";
import { primitives } from "../../lax/primitive.js";

const prim = (name: string) => primitives.get(name)!;

/** The primitive a division by `name`'s output becomes a product with, and how its operands change. */
const INVERSES: Record<string, (d: JaxprEqn, fresh: (a: Atom) => Var, out: JaxprEqn[]) => JaxprEqn> = {
  exp: (d, fresh, out) => new JaxprEqn(d.primitive, [negated(d.inputs[0], fresh, out)], d.params, [fresh(d.outBinders[0])]),
  pow: (d, fresh, out) => new JaxprEqn(d.primitive, [d.inputs[0], negated(d.inputs[1], fresh, out)], d.params, [fresh(d.outBinders[0])]),
  sqrt: (d, fresh) => new JaxprEqn(prim("rsqrt"), [d.inputs[0]], d.params, [fresh(d.outBinders[0])]),
  rsqrt: (d, fresh) => new JaxprEqn(prim("sqrt"), [d.inputs[0]], d.params, [fresh(d.outBinders[0])]),
};

/** An equation for -a (appended to `out`), its result. */
function negated(a: Atom, fresh: (a: Atom) => Var, out: JaxprEqn[]): Var {
  const v = fresh(a);
  out.push(new JaxprEqn(prim("neg"), [a], {}, [v]));
  return v;
}

/** A scalar operand: rank 0, or a broadcast_in_dim of a rank-0 value; the scalar itself. */
function scalarOf(x: Atom, def: (a: Atom) => JaxprEqn | undefined): Atom | null {
  if (x.aval.ndim === 0) return x;
  const d = def(x);
  return d?.primitive.name === "broadcast_in_dim" && d.inputs[0].aval.ndim === 0 ? d.inputs[0] : null;
}

/** A constant scalar operand: a Literal, or a broadcast_in_dim of one. */
function constantOf(x: Atom, def: (a: Atom) => JaxprEqn | undefined): Literal | null {
  const s = scalarOf(x, def);
  return s instanceof Literal ? s : null;
}

export function xlaDivide(jaxpr: Jaxpr): Jaxpr {
  const defs = new Map<Var, JaxprEqn>();
  const def = (a: Atom) => (a instanceof Var ? defs.get(a) : undefined);
  const fresh = (a: Atom) => new Var(a.aval);
  const eqns: JaxprEqn[] = [];
  let changed = false;
  const emit = (q: JaxprEqn) => {
    eqns.push(q);
    for (const v of q.outBinders) defs.set(v, q);
  };
  /** (A * C) * s → A * (C * s), C a constant, s a scalar (XLA keeps constants together). */
  const mul = (x: Atom, y: Atom, out: Var[]): void => {
    for (const [m, s] of [[x, y], [y, x]]) {
      const d = def(m);
      const sc = scalarOf(s, def);
      if (d?.primitive.name !== "mul" || !sc || !isFloat(out[0].aval.dtype)) continue;
      for (const [a, c] of [[d.inputs[0], d.inputs[1]], [d.inputs[1], d.inputs[0]]]) {
        const k = constantOf(c, def);
        if (!k || !a.aval.equals(out[0].aval) || (sc instanceof Literal && !(c instanceof Literal))) continue;
        const tAval = prim("mul").abstractEval([k.aval, sc.aval], {})[0];
        if (!prim("mul").abstractEval([a.aval, tAval], {})[0].equals(out[0].aval)) continue;
        const t = new Var(tAval);
        emit(new JaxprEqn(prim("mul"), [k, sc], {}, [t]));
        emit(new JaxprEqn(prim("mul"), [a, t], {}, out));
        changed = true;
        return;
      }
    }
    emit(new JaxprEqn(prim("mul"), [x, y], {}, out));
  };
  for (const e of jaxpr.eqns) {
    const float = isFloat(e.outBinders[0]?.aval.dtype);
    if (e.primitive.name === "mul" && float) {
      const before = eqns.length;
      mul(e.inputs[0], e.inputs[1], e.outBinders);
      // Unchanged: keep the original equation object (passes compare by identity).
      if (eqns.length === before + 1 && eqns[before].inputs[0] === e.inputs[0] && eqns[before].inputs[1] === e.inputs[1]) {
        eqns[before] = e;
        defs.set(e.outBinders[0], e);
      }
      continue;
    }
    if (e.primitive.name !== "div" || !float) {
      emit(e);
      continue;
    }
    const [a, x] = e.inputs;
    const out = e.outBinders[0];
    const b = def(x)?.primitive.name === "broadcast_in_dim" ? def(x)! : null;
    const d = def(b ? b.inputs[0] : x);
    const inverse = d && d.outBinders.length === 1 ? INVERSES[d.primitive.name] : undefined;
    if (inverse) {
      // a / f(...) → a * g(...), inside the broadcast if there is one.
      const pre: JaxprEqn[] = [];
      const g = inverse(d!, fresh, pre);
      pre.forEach(emit);
      emit(g);
      let divisor: Var = g.outBinders[0];
      if (b) {
        const bv = fresh(b.outBinders[0]);
        emit(new JaxprEqn(b.primitive, [divisor], b.params, [bv]));
        divisor = bv;
      }
      mul(a, divisor, e.outBinders);
    } else if (b && b.inputs[0].aval.size < x.aval.size) {
      // a / broadcast(c) → a * broadcast(1 / c), also when the broadcast is written out.
      const c = b.inputs[0];
      const r = fresh(c);
      const bv = fresh(x);
      emit(new JaxprEqn(prim("div"), [literalOf(1, c.aval.dtype), c], {}, [r]));
      emit(new JaxprEqn(b.primitive, [r], b.params, [bv]));
      mul(a, bv, e.outBinders);
    } else if (!x.aval.equals(out.aval) && x.aval.size < out.aval.size) {
      // A divisor lax broadcasts itself (a scalar, size-1 dimensions): a * (1 / c).
      const r = fresh(x);
      emit(new JaxprEqn(prim("div"), [literalOf(1, x.aval.dtype), x], {}, [r]));
      mul(a, r, e.outBinders);
    } else {
      emit(e);
      continue;
    }
    changed = true;
  }
  return changed ? new Jaxpr([...jaxpr.constvars], [...jaxpr.invars], eqns, [...jaxpr.outvars]) : jaxpr;
}
