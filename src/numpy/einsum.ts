// jnp.einsum as JAX computes it (jax/_src/numpy/einsum.py): opt_einsum's contract_path picks
// the pairwise contraction order, then each step sums out labels unique to one operand, takes
// diagonals of repeated labels, and contracts the pair with one dot_general (rhs first when that
// avoids a transpose). The path search is a port of opt_einsum 3.4's: "optimal" for up to 4
// operands (as its "auto"), "greedy" beyond. (opt_einsum's "auto" uses branch-and-bound for 5 to
// 14 operands; tfjax uses greedy there, so such paths, and jaxprs, may differ from JAX's.)
import type { Array as JaxArray } from "../array/base.js";
import { type DType, resultType } from "../dtypes.js";
import * as lax from "../lax/lax.js";
import { broadcastInDim } from "../lax/structural.js";
import type { ArrayLike } from "../lax/lax.js";
import { pyScalars } from "./math.js";
import { resultTypeOf } from "./promote.js";

// ---- opt_einsum's parser ---------------------------------------------------------------------------

const SYMBOLS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** opt_einsum.get_symbol: the 52 letters, then unicode from chr(192). */
const getSymbol = (i: number): string => (i < 52 ? SYMBOLS[i] : String.fromCodePoint(i >= 55296 ? i + 2048 : i + 140));
function* unusedSymbols(used: string, n: number): Generator<string> {
  for (let i = 0, cnt = 0; cnt < n; i++) {
    const s = getSymbol(i);
    if (used.includes(s)) continue;
    yield s;
    cnt++;
  }
}
/** Labels appearing once, sorted: numpy's implicit output. */
function findOutputStr(subscripts: string): string {
  const tmp = subscripts.replaceAll(",", "");
  return [...new Set(tmp)]
    .sort()
    .filter((s) => tmp.split(s).length === 2)
    .join("");
}

/** opt_einsum.parser.parse_einsum_input for a subscripts string: [inputs, output]. */
export function parseEinsumInput(subscripts: string, shapes: readonly (readonly number[])[]): [string, string] {
  subscripts = subscripts.replaceAll(" ", "");
  if (subscripts.includes("-") || subscripts.includes(">")) {
    const invalid = subscripts.split("-").length > 2 || subscripts.split(">").length > 2;
    if (invalid || subscripts.split("->").length !== 2) throw new Error("Subscripts can only contain one '->'.");
  }
  if (subscripts.includes(".")) {
    const used = subscripts.replaceAll(".", "").replaceAll(",", "").replaceAll("->", "");
    const ellipseInds = [...unusedSymbols(used, Math.max(0, ...shapes.map((s) => s.length)))].join("");
    let longest = 0;
    const outSub = subscripts.includes("->");
    const [inputTmp, outputSub] = outSub ? subscripts.split("->") : [subscripts, ""];
    const split = inputTmp.split(",");
    split.forEach((sub, num) => {
      if (!sub.includes(".")) return;
      if (sub.split(".").length !== 4 || sub.split("...").length !== 2) throw new Error("Invalid Ellipses.");
      const count = shapes[num].length === 0 ? 0 : Math.max(shapes[num].length, 1) - (sub.length - 3);
      if (count > longest) longest = count;
      if (count < 0) throw new Error("Ellipses lengths do not match.");
      split[num] = sub.replace("...", count === 0 ? "" : ellipseInds.slice(-count));
    });
    subscripts = split.join(",");
    const outEllipse = longest === 0 ? "" : ellipseInds.slice(-longest);
    if (outSub) subscripts += "->" + outputSub.replace("...", outEllipse);
    else {
      const normal = [...new Set(findOutputStr(subscripts))].filter((c) => !outEllipse.includes(c)).sort().join("");
      subscripts += "->" + outEllipse + normal;
    }
  }
  const [input, output] = subscripts.includes("->") ? subscripts.split("->") : [subscripts, findOutputStr(subscripts)];
  for (const c of output) {
    if (output.split(c).length !== 2) throw new Error(`Output character '${c}' appeared more than once in the output.`);
    if (!input.includes(c)) throw new Error(`Output character '${c}' did not appear in the input`);
  }
  const n = input.split(",").length;
  if (n !== shapes.length) throw new Error(`Number of einsum subscripts, ${n}, must be equal to the number of operands, ${shapes.length}.`);
  return [input, output];
}

// ---- opt_einsum's path search ------------------------------------------------------------------------

type LabelSet = ReadonlySet<string>;
type Sizes = Map<string, number>;
const union = (...sets: LabelSet[]): Set<string> => new Set(sets.flatMap((s) => [...s]));
const inter = (a: LabelSet, b: LabelSet): Set<string> => new Set([...a].filter((x) => b.has(x)));
const minus = (a: LabelSet, b: LabelSet): Set<string> => new Set([...a].filter((x) => !b.has(x)));
const sizeBy = (labels: Iterable<string>, sizes: Sizes): number => [...labels].reduce((n, c) => n * sizes.get(c)!, 1);
const setKey = (s: LabelSet) => [...s].sort().join("");
/** opt_einsum.helpers.flop_count. */
const flopCount = (idx: LabelSet, inner: boolean, numTerms: number, sizes: Sizes): number => sizeBy(idx, sizes) * (Math.max(1, numTerms - 1) + (inner ? 1 : 0));

/** opt_einsum.paths.ssa_to_linear. */
function ssaToLinear(ssaPath: number[][]): number[][] {
  const n = ssaPath.reduce((k, s) => k + s.length, 0) - ssaPath.length + 1;
  const ids = [...Array(n).keys()];
  let ssa = n;
  return ssaPath.map((scon) => {
    const con = scon.map((s) => bisectLeft(ids, s)).sort((a, b) => a - b);
    for (const j of [...con].reverse()) ids.splice(j, 1);
    ids.push(ssa++);
    return con;
  });
}
function bisectLeft(xs: number[], x: number): number {
  let [lo, hi] = [0, xs.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * opt_einsum.paths.optimal: depth-first over every pairwise order, pruned by the best cost so
 * far. (Its cache of pair results is keyed by the pair's label sets alone, as opt_einsum's is.)
 */
function optimalPath(inputs: LabelSet[], output: LabelSet, sizes: Sizes): number[][] {
  let bestFlops = Infinity;
  let bestPath: number[][] = [inputs.map((_, i) => i)];
  const cache = new Map<string, [Set<string>, number]>();
  const iterate = (path: number[][], remaining: number[], ins: LabelSet[], flops: number): void => {
    if (remaining.length === 1) {
      bestFlops = flops;
      bestPath = path;
      return;
    }
    const rem = [...remaining].sort((a, b) => a - b);
    for (let a = 0; a < rem.length; a++)
      for (let b = a + 1; b < rem.length; b++) {
        const [i, j] = [rem[a], rem[b]];
        const key = `${setKey(ins[i])}|${setKey(ins[j])}`;
        let hit = cache.get(key);
        if (hit === undefined) {
          const either = union(ins[i], ins[j]);
          const keep = union(output, ...rem.filter((r) => r !== i && r !== j).map((r) => ins[r]));
          hit = [inter(either, keep), flopCount(either, minus(inter(ins[i], ins[j]), keep).size > 0, 2, sizes)];
          cache.set(key, hit);
        }
        const newFlops = flops + hit[1];
        if (newFlops >= bestFlops) continue;
        iterate([...path, [i, j]], [...rem.filter((r) => r !== i && r !== j), ins.length], [...ins, hit[0]], newFlops);
      }
  };
  iterate([], inputs.map((_, i) => i), inputs, 0);
  return ssaToLinear(bestPath);
}

function lexLess(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

/** A binary min-heap ordered by `key`, compared as Python compares tuples. */
class Heap<T extends { key: number[] }> {
  private xs: T[] = [];
  get size() {
    return this.xs.length;
  }
  private less = (a: T, b: T) => lexLess(a.key, b.key);
  push(x: T): void {
    const xs = this.xs;
    xs.push(x);
    for (let i = xs.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(xs[i], xs[p])) break;
      [xs[i], xs[p]] = [xs[p], xs[i]];
      i = p;
    }
  }
  pop(): T {
    const xs = this.xs;
    const top = xs[0];
    const last = xs.pop()!;
    if (xs.length > 0) {
      xs[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let m = i;
        if (l < xs.length && this.less(xs[l], xs[m])) m = l;
        if (r < xs.length && this.less(xs[r], xs[m])) m = r;
        if (m === i) break;
        [xs[i], xs[m]] = [xs[m], xs[i]];
        i = m;
      }
    }
    return top;
  }
}

/** opt_einsum.paths.greedy (ssa_greedy_optimize with the "memory-removed" cost). */
function greedyPath(inputs: LabelSet[], outputIn: LabelSet, sizes: Sizes): number[][] {
  if (inputs.length === 1) return [[0]];
  // A label every operand has might as well be an output label (it is contracted last).
  const output = union(outputIn, new Set([...inputs[0]].filter((c) => inputs.every((s) => s.has(c)))));
  const keyOf = new Map<string, Set<string>>();
  const canon = (s: LabelSet) => {
    const k = setKey(s);
    if (!keyOf.has(k)) keyOf.set(k, new Set(s));
    return k;
  };
  const remaining = new Map<string, number>();
  let nextId = inputs.length;
  const ssaPath: number[][] = [];
  inputs.forEach((s, id) => {
    const k = canon(s);
    if (remaining.has(k)) {
      ssaPath.push([remaining.get(k)!, id]);
      remaining.set(k, nextId++);
    } else remaining.set(k, id);
  });
  const dimToKeys = new Map<string, Set<string>>();
  for (const k of remaining.keys())
    for (const d of minus(keyOf.get(k)!, output)) {
      if (!dimToKeys.has(d)) dimToKeys.set(d, new Set());
      dimToKeys.get(d)!.add(k);
    }
  const refs: Record<2 | 3, Set<string>> = { 2: new Set(), 3: new Set() };
  for (const c of [2, 3] as const) for (const [d, ks] of dimToKeys) if (ks.size >= c && !output.has(d)) refs[c].add(d);
  const footprints = new Map<string, number>();
  for (const k of remaining.keys()) footprints.set(k, sizeBy(keyOf.get(k)!, sizes));
  type Cand = { key: number[]; k1: string; k2: string; k12: Set<string> };
  const candidate = (k1: string, k2: string): Cand => {
    const [s1, s2] = [keyOf.get(k1)!, keyOf.get(k2)!];
    const either = union(s1, s2);
    const two = inter(s1, s2);
    const one = minus(either, two);
    const k12 = union(inter(either, output), inter(two, refs[3]), inter(one, refs[2]));
    const cost = sizeBy(k12, sizes) - footprints.get(k1)! - footprints.get(k2)!;
    let [id1, id2] = [remaining.get(k1)!, remaining.get(k2)!];
    if (id1 > id2) {
      [k1, k2] = [k2, k1];
      [id1, id2] = [id2, id1];
    }
    return { key: [cost, id2, id1], k1, k2, k12 };
  };
  const queue = new Heap<Cand>();
  const pushBest = (k1: string, k2s: string[]) => {
    const cands = k2s.map((k2) => candidate(k1, k2));
    queue.push(cands.reduce((a, b) => (lexLess(b.key, a.key) ? b : a)));
  };
  for (const ks of dimToKeys.values()) {
    const list = [...ks].sort((a, b) => remaining.get(a)! - remaining.get(b)!);
    for (let i = 0; i < list.length - 1; i++) pushBest(list[i], list.slice(i + 1));
  }
  const updateRefs = (dims: Set<string>) => {
    for (const d of dims) {
      const count = dimToKeys.get(d)?.size ?? 0;
      if (count <= 1) {
        refs[2].delete(d);
        refs[3].delete(d);
      } else if (count === 2) {
        refs[2].add(d);
        refs[3].delete(d);
      } else {
        refs[2].add(d);
        refs[3].add(d);
      }
    }
  };
  while (queue.size > 0) {
    const { k1, k2, k12: s12 } = queue.pop();
    if (!remaining.has(k1) || !remaining.has(k2)) continue;
    const id1 = remaining.get(k1)!;
    const id2 = remaining.get(k2)!;
    remaining.delete(k1);
    remaining.delete(k2);
    for (const d of minus(keyOf.get(k1)!, output)) dimToKeys.get(d)!.delete(k1);
    for (const d of minus(keyOf.get(k2)!, output)) dimToKeys.get(d)!.delete(k2);
    ssaPath.push([id1, id2]);
    const k12 = canon(s12);
    if (remaining.has(k12)) ssaPath.push([remaining.get(k12)!, nextId++]);
    else
      for (const d of minus(s12, output)) {
        if (!dimToKeys.has(d)) dimToKeys.set(d, new Set());
        dimToKeys.get(d)!.add(k12);
      }
    remaining.set(k12, nextId++);
    // (opt_einsum passes `k1 | k2 - output`, i.e. k1 | (k2 - output).)
    updateRefs(union(keyOf.get(k1)!, minus(keyOf.get(k2)!, output)));
    footprints.set(k12, sizeBy(s12, sizes));
    const k2s = new Set<string>();
    for (const d of s12) for (const k of dimToKeys.get(d) ?? []) k2s.add(k);
    k2s.delete(k12);
    if (k2s.size > 0) pushBest(k12, [...k2s]);
  }
  // Outer products of what is left, smallest first.
  type Fin = { key: number[]; s: Set<string> };
  const fin = new Heap<Fin>();
  for (const [k, id] of remaining) fin.push({ key: [sizeBy(inter(keyOf.get(k)!, output), sizes), id], s: keyOf.get(k)! });
  let { key: [, id1], s: s1 } = fin.pop();
  while (fin.size > 0) {
    const { key: [, id2], s: s2 } = fin.pop();
    ssaPath.push([Math.min(id1, id2), Math.max(id1, id2)]);
    const s12 = inter(union(s1, s2), output);
    fin.push({ key: [sizeBy(s12, sizes), nextId++], s: s12 });
    ({ key: [, id1], s: s1 } = fin.pop());
  }
  return ssaToLinear(ssaPath);
}

export type EinsumOptimize = "auto" | "optimal" | "greedy" | boolean;

/** One pairwise (or single-operand) step: operand positions (descending), labels summed away, "ab,bc->ac". */
export type Contraction = [number[], Set<string>, string];

/** opt_einsum.contract_path with einsum_call=True: the steps JAX's _einsum executes. */
export function contractPath(subscripts: string, shapes: readonly (readonly number[])[], optimize: EinsumOptimize = "auto"): Contraction[] {
  const [inputSubscripts, outputSubscript] = parseEinsumInput(subscripts, shapes);
  const inputList = inputSubscripts.split(",");
  let inputSets: LabelSet[] = inputList.map((x) => new Set(x));
  const shapeList = shapes.map((s) => [...s]);
  const outputSet = new Set(outputSubscript);
  const sizes: Sizes = new Map();
  inputList.forEach((term, t) => {
    const sh = shapeList[t];
    if (sh.length !== term.length) throw new Error(`Einstein sum subscript '${term}' does not contain the correct number of indices for operand ${t}.`);
    [...term].forEach((c, i) => {
      const dim = sh[i];
      if (sizes.has(c)) {
        if (sizes.get(c) === 1) sizes.set(c, dim);
        else if (dim !== 1 && dim !== sizes.get(c)) throw new Error(`Size of label '${c}' for operand ${t} (${sizes.get(c)}) does not match previous terms (${dim}).`);
      } else sizes.set(c, dim);
    });
  });
  const n = inputList.length;
  let path: number[][];
  if (optimize === false) path = n <= 2 ? [[...Array(n).keys()]] : new Array(n - 1).fill(0).map(() => [0, 1]);
  else if (n <= 2) path = [[...Array(n).keys()]];
  else if (optimize === "greedy") path = greedyPath(inputSets, outputSet, sizes);
  else if (optimize === "optimal" || optimize === true || n <= 4) path = optimalPath(inputSets, outputSet, sizes);
  else path = greedyPath(inputSets, outputSet, sizes);

  const contractions: Contraction[] = [];
  path.forEach((inds, cnum) => {
    const contractInds = [...inds].sort((a, b) => b - a);
    // helpers.find_contraction
    const rest = [...inputSets];
    const taken = contractInds.map((i) => rest.splice(i, 1)[0]);
    const idxContract = union(...taken);
    const idxRemain = union(outputSet, ...rest);
    const outInds = inter(idxRemain, idxContract);
    const idxRemoved = minus(idxContract, outInds);
    inputSets = [...rest, outInds];
    const tmpInputs = contractInds.map((i) => inputList.splice(i, 1)[0]);
    const tmpShapes = contractInds.map((i) => shapeList.splice(i, 1)[0]);
    let idxResult: string;
    if (cnum === path.length - 1) idxResult = outputSubscript;
    else {
      const all = tmpInputs.join("");
      idxResult = [...outInds].sort((a, b) => all.indexOf(a) - all.indexOf(b)).join("");
    }
    inputList.push(idxResult);
    shapeList.push([...idxResult].map((c) => Math.max(...tmpInputs.map((x, k) => (x.includes(c) ? tmpShapes[k][x.indexOf(c)] : -Infinity)))));
    contractions.push([contractInds, idxRemoved, `${tmpInputs.join(",")}->${idxResult}`]);
  });
  return contractions;
}

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
