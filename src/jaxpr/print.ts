// Prints jaxprs exactly as JAX does (jax/_src/core.py: pp_toplevel_jaxpr and friends).
import * as pp from "./pp.js";
import { type Atom, ClosedJaxpr, Jaxpr, type JaxprEqn, Literal, PyList, Var, jaxprsInParams, setJaxprPrinter } from "./jaxpr.js";
import { isFloat, isUnsigned } from "../dtypes.js";

/** Python's `repr(float)`: shortest round-trip digits, exponent form outside [1e-4, 1e16). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = x.toExponential().split("e");
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const digits = mant.replace("-", "").replace(".", "");
  let s: string;
  if (exp >= 0) s = digits.length > exp + 1 ? `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}` : `${digits.padEnd(exp + 1, "0")}.0`;
  else s = `0.${"0".repeat(-exp - 1)}${digits}`;
  return (x < 0 ? "-" : "") + s;
}

/** A scalar as `str(np.asarray(v).item())` prints it for the given dtype. */
export function pyScalar(v: number | boolean, dtype: string): string {
  if (typeof v === "boolean" || dtype === "bool") return v ? "True" : "False";
  if (isFloat(dtype as never)) return pyFloat(v);
  return String(isUnsigned(dtype as never) ? v >>> 0 : v);
}

/** A param value as Python's `str` prints it (tuples for JS arrays, `None`, `True`). */
export function pyStr(v: unknown, top = true): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloat(v);
  if (typeof v === "string") return top ? v : `'${v}'`;
  if (v instanceof PyList) return `[${v.items.map((x) => pyStr(x, false)).join(", ")}]`;
  if (Array.isArray(v)) return v.length === 1 ? `(${pyStr(v[0], false)},)` : `(${v.map((x) => pyStr(x, false)).join(", ")})`;
  return String(v);
}

function alphabetic(n: number): string {
  let s = "";
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n);
  return s;
}

class PpContext {
  readonly names = new Map<Var, string>();
  readonly shared = new Map<Jaxpr, string>();
  readonly sharedNames = new Set<string>();
  private next = 0;

  name(v: Var): string {
    let s = this.names.get(v);
    if (s === undefined) {
      do s = alphabetic(this.next++);
      while (this.sharedNames.has(s));
      this.names.set(v, s);
    }
    return s;
  }

  /** Inner binders take the names of the outer atoms they alias (JAX's suggest_same_var_names). */
  suggestSameNames(forVars: Atom[], likeVars: Atom[]): void {
    if (forVars.length !== likeVars.length) return;
    const used = new Set<Var>();
    forVars.forEach((f, i) => {
      const like = likeVars[i];
      if (like instanceof Var && !used.has(like) && f instanceof Var && !this.names.has(f)) {
        used.add(like);
        this.names.set(f, this.name(like));
      }
    });
  }
}

const ppAtom = (a: Atom, ctx: PpContext): string =>
  a instanceof Literal ? `${pyScalar(a.val, a.aval.dtype)}:${a.aval.strShort()}` : ctx.name(a);

function ppVars(vs: Atom[], ctx: PpContext, sep = "", shapes = false): pp.Doc {
  const docs = vs.map((v) => pp.text(shapes ? `${ppAtom(v, ctx)}:${v.aval.strShort()}` : ppAtom(v, ctx)));
  return pp.nest(2, pp.group(pp.join(pp.concat(pp.text(sep), pp.group(pp.brk())), docs)));
}

function ppParam(k: string, v: unknown, ctx: PpContext): pp.Doc {
  const jaxprs = Array.isArray(v) && v.length > 0 && v.every((x) => x instanceof Jaxpr || x instanceof ClosedJaxpr);
  if (jaxprs) {
    const items = (v as (Jaxpr | ClosedJaxpr)[]).map((j) => ppJaxpr(j instanceof ClosedJaxpr ? j.jaxpr : j, ctx));
    const body = pp.group(pp.concat(pp.nest(2, pp.concat(pp.text("("), pp.brk(""), pp.join(pp.brk(), items))), pp.brk(""), pp.text(")")));
    return pp.concat(pp.text(`${k}=`), body);
  }
  if (v instanceof Jaxpr || v instanceof ClosedJaxpr) return pp.concat(pp.text(`${k}=`), ppJaxpr(v instanceof ClosedJaxpr ? v.jaxpr : v, ctx));
  return pp.text(`${k}=${pyStr(v)}`);
}

function ppParams(kvs: [string, unknown][], ctx: PpContext): pp.Doc {
  if (kvs.length === 0) return pp.nil;
  const inner = pp.join(pp.brk(), kvs.map(([k, v]) => ppParam(k, v, ctx)));
  return pp.group(pp.concat(pp.nest(2, pp.concat(pp.text("["), pp.brk(""), inner)), pp.brk(""), pp.text("]")));
}

function ppEqn(e: JaxprEqn, ctx: PpContext): pp.Doc {
  if (e.primitive.name === "jit") {
    const inner = (e.params.jaxpr as ClosedJaxpr).jaxpr;
    if (!ctx.shared.has(inner)) {
      ctx.suggestSameNames(inner.invars, e.inputs);
      ctx.suggestSameNames(inner.outvars, e.outBinders);
    }
  }
  const kvs = e.primitive.printParams
    ? e.primitive.printParams(e.params)
    : Object.keys(e.params)
        .sort()
        .map((k): [string, unknown] => [k, e.params[k]]);
  // Evaluation order matters: binders are named before the params and the operands.
  const lhs = ppVars(e.outBinders, ctx, "", true);
  const rhs = [pp.text(e.primitive.name), ppParams(kvs, ctx), pp.concat(pp.text(" "), ppVars(e.inputs, ctx))];
  return e.outBinders.length ? pp.concat(lhs, pp.text(" = "), ...rhs) : pp.concat(...rhs);
}

function ppSkeleton(j: Jaxpr, ctx: PpContext): pp.Doc {
  const constvars = ppVars(j.constvars, ctx, "", true);
  const invars = ppVars(j.invars, ctx, "", true);
  const eqns = pp.join(pp.brk("; "), j.eqns.map((e) => ppEqn(e, ctx)));
  const outs = pp.concat(pp.text("("), ppVars(j.outvars, ctx, ","), pp.text(j.outvars.length !== 1 ? ")" : ",)"));
  // The closing " }" is inside the group, as in core.py's pp_jaxpr_skeleton: it counts toward the width.
  return pp.group(
    pp.concat(
      pp.nest(
        2,
        pp.concat(
          pp.text("{ lambda "),
          constvars,
          pp.text("; "),
          invars,
          pp.text(". let"),
          pp.nest(2, pp.concat(pp.brk(), eqns)),
          pp.brk(),
          pp.text("in "),
          outs,
        ),
      ),
      pp.text(" }"),
    ),
  );
}

function ppJaxpr(j: Jaxpr, ctx: PpContext): pp.Doc {
  const name = ctx.shared.get(j);
  return name !== undefined ? pp.text(name) : ppSkeleton(j, ctx);
}

/** `str(jaxpr)` as JAX prints it: shared inner jaxprs first, then the jaxpr, 80 columns. */
export function printJaxpr(top: Jaxpr, width = 80): string {
  const ctx = new PpContext();
  // Unused outputs of the top-level jaxpr print as `_` (JAX's _dropvars).
  const used = new Set<Var>(top.outvars.filter((a): a is Var => a instanceof Var));
  for (let i = top.eqns.length - 1; i >= 0; i--) {
    for (const v of top.eqns[i].outBinders) if (!used.has(v)) ctx.names.set(v, "_");
    for (const a of top.eqns[i].inputs) if (a instanceof Var) used.add(a);
  }
  // Count uses of each inner jaxpr; big ones count twice so that they are shared.
  const counts = new Map<Jaxpr, number>();
  const names = new Map<Jaxpr, string>();
  const queue: Jaxpr[] = [top];
  while (queue.length) {
    const j = queue.shift()!;
    counts.set(j, (counts.get(j) ?? 0) + (j !== top && j.eqns.length > 10 ? 2 : 1));
    for (const e of j.eqns) {
      const subs = jaxprsInParams(e.params);
      queue.push(...subs);
      const n = e.params.name;
      if (typeof n === "string") for (const s of subs) if (!names.has(s)) names.set(s, n.replace(/^<+|>+$/g, ""));
    }
  }
  const nameCounts = new Map<string, number>();
  const docs: pp.Doc[] = [];
  const shared: [string, Jaxpr][] = [];
  for (const [j, c] of counts) {
    if (c === 1) continue;
    let name = names.get(j) ?? "jaxpr";
    const seen = nameCounts.get(name) ?? 0;
    if (seen > 0) {
      nameCounts.set(name, seen + 1);
      name += String(seen);
    }
    nameCounts.set(name, (nameCounts.get(name) ?? 0) + 1);
    ctx.sharedNames.add(name);
    ctx.shared.set(j, name);
    shared.push([name, j]);
  }
  for (const [name, j] of shared) docs.push(pp.text(`let ${name} = `), ppSkeleton(j, ctx), pp.text(" in"), pp.brk());
  docs.push(ppJaxpr(top, ctx));
  return pp.format(pp.concat(...docs), width);
}

setJaxprPrinter(printJaxpr);
