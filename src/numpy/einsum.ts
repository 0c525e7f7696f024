// jnp.einsum as JAX computes it (jax/_src/numpy/einsum.py): opt_einsum's contract_path picks
// the pairwise contraction order, then each step sums out labels unique to one operand, takes
// diagonals of repeated labels, and contracts the pair with one dot_general (rhs first when that
// avoids a transpose). The path search is opt_einsum's (opt_einsum.ts).
import type { Array as JaxArray } from "../array/base.js";
import { type DType, resultType } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import { broadcastInDim } from "../lax/structural.js";
import type { ArrayLike } from "../lax/lax.js";
import { pyScalars } from "./math.js";
import { resultTypeOf } from "./promote.js";
import { type Contraction, type EinsumOptimize, contractPath, getSymbol } from "./opt_einsum.js";

// ---- JAX's _einsum ---------------------------------------------------------------------------------

const removeChars = (s: string, chars: string) => [...s].filter((c) => !chars.includes(c)).join("");
const range = (n: number) => [...Array(n).keys()];

/**
 * lax._delta: a boolean Kronecker delta over `axes` of `shape`. (Its bool-to-bool
 * convert_element_type and same-shape broadcast are forwarded away by JAX's staging, and here.)
 */
function delta(shape: readonly number[], axes: number[]): JaxArray {
  const base = axes.map((a) => shape[a]);
  const iotas = base.map((_, i) => lax.broadcastedIota("uint32", base, i));
  const eyes = iotas.slice(1).map((b, i) => lax.eq(iotas[i], b));
  const result = lax.convertElementType(eyes.reduce((a, b) => lax.bitwiseAnd(a, b)), "bool", false);
  return broadcastInDim(result, shape, axes);
}

function einsumContract(operands: JaxArray[], contractions: Contraction[], preferred: DType | null): JaxArray {
  let outWeak: boolean;
  let pref: DType;
  if (preferred === null) ({ dtype: pref, weakType: outWeak } = resultTypeOf(...operands));
  else [pref, outWeak] = [preferred, false];
  const sum = (x: JaxArray, axes: number[]) => {
    if (resultType({ dtype: x.dtype, weakType: x.weakType }, { dtype: pref, weakType: false }).dtype !== x.dtype) x = lax.convertElementType(x, pref);
    return x.dtype === "bool" ? lax.reduceOr(x, axes) : lax.reduceSum(x, axes);
  };
  const sumUniques = (x: JaxArray, names: string, uniques: string[]): [JaxArray, string] => {
    if (uniques.length === 0) return [x, names];
    return [sum(x, uniques.map((n) => names.indexOf(n))), removeChars(names, uniques.join(""))];
  };
  const sumRepeats = (x: JaxArray, names: string, counts: Map<string, number>, keep: string): [JaxArray, string] => {
    for (const [name, count] of counts) {
      if (count <= 1) continue;
      const axes = range(names.length).filter((i) => names[i] === name);
      const eye = delta(x.shape, axes);
      x = lax.select(eye, x, broadcastInDim(lax.asArray(0, x.dtype, x.weakType), x.shape, []));
      if (!keep.includes(name)) {
        x = sum(x, axes);
        names = names.replaceAll(name, "");
      } else {
        x = sum(x, axes.slice(0, -1));
        for (let k = 0; k < count - 1; k++) names = names.replace(name, "");
      }
    }
    return [x, names];
  };
  const counter = (s: string) => {
    const m = new Map<string, number>();
    for (const c of s) m.set(c, (m.get(c) ?? 0) + 1);
    return m;
  };
  const filterSingletons = (x: JaxArray, names: string, otherShape: readonly number[], otherNames: string): [JaxArray, string] => {
    const keep = [...names].map((c, i) => {
      const j = otherNames.indexOf(c);
      return x.shape[i] !== 1 || j === -1 || otherShape[j] === 1;
    });
    return [lax.squeeze(x, range(x.ndim).filter((i) => !keep[i])), [...names].filter((_, i) => keep[i]).join("")];
  };
  const ops = [...operands];
  for (const [indices, removedSet, einstr] of contractions) {
    let contracted = [...removedSet].sort();
    const [inputStr, resultNames] = einstr.split("->");
    const inputNames = inputStr.split(",");
    let operand: JaxArray;
    let names: string;
    if (indices.length === 1) {
      operand = ops.splice(indices[0], 1)[0];
      names = inputNames[0];
      const counts = counter(names);
      [operand, names] = sumUniques(operand, names, contracted.filter((n) => counts.get(n) === 1));
      [operand, names] = sumRepeats(operand, names, counts, resultNames);
    } else {
      let lhs = ops.splice(indices[0], 1)[0];
      let rhs = ops.splice(indices[1], 1)[0];
      let [lhsNames, rhsNames] = inputNames;
      [lhs, lhsNames] = filterSingletons(lhs, lhsNames, rhs.shape, rhsNames);
      [rhs, rhsNames] = filterSingletons(rhs, rhsNames, lhs.shape, lhsNames);
      const lc = counter(lhsNames);
      const rc = counter(rhsNames);
      [lhs, lhsNames] = sumUniques(lhs, lhsNames, contracted.filter((n) => lc.get(n) === 1 && !rc.has(n)));
      [rhs, rhsNames] = sumUniques(rhs, rhsNames, contracted.filter((n) => rc.get(n) === 1 && !lc.has(n)));
      [lhs, lhsNames] = sumRepeats(lhs, lhsNames, lc, resultNames + rhsNames);
      [rhs, rhsNames] = sumRepeats(rhs, rhsNames, rc, resultNames + lhsNames);
      contracted = contracted.filter((x) => lhsNames.includes(x) || rhsNames.includes(x));
      const batchNames = [...resultNames].filter((x) => lhsNames.includes(x) && rhsNames.includes(x));
      const lb = batchNames.map((n) => lhsNames.indexOf(n));
      const rb = batchNames.map((n) => rhsNames.indexOf(n));
      const batchStr = batchNames.join("");
      const lcont = contracted.map((n) => lhsNames.indexOf(n));
      const rcont = contracted.map((n) => rhsNames.indexOf(n));
      const deleted = batchStr + contracted.join("");
      const remL = removeChars(lhsNames, deleted);
      const remR = removeChars(rhsNames, deleted);
      // Both orders are tried: opt_einsum contracts right to left, so (rhs, lhs) often needs no transpose.
      names = batchStr + remR + remL;
      if (names === resultNames) operand = lax.dotGeneral(rhs, lhs, [[rcont, lcont], [rb, lb]], { preferredElementType: pref });
      else {
        names = batchStr + remL + remR;
        operand = lax.dotGeneral(lhs, rhs, [[lcont, rcont], [lb, rb]], { preferredElementType: pref });
      }
    }
    if (names !== resultNames) operand = lax.transpose(operand, [...resultNames].map((n) => names.indexOf(n)));
    ops.push(operand);
  }
  return lax.convertElementType(ops[0], pref, outWeak);
}

export interface EinsumOptions {
  optimize?: EinsumOptimize;
  preferredElementType?: DType | null;
}

/** An interleaved operand's axis labels: ints (or comparable values) and "..." for an ellipsis. */
export type EinsumAxes = readonly (number | string)[];

/** opt_einsum's convert_interleaved_input: `(x, [0, 1], y, [1, 2], [0, 2])` to "ab,bc->ac" and the operands. */
function convertInterleaved(args: unknown[]): [string, ArrayLike[]] {
  const rest = [...args];
  const operands: ArrayLike[] = [];
  const subs: EinsumAxes[] = [];
  for (let k = 0; k < Math.floor(args.length / 2); k++) {
    operands.push(rest.shift() as ArrayLike);
    subs.push(rest.shift() as EinsumAxes);
  }
  const output = rest.length ? (rest[rest.length - 1] as EinsumAxes) : null;
  const symbols = [...new Set(subs.flat().filter((s) => s !== "..."))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const symbol = (s: number | string) => {
    if (!symbols.includes(s)) throw new Error(`Output character '${s}' did not appear in the input`);
    return getSymbol(symbols.indexOf(s));
  };
  const convert = (sub: EinsumAxes) => sub.map((s) => (s === "..." ? "..." : symbol(s))).join("");
  let subscripts = subs.map(convert).join(",");
  if (output) subscripts += "->" + convert(output);
  return [subscripts, operands];
}

/**
 * Einstein summation (jnp.einsum), contracted pairwise in opt_einsum's order with dot_general:
 * `jnp.einsum("ij,jk->ik", a, b)`, `jnp.einsum("...ii->...i", x)`, `jnp.einsum("i,i", u, v)`,
 * or interleaved, `jnp.einsum(a, [0, 1], b, [1, 2], [0, 2])`. A trailing options object takes
 * `optimize` ("auto", "optimal", "greedy", false) and `preferredElementType`.
 */
export function einsum(subscripts: string | ArrayLike, ...rest: (ArrayLike | EinsumAxes | EinsumOptions)[]): JaxArray {
  const args: unknown[] = [subscripts, ...rest];
  const last = args[args.length - 1];
  const opts: EinsumOptions = args.length > 1 && last !== null && typeof last === "object" && !Array.isArray(last) && !isArrayLike(last) ? (args.pop() as EinsumOptions) : {};
  const [spec, raw] = typeof args[0] === "string" ? [args[0], args.slice(1) as ArrayLike[]] : convertInterleaved(args);
  const operands = pyScalars(...raw) as JaxArray[];
  // Mixed dtypes are promoted first: tfjax's dot_general takes one dtype (JAX's promotes inside).
  const { dtype, weakType } = resultTypeOf(...operands);
  const promoted = operands.map((x) => (x.dtype === dtype ? x : lax.convertElementType(x, dtype, weakType)));
  const contractions = contractPath(spec, promoted.map((x) => x.shape), opts.optimize ?? "auto");
  return einsumContract(promoted, contractions, opts.preferredElementType ?? null);
}

const isArrayLike = (x: object): boolean => "shape" in x && "dtype" in x;

/**
 * The contraction order einsum would use (opt_einsum's path): operand positions per step.
 * `jnp.einsumPath("ij,jk,kl", a, b, c)`; a trailing `{ optimize: "greedy" }` picks the search.
 */
export function einsumPath(subscripts: string, ...args: (ArrayLike | EinsumOptions)[]): number[][] {
  const last = args[args.length - 1];
  const opts: EinsumOptions = last !== undefined && last !== null && typeof last === "object" && !isArrayLike(last) ? (args.pop() as EinsumOptions) : {};
  const arrs = pyScalars(...(args as ArrayLike[])) as JaxArray[];
  return contractPath(subscripts, arrs.map((x) => x.shape), opts.optimize ?? "auto").map(([inds]) => [...inds].sort((a, b) => a - b));
}
