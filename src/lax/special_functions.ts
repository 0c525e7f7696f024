// The gamma family of special functions (jax/_src/lax/special.py): lgamma, digamma, polygamma
// and zeta as primitives with host kernels in XLA's float32 steps (special.ts); igamma, igammac
// and igamma_grad_a as primitives lowered, as JAX lowers them, to its series and continued
// fraction written in lax with while loops; random_gamma_grad, which JAX does not make a
// primitive, is that same code inlined (so it prints as JAX's). JAX's jvp rules throughout.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { type ArrayImpl, scalar } from "../array/array.js";
import { ShapedArray } from "../jaxpr/aval.js";
import { ClosedJaxpr, type LowerCtx, type Params, type Primitive } from "../jaxpr/jaxpr.js";
import { bind1, evalTrace, withTrace } from "../tracer/core.js";
import { defjvp } from "../tracer/ad_util.js";
import { defbroadcasting, defvectorized } from "../tracer/batching.js";
import { convertConstvars, traceToJaxpr } from "../tracer/jaxpr_trace.js";
import { runClosedJaxpr } from "../tracer/jit.js";
import { CACHE_SIZES, LRU } from "../cache.js";
import { F, broadcastingShape, checkDtypes, checkSameDtypes, checkUnaryDtype, definePrimitive, hostElementwise } from "./primitive.js";
import { digamma32, lgamma32, polygamma32, zeta32 } from "./special.js";
import { whileLoop } from "./control_flow/loops.js";
import * as lax from "./lax.js";

const f32 = Math.fround;
const EPS = 2 ** -23;
const F32_MAX = 3.4028234663852886e38;

// ---- lowering a primitive to lax code (JAX's mlir.lower_fun) ----------------------------------

/**
 * A primitive's impl that runs `fn` written in lax: traced once per input types and params into
 * a jaxpr, compiled, and run on the tensors (as JAX lowers a primitive with mlir.lower_fun).
 */
export function lowerFun<P extends Params>(name: string, fn: (args: JaxArray[], params: P) => JaxArray[]): Primitive<P>["impl"] {
  const traced = new LRU<string, { jaxpr: ClosedJaxpr; consts: JaxArray[] }>(`lowerFun.${name}`, CACHE_SIZES.lowerings);
  return (args: tf.Tensor[], params: P, ctx: LowerCtx) => {
    const key = `${ctx.inAvals.map((a) => a.strShort()).join()}|${JSON.stringify(params)}`;
    let t = traced.get(key);
    if (t === undefined) {
      const avals = ctx.inAvals.map((a) => new ShapedArray(a.shape, a.dtype));
      const { jaxpr, consts } = withTrace(evalTrace, () => traceToJaxpr((...xs) => fn(xs, params), avals, name));
      traced.set(key, (t = { jaxpr: new ClosedJaxpr(convertConstvars(jaxpr), []), consts }));
    }
    return runClosedJaxpr(t.jaxpr, [...t.consts.map((c) => (c as ArrayImpl).tensor), ...args], name);
  };
}

// ---- the constants and calls JAX's code makes -------------------------------------------------

/** JAX's _const(x, v): a strongly typed literal of x's dtype. */
const c = (v: number): JaxArray => scalar(f32(v), "float32", false);
/** lax.broadcast_in_dim, which binds nothing when the operand already has the shape. */
const broadcastInDim = (x: JaxArray, shape: readonly number[], dims: number[]): JaxArray =>
  x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i]) && dims.every((d, i) => d === i) ? x : lax.broadcastInDim(x, shape, dims);
/** lax.full_like(x, v): a literal, broadcast to x's shape. */
const fullLike = (x: JaxArray, v: number): JaxArray => broadcastInDim(scalar(f32(v), x.dtype, x.weakType), x.shape, []);
const isnan = (x: JaxArray) => lax.ne(x, x);
const or = (...xs: JaxArray[]) => xs.reduce((p, q) => lax.bitwiseOr(p, q));
// (lax imports this module: its bindings are read at call time, not at load.)
const and = (x: JaxArray, y: JaxArray) => lax.bitwiseAnd(x, y);
const not = (x: JaxArray) => lax.bitwiseNot(x);
/** JAX's _any: reduce_or over every axis. */
const any = (x: JaxArray) => lax.reduceOr(x, [...Array(x.ndim).keys()]);

// ---- lgamma, digamma, polygamma, zeta ---------------------------------------------------------

function unop(name: string, fn: (x: number) => number): Primitive {
  const p = definePrimitive({
    name,
    abstractEval([x]) {
      checkUnaryDtype(name, x, F);
      return [x];
    },
    impl: ([x], _p, ctx) => [hostElementwise([x], ["float32"], x.shape, ctx.outAvals[0].dtype, fn)],
  });
  defvectorized(p);
  return p;
}

function naryop(name: string, impl: Primitive["impl"]): Primitive {
  const p = definePrimitive({
    name,
    abstractEval(avals) {
      const shape = broadcastingShape(name, avals);
      checkDtypes(name, avals, [F, F]);
      checkSameDtypes(name, avals);
      return [new ShapedArray(shape, avals[0].dtype, avals.every((a) => a.weakType))];
    },
    impl,
  });
  defbroadcasting(p);
  return p;
}

const hostBinary = (fn: (a: number, b: number) => number): Primitive["impl"] => ([a, b], _p, ctx) => [
  hostElementwise([a, b], ["float32", "float32"], ctx.outAvals[0].shape, ctx.outAvals[0].dtype, fn),
];

/** `lgamma x`: log |Gamma(x)|. */
export const lgamma_p = unop("lgamma", lgamma32);
/** `digamma x`: d/dx lgamma(x). */
export const digamma_p = unop("digamma", digamma32);
/** `polygamma m x`: the m-th derivative of digamma (m a natural number, else NaN). */
export const polygamma_p = naryop("polygamma", hostBinary(polygamma32));
/** `zeta x q`: the Hurwitz zeta function. */
export const zeta_p = naryop("zeta", hostBinary(zeta32));

export const lgamma = (x: lax.ArrayLike): JaxArray => bind1(lgamma_p, [lax.asArray(x)]);
export const digamma = (x: lax.ArrayLike): JaxArray => bind1(digamma_p, [lax.asArray(x)]);
export const polygamma = (m: lax.ArrayLike, x: lax.ArrayLike): JaxArray => bind1(polygamma_p, [lax.asArray(m), lax.asArray(x)]);
export const zeta = (x: lax.ArrayLike, q: lax.ArrayLike): JaxArray => bind1(zeta_p, [lax.asArray(x), lax.asArray(q)]);

defjvp(lgamma_p, (g, [x]) => lax.mul(g, digamma(x)));
defjvp(digamma_p, (g, [x]) => lax.mul(g, polygamma(c(1), x)));
defjvp(
  polygamma_p,
  () => {
    throw new Error("polygamma gradient with respect to m is not supported");
  },
  (g, [m, x]) => lax.mul(g, polygamma(lax.add(m, c(1)), x)),
);

// ---- the incomplete gamma functions: JAX's series and continued fraction ----------------------

const enum Mode {
  VALUE,
  DERIVATIVE,
  SAMPLE_DERIVATIVE,
}

/** JAX's _igamma_series: the power series of P(a, x) (or its derivative in a), summed in a while loop. */
function igammaSeries(ax: JaxArray, x: JaxArray, a: JaxArray, enabled: JaxArray, mode: Mode): JaxArray {
  const body = (vals: JaxArray[]): JaxArray[] => {
    const [en, r0, c0, ans0, x0, dcDa0, dansDa0] = vals;
    const r = lax.add(r0, c(1));
    const dcDa = lax.sub(lax.mul(dcDa0, lax.div(x0, r)), lax.div(lax.mul(c0, x0), lax.mul(r, r)));
    const dansDa = lax.add(dansDa0, dcDa);
    const cc = lax.mul(c0, lax.div(x0, r));
    const ans = lax.add(ans0, cc);
    const conditional = and(en, mode === Mode.VALUE ? lax.gt(lax.div(cc, ans), c(EPS)) : lax.gt(lax.abs(lax.div(dcDa, dansDa)), c(EPS)));
    return [conditional, lax.select(en, r, vals[1]), lax.select(en, cc, vals[2]), lax.select(en, ans, vals[3]), lax.select(en, x0, vals[4]), lax.select(en, dcDa, vals[5]), lax.select(en, dansDa, vals[6])];
  };
  const init = [enabled, a, fullLike(a, 1), fullLike(a, 1), x, fullLike(a, 0), fullLike(a, 0)];
  const vals: JaxArray[] = whileLoop((v: JaxArray[]) => any(v[0]), body, init);
  const [ans, dansDa] = [vals[3], vals[6]];
  if (mode === Mode.VALUE) return lax.div(lax.mul(ans, ax), a);
  const dlogaxDa = lax.sub(lax.log(x), digamma(lax.add(a, c(1))));
  if (mode === Mode.DERIVATIVE) return lax.div(lax.mul(ax, lax.add(lax.mul(ans, dlogaxDa), dansDa)), a);
  return lax.div(lax.mul(lax.neg(lax.add(dansDa, lax.mul(ans, dlogaxDa))), x), a);
}

/** JAX's _igammac_continued_fraction: Q(a, x) (or its derivative in a) by a continued fraction, rescaled as it grows. */
function igammacContinuedFraction(ax: JaxArray, x: JaxArray, a: JaxArray, enabled: JaxArray, mode: Mode): JaxArray {
  const body = (vals: JaxArray[]): JaxArray[] => {
    const [en, ans0, , y0, z0, c0, pkm1, qkm1, pkm2, qkm2, dpkm2Da, dqkm2Da, dpkm1Da, dqkm1Da, dansDa] = vals;
    const cc = lax.add(c0, c(1));
    const y = lax.add(y0, c(1));
    const z = lax.add(z0, c(2));
    const yc = lax.mul(y, cc);
    const pk = lax.sub(lax.mul(pkm1, z), lax.mul(pkm2, yc));
    const qk = lax.sub(lax.mul(qkm1, z), lax.mul(qkm2, yc));
    const qkNonzero = lax.ne(qk, c(0));
    const r = lax.div(pk, qk);
    const t = lax.select(qkNonzero, lax.abs(lax.div(lax.sub(ans0, r), r)), fullLike(r, 1));
    const ans = lax.select(qkNonzero, r, ans0);
    const dpkDa = lax.add(lax.sub(lax.sub(lax.mul(dpkm1Da, z), pkm1), lax.mul(dpkm2Da, yc)), lax.mul(pkm2, cc));
    const dqkDa = lax.add(lax.sub(lax.sub(lax.mul(dqkm1Da, z), qkm1), lax.mul(dqkm2Da, yc)), lax.mul(qkm2, cc));
    const dansDaNew = lax.select(qkNonzero, lax.div(lax.sub(dpkDa, lax.mul(ans, dqkDa)), qk), dansDa);
    const gradConditional = lax.select(qkNonzero, lax.abs(lax.sub(dansDaNew, dansDa)), fullLike(dansDa, 1));
    // Shift the recurrence down a step, rescaling every term once pk grows past 1/eps.
    const rescale = lax.gt(lax.abs(pk), lax.reciprocal(c(EPS)));
    const scaled = (v: JaxArray) => lax.select(rescale, lax.mul(v, c(EPS)), v);
    const [npkm2, npkm1, nqkm2, nqkm1] = [scaled(pkm1), scaled(pk), scaled(qkm1), scaled(qk)];
    const [ndpkm2, ndqkm2, ndpkm1, ndqkm1] = [scaled(dpkm1Da), scaled(dqkm1Da), scaled(dpkDa), scaled(dqkDa)];
    const conditional = and(en, mode === Mode.VALUE ? lax.gt(t, c(EPS)) : lax.gt(gradConditional, c(EPS)));
    const sel = (v: JaxArray, i: number) => lax.select(en, v, vals[i]);
    return [
      conditional, sel(ans, 1), sel(t, 2), sel(y, 3), sel(z, 4), cc, sel(npkm1, 6), sel(nqkm1, 7), sel(npkm2, 8), sel(nqkm2, 9),
      sel(ndpkm2, 10), sel(ndqkm2, 11), sel(ndpkm1, 12), sel(ndqkm1, 13), sel(dansDaNew, 14),
    ];
  };
  // The initial terms, in the order JAX computes them.
  const y = lax.sub(c(1), a);
  const z = lax.add(lax.add(x, y), c(1));
  const pkm2 = fullLike(x, 1);
  const pkm1 = lax.add(x, c(1));
  const qkm1 = lax.mul(z, x);
  const ans = lax.div(pkm1, qkm1);
  const t = fullLike(x, 1);
  const [dpkm2Da, dqkm2Da, dpkm1Da] = [fullLike(x, 0), fullLike(x, 0), fullLike(x, 0)];
  const dqkm1Da = lax.neg(x);
  const dansDa = lax.div(lax.sub(dpkm1Da, lax.mul(ans, dqkm1Da)), qkm1);
  const init = [enabled, ans, t, y, z, c(0), pkm1, qkm1, pkm2, x, dpkm2Da, dqkm2Da, dpkm1Da, dqkm1Da, dansDa];
  const vals: JaxArray[] = whileLoop((v: JaxArray[]) => and(lax.lt(v[5], c(2000)), any(v[0])), body, init);
  if (mode === Mode.VALUE) return lax.mul(vals[1], ax);
  const dlogaxDa = lax.sub(lax.log(x), digamma(a));
  if (mode === Mode.DERIVATIVE) return lax.mul(ax, lax.add(lax.mul(vals[1], dlogaxDa), vals[14]));
  return lax.neg(lax.mul(lax.add(vals[14], lax.mul(vals[1], dlogaxDa)), x));
}

/** a log x - x - lgamma(a), exponentiated, and whether it underflows. */
function axTerm(a: JaxArray, x: JaxArray): [JaxArray, JaxArray] {
  const ax = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lgamma(a));
  const underflow = lax.lt(ax, lax.neg(lax.log(c(F32_MAX))));
  return [lax.exp(ax), underflow];
}

function igammaImpl(a: JaxArray, x: JaxArray): JaxArray {
  const nan = or(isnan(a), isnan(x));
  const xIsInf = lax.eq(x, c(Infinity));
  const aIsZero = lax.eq(a, c(0));
  const xIsZero = lax.eq(x, c(0));
  const domainError = or(lax.lt(x, c(0)), lax.lt(a, c(0)), and(aIsZero, xIsZero), nan);
  const useIgammac = and(lax.ge(x, c(1)), lax.gt(x, a));
  const [ax, underflow] = axTerm(a, x);
  const enabled = not(or(xIsZero, domainError, underflow, xIsInf));
  let out = lax.select(
    useIgammac,
    lax.sub(c(1), igammacContinuedFraction(ax, x, a, and(enabled, useIgammac), Mode.VALUE)),
    igammaSeries(ax, x, a, and(enabled, not(useIgammac)), Mode.VALUE),
  );
  out = lax.select(xIsZero, fullLike(a, 0), out);
  out = lax.select(xIsInf, fullLike(a, 1), out);
  return lax.select(domainError, fullLike(a, NaN), out);
}

function igammacImpl(a: JaxArray, x: JaxArray): JaxArray {
  const nan = or(isnan(a), isnan(x));
  const aIsZero = lax.eq(a, c(0));
  const xIsZero = lax.eq(x, c(0));
  const xIsInf = lax.eq(x, c(Infinity));
  const domainError = or(lax.lt(x, c(0)), lax.lt(a, c(0)), and(aIsZero, xIsZero), nan);
  const useIgamma = or(lax.lt(x, c(1)), lax.lt(x, a));
  const ax0 = lax.sub(lax.sub(lax.mul(a, lax.log(x)), x), lgamma(a));
  const underflow = lax.lt(ax0, lax.neg(lax.log(c(F32_MAX))));
  const enabled = not(or(domainError, underflow, xIsInf, aIsZero));
  const ax = lax.exp(ax0);
  const series = igammaSeries(ax, x, a, and(enabled, useIgamma), Mode.VALUE);
  const fraction = igammacContinuedFraction(ax, x, a, and(enabled, not(useIgamma)), Mode.VALUE);
  let out = lax.select(useIgamma, lax.sub(c(1), series), fraction);
  out = lax.select(or(xIsInf, aIsZero), fullLike(out, 0), out);
  return lax.select(domainError, fullLike(a, NaN), out);
}

/** JAX's igamma_grad_a_impl and random_gamma_grad_impl: one body, two modes. */
function igammaDerivative(a: JaxArray, x: JaxArray, mode: Mode): JaxArray {
  const nan = or(isnan(a), isnan(x));
  const xIsZero = lax.eq(x, fullLike(x, 0));
  const domainError = or(lax.lt(x, fullLike(x, 0)), lax.le(a, fullLike(a, 0)));
  const useIgammac = and(lax.gt(x, fullLike(x, 1)), lax.gt(x, a));
  const [ax, underflow] = axTerm(a, x);
  const enabled = not(or(xIsZero, domainError, underflow, nan));
  let out = lax.select(
    useIgammac,
    lax.neg(igammacContinuedFraction(ax, x, a, and(enabled, useIgammac), mode)),
    igammaSeries(ax, x, a, and(enabled, not(useIgammac)), mode),
  );
  out = lax.select(xIsZero, fullLike(out, 0), out);
  return lax.select(or(domainError, nan), fullLike(a, NaN), out);
}

/** JAX's _up_and_broadcast: operands broadcast to a common shape before the lax code runs. */
function upAndBroadcast(a: JaxArray, x: JaxArray): [JaxArray, JaxArray] {
  const shape = broadcastingShape("broadcast_shapes", [a.aval, x.aval]);
  return [a, x].map((v) => broadcastInDim(v, shape, [...Array(v.ndim).keys()])) as [JaxArray, JaxArray];
}

/** `igamma a x`: the regularized lower incomplete gamma function P(a, x). */
export const igamma_p = naryop("igamma", lowerFun("igamma", ([a, x]) => [igammaImpl(...upAndBroadcast(a, x))]));
/** `igammac a x`: the regularized upper incomplete gamma function Q(a, x) = 1 - P(a, x). */
export const igammac_p = naryop("igammac", lowerFun("igammac", ([a, x]) => [igammacImpl(...upAndBroadcast(a, x))]));
/** `igamma_grad_a a x`: d/da P(a, x). */
export const igamma_grad_a_p = naryop("igamma_grad_a", lowerFun("igamma_grad_a", ([a, x]) => [igammaDerivative(...upAndBroadcast(a, x), Mode.DERIVATIVE)]));

export const igamma = (a: lax.ArrayLike, x: lax.ArrayLike): JaxArray => bind1(igamma_p, [lax.asArray(a), lax.asArray(x)]);
export const igammac = (a: lax.ArrayLike, x: lax.ArrayLike): JaxArray => bind1(igammac_p, [lax.asArray(a), lax.asArray(x)]);
export const igammaGradA = (a: lax.ArrayLike, x: lax.ArrayLike): JaxArray => bind1(igamma_grad_a_p, [lax.asArray(a), lax.asArray(x)]);

/**
 * The derivative of a Gamma(a, 1) sample x with respect to a, holding its CDF fixed (implicit
 * reparameterization): -(dP/da) / (dP/dx). Not a primitive in JAX either: it stages JAX's lax
 * code, while loops included. `lax.randomGammaGrad(2.0, sample)`.
 */
export function randomGammaGrad(a: lax.ArrayLike, x: lax.ArrayLike): JaxArray {
  return igammaDerivative(...upAndBroadcast(lax.asArray(a), lax.asArray(x)), Mode.SAMPLE_DERIVATIVE);
}

// d/dx P(a, x) is the Gamma(a) density; d/da comes from the series (JAX's igamma_grada/gradx).
const igammaGradx = (g: JaxArray, a: JaxArray, x: JaxArray) =>
  lax.mul(g, lax.exp(lax.sub(lax.add(lax.neg(x), lax.mul(lax.sub(a, fullLike(a, 1)), lax.log(x))), lgamma(a))));
defjvp(igamma_p, (g, [a, x]) => lax.mul(g, igammaGradA(a, x)), (g, [a, x]) => igammaGradx(g, a, x));
defjvp(igammac_p, (g, [a, x]) => lax.neg(lax.mul(g, igammaGradA(a, x))), (g, [a, x]) => lax.neg(igammaGradx(g, a, x)));
