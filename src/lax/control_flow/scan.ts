// lax.scan: a loop over the leading axis of its inputs, carrying state, as one primitive whose
// body is a jaxpr traced once (JAX's scan_p, jax/_src/lax/control_flow/loops.py). The params are
// JAX 0.11's: `ft_in`/`ft_out` say which operands are consts, carries and scanned inputs (xs) and
// which outputs are carries and stacked outputs (ys). The rules follow JAX's: jvp and batching
// find which carries are nonzero / batched at a fixed point; partial evaluation splits the body
// into a known loop (primal outputs plus stacked residuals) and an unknown one (the tangent
// loop); transposition runs the transposed body in a reversed scan, accumulating the consts'
// cotangents in its carry. Execution compiles the body once and loops on the host.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../../array/base.js";
import { scalar, tensorFrom } from "../../array/array.js";
import { resultType } from "../../dtypes.js";
import { ShapedArray } from "../../jaxpr/aval.js";
import { type Atom, type BatchDim, ClosedJaxpr, Jaxpr, type JaxprEqn, type Params, UndefinedPrimal, Var } from "../../jaxpr/jaxpr.js";
import * as tree from "../../tree.js";
import { ValueError } from "../../errors.js";
import { bind, currentTrace, withTrace } from "../../tracer/core.js";
import { backwardPass } from "../../tracer/ad.js";
import { tangentAval, zerosLike } from "../../tracer/ad_util.js";
import { broadcastAxis, moveaxis } from "../../tracer/batching.js";
import { batchJaxpr, cached, evalClosed, jvpJaxpr, traceClosed } from "../../tracer/call_rules.js";
import { dce } from "../../jaxpr/passes/dce.js";
import { convertConstvars, traceToJaxpr } from "../../tracer/jaxpr_trace.js";
import { type ArgLike, functionName, leafValue, runClosedJaxpr } from "../../tracer/jit.js";
import { PartialEvalTrace, partialEvalJaxpr, partialEvalRules } from "../../tracer/partial_eval.js";
import { vmap } from "../../tracer/vmap.js";
import { concatenate, convertElementType, reshape, slice } from "../lax.js";
import { definePrimitive } from "../primitive.js";
import { broadcast_in_dim_p } from "../structural.js";
import { type FlatTree, flattenLists, nones, pack, zipstar } from "./flattree.js";


export interface ScanParams extends Params {
  reverse: boolean;
  length: number;
  jaxpr: ClosedJaxpr;
  ft_in: FlatTree;
  ft_out: FlatTree;
  unroll: number;
}

/** Numbers of consts, carries and xs among the operands. */
function counts(p: ScanParams): [number, number, number] {
  const [c, k, x] = p.ft_in.unpack();
  return [c.length, k.length, x.length];
}

const stacked = (a: ShapedArray, n: number) => a.update({ shape: [n, ...a.shape] });
const unstacked = (a: ShapedArray) => a.update({ shape: a.shape.slice(1) });
const longStr = (a: ShapedArray) => `${a.dtype}[${a.shape.join(",")}]`;
const typematch = (a: ShapedArray, b: ShapedArray) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const bools = (bs: boolean[]) => bs.map(Number).join("");

export const scan_p = definePrimitive<ScanParams>({
  name: "scan",
  abstractEval(avals, p) {
    const want = p.jaxpr.inAvals;
    // JAX's message is not an f-string, so it prints its braces literally.
    if (avals.length !== want.length) throw new ValueError("scan number of arguments doesn't match the number of jaxpr arguments: {len(args)} vs {len(jaxpr.in_avals)}");
    const [nc, nk] = counts(p);
    avals.forEach((a, i) => {
      const w = i < nc + nk ? want[i] : stacked(want[i], p.length);
      if (!typematch(a, w)) throw new TypeError(`scan: operand ${i} has type ${a.strShort()} but the body expects ${w.strShort()}`);
    });
    const outs = p.jaxpr.outAvals;
    return [...outs.slice(0, nk), ...outs.slice(nk).map((a) => stacked(a, p.length))];
  },
  impl: (args, p) => scanImpl(args, p),
});

// ---- execution --------------------------------------------------------------------------------

/**
 * The body runs as one compiled executable per iteration (compiled once, cached on the jaxpr);
 * xs are split once along their leading axis and ys stacked once at the end.
 */
function scanImpl(args: tf.Tensor[], p: ScanParams): tf.Tensor[] {
  const [nc, nk] = counts(p);
  const consts = args.slice(0, nc);
  let carry = args.slice(nc, nc + nk);
  const xs = args.slice(nc + nk).map((x) => tf.unstack(x));
  const yAvals = p.jaxpr.outAvals.slice(nk);
  const ys: tf.Tensor[][] = yAvals.map(() => new Array(p.length));
  try {
    for (let t = 0; t < p.length; t++) {
      const i = p.reverse ? p.length - 1 - t : t;
      const outs = runClosedJaxpr(p.jaxpr, [...consts, ...carry, ...xs.map((x) => x[i])], "scan");
      if (t > 0) for (const c of carry) c.dispose();
      carry = outs.slice(0, nk);
      outs.slice(nk).forEach((y, j) => (ys[j][i] = y));
    }
    const carryOut = p.length === 0 ? carry.map((c) => tf.clone(c)) : carry;
    // Empty ys are made directly: tfjs-cpu stacks empty tensors into a plain Array, which its Slice
    // (the next scan's unstack) cannot read.
    const empty = (a: ShapedArray) => p.length === 0 || a.shape.includes(0);
    return [...carryOut, ...ys.map((y, j) => (empty(yAvals[j]) ? tensorFrom([], [p.length, ...yAvals[j].shape], yAvals[j].dtype) : tf.stack(y)))];
  } finally {
    for (const x of xs) for (const s of x) s.dispose();
    for (const y of ys) for (const s of y) s?.dispose();
  }
}

// ---- lax.scan ---------------------------------------------------------------------------------

export interface ScanOptions {
  /** Number of iterations: required when `xs` is null, checked against xs otherwise. */
  length?: number;
  /** Iterate from the last element to the first (ys stay in xs's order). */
  reverse?: boolean;
  /** Iterations per rolled loop step in JAX's lowering; recorded, same result here. */
  unroll?: number | boolean;
}

/**
 * Loops `f(carry, x) => [carry, y]` over the leading axis of `xs` (any pytree), returning the
 * final carry and the ys stacked: `lax.scan((c, x) => [c.add(x), c], 0, jnp.arange(4))` gives
 * `[6, [0, 0, 1, 3]]`. The body is traced once; the carry must keep its type.
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C | ArgLike<C>, xs: X | ArgLike<X> | null = null, opts: ScanOptions = {}): [C, Y] {
  if (typeof f !== "function") throw new TypeError("lax.scan: f argument should be a callable.");
  const [initLeaves, initTree] = tree.flatten(init);
  let initFlat = initLeaves.map(leafValue);
  const [xsLeaves, xsTree] = tree.flatten(xs);
  const length = inferScanLength(xsLeaves, opts.length);
  const xsFlat = xsLeaves.map(leafValue);
  const xAvals = xsFlat.map((x) => unstacked(x.aval));
  const fname = functionName(f);

  const createJaxpr = (carryAvals: ShapedArray[]) => {
    let carryTree!: tree.TreeDef;
    let yTree!: tree.TreeDef;
    let nCarryOut = 0;
    const { jaxpr, consts } = traceToJaxpr(
      (...ts) => {
        const out = f(tree.unflatten(initTree, ts.slice(0, initFlat.length)) as C, tree.unflatten(xsTree, ts.slice(initFlat.length)) as X);
        if (!Array.isArray(out) || out.length !== 2) throw new TypeError(`scan body output must be a pair, got ${describeAvals(out)}.`);
        const [cl, ct] = tree.flatten(out[0]);
        const [yl, yt] = tree.flatten(out[1]);
        [carryTree, yTree, nCarryOut] = [ct, yt, cl.length];
        return [...cl, ...yl].map(leafValue);
      },
      [...carryAvals, ...xAvals],
      `${fname} for scan`,
    );
    return { jaxpr, consts, carryTree, yTree, nCarryOut };
  };

  // Weakly typed initial carries (JS numbers) take the type the body gives them, as in JAX.
  let t = createJaxpr(initFlat.map((x) => x.aval));
  const outAvals = t.jaxpr.outvars.map((v) => v.aval);
  if (t.nCarryOut === initFlat.length) {
    let changed = false;
    initFlat = initFlat.map((x, i) => {
      if (!x.aval.weakType || typematch(x.aval, outAvals[i])) return x;
      changed = true;
      return convertElementType(x, resultType({ dtype: x.dtype, weakType: true }, { dtype: outAvals[i].dtype, weakType: outAvals[i].weakType }).dtype);
    });
    if (changed) t = createJaxpr(initFlat.map((x) => x.aval));
  }
  checkCarryType("scan body", f, initTree, initFlat.map((x) => x.aval), t.carryTree, t.jaxpr.outvars.slice(0, t.nCarryOut).map((v) => v.aval));

  let unroll = opts.unroll ?? 1;
  if (typeof unroll === "boolean") unroll = unroll ? Math.max(length, 1) : 1;
  if (!Number.isInteger(unroll) || unroll < 0) throw new ValueError("`unroll` must be a `bool` or a non-negative `int`.");

  let consts = t.consts;
  let jaxpr = convertConstvars(t.jaxpr);
  let args = [...initFlat, ...xsFlat];
  let numCarry = initFlat.length;
  const numXs = xsFlat.length;
  const numYs = jaxpr.outvars.length - numCarry;
  // A carry the body returns unchanged is read-only: it becomes a const (JAX does the same).
  const fwd = (o: Atom) => (o instanceof Var ? jaxpr.invars.indexOf(o) : -1);
  const moveToConst = jaxpr.outvars.slice(0, numCarry).map((o, i) => fwd(o) === consts.length + i);
  // ys that are just an xs input are not copied: the input is returned as the output.
  const extFwd = jaxpr.outvars.slice(numCarry).map((o) => (fwd(o) >= consts.length + numCarry ? fwd(o) : -1));
  if (moveToConst.some(Boolean)) {
    const moved = jaxpr.invars.filter((_, i) => i >= consts.length && i < consts.length + numCarry && moveToConst[i - consts.length]);
    const newConsts = args.filter((_, i) => i < numCarry && moveToConst[i]);
    jaxpr = new Jaxpr([], [...moved, ...jaxpr.invars.filter((v) => !moved.includes(v))], jaxpr.eqns, jaxpr.outvars.filter((_, i) => i >= numCarry || !moveToConst[i]));
    args = args.filter((_, i) => i >= numCarry || !moveToConst[i]);
    consts = [...newConsts, ...consts];
    numCarry -= newConsts.length;
  }
  const ysKeep = extFwd.map((f) => f < 0);
  jaxpr = new Jaxpr([], jaxpr.invars, jaxpr.eqns, jaxpr.outvars.filter((_, i) => i < numCarry || ysKeep[i - numCarry]));
  const ysG = nones(numYs).filterWithMask(ysKeep);
  const out = bind(scan_p, [...consts, ...args], {
    reverse: opts.reverse ?? false,
    length,
    jaxpr: new ClosedJaxpr(jaxpr, []),
    ft_in: pack(nones(consts.length), nones(numCarry), nones(numXs)),
    ft_out: pack(nones(numCarry), ysG),
    unroll,
  } satisfies ScanParams);

  const carryOut = out.slice(0, numCarry);
  const ysOut = ysG.update(out.slice(numCarry)).unfilter().vals.map((y, i) => (extFwd[i] < 0 ? (y as JaxArray) : args[extFwd[i] - consts.length]));
  let k = 0;
  const carryFull = moveToConst.map((m, i) => (m ? initFlat[i] : carryOut[k++]));
  return [tree.unflatten(initTree, carryFull) as C, tree.unflatten(t.yTree, ysOut) as Y];
}

function inferScanLength(xs: unknown[], length: number | undefined): number {
  const noAxis = xs.filter((x) => !(x instanceof Object && "shape" in x) || (x as JaxArray).ndim === 0);
  if (noAxis.length) throw new ValueError(`scan got value with no leading axis to scan over: ${noAxis.map(String).join(", ")}.`);
  const lengths = xs.map((x) => (x as JaxArray).shape[0]);
  if (length !== undefined) {
    if (!Number.isInteger(length) || length < 0) throw new TypeError("The `length` argument to `scan` expects a concrete `int` value. For scan-like iteration with a dynamic length, use `while_loop` or `fori_loop`.");
    if (!lengths.every((l) => l === length)) throw new ValueError(`scan got \`length\` argument of ${length} which disagrees with leading axis sizes [${lengths.join(", ")}].`);
    return length;
  }
  const unique = [...new Set(lengths)];
  if (unique.length > 1) throw new ValueError(`scan got values with different leading axis sizes: ${lengths.join(", ")}.`);
  if (unique.length === 0) throw new ValueError("scan got no values to scan over and `length` not provided.");
  return unique[0];
}

/** A pytree of values as Python prints the tree of their avals (`ShapedArray(float32[])`). */
function describeAvals(x: unknown): string {
  const [leaves, def] = tree.flatten(x);
  let i = 0;
  const go = (d: tree.TreeDef): string => {
    switch (d.kind) {
      case "leaf": {
        const l = leaves[i++];
        const a = typeof l === "number" ? new ShapedArray([], "float32", true) : (l as JaxArray).aval;
        return a ? `ShapedArray(${longStr(a)}${a.weakType ? ", weak_type=True" : ""})` : String(l);
      }
      case "list":
        return d.children.length === 1 ? `(${go(d.children[0])},)` : `(${d.children.map(go).join(", ")})`;
      case "dict":
        return `{${(d.meta as string[]).map((k, j) => `'${k}': ${go(d.children[j])}`).join(", ")}}`;
      default:
        return d.kind === "custom" ? String(d) : "None";
    }
  };
  return go(def);
}

/** The name of `f`'s first parameter, when it is a plain identifier (Python's inspect.signature). */
function firstParamName(f: Function): string | null {
  const src = Function.prototype.toString.call(f);
  const m = /^(?:async\s*)?(?:function\b[^(]*|[\w$]+\s*)?\(\s*([A-Za-z_$][\w$]*)\s*(?:[,)=]|$)/.exec(src) ?? /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  return m ? m[1] : null;
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
const listDiffs = (diffs: string[]) =>
  diffs.length === 1 ? `${cap(diffs[0])}.\n` : diffs.slice(0, -1).map((d) => `  * ${d};\n`).join("\n") + `  * ${diffs[diffs.length - 1]}.\n`;

/** JAX's _check_carry_type: the carry output must have the input's structure and types. */
function checkCarryType(name: string, f: Function, inTree: tree.TreeDef, inAvals: ShapedArray[], outTree: tree.TreeDef, outAvals: ShapedArray[]): void {
  const carryName = firstParamName(f);
  const component = (p: string) =>
    carryName ? (p ? `the input carry component ${carryName}${p}` : `the input carry ${carryName}`) : p ? `the input carry at path ${p}` : "the input carry";
  if (!inTree.equals(outTree)) {
    const diffs = equalityErrors("", inTree, outTree).map(([p, a, b, why]) => `${component(p)} is a ${a} but the corresponding component of the carry output is a ${b}, so ${why}`);
    throw new TypeError(
      `${name} function carry input and carry output must have the same pytree structure, but they differ:\n\n${listDiffs(diffs)}\n` +
        "Revise the function so that the carry output has the same pytree structure as the carry input.",
    );
  }
  const paths = tree.leafPaths(inTree);
  const diffs = inAvals.flatMap((a, i) => {
    const b = outAvals[i];
    if (typematch(a, b)) return [];
    const why = [a.dtype !== b.dtype && "the dtypes do not match", !typematch(a.update({ dtype: b.dtype }), b) && "the shapes do not match"].filter(Boolean) as string[];
    const extra = why.length === 0 ? "" : why.length === 1 ? `, so ${why[0]}` : `, so ${why.slice(0, -1).join(", ")}, and ${why[why.length - 1]}`;
    return [`${component(paths[i])} has type ${longStr(a)} but the corresponding output carry component has type ${longStr(b)}${extra}`];
  });
  if (diffs.length)
    throw new TypeError(
      `${name} function carry input and carry output must have equal types, but they differ:\n\n${listDiffs(diffs)}\n` +
        "Revise the function so that all output types match the corresponding input types.",
    );
}

/** Where two pytree structures differ (JAX's tree_util.equality_errors), with JS's node types. */
function equalityErrors(path: string, a: tree.TreeDef, b: tree.TreeDef): [string, string, string, string][] {
  if (a.kind === "leaf" && b.kind === "leaf") return [];
  const type = (d: tree.TreeDef) => `<class '${d.kind === "leaf" ? "Array" : d.kind === "none" ? "NoneType" : d.kind}'>`;
  if (a.kind !== b.kind) return [[path, type(a), type(b), "their Python types differ"]];
  if (a.kind === "list" && a.children.length !== b.children.length)
    return [[path, `list of length ${a.children.length}`, `list of length ${b.children.length}`, "the lengths do not match"]];
  if (a.kind === "dict") {
    const [ka, kb] = [a.meta as string[], b.meta as string[]];
    const diff = [...ka.filter((k) => !kb.includes(k)), ...kb.filter((k) => !ka.includes(k))].map((k) => `'${k}'`).join(" ");
    const kids = (n: number) => `<class 'dict'> with ${n} child${n > 1 ? "ren" : ""}`;
    if (ka.length !== kb.length) return [[path, kids(ka.length), kids(kb.length), `the numbers of children do not match${diff && `, with the symmetric difference of key sets: {${diff}}`}`]];
    if (diff) return [[path, `<class 'dict'> with pytree metadata (${ka.map((k) => `'${k}'`).join(", ")})`, `<class 'dict'> with pytree metadata (${kb.map((k) => `'${k}'`).join(", ")})`, "the pytree node metadata does not match"]];
  }
  const key = (i: number) => (a.kind === "dict" ? `['${(a.meta as string[])[i]}']` : `[${i}]`);
  return a.children.flatMap((c, i) => equalityErrors(path + key(i), c, b.children[i]));
}

// ---- lax.map ------------------------------------------------------------------------------------

/**
 * Applies `f` to each slice of `xs` along its leading axis and stacks the results (a scan with
 * no carry): `lax.map((x) => x.sum(), jnp.ones([3, 4]))`. With `batchSize`, slices are vmapped
 * in batches of that size.
 */
export function map<X, Y>(f: (x: X) => Y, xs: X, opts: { batchSize?: number } = {}): Y {
  if (opts.batchSize === undefined) return scan((_: null, x: X) => [null, f(x)] as [null, Y], null, xs)[1];
  return mapBatched(f, xs, opts.batchSize);
}

function mapBatched<X, Y>(f: (x: X) => Y, xs: X, batchSize: number): Y {
  const [leaves, def] = tree.flatten(xs);
  if (!leaves.length) return scan((_: null, x: X) => [null, f(x)] as [null, Y], null, xs)[1];
  const arrs = leaves.map(leafValue);
  const n = arrs[0].shape[0];
  const numBatches = batchSize === 0 ? 0 : Math.floor(n / batchSize);
  const batchElems = numBatches * batchSize;
  const vf = vmap(f as (...a: unknown[]) => unknown) as (x: X) => Y;
  const part = (lo: number, hi: number) => arrs.map((a) => slice(a, [lo, ...a.shape.slice(1).map(() => 0)], [hi, ...a.shape.slice(1)]));
  const rest = batchElems < n ? (tree.unflatten(def, part(batchElems, n)) as X) : null;
  if (numBatches === 0) return vf(rest as X);
  const scanXs = tree.unflatten(def, part(0, batchElems).map((a) => reshape(a, [numBatches, batchSize, ...a.shape.slice(1)]))) as X;
  const scanYs = scan((_: null, x: X) => [null, vf(x)] as [null, Y], null, scanXs)[1];
  const flat = (y: JaxArray) => reshape(y, [y.shape[0] * y.shape[1], ...y.shape.slice(2)]);
  if (rest === null) return tree.map(flat, scanYs) as Y;
  return tree.map((y: JaxArray, r: JaxArray) => concatenate([flat(y), r], 0), scanYs, vf(rest)) as Y;
}

// ---- jvp ----------------------------------------------------------------------------------------

// Which carries have nonzero tangents is found at a fixed point: nonzero in, or nonzero out of
// the body given the current guess (JAX's _scan_jvp).
scan_p.jvp = (primals, tangents, p) => {
  const nonzeros = tangents.map((t) => t !== null);
  const [constNz, initNz, xsNz] = p.ft_in.update(nonzeros).unpack().map((g) => g.vals as boolean[]);
  const numYs = p.jaxpr.outAvals.length - initNz.length;
  let carryNz = initNz;
  let jvp!: ReturnType<typeof jvpJaxpr>;
  for (let it = 0; it <= carryNz.length; it++) {
    jvp = jvpJaxpr(p.jaxpr, [...constNz, ...carryNz, ...xsNz], [...carryNz, ...Array(numYs).fill(false)], "jvp(scan)");
    const out = jvp.outNz.slice(0, carryNz.length);
    if (out.every((b, i) => b === carryNz[i])) break;
    carryNz = carryNz.map((b, i) => b || out[i]);
  }
  const nz = [...constNz, ...carryNz, ...xsNz];
  const ts = tangents.map((t, i) => (nz[i] ? (t ?? tangentZeros(tangentAval(primals[i].aval))) : null));
  const nOut = p.jaxpr.outAvals.length;
  const { jaxpr, argsFt, inFt, outFt, nHoisted } = cached(p.jaxpr, `scan-jvp|${bools(nz)}|${p.ft_in}|${p.ft_out}`, () => {
    // Rearrange binders as JAX does: [consts, consts tangents, carry, carry tangents, xs, xs tangents].
    const j = jvp.closed.jaxpr;
    const nHoisted = jvp.consts.length;
    const argsFt = pack(p.ft_in, p.ft_in.filterWithMask(nz));
    const invars = zipstar(argsFt.update(j.invars.slice(nHoisted)));
    const resultFt = pack(p.ft_out, p.ft_out.filterWithMask(jvp.outNz));
    const outvars = zipstar(resultFt.update(j.outvars));
    const rearranged = new Jaxpr([], [...j.invars.slice(0, nHoisted), ...(invars.vals as Var[])], j.eqns, outvars.vals as Atom[]);
    return { jaxpr: new ClosedJaxpr(rearranged, []), argsFt, inFt: withLeadingConsts(invars.void(), nHoisted), outFt: outvars.void(), nHoisted };
  });
  const args = zipstar(pack(p.ft_in.update(primals), argsFt.unpack()[1].update(ts.filter((t) => t !== null)))).vals as JaxArray[];
  const outs = bind(scan_p, [...jvp.consts.slice(0, nHoisted), ...args], { ...p, jaxpr, ft_in: inFt, ft_out: outFt });
  const [primalsOut, tangentsOut] = zipstar(outFt.update(outs)).unpack();
  const tOut = tangentsOut.unfilter().vals;
  return [primalsOut.vals as JaxArray[], jvp.outNz.slice(0, nOut).map((z, i) => (z ? (tOut[i] as JaxArray) : null))];
};

/**
 * Zeros for a tangent that is zero in but not out. Under linearization they are made on the
 * tangent side, as JAX's _scan_linearize instantiates them in its tangent function (so they
 * are equations of the linear jaxpr, evaluated by the backward pass); a scalar is a literal.
 */
function tangentZeros(a: ShapedArray): JaxArray {
  const t = currentTrace();
  if (!(t instanceof PartialEvalTrace) || a.shape.length === 0) return zerosLike(a);
  return t.stage(broadcast_in_dim_p, [scalar(0, a.dtype, a.weakType)], { shape: [...a.shape], broadcast_dimensions: [], sharding: null })[0];
}

/** `ft_in` with `n` more leading consts (values our traces hoist out of a transformed body). */
function withLeadingConsts(ft: FlatTree, n: number): FlatTree {
  if (n === 0) return ft;
  const [c, k, x] = ft.unpack();
  return pack(pack(nones(n), c), k, x);
}

// ---- partial evaluation -------------------------------------------------------------------------

// The known part runs as a scan now, returning its outputs and the residuals the unknown part
// needs, stacked per iteration; the unknown part is staged as a scan over those residuals
// (JAX's _scan_partial_eval). Residuals that are just a const or an xs input are passed
// through, not stacked (JAX's residual forwarding); which carries are unknown is a fixed point.
partialEvalRules.set(scan_p, (trace, tracers, unknown, params) => {
  const p = params as ScanParams;
  const nk = counts(p)[1];
  const [constUk, initUk, xsUk] = p.ft_in.update(unknown).unpack().map((g) => g.vals as boolean[]);
  let carryUk = initUk;
  let uk: boolean[] = [];
  for (let it = 0; it <= nk; it++) {
    uk = [...constUk, ...carryUk, ...xsUk];
    const { outUnknown } = splitBody(p, uk);
    const out = outUnknown.slice(0, nk);
    if (out.every((b, i) => b === carryUk[i])) break;
    carryUk = carryUk.map((b, i) => b || out[i]);
  }
  const s = splitBody(p, uk);
  const knownIns = tracers.filter((_, i) => !uk[i]);
  // Values computed from consts alone are computed once, before the loop (JAX's hoisting).
  const invariant = withTrace(trace.parent!, () => evalClosed(s.hoist, [...s.knownCaptured, ...knownIns.slice(0, s.numKnownConsts)]));
  const loopConsts = invariant.slice(0, s.numLoopConsts);
  const hoisted = invariant.slice(s.numLoopConsts);
  const knownOuts = s.known
    ? withTrace(trace.parent!, () => bind(scan_p, [...loopConsts, ...knownIns.slice(s.numKnownConsts)], { ...p, jaxpr: s.known!, ft_in: s.knownFtIn, ft_out: s.knownFtOut }))
    : [];
  const numKnownOuts = s.outUnknown.filter((u) => !u).length;
  const stackedRes = knownOuts.slice(numKnownOuts);
  let r = 0;
  let h = 0;
  const res = s.resSource.map((src) =>
    "index" in src ? (src.kind === "const" ? s.knownCaptured : knownIns)[src.index] : src.kind === "stacked" ? stackedRes[r++] : hoisted[h++],
  );
  const intRes = res.filter((_, i) => s.resIsInt[i]);
  const extRes = res.filter((_, i) => !s.resIsInt[i]);
  const unknownOuts = trace.stage(scan_p, [...intRes, ...tracers.filter((_, i) => uk[i]), ...extRes], { ...p, jaxpr: s.unknown, ft_in: s.unknownFtIn, ft_out: s.unknownFtOut });
  let a = 0;
  let b = 0;
  return s.outUnknown.map((u) => (u ? unknownOuts[b++] : knownOuts[a++]));
});

/** A residual: stacked by the known scan, a value its body captured, or a known operand passed through. */
type ResSource = { kind: "stacked" | "hoisted" } | { kind: "const" | "in-const" | "in-xs"; index: number };

interface SplitScan {
  outUnknown: boolean[];
  known: ClosedJaxpr | null;
  /** Values the known body captured (its leading consts). */
  knownCaptured: JaxArray[];
  knownFtIn: FlatTree;
  knownFtOut: FlatTree;
  unknown: ClosedJaxpr;
  unknownFtIn: FlatTree;
  unknownFtOut: FlatTree;
  resSource: ResSource[];
  resIsInt: boolean[];
  /** [captured values, known consts] -> [the known loop's consts, the hoisted residuals]. */
  hoist: ClosedJaxpr;
  numLoopConsts: number;
  numKnownConsts: number;
}

/** The scan body split into its known and unknown loops, for one pattern of unknown operands. */
function splitBody(p: ScanParams, uk: boolean[]): SplitScan {
  return cached(p.jaxpr, `scan-pe|${bools(uk)}|${p.ft_in}|${p.ft_out}`, () => {
    const [nc, nk] = counts(p);
    const numYs = p.jaxpr.outAvals.length - nk;
    const carryUk = uk.slice(nc, nc + nk);
    const split = partialEvalJaxpr(p.jaxpr.jaxpr, [], uk, [...carryUk, ...Array(numYs).fill(false)], "scan");
    const kj = split.known.jaxpr;
    const numKnownOuts = split.outUnknown.filter((u) => !u).length;
    const nKnownConsts = uk.slice(0, nc).filter((u) => !u).length;
    const nKnownCarry = carryUk.filter((u) => !u).length;
    // Values of the known body that change from one iteration to the next, and the equations
    // reading them (by their inputs: an equation may have no outputs, e.g. the known half of a
    // jit whose outputs are all unknown or forwarded inputs).
    const loopVariant = new Set<Var>(kj.invars.slice(nKnownConsts));
    const variantEqns = new Set<JaxprEqn>();
    for (const e of kj.eqns)
      if (e.inputs.some((a) => a instanceof Var && loopVariant.has(a))) {
        variantEqns.add(e);
        for (const v of e.outBinders) loopVariant.add(v);
      }
    // Where each residual comes from: a value captured by the known body, a known const or xs
    // operand (passed through), or computed per iteration (a stacked output of the known scan).
    const resSource: ResSource[] = kj.outvars.slice(numKnownOuts).map((o) => {
      const ci = kj.constvars.indexOf(o as Var);
      if (ci >= 0) return { kind: "const", index: ci };
      const ii = kj.invars.indexOf(o as Var);
      if (ii >= 0 && ii < nKnownConsts) return { kind: "in-const", index: ii };
      if (ii >= nKnownConsts + nKnownCarry) return { kind: "in-xs", index: ii };
      return { kind: loopVariant.has(o as Var) ? "stacked" : "hoisted" };
    });
    const resIsInt = resSource.map((s) => s.kind === "const" || s.kind === "in-const" || s.kind === "hoisted");
    const isStacked = resSource.map((s) => s.kind === "stacked");
    const knownOutvars = [...kj.outvars.slice(0, numKnownOuts), ...kj.outvars.slice(numKnownOuts).filter((_, i) => isStacked[i])];
    // The known body's loop-invariant equations (reading only captured values and known consts)
    // run once, before the loop, which takes the invariant values it reads as its consts (JAX's
    // _scan_known_hoisting); the residuals among them are hoisted too.
    // The loop keeps only the equations its outputs reach (JAX traces it with a JaxprTrace,
    // which drops the rest).
    const invariantEqns = kj.eqns.filter((e) => !variantEqns.has(e));
    const loopEqns = dce(new Jaxpr([], [], kj.eqns.filter((e) => variantEqns.has(e)), knownOutvars)).eqns;
    const loopConsts: Var[] = [];
    const readConst = (a: Atom) => a instanceof Var && !loopVariant.has(a) && !loopConsts.includes(a) && loopConsts.push(a);
    for (const e of loopEqns) e.inputs.forEach(readConst);
    knownOutvars.forEach(readConst);
    const hoistOuts = kj.outvars.slice(numKnownOuts).filter((_, i) => resSource[i].kind === "hoisted");
    const hoist = new ClosedJaxpr(new Jaxpr([], [...kj.constvars, ...kj.invars.slice(0, nKnownConsts)], invariantEqns, [...loopConsts, ...hoistOuts]), []);
    const known = knownOutvars.length ? new ClosedJaxpr(new Jaxpr([], [...loopConsts, ...kj.invars.slice(nKnownConsts)], loopEqns, knownOutvars), []) : null;
    const notUk = uk.map((u) => !u);
    const [, knownCarryG, knownXsG] = p.ft_in.filterWithMask(notUk).unpack();
    const [, knownYsG] = p.ft_out.filterWithMask(split.outUnknown.map((u) => !u)).unpack();
    const numStacked = isStacked.filter(Boolean).length;

    const uj = split.unknown.jaxpr; // constvars: residuals; invars: unknown operands
    const resVars = uj.constvars;
    const unknown = new ClosedJaxpr(
      new Jaxpr([], [...resVars.filter((_, i) => resIsInt[i]), ...uj.invars, ...resVars.filter((_, i) => !resIsInt[i])], uj.eqns, uj.outvars),
      [],
    );
    const [ukConstsG, ukCarryG, ukXsG] = p.ft_in.filterWithMask(uk).unpack();
    const numInt = resIsInt.filter(Boolean).length;
    return {
      outUnknown: split.outUnknown,
      known,
      knownCaptured: split.known.consts,
      knownFtIn: pack(nones(loopConsts.length), knownCarryG, knownXsG),
      knownFtOut: pack(knownCarryG, pack(knownYsG, nones(numStacked))),
      unknown,
      unknownFtIn: pack(pack(nones(numInt), ukConstsG), ukCarryG, pack(ukXsG, nones(resVars.length - numInt))),
      unknownFtOut: p.ft_out.filterWithMask(split.outUnknown),
      resSource,
      resIsInt,
      hoist,
      numLoopConsts: loopConsts.length,
      numKnownConsts: nKnownConsts,
    };
  });
}

// ---- transpose ----------------------------------------------------------------------------------

// The transposed body maps [non-linear consts, const cotangents so far, carry cotangents, ys
// cotangents, non-linear xs] to [const cotangents, carry cotangents, xs cotangents]; it runs
// as a scan in the opposite direction (JAX's _scan_transpose_fancy). Zero ys cotangents stay
// symbolic (ad.Zero flattens to no leaf); the consts' cotangents are added to their carries as
// the body's backward pass produces them (ValAccum).
scan_p.transpose = (cts, args, p) => {
  const [nc, nk] = counts(p);
  const lin = args.map((a) => a instanceof UndefinedPrimal);
  const constLin = lin.slice(0, nc);
  const xsLin = lin.slice(nc + nk);
  const defined = (xs: (JaxArray | UndefinedPrimal)[], l: boolean[]) => xs.filter((_, i) => !l[i]) as JaxArray[];
  const ires = defined(args.slice(0, nc), constLin);
  const eres = defined(args.slice(nc + nk), xsLin);
  const outAvals = p.jaxpr.outAvals;
  const ctCarry = cts.slice(0, nk).map((c, i) => c ?? zerosLike(tangentAval(outAvals[i])));
  const ysCts = cts.slice(nk);
  const ysZero = ysCts.map((c) => c === null);
  const ctYs = ysCts.filter((c): c is JaxArray => c !== null);
  const linConstAvals = p.jaxpr.inAvals.slice(0, nc).filter((_, i) => constLin[i]).map(tangentAval);
  const ctConsts = linConstAvals.map(zerosLike);
  const { closed, consts: hoisted } = cached(p.jaxpr, `scan-T|${bools(lin)}|${bools(ysZero)}|${p.ft_in}`, () => transposeBody(p, lin, ysZero));
  const ysSpec = { list: ysZero.map((z, i) => (z ? zeroName(stacked(tangentAval(outAvals[nk + i]), p.length)) : null)) };
  const outs = bind(scan_p, [...hoisted, ...ires, ...ctConsts, ...ctCarry, ...ctYs, ...eres], {
    reverse: !p.reverse,
    length: p.length,
    jaxpr: closed,
    ft_in: flattenLists([[hoisted.length + ires.length, 0], [ctConsts.length, nk], [0, ysSpec, eres.length]]),
    ft_out: pack(flattenLists([ctConsts.length, nk]), pack(flattenLists(xsLin.filter(Boolean).length), nones(0))),
    unroll: p.unroll,
  } satisfies ScanParams);
  // Every carry gets a cotangent (JAX treats them all as linear); backwardPass drops the ones
  // of non-linear operands.
  let k = 0;
  return lin.map((l, i) => (l || (i >= nc && i < nc + nk) ? outs[k++] : null));
};

/** An aval as a symbolic zero's tree node names it: `~float32[3]` (weak), `int32[]`. */
const zeroName = (a: ShapedArray) => `${a.weakType ? "~" : ""}${a.dtype}[${a.shape.join(",")}]`;

function transposeBody(p: ScanParams, lin: boolean[], ysZero: boolean[]) {
  const [nc, nk] = counts(p);
  const body = p.jaxpr;
  const inAvals = body.inAvals;
  const outAvals = body.outAvals;
  const linConst = inAvals.map((_, i) => i < nc && lin[i]);
  const linXs = inAvals.map((_, i) => i >= nc + nk && lin[i]);
  const ctAvals = outAvals.filter((_, i) => i < nk || !ysZero[i - nk]).map(tangentAval);
  const avals = [
    ...inAvals.filter((_, i) => i < nc && !lin[i]),
    ...inAvals.filter((_, i) => linConst[i]).map(tangentAval),
    ...ctAvals,
    ...inAvals.filter((_, i) => i >= nc + nk && !lin[i]),
  ];
  return traceClosed(
    (...xs) => {
      const nIres = inAvals.filter((_, i) => i < nc && !lin[i]).length;
      const nLinC = linConst.filter(Boolean).length;
      const ires = xs.slice(0, nIres);
      const ctConsts = xs.slice(nIres, nIres + nLinC);
      const given = xs.slice(nIres + nLinC, nIres + nLinC + ctAvals.length);
      const eres = xs.slice(nIres + nLinC + ctAvals.length);
      let g = 0;
      const cts = outAvals.map((_, i) => (i < nk || !ysZero[i - nk] ? given[g++] : null));
      let a = 0;
      let b = 0;
      let c = 0;
      const bodyArgs = inAvals.map((av, i) => ((i >= nc && i < nc + nk) || lin[i] ? new UndefinedPrimal(tangentAval(av)) : i < nc ? ires[a++] : eres[b++]));
      const accums = inAvals.map((_, i) => (linConst[i] ? ctConsts[c++] : null));
      const res = backwardPass(body.jaxpr, [], bodyArgs, cts, accums);
      const inst = (i: number) => res[i] ?? zerosLike(tangentAval(inAvals[i]));
      const ctConstsOut = inAvals.flatMap((_, i) => (linConst[i] ? [res[i]!] : []));
      const ctCarryOut = inAvals.flatMap((_, i) => (i >= nc && i < nc + nk ? [inst(i)] : []));
      const ctXs = inAvals.flatMap((_, i) => (linXs[i] ? [inst(i)] : []));
      return [...ctConstsOut, ...ctCarryOut, ...ctXs];
    },
    avals,
    "transpose(scan)",
  );
}

// ---- batching -----------------------------------------------------------------------------------

// Batched consts and carries are moved to axis 0 (carries batched at a fixed point: batched in,
// or batched out of the body), xs to axis 1 so that each slice is batched at 0; ys come out
// batched at 1 (JAX's _scan_batching_rule).
scan_p.batch = (args, dims, p, axis) => {
  const [nc, nk] = counts(p);
  const numYs = p.jaxpr.outAvals.length - nk;
  const orig = dims.map((d) => d !== null);
  let carryB = orig.slice(nc, nc + nk);
  const batched = () => [...orig.slice(0, nc), ...carryB, ...orig.slice(nc + nk)];
  const inAvals = () => p.jaxpr.inAvals.map((a, i) => (batched()[i] ? stacked(a, axis.size) : a));
  const dimsIn = () => batched().map((b) => (b ? 0 : null));
  let r!: ReturnType<typeof batchJaxpr>;
  for (let it = 0; it <= nk; it++) {
    r = batchJaxpr(p.jaxpr, inAvals(), dimsIn(), axis, [...carryB.map((b): BatchDim | "any" => (b ? 0 : "any")), ...Array<"any">(numYs).fill("any")], "vmap(scan)");
    const out = r.outDims.slice(0, nk).map((d) => d !== null);
    if (out.every((b, i) => b === carryB[i])) break;
    carryB = carryB.map((b, i) => b || out[i]);
  }
  const ysB = r.outDims.slice(nk).map((d) => d !== null);
  r = batchJaxpr(p.jaxpr, inAvals(), dimsIn(), axis, [...carryB.map((b) => (b ? 0 : null)), ...ysB.map((b) => (b ? 0 : null))], "vmap(scan)");
  const newArgs = args.map((x, i) => {
    const d = dims[i];
    if (i < nc) return d !== null && d !== 0 ? moveaxis(x, d, 0) : x;
    if (i < nc + nk) return carryB[i - nc] && d === null ? broadcastAxis(x, axis.size, 0) : d !== null ? moveaxis(x, d, 0) : x;
    return d !== null && d !== 1 ? moveaxis(x, d, 1) : x;
  });
  const outs = bind(scan_p, [...r.consts, ...newArgs], { ...p, jaxpr: r.closed, ft_in: withLeadingConsts(p.ft_in, r.consts.length) });
  return [outs, [...carryB.map((b): BatchDim => (b ? 0 : null)), ...ysB.map((b): BatchDim => (b ? 1 : null))]];
};
