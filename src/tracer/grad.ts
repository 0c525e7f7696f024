// The public differentiation API (JAX's api.py): jvp, linearize, vjp, grad, valueAndGrad,
// jacfwd, jacrev, hessian. Pytrees in and out; the work is done on flat lists by ad.ts.
import { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { isFloat } from "../dtypes.js";
import { pyShape } from "../jaxpr/aval.js";
import type { MaybeZero } from "../jaxpr/jaxpr.js";
import * as tree from "../tree.js";
import * as lax from "../lax/lax.js";
import { eye as jnpEye } from "../numpy/creation.js";
import { type LinearFn, applyLinear, jvpFlat, linearizeFlat, transposeLinear } from "./ad.js";
import { tangentAval, zerosLike } from "./ad_util.js";
import { type ArgLike, type Outputs, functionName, leafValue } from "./jit.js";
import { vmap } from "./vmap.js";

type Fn = (...args: any[]) => any;

/** Flattens `f` over its (pytree) arguments and outputs; `outTree` is set after a call. */
function flatFn(f: Fn, inTree: tree.TreeDef, hasAux: boolean, fname: string) {
  const info: { outTree?: tree.TreeDef; aux?: unknown } = {};
  const flat = (...leaves: JaxArray[]): JaxArray[] => {
    const args = tree.unflatten(inTree, leaves) as unknown[];
    let out = f(...args);
    if (hasAux) {
      if (!Array.isArray(out) || out.length !== 2)
        throw new TypeError(`${fname}: with hasAux the function must return a pair [output, aux], got ${typeof out}`);
      info.aux = out[1];
      out = out[0];
    }
    const [outLeaves, def] = tree.flatten(out);
    info.outTree = def;
    return outLeaves.map((l) => leafValue(l));
  };
  return { flat, info };
}

/** Aux outputs leave the transformation as their primal values (JAX's has_aux). */
const auxValue = (aux: unknown, unwrap: (x: JaxArray) => JaxArray): unknown =>
  tree.map((x: unknown) => (x instanceof JaxArray ? unwrap(x) : x), aux);

// ---- jvp --------------------------------------------------------------------------------------

/**
 * Forward-mode: `[f(...primals), J·tangents]`. `primals` and `tangents` are arrays of
 * arguments with the same pytree structure: `jvp(f, [x], [v])`.
 */
export function jvp(f: Fn, primals: unknown[], tangents: unknown[], opts: { hasAux?: boolean } = {}): [unknown, unknown] | [unknown, unknown, unknown] {
  const fname = functionName(f);
  if (!Array.isArray(primals) || !Array.isArray(tangents))
    throw new TypeError(`primal and tangent arguments to jax.jvp must be tuples or lists; found ${typeof primals} and ${typeof tangents}.`);
  const [ps, pdef] = tree.flatten(primals);
  const [ts, tdef] = tree.flatten(tangents);
  if (String(pdef) !== String(tdef))
    throw new TypeError(`primal and tangent arguments to jax.jvp must have the same tree structure; primals have tree structure ${pdef} whereas tangents have tree structure ${tdef}.`);
  const pv = ps.map(leafValue);
  const tv = ts.map(leafValue);
  pv.forEach((p, i) => {
    const t = tv[i];
    const want = isFloat(p.dtype) ? p.dtype : "float0";
    if (isFloat(p.dtype) ? t.dtype !== p.dtype : false)
      throw new TypeError(
        `primal and tangent arguments to jax.jvp do not match; dtypes must be equal, or in case of int/bool primal dtype the tangent dtype must be float0.Got primal dtype ${p.dtype} and so expected tangent dtype ${want}, but got tangent dtype ${t.dtype} instead.`,
      );
    if (p.shape.join() !== t.shape.join())
      throw new TypeError(`jvp called with different primal and tangent shapes;Got primal shape ${pyShape(p.shape)} and tangent shape as ${pyShape(t.shape)}`);
  });
  const { flat, info } = flatFn(f, pdef, !!opts.hasAux, fname);
  const [po, to] = jvpFlat(flat, pv, tv, `jvp(${fname})`, (unwrap) => (info.aux = auxValue(info.aux, unwrap)));
  const outTree = info.outTree!;
  const tOut = to.map((t, i) => t ?? zerosLike(tangentAval(po[i].aval)));
  const res: [unknown, unknown] = [unflatOut(outTree, po), unflatOut(outTree, tOut)];
  return opts.hasAux ? [...res, info.aux] : res;
}

const unflatOut = (def: tree.TreeDef, leaves: JaxArray[]): unknown => tree.unflatten(def, leaves);

// ---- linearize and vjp ------------------------------------------------------------------------

/** `[f(...primals), fJvp]` where `fJvp(...tangents)` applies the linearization (JAX's linearize). */
export function linearize(f: Fn, ...primals: unknown[]): [unknown, (...tangents: unknown[]) => unknown] {
  const fname = functionName(f);
  const [leaves, inTree] = tree.flatten(primals);
  const { flat, info } = flatFn(f, inTree, false, fname);
  const [outs, lin] = linearizeFlat(flat, leaves.map(leafValue), `linearize(${fname})`);
  const outTree = info.outTree!;
  const fJvp = (...tangents: unknown[]) => {
    const [ts, tdef] = tree.flatten(tangents);
    if (String(tdef) !== String(inTree)) throw new TypeError(`linearized function called on tangents with tree structure ${tdef}, but expected ${inTree}`);
    const res = applyLinear(lin, ts.map(leafValue));
    return tree.unflatten(outTree, res.map((t, i) => t ?? zerosLike(lin.outAvals[i])));
  };
  return [tree.unflatten(outTree, outs), fJvp];
}

function pullback(lin: LinearFn, inTree: tree.TreeDef, outTree: tree.TreeDef, outs: JaxArray[]) {
  return (ct: unknown): unknown[] => {
    const [cts, ctDef] = tree.flatten(ct);
    if (String(ctDef) !== String(outTree))
      throw new TypeError(`Tree structure of cotangent input ${ctDef}, does not match structure of primal output ${outTree}.`);
    const ctv = cts.map(leafValue);
    ctv.forEach((c, i) => {
      const want = lin.outAvals[i];
      if (c.shape.join() !== want.shape.join() || (isFloat(want.dtype) && c.dtype !== want.dtype))
        throw new TypeError(
          `Type of cotangent input to vjp pullback function (${c.aval.strShort()}) is not the expected tangent type (${want.strShort()}) of corresponding primal output with shape ${pyShape(outs[i].shape)} and dtype ${outs[i].dtype}.`,
        );
    });
    const res = transposeLinear(lin, ctv as MaybeZero[]);
    return tree.unflatten(inTree, res.map((g, i) => g ?? zerosLike(lin.inAvals[i]))) as unknown[];
  };
}

/**
 * Reverse-mode: `[f(...primals), vjpFn]`, where `vjpFn(ct)` returns the cotangents of all the
 * primals as an array (`[ctX, ctY]`). With `hasAux`, `f` returns `[out, aux]` and vjp returns
 * `[out, vjpFn, aux]`.
 */
export function vjp(f: Fn, ...primals: unknown[]): [unknown, (ct: unknown) => unknown[]];
export function vjp(f: Fn, ...primals: unknown[]): unknown[] {
  return vjpWithOptions(f, primals, {});
}

/**
 * `vjp` of an `f` that returns `[out, aux]`: `[out, vjpFn, aux]`, aux not differentiated.
 *
 * ```ts
 * const [y, vjpFn, aux] = vjpWithAux((x: Array) => [jnp.sin(x), x.mul(2)], jnp.array(0.5));
 * ```
 */
export function vjpWithAux(f: Fn, ...primals: unknown[]): [unknown, (ct: unknown) => unknown[], unknown] {
  return vjpWithOptions(f, primals, { hasAux: true }) as [unknown, (ct: unknown) => unknown[], unknown];
}

function vjpWithOptions(f: Fn, primals: unknown[], opts: { hasAux?: boolean }): unknown[] {
  const fname = functionName(f);
  const [leaves, inTree] = tree.flatten(primals);
  const { flat, info } = flatFn(f, inTree, !!opts.hasAux, fname);
  const [outs, lin] = linearizeFlat(flat, leaves.map(leafValue), `vjp(${fname})`, (unwrap) => (info.aux = auxValue(info.aux, unwrap)));
  const outTree = info.outTree!;
  const res = [tree.unflatten(outTree, outs), pullback(lin, inTree, outTree, outs)];
  if (opts.hasAux) res.push(info.aux);
  return res;
}

// ---- grad -------------------------------------------------------------------------------------

/** Options of `grad` and `valueAndGrad`, named as JAX's keyword arguments. */
export interface GradOptions {
  /** Which positional argument(s) to differentiate (default 0); an array returns an array of grads. */
  argnums?: number | readonly number[];
  /** `f` returns `[output, aux]`; aux is returned alongside. */
  hasAux?: boolean;
  /** Allow integer/bool inputs (their gradients are zeros). */
  allowInt?: boolean;
}

/** The `argnums` of options `O` (0 when absent). */
type ArgnumsOf<O> = O extends { argnums?: infer A } ? (unknown extends A ? 0 : [Exclude<A, undefined>] extends [never] ? 0 : Exclude<A, undefined>) : 0;
type GradsAt<P extends readonly unknown[], A> = A extends number
  ? Outputs<P[A]>
  : A extends readonly number[]
    ? { -readonly [K in keyof A]: Outputs<P[A[K] & number]> }
    : never;
/** What `f` returns as aux (with `hasAux` it returns `[output, aux]`). */
type AuxOf<F extends Fn> = ReturnType<F> extends readonly [unknown, infer X] ? X : ReturnType<F> extends readonly (infer X)[] ? X : unknown;
/** `[r, aux]` with hasAux, `r` without; either when `O` does not say. */
type WithAux<F extends Fn, O, R> = O extends { hasAux: true } ? [R, AuxOf<F>] : O extends { hasAux: false } ? R : "hasAux" extends keyof O ? R | [R, AuxOf<F>] : R;

/**
 * What `grad(f, opts)` returns: the gradient of each `argnums` argument of `f`, shaped as it is
 * with an Array per leaf (an array of them for an array of argnums; `[grads, aux]` with hasAux).
 */
export type Gradients<F extends Fn, O extends GradOptions = {}> = WithAux<F, O, GradsAt<Parameters<F>, ArgnumsOf<O>>>;

function checkGradInput(leaf: unknown, allowInt: boolean, name: string): void {
  const x = leafValue(leaf);
  if (!isFloat(x.dtype) && !allowInt)
    throw new TypeError(
      `${name} requires real- or complex-valued inputs (input dtype that is a sub-dtype of np.inexact), but got ${x.dtype}. If you want to use Boolean- or integer-valued inputs, use vjp or set allow_int to True.`,
    );
}

function checkScalar(out: unknown): JaxArray {
  const msg = (s: string) => `Gradient only defined for scalar-output functions. Output ${s}.`;
  if (!(out instanceof JaxArray)) throw new TypeError(msg(`was ${String(out)}`));
  if (out.ndim !== 0) {
    const extract = out.size === 1 ? `extract the scalar with output.reshape([])${out.ndim === 1 ? " or output[0]" : ""}, ` : "";
    throw new TypeError(
      msg(`had shape: ${pyShape(out.shape)}`) +
        ` To get the gradient, ${extract}reduce the output to a scalar with output.sum(), or use jax.jacobian to differentiate a function with a non-scalar output.`,
    );
  }
  if (!isFloat(out.dtype))
    throw new TypeError(
      `grad requires real-valued outputs (output dtype that is a sub-dtype of np.floating), but got ${out.dtype}. For differentiation of functions with integer outputs, use jax.vjp directly.`,
    );
  return out;
}

/**
 * `valueAndGrad(f)(...args)` returns `[f(...args), ∇f]` (with hasAux, `[[out, aux], ∇f]`),
 * differentiating with respect to `argnums`.
 */
export function valueAndGrad<F extends Fn, const O extends GradOptions = {}>(
  f: F,
  opts: O = {} as O,
): (...args: ArgLike<Parameters<F>>) => [WithAux<F, O, JaxArray>, GradsAt<Parameters<F>, ArgnumsOf<O>>] {
  if (typeof f !== "function") throw new TypeError(`Expected a callable value, got ${String(f)}`);
  const argnums = opts.argnums ?? 0;
  const nums = Array.isArray(argnums) ? argnums : [argnums];
  const fname = functionName(f);
  const wrapped = (...args: unknown[]): [unknown, unknown] => {
    const maxArg = Math.max(...nums);
    if (maxArg >= args.length)
      throw new TypeError(
        `differentiating with respect to argnums=${Array.isArray(argnums) ? `(${argnums.join(", ")}${argnums.length === 1 ? "," : ""})` : argnums} requires at least ${maxArg + 1} positional arguments to be passed by the caller, but got only ${args.length} positional arguments.`,
      );
    const dyn = nums.map((i) => args[i]);
    for (const leaf of tree.leaves(dyn)) checkGradInput(leaf, !!opts.allowInt, "grad");
    const partial = (...d: unknown[]) => {
      const full = [...args];
      nums.forEach((n, k) => (full[n] = d[k]));
      return f(...full);
    };
    Object.defineProperty(partial, "name", { value: fname });
    const [ans, pull, aux] = vjpWithOptions(partial, dyn, { hasAux: opts.hasAux }) as [unknown, (ct: unknown) => unknown[], unknown];
    const out = checkScalar(ans);
    const g = pull(scalar(1, out.dtype, out.weakType));
    const grads = Array.isArray(argnums) ? g : g[0];
    return [opts.hasAux ? [ans, aux] : ans, grads];
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped as (...args: ArgLike<Parameters<F>>) => [WithAux<F, O, JaxArray>, GradsAt<Parameters<F>, ArgnumsOf<O>>];
}

/** `grad(f)(...args)`: the gradient of scalar `f` with respect to `argnums` (default 0). */
export function grad<F extends Fn, const O extends GradOptions = {}>(f: F, opts: O = {} as O): (...args: ArgLike<Parameters<F>>) => Gradients<F, O> {
  const vg = valueAndGrad(f, opts) as (...args: unknown[]) => [unknown, unknown];
  const wrapped = (...args: unknown[]) => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, (v as unknown[])[1]] : g;
  };
  Object.defineProperty(wrapped, "name", { value: functionName(f) });
  return wrapped as (...args: ArgLike<Parameters<F>>) => Gradients<F, O>;
}

// ---- Jacobians ---------------------------------------------------------------------------------

/** Standard basis of a flat list of leaves, stacked along a new leading axis (JAX's _std_basis). */
function stdBasis(leaves: JaxArray[]): JaxArray[] {
  const sizes = leaves.map((x) => x.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const eye = basisMatrix(total, leaves[0]?.dtype ?? "float32");
  let off = 0;
  return leaves.map((x, i) => {
    const cols = sliceCols(eye, off, off + sizes[i]);
    off += sizes[i];
    return reshapeTo(cols, [total, ...x.shape]);
  });
}

const basisMatrix = (n: number, dtype: JaxArray["dtype"]): JaxArray => jnpEye(n, n, 0, { dtype });
const sliceCols = (m: JaxArray, a: number, b: number): JaxArray => lax.slice(m, [0, a], [m.shape[0], b]);
const reshapeTo = (x: JaxArray, shape: number[]): JaxArray => lax.reshape(x, shape);

/** Forward-mode Jacobian: one jvp per input direction, vectorized with vmap. */
export function jacfwd(f: Fn, opts: { argnums?: number | number[]; hasAux?: boolean } = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  const nums = Array.isArray(argnums) ? argnums : [argnums];
  const fname = functionName(f);
  return (...args: unknown[]) => {
    const dyn = nums.map((i) => args[i]);
    const [leaves, def] = tree.flatten(dyn);
    const xs = leaves.map(leafValue);
    for (const x of xs) checkGradInput(x, false, "jacfwd");
    const partialFlat = (...d: JaxArray[]) => {
      const full = [...args];
      const dv = tree.unflatten(def, d) as unknown[];
      nums.forEach((n, k) => (full[n] = dv[k]));
      return f(...full);
    };
    Object.defineProperty(partialFlat, "name", { value: fname });
    const basis = stdBasis(xs);
    const pushfwd = (...ts: JaxArray[]) => jvp(partialFlat, xs, ts)[1];
    const jacT = vmap(pushfwd, { inAxes: 0, outAxes: -1 })(...basis);
    // Each output leaf has trailing axis of size sum(input sizes); split it per input leaf.
    const [outLeaves, outDef] = tree.flatten(jacT);
    const perOut = (outLeaves as JaxArray[]).map((o) => splitTrailing(o, xs));
    const res = perOut.map((parts) => {
      const g = tree.unflatten(def, parts) as unknown[];
      return Array.isArray(argnums) ? g : g[0];
    });
    return tree.unflatten(outDef, res);
  };
}

/** Splits the trailing (flattened-input) axis of `o` into one block per input, shaped like it. */
function splitTrailing(o: JaxArray, xs: JaxArray[]): JaxArray[] {
  const lead = o.shape.slice(0, -1);
  let off = 0;
  return xs.map((x) => {
    const start = [...lead.map(() => 0), off];
    const limit = [...lead, off + x.size];
    off += x.size;
    return lax.reshape(lax.slice(o, start, limit), [...lead, ...x.shape]);
  });
}

/** Reverse-mode Jacobian: one vjp per output direction, vectorized with vmap. */
export function jacrev(f: Fn, opts: { argnums?: number | number[]; hasAux?: boolean } = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  const nums = Array.isArray(argnums) ? argnums : [argnums];
  const fname = functionName(f);
  return (...args: unknown[]) => {
    const dyn = nums.map((i) => args[i]);
    for (const leaf of tree.leaves(dyn)) checkGradInput(leaf, false, "jacrev");
    const partial = (...d: unknown[]) => {
      const full = [...args];
      nums.forEach((n, k) => (full[n] = d[k]));
      return f(...full);
    };
    Object.defineProperty(partial, "name", { value: fname });
    const [ans, pull] = vjp(partial, ...dyn);
    const [outLeaves, outDef] = tree.flatten(ans);
    const ov = outLeaves.map(leafValue);
    const basis = stdBasis(ov);
    // For each output leaf's block of basis rows: cotangent = that block, zeros elsewhere.
    const jac = vmap((...cts: JaxArray[]) => pull(tree.unflatten(outDef, cts)), { inAxes: 0, outAxes: 0 })(...basis) as unknown[];
    // jac: per input (tree of dyn), leading axis = sum(output sizes). Split per output leaf.
    const [inLeaves, inDef] = tree.flatten(jac);
    const split = (inLeaves as JaxArray[]).map((g) => splitLeading(g, ov));
    const perOut = ov.map((_, k) => {
      const g = tree.unflatten(inDef, split.map((s) => s[k])) as unknown[];
      return Array.isArray(argnums) ? g : g[0];
    });
    return tree.unflatten(outDef, perOut);
  };
}

function splitLeading(g: JaxArray, outs: JaxArray[]): JaxArray[] {
  const rest = g.shape.slice(1);
  let off = 0;
  return outs.map((o) => {
    const part = lax.slice(g, [off, ...rest.map(() => 0)], [off + o.size, ...rest]);
    off += o.size;
    return lax.reshape(part, [...o.shape, ...rest]);
  });
}

/** The Hessian: jacfwd of jacrev. */
export const hessian = (f: Fn, opts: { argnums?: number | number[] } = {}): ((...args: any[]) => any) => jacfwd(jacrev(f, opts), opts);
