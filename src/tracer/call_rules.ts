// Jaxpr-to-jaxpr transformations (jvp, transpose, vmap of a closed jaxpr), and the rules of
// call-like primitives built on them (jit, checkpoint): each transforms the inner jaxpr once
// (cached per jaxpr and pattern of zeros / unknowns / batch axes, so a jitted function
// differentiated in an eager loop compiles once) and binds a new equation of the same
// primitive, as JAX's pjit rules do. Control-flow primitives use the same transformations.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { type AxisData, type BatchDim, ClosedJaxpr, Jaxpr, type Params, type Primitive, UndefinedPrimal, Var } from "../jaxpr/jaxpr.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { bind, currentTrace, withTrace } from "./core.js";
import { backwardPass, jvpFlat } from "./ad.js";
import { tangentAval, zerosLike } from "./ad_util.js";
import { batchFlat, matchaxis } from "./batching.js";
import { convertConstvars, traceToJaxpr } from "./jaxpr_trace.js";
import { partialEvalJaxpr, partialEvalRules } from "./partial_eval.js";

export const evalClosed = (closed: ClosedJaxpr, args: JaxArray[]): JaxArray[] =>
  interpretJaxpr<JaxArray>(closed.jaxpr, closed.consts as JaxArray[], args, (l) => scalar(l.val, l.aval.dtype, l.aval.weakType), (p, xs, ps) => bind(p, xs, ps));

const ruleCache = new WeakMap<Jaxpr, Map<string, unknown>>();
export function cached<T>(closed: ClosedJaxpr, key: string, make: () => T): T {
  if (closed.consts.length) return make();
  let m = ruleCache.get(closed.jaxpr);
  if (m === undefined) ruleCache.set(closed.jaxpr, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** Traces `fn` into a closed jaxpr whose captured values become leading arguments. */
export function traceClosed(fn: (...xs: JaxArray[]) => JaxArray[], inAvals: ShapedArray[], description: string): { closed: ClosedJaxpr; consts: JaxArray[] } {
  const { jaxpr, consts } = traceToJaxpr(fn, inAvals, description);
  return { closed: new ClosedJaxpr(convertConstvars(jaxpr), []), consts };
}

const mask = (bs: boolean[]) => bs.map(Number).join("");

// ---- jaxpr-to-jaxpr transformations (JAX's ad.jvp_jaxpr, batching.batch_jaxpr, transpose_jaxpr) --
// Each traces the transformed evaluation of a closed jaxpr into a new closed jaxpr whose
// captured values (`consts`) become leading arguments, cached per jaxpr and pattern.

export interface Transformed {
  closed: ClosedJaxpr;
  /** Values the new jaxpr captured: pass them first. */
  consts: JaxArray[];
}

/**
 * The jvp of `body`: inputs `[primals, nonzero tangents]`, outputs `[primals, nonzero
 * tangents]`. `instantiate[i]` forces output tangent i to be materialized (zeros if need be).
 */
export function jvpJaxpr(body: ClosedJaxpr, nz: boolean[], instantiate: boolean | boolean[] = false, label = "jvp"): Transformed & { outNz: boolean[] } {
  const inst = (i: number) => (Array.isArray(instantiate) ? instantiate[i] : instantiate);
  return cached(body, `jvp|${mask(nz)}|${Array.isArray(instantiate) ? mask(instantiate) : instantiate}`, () => {
    const n = body.inAvals.length;
    let outNz: boolean[] = [];
    const avals = [...body.inAvals, ...body.inAvals.filter((_, i) => nz[i]).map(tangentAval)];
    const t = traceClosed(
      (...xs) => {
        let k = n;
        const ts = nz.map((z) => (z ? xs[k++] : null));
        const [po, to] = jvpFlat((...ps) => evalClosed(body, ps), xs.slice(0, n), ts, label);
        const tOut = to.map((x, i) => (x === null && inst(i) ? zerosLike(tangentAval(po[i].aval)) : x));
        outNz = tOut.map((x) => x !== null);
        return [...po, ...tOut.filter((x): x is JaxArray => x !== null)];
      },
      avals,
      label,
    );
    return { ...t, outNz };
  });
}

/**
 * The transpose of `body` in its `linear` inputs: inputs `[non-linear inputs, nonzero output
 * cotangents]`, outputs the nonzero cotangents of the linear inputs (`outNz` says which).
 */
export function transposeJaxpr(body: ClosedJaxpr, linear: boolean[], ctNz: boolean[], label = "transpose", partialEvalFirst = false): Transformed & { outNz: boolean[] } {
  return cached(body, `T|${mask(linear)}|${mask(ctNz)}|${partialEvalFirst}`, () => {
    let outNz: boolean[] = [];
    const avals = [...body.inAvals.filter((_, i) => !linear[i]), ...body.outAvals.filter((_, i) => ctNz[i]).map(tangentAval)];
    const t = traceClosed(
      (...xs) => {
        let k = 0;
        const as = body.inAvals.map((a, i) => (linear[i] ? new UndefinedPrimal(tangentAval(a)) : xs[k++]));
        const cs = ctNz.map((z) => (z ? xs[k++] : null));
        if (partialEvalFirst) {
          // remat's transpose (JAX's ad_checkpoint.transpose_jaxpr): the non-linear part of the
          // body, split off by partial evaluation with the linear inputs unknown, is recomputed
          // here, and only the linear part is transposed. An equation mixing both (a jit of
          // primals and tangents) is split into its halves instead of taken as linear whole.
          const split = partialEvalJaxpr(body.jaxpr, body.consts as JaxArray[], linear, false, label);
          const nKnown = split.outUnknown.filter((u) => !u).length;
          const known = evalClosed(new ClosedJaxpr(split.known.jaxpr, split.known.consts), as.filter((a): a is JaxArray => !(a instanceof UndefinedPrimal)));
          const lin = split.unknown.jaxpr;
          const res = backwardPass(lin, known.slice(nKnown), lin.invars.map((v) => new UndefinedPrimal(v.aval)), cs.filter((_, i) => split.outUnknown[i]));
          let j = 0;
          const outs = linear.filter(Boolean).map(() => res[j++]);
          outNz = outs.map((o) => o !== null);
          return outs.filter((o): o is JaxArray => o !== null);
        }
        const res = backwardPass(body.jaxpr, body.consts as JaxArray[], as, cs);
        const outs = res.filter((_, i) => linear[i]);
        outNz = outs.map((o) => o !== null);
        return outs.filter((o): o is JaxArray => o !== null);
      },
      avals,
      label,
    );
    return { ...t, outNz };
  });
}

/**
 * `body` vmapped: inputs batched at `dims` (avals given with the batch axis in place),
 * outputs at whatever axis the rules chose, or moved to `forceOut[i]` when given (a number,
 * or null to keep an unbatched output unbatched; "any" leaves the choice to the rules).
 */
export function batchJaxpr(
  body: ClosedJaxpr,
  inAvals: ShapedArray[],
  dims: BatchDim[],
  axis: AxisData,
  forceOut: (BatchDim | "any")[] | null = null,
  label = "vmap",
): Transformed & { outDims: BatchDim[] } {
  const key = `B|${dims.join(",")}|${axis.size}|${axis.name}|${forceOut ? forceOut.join(",") : ""}`;
  return cached(body, key, () => {
    let outDims: BatchDim[] = [];
    const t = traceClosed(
      (...xs) => {
        const [vals, ods] = batchFlat((...ys) => evalClosed(body, ys), xs, dims, axis, label, currentTrace());
        if (!forceOut) {
          outDims = ods;
          return vals;
        }
        outDims = ods.map((d, i) => (forceOut[i] === "any" ? d : (forceOut[i] as BatchDim)));
        return vals.map((v, i) => (forceOut[i] === "any" ? v : matchaxis(axis, ods[i], forceOut[i] as BatchDim, v)));
      },
      inAvals,
      label,
    );
    return { ...t, outDims };
  });
}


/**
 * Installs jvp, partial-eval, transpose and batching rules on a call primitive. `jaxprOf`
 * reads its body, `rebuild` makes params around a new body, `label` names it in traces.
 */
export function defCallRules<P extends Params>(
  callP: Primitive<P>,
  jaxprOf: (p: P) => ClosedJaxpr,
  rebuild: (p: P, jaxpr: ClosedJaxpr, how: "jvp" | "known" | "unknown" | "transpose" | "batch") => P,
  label: (p: P) => string,
  { forwardKnown = false, transposeByPartialEval = false } = {},
): void {
  callP.jvp = (primals, tangents, p) => {
    const body = jaxprOf(p);
    const { closed, consts, outNz } = jvpJaxpr(body, tangents.map((t) => t !== null), false, `jvp(${label(p)})`);
    const outs = bind(callP, [...consts, ...primals, ...(tangents.filter((t) => t !== null) as JaxArray[])], rebuild(p, closed, "jvp"));
    const nOut = body.outAvals.length;
    let k = nOut;
    return [outs.slice(0, nOut), outNz.map((z) => (z ? outs[k++] : null))];
  };

  partialEvalRules.set(callP, (trace, args, unknown, params) => {
    const p = params as P;
    const body = jaxprOf(p);
    const split = cached(body, `pe|${mask(unknown)}`, () => partialEvalJaxpr(body.jaxpr, body.consts as JaxArray[], unknown, false, label(p)));
    const knownJaxpr = convertConstvars(split.known.jaxpr);
    const knownIns = [...split.known.consts, ...args.filter((_, i) => !unknown[i])];
    const nKnown = split.outUnknown.filter((u) => !u).length;
    // jit's linearization (JAX's _pjit_linearize): an output that is just an input is not
    // returned but taken from the caller, and a residual returned twice is returned once.
    const outs = knownJaxpr.outvars;
    const src = outs.map((o, i): { from: "input" | "output"; index: number } | null => {
      if (!forwardKnown || !(o instanceof Var)) return null;
      const k = knownJaxpr.invars.indexOf(o);
      if (k >= 0) return { from: "input", index: k };
      const j = outs.indexOf(o);
      return i >= nKnown && j < i ? { from: "output", index: j } : null;
    });
    const kept = outs.filter((_, i) => src[i] === null);
    const known = new ClosedJaxpr(kept.length === outs.length ? knownJaxpr : new Jaxpr([], knownJaxpr.invars, knownJaxpr.eqns, kept), []);
    const keptOuts = withTrace(trace.parent!, () => bind(callP, knownIns, rebuild(p, known, "known")));
    const knownOuts: JaxArray[] = [];
    let q = 0;
    src.forEach((s) => knownOuts.push(s === null ? keptOuts[q++] : s.from === "input" ? knownIns[s.index] : knownOuts[s.index]));
    const residuals = knownOuts.slice(nKnown);
    const unknownClosed = new ClosedJaxpr(convertConstvars(split.unknown.jaxpr), []);
    const unknownOuts = split.outUnknown.some(Boolean)
      ? trace.stage(callP, [...residuals, ...args.filter((_, i) => unknown[i])], rebuild(p, unknownClosed, "unknown"))
      : [];
    let a = 0;
    let b = 0;
    return split.outUnknown.map((u) => (u ? unknownOuts[b++] : knownOuts[a++]));
  });

  callP.transpose = (cts, args, p) => {
    const lin = args.map((a) => a instanceof UndefinedPrimal);
    const defined = args.filter((a): a is JaxArray => !(a instanceof UndefinedPrimal));
    const { closed, consts, outNz } = transposeJaxpr(jaxprOf(p), lin, cts.map((c) => c !== null), `transpose(${label(p)})`, transposeByPartialEval);
    const outs = bind(callP, [...consts, ...defined, ...(cts.filter((c) => c !== null) as JaxArray[])], rebuild(p, closed, "transpose"));
    let k = 0;
    let j = 0;
    return lin.map((l) => (l ? (outNz[j++] ? outs[k++] : null) : null));
  };

  callP.batch = (args, dims, p, axis) => {
    const { closed, consts, outDims } = batchJaxpr(jaxprOf(p), args.map((a) => a.aval), dims, axis, null, `vmap(${label(p)})`);
    return [bind(callP, [...consts, ...args], rebuild(p, closed, "batch")), outDims];
  };
}
