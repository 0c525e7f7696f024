// opt_einsum 3.4's contract_path, which jnp.einsum calls to order its pairwise contractions:
// the subscripts parser (ellipses, implicit outputs), and the "auto" path search ("optimal" up
// to 4 operands, branch-and-bound up to 14, greedy beyond) with opt_einsum's cost model and tie
// breaking. Where opt_einsum iterates a Python set of operand ids, PySet replays CPython's
// iteration order, so ties resolve as they do there.
// ---- opt_einsum's parser ---------------------------------------------------------------------------

const SYMBOLS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
/** opt_einsum.get_symbol: the 52 letters, then unicode from chr(192). */
export const getSymbol = (i: number): string => (i < 52 ? SYMBOLS[i] : String.fromCodePoint(i >= 55296 ? i + 2048 : i + 140));
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
 * A Python set of small non-negative ints, replaying CPython 3's hash table (setobject.c:
 * hash(i) = i, 9 linear probes then perturbed probing, dummies left by discards, resizes at 3/5
 * full), so that iterating it visits ids in CPython's order. opt_einsum's optimal and branch
 * searches iterate such sets, and the order decides ties and which branches its cutoffs drop.
 */
class PySet {
  private table: (number | null)[] = new Array(8).fill(null); // null: empty, -1: dummy
  private fill = 0;
  private used = 0;
  private get mask() {
    return this.table.length - 1;
  }
  static fromRange(n: number): PySet {
    const s = new PySet();
    for (let i = 0; i < n; i++) s.add(i);
    return s;
  }
  /** Ids in iteration order. */
  items(): number[] {
    return this.table.filter((k): k is number => k !== null && k >= 0);
  }
  private probe(hash: number, visit: (slot: number) => boolean): void {
    const mask = this.mask;
    let i = hash & mask;
    let perturb = hash;
    for (;;) {
      const probes = i + 9 <= mask ? 9 : 0;
      for (let j = 0; j <= probes; j++) if (visit(i + j)) return;
      perturb >>>= 5;
      i = (i * 5 + 1 + perturb) & mask;
    }
  }
  add(key: number): void {
    let free = -1;
    let done = false;
    this.probe(key, (slot) => {
      const k = this.table[slot];
      if (k === key) return (done = true);
      if (k === -1 && free < 0) free = slot;
      if (k !== null) return false;
      if (free >= 0) {
        this.table[free] = key;
        this.used++;
        return (done = true);
      }
      this.table[slot] = key;
      this.fill++;
      this.used++;
      if (this.fill * 5 >= this.mask * 3) this.resize(this.used * 4);
      return (done = true);
    });
    if (!done) throw new Error("internal: PySet probe");
  }
  private insertClean(key: number): void {
    this.probe(key, (slot) => this.table[slot] === null && ((this.table[slot] = key), true));
  }
  private resize(minused: number): void {
    let size = 8;
    while (size <= minused) size *= 2;
    const old = this.items();
    this.table = new Array(size).fill(null);
    this.fill = this.used = old.length;
    for (const k of old) this.insertClean(k);
  }
  /** set_copy: a new set merged from this one. */
  copy(): PySet {
    const s = new PySet();
    if (this.used === 0) return s;
    if (this.used * 5 >= s.mask * 3) s.resize(this.used * 2);
    if (s.mask === this.mask && this.fill === this.used) s.table = [...this.table];
    else for (const k of this.items()) s.insertClean(k);
    s.fill = s.used = this.used;
    return s;
  }
  /** `self - other` (set_difference: a copy with discards when self is over 4x larger). */
  minus(other: number[]): PySet {
    if (this.used >> 2 > other.length) {
      const s = this.copy();
      for (const k of other) {
        const slot = s.table.indexOf(k);
        if (slot >= 0) {
          s.table[slot] = -1;
          s.used--;
        }
      }
      return s;
    }
    const s = new PySet();
    for (const k of this.items()) if (!other.includes(k)) s.add(k);
    return s;
  }
  /** `self | {key}` (set_or: a copy, then a merge that may resize first). */
  with(key: number): PySet {
    const s = this.copy();
    if ((s.fill + 1) * 5 >= s.mask * 3) s.resize((s.used + 1) * 2);
    s.add(key);
    return s;
  }
}

/**
 * opt_einsum.paths.optimal: depth-first over every pairwise order, pruned by the best cost so
 * far. (Its cache of pair results is keyed by the pair's label sets alone, as opt_einsum's is.)
 */
function optimalPath(inputs: LabelSet[], output: LabelSet, sizes: Sizes): number[][] {
  let bestFlops = Infinity;
  let bestPath: number[][] = [inputs.map((_, i) => i)];
  const cache = new Map<string, [Set<string>, number]>();
  const iterate = (path: number[][], remaining: PySet, ins: LabelSet[], flops: number): void => {
    const rem = remaining.items();
    if (rem.length === 1) {
      bestFlops = flops;
      bestPath = path;
      return;
    }
    for (let a = 0; a < rem.length; a++)
      for (let b = a + 1; b < rem.length; b++) {
        const [i, j] = rem[a] < rem[b] ? [rem[a], rem[b]] : [rem[b], rem[a]];
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
        iterate([...path, [i, j]], remaining.minus([i, j]).with(ins.length), [...ins, hit[0]], newFlops);
      }
  };
  iterate([], PySet.fromRange(inputs.length), inputs, 0);
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

/**
 * opt_einsum.paths.branch (BranchBound, minimizing flops then size): depth-first like optimal,
 * but at each step only the `nbranch` best candidates by the memory-removed heuristic (all when
 * null), outer products only when nothing else is left, and paths more than 4x worse than the
 * best seen at their depth dropped.
 */
function branchPath(inputs: LabelSet[], output: LabelSet, sizes: Sizes, nbranch: number | null): number[][] {
  let best = { flops: Infinity, size: Infinity, path: [] as number[][] };
  const bestProgress = new Map<number, number>();
  const cache = new Map<string, [Set<string>, number]>();
  const better = (f: number, s: number) => f < best.flops || (f === best.flops && s < best.size);
  type Cand = { key: number[]; i: number; j: number; k12: Set<string>; flops: number; size: number };
  const iterate = (path: number[][], ins: LabelSet[], remainingSet: PySet, flops: number, size: number): void => {
    const remaining = remainingSet.items();
    if (remaining.length === 1) {
      best = { flops, size, path };
      return;
    }
    const assess = (i: number, j: number): Cand | null => {
      const key = `${setKey(ins[i])}|${setKey(ins[j])}`;
      let hit = cache.get(key);
      if (hit === undefined) {
        const either = union(ins[i], ins[j]);
        const keep = union(output, ...remaining.filter((r) => r !== i && r !== j).map((r) => ins[r]));
        hit = [inter(either, keep), flopCount(either, minus(inter(ins[i], ins[j]), keep).size > 0, 2, sizes)];
        cache.set(key, hit);
      }
      const [k12, flops12] = hit;
      const size12 = sizeBy(k12, sizes);
      const newFlops = flops + flops12;
      const newSize = Math.max(size, size12);
      if (!better(newFlops, newSize)) return null;
      const progress = bestProgress.get(ins.length) ?? Infinity;
      if (newFlops < progress) bestProgress.set(ins.length, newFlops);
      else if (newFlops > 4 * progress) return null;
      const cost = size12 - sizeBy(ins[i], sizes) - sizeBy(ins[j], sizes);
      return { key: [cost, flops12, newFlops, newSize, i, j], i, j, k12, flops: newFlops, size: newSize };
    };
    const rem = remaining;
    const candidates = new Heap<Cand>();
    const scan = (outer: boolean) => {
      for (let a = 0; a < rem.length; a++)
        for (let b = a + 1; b < rem.length; b++) {
          const [i, j] = rem[a] < rem[b] ? [rem[a], rem[b]] : [rem[b], rem[a]];
          if (!outer && inter(ins[i], ins[j]).size === 0) continue;
          const c = assess(i, j);
          if (c) candidates.push(c);
        }
    };
    scan(false);
    if (candidates.size === 0) scan(true);
    for (let bi = 0; (nbranch === null || bi < nbranch) && candidates.size > 0; bi++) {
      const c = candidates.pop();
      iterate([...path, [c.i, c.j]], [...ins, c.k12], remainingSet.minus([c.i, c.j]).with(ins.length), c.flops, c.size);
    }
  };
  iterate([], inputs, PySet.fromRange(inputs.length), 0, 0);
  return ssaToLinear(best.path);
}

export type EinsumOptimize = "auto" | "optimal" | "greedy" | "branch-all" | "branch-2" | "branch-1" | boolean;

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
  else if (optimize === "branch-all" || optimize === "branch-2" || optimize === "branch-1")
    path = branchPath(inputSets, outputSet, sizes, optimize === "branch-all" ? null : Number(optimize.slice(-1)));
  else if (optimize === "optimal" || optimize === true || n <= 4) path = optimalPath(inputSets, outputSet, sizes);
  // opt_einsum's "auto": branch-and-bound over all candidates, the best 2, or the best 1, then greedy.
  else if (n <= 6) path = branchPath(inputSets, outputSet, sizes, null);
  else if (n <= 8) path = branchPath(inputSets, outputSet, sizes, 2);
  else if (n <= 14) path = branchPath(inputSets, outputSet, sizes, 1);
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

