// Transpose folding (XLA's TransposeFolding and its dot rewrites): a transpose that feeds a
// dot_general operand becomes dimension numbers, and a transpose of a dot_general's result
// becomes the dot_general with its operands swapped, whenever the dimension orders allow it.
// Reverse mode makes both: a weight gradient is `transpose(dot_general(g, h))`. Afterwards the
// lowering sees each contraction in its operands' stored layouts and picks the cheapest kernel,
// and no [K,N] copy is made only to be read once. Bit-exact: the same products are summed in
// the same order, only the roles of the two operands differ.
import { type Atom, Jaxpr, JaxprEqn, PyList, Var } from "../jaxpr.js";

type Dims = { lc: number[]; rc: number[]; lb: number[]; rb: number[] };

const dimsOf = (e: JaxprEqn): Dims => {
  const [[lc, rc], [lb, rb]] = (e.params.dimension_numbers as PyList<number>[][]).map((x) => x.map((l) => [...l.items]));
  return { lc, rc, lb, rb };
};
const withDims = (e: JaxprEqn, inputs: Atom[], d: Dims, outBinders = e.outBinders) =>
  new JaxprEqn(
    e.primitive,
    inputs,
    { ...e.params, dimension_numbers: [[new PyList(d.lc), new PyList(d.rc)], [new PyList(d.lb), new PyList(d.rb)]] },
    outBinders,
  );
const isDot = (e: JaxprEqn | undefined): boolean => e?.primitive.name === "dot_general";
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * transpose(dot_general(a, b), perm) as one dot_general, or undefined. The result's axes are
 * (batch, lhs free, rhs free); a permutation that reorders the batch axes among themselves and
 * either keeps the free blocks or swaps them whole is a dot_general of reordered batch dims,
 * with the operands swapped in the second case.
 */
function foldOutput(t: JaxprEqn, d: JaxprEqn): JaxprEqn | undefined {
  const perm = t.params.permutation as number[];
  const { lc, rc, lb, rb } = dimsOf(d);
  const [x, y] = d.inputs;
  const nb = lb.length;
  const nl = x.aval.ndim - lc.length - nb;
  const nr = y.aval.ndim - rc.length - nb;
  const batch = perm.slice(0, nb);
  if (!same([...batch].sort((p, q) => p - q), range(0, nb))) return undefined;
  const rest = perm.slice(nb);
  const nd = { lb: batch.map((i) => lb[i]), rb: batch.map((i) => rb[i]) };
  if (same(rest, range(nb, nb + nl + nr))) return withDims(d, [x, y], { lc, rc, ...nd }, t.outBinders);
  if (same(rest, [...range(nb + nl, nb + nl + nr), ...range(nb, nb + nl)])) return withDims(d, [y, x], { lc: rc, rc: lc, lb: nd.rb, rb: nd.lb }, t.outBinders);
  return undefined;
}

/**
 * dot_general's operand `side` read through its defining transpose, or undefined when the
 * transpose reorders the operand's free dims (the result's axis order would change).
 */
function foldOperand(d: JaxprEqn, side: 0 | 1, t: JaxprEqn): JaxprEqn | undefined {
  const p = t.params.permutation as number[];
  const dims = dimsOf(d);
  const [c, b] = side === 0 ? [dims.lc, dims.lb] : [dims.rc, dims.rb];
  const free = range(0, p.length).filter((i) => !c.includes(i) && !b.includes(i)).map((i) => p[i]);
  if (!free.every((v, i) => i === 0 || free[i - 1] < v)) return undefined;
  const nc = c.map((i) => p[i]);
  const nb = b.map((i) => p[i]);
  const inputs = [...d.inputs];
  inputs[side] = t.inputs[0];
  return withDims(d, inputs, side === 0 ? { ...dims, lc: nc, lb: nb } : { ...dims, rc: nc, rb: nb });
}

/** Folds transposes into dot_generals; the folded-away equations are left for DCE. */
export function transposeFolding(jaxpr: Jaxpr): Jaxpr {
  if (!jaxpr.eqns.some(isDot)) return jaxpr;
  const uses = new Map<Var, number>();
  const use = (a: Atom, n: number) => a instanceof Var && uses.set(a, (uses.get(a) ?? 0) + n);
  for (const e of jaxpr.eqns) for (const a of e.inputs) use(a, 1);
  for (const a of jaxpr.outvars) use(a, 1);
  const def = new Map<Var, JaxprEqn>();
  const only = (a: Atom): JaxprEqn | undefined => (a instanceof Var && uses.get(a) === 1 ? def.get(a) : undefined);
  const replace = (old: JaxprEqn, e: JaxprEqn) => {
    old.inputs.forEach((a) => use(a, -1));
    e.inputs.forEach((a) => use(a, 1));
    return e;
  };
  let changed = false;
  const eqns = jaxpr.eqns.map((e0) => {
    let e = e0;
    if (isDot(e))
      for (const side of [0, 1] as const) {
        const t = only(e.inputs[side]);
        const folded = t?.primitive.name === "transpose" ? foldOperand(e, side, t) : undefined;
        if (folded) e = replace(e, folded);
      }
    else if (e.primitive.name === "transpose") {
      const d = only(e.inputs[0]);
      const folded = d && isDot(d) ? foldOutput(e, d) : undefined;
      if (folded) e = replace(e, folded);
    }
    for (const v of e.outBinders) def.set(v, e);
    if (e !== e0) changed = true;
    return e;
  });
  return changed ? new Jaxpr([...jaxpr.constvars], [...jaxpr.invars], eqns, [...jaxpr.outvars]) : jaxpr;
}
