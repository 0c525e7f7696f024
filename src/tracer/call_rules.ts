// Transformation rules shared by call-like primitives whose params hold a closed jaxpr (jit,
// checkpoint): each transforms the inner jaxpr once (cached per jaxpr and pattern of
// zeros / unknowns / batch axes, so a jitted function differentiated in an eager loop
// compiles once) and binds a new equation of the same primitive, as JAX's pjit rules do.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { type BatchDim, ClosedJaxpr, type Jaxpr, type Params, type Primitive, UndefinedPrimal } from "../jaxpr/jaxpr.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { bind, currentTrace, withTrace } from "./core.js";
import { backwardPass, jvpFlat } from "./ad.js";
import { tangentAval } from "./ad_util.js";
import { batchFlat } from "./batching.js";
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

/**
 * Installs jvp, partial-eval, transpose and batching rules on a call primitive. `jaxprOf`
 * reads its body, `rebuild` makes params around a new body, `label` names it in traces.
 */
export function defCallRules<P extends Params>(
  callP: Primitive<P>,
  jaxprOf: (p: P) => ClosedJaxpr,
  rebuild: (p: P, jaxpr: ClosedJaxpr, how: "jvp" | "known" | "unknown" | "transpose" | "batch") => P,
  label: (p: P) => string,
): void {
  callP.jvp = (primals, tangents, p) => {
    const body = jaxprOf(p);
    const nz = tangents.map((t) => t !== null);
    const { closed, consts, outNz } = cached(body, `jvp|${mask(nz)}`, () => {
      const n = primals.length;
      let outNz: boolean[] = [];
      const avals = [...body.inAvals, ...body.inAvals.filter((_, i) => nz[i]).map(tangentAval)];
      const t = traceClosed(
        (...xs) => {
          let k = n;
          const ts = nz.map((z) => (z ? xs[k++] : null));
          const [po, to] = jvpFlat((...ps) => evalClosed(body, ps), xs.slice(0, n), ts, `jvp(${label(p)})`);
          outNz = to.map((x) => x !== null);
          return [...po, ...to.filter((x): x is JaxArray => x !== null)];
        },
        avals,
        `jvp(${label(p)})`,
      );
      return { ...t, outNz };
    });
    const outs = bind(callP, [...consts, ...primals, ...(tangents.filter((t) => t !== null) as JaxArray[])], rebuild(p, closed, "jvp"));
    const nOut = body.outAvals.length;
    let k = nOut;
    return [outs.slice(0, nOut), outNz.map((z) => (z ? outs[k++] : null))];
  };

  partialEvalRules.set(callP, (trace, args, unknown, params) => {
    const p = params as P;
    const body = jaxprOf(p);
    const split = cached(body, `pe|${mask(unknown)}`, () => partialEvalJaxpr(body.jaxpr, body.consts as JaxArray[], unknown, false, label(p)));
    const known = new ClosedJaxpr(convertConstvars(split.known.jaxpr), []);
    const knownOuts = withTrace(trace.parent!, () => bind(callP, [...split.known.consts, ...args.filter((_, i) => !unknown[i])], rebuild(p, known, "known")));
    const nKnown = split.outUnknown.filter((u) => !u).length;
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
    const body = jaxprOf(p);
    const lin = args.map((a) => a instanceof UndefinedPrimal);
    const ctNz = cts.map((c) => c !== null);
    const defined = args.filter((a): a is JaxArray => !(a instanceof UndefinedPrimal));
    const { closed, consts, outNz } = cached(body, `T|${mask(lin)}|${mask(ctNz)}`, () => {
      let outNz: boolean[] = [];
      const avals = [...defined.map((d) => d.aval), ...body.outAvals.filter((_, i) => ctNz[i]).map(tangentAval)];
      const t = traceClosed(
        (...xs) => {
          let k = 0;
          const as = args.map((a) => (a instanceof UndefinedPrimal ? a : xs[k++]));
          const cs = ctNz.map((z) => (z ? xs[k++] : null));
          const res = backwardPass(body.jaxpr, body.consts as JaxArray[], as, cs);
          const outs = res.filter((_, i) => lin[i]);
          outNz = outs.map((o) => o !== null);
          return outs.filter((o): o is JaxArray => o !== null);
        },
        avals,
        `transpose(${label(p)})`,
      );
      return { ...t, outNz };
    });
    const outs = bind(callP, [...consts, ...defined, ...(cts.filter((c) => c !== null) as JaxArray[])], rebuild(p, closed, "transpose"));
    let k = 0;
    let j = 0;
    return lin.map((l) => (l ? (outNz[j++] ? outs[k++] : null) : null));
  };

  callP.batch = (args, dims, p, axis) => {
    const body = jaxprOf(p);
    const { closed, consts, outDims } = cached(body, `B|${dims.join(",")}|${axis.size}|${axis.name}`, () => {
      let outDims: BatchDim[] = [];
      const t = traceClosed(
        (...xs) => {
          const [vals, ods] = batchFlat((...ys) => evalClosed(body, ys), xs, dims, axis, `vmap(${label(p)})`, currentTrace());
          outDims = ods;
          return vals;
        },
        args.map((a) => a.aval),
        `vmap(${label(p)})`,
      );
      return { ...t, outDims };
    });
    return [bind(callP, [...consts, ...args], rebuild(p, closed, "batch")), outDims];
  };
}
