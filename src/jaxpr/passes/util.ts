// Plumbing shared by the jaxpr passes: atom renaming, purity, and structural keys.
import { type Atom, Jaxpr, JaxprEqn, Literal, type Primitive, PyList, Var } from "../jaxpr.js";

/**
 * Primitives with effects: never removed, merged or folded. None exist yet; a primitive that
 * gains an effect (printing, host callbacks, in-place state) must be named here.
 */
const EFFECTFUL = new Set<string>();
export const isPure = (p: Primitive): boolean => !EFFECTFUL.has(p.name);

/**
 * The renaming a forward pass builds as it drops equations. Values are stored already
 * resolved, so one lookup suffices (no chains to chase: linear time).
 */
export class Subst {
  private readonly map = new Map<Var, Atom>();
  set(v: Var, a: Atom): void {
    this.map.set(v, a);
  }
  readonly atom = (a: Atom): Atom => (a instanceof Var ? (this.map.get(a) ?? a) : a);
  /** `e` with its inputs renamed: the same object when nothing changed, so callers can tell. */
  eqn(e: JaxprEqn): JaxprEqn {
    let changed = false;
    const ins = e.inputs.map((a) => {
      const b = this.atom(a);
      if (b !== a) changed = true;
      return b;
    });
    return changed ? new JaxprEqn(e.primitive, ins, e.params, e.outBinders) : e;
  }
  /** `j`'s calling convention (constvars, invars) with new equations and renamed outvars. */
  finish(j: Jaxpr, eqns: JaxprEqn[]): Jaxpr {
    return new Jaxpr([...j.constvars], [...j.invars], eqns, j.outvars.map(this.atom));
  }
}

/** True when `b` has exactly `a`'s equations (by identity) and outvars: a fixed point. */
export function sameJaxpr(a: Jaxpr, b: Jaxpr): boolean {
  return (
    a.eqns.length === b.eqns.length &&
    a.outvars.length === b.outvars.length &&
    a.eqns.every((e, i) => e === b.eqns[i]) &&
    a.outvars.every((o, i) => o === b.outvars[i])
  );
}

// Identity numbers for objects compared by identity (primitives, jaxprs in params).
const ids = new WeakMap<object, number>();
let nextId = 0;
function idOf(o: object): number {
  let i = ids.get(o);
  if (i === undefined) ids.set(o, (i = nextId++));
  return i;
}

/** Literals are equal by value (-0 apart from 0; NaN equal to NaN), dtype and weak type. */
export function literalKey(l: Literal): string {
  const v = l.val;
  const s = typeof v === "boolean" ? (v ? "T" : "F") : Object.is(v, -0) ? "-0" : String(v);
  return `${l.aval.dtype}${l.aval.weakType ? "*" : ""}:${s}`;
}
export const atomKey = (a: Atom): string => (a instanceof Var ? `%${a.id}` : literalKey(a));

/**
 * A canonical string for a param value: deep for plain data (arrays, PyLists, plain objects
 * with sorted keys), by identity for everything else (ClosedJaxpr, Jaxpr, class instances).
 * Strings are JSON-quoted, so distinct values never collide.
 */
export function paramKey(v: unknown): string {
  if (v === null) return "N";
  if (v === undefined) return "U";
  switch (typeof v) {
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
    case "boolean":
      return v ? "T" : "F";
    case "bigint":
      return `${v}n`;
  }
  if (Array.isArray(v)) return `(${v.map(paramKey).join(",")})`;
  if (v instanceof PyList) return `[${v.items.map(paramKey).join(",")}]`;
  if (typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${paramKey(o[k])}`)
      .join(",")}}`;
  }
  return `#${idOf(v as object)}`;
}

// Params objects are immutable and shared by an equation's rewrites: key each once.
const paramsKeys = new WeakMap<object, string>();
function paramsKey(p: object): string {
  let k = paramsKeys.get(p);
  if (k === undefined) paramsKeys.set(p, (k = paramKey(p)));
  return k;
}

/** Equations with equal keys compute the same values (for pure primitives). */
export const eqnKey = (e: JaxprEqn): string =>
  `${idOf(e.primitive)}/${e.outBinders.length}(${e.inputs.map(atomKey).join(" ")})${paramsKey(e.params)}`;
