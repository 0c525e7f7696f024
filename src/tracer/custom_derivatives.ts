// customJvp and customVjp (JAX's custom_derivatives.py): a function whose derivative is given
// by the user rather than derived. Staged as `custom_jvp_call[...]` / `custom_vjp_call[...]`
// equations holding the traced function and the user's rules; the JVP trace calls the rule
// instead of differentiating the body. A custom VJP's tangent is a `custom_lin` equation,
// linear in the tangents, whose transpose is the user's bwd.
import type { Array as JaxArray } from "../array/base.js";
import { ClosedJaxpr, type MaybeZero, type Params, type Primitive, UndefinedPrimal } from "../jaxpr/jaxpr.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { definePrimitive } from "../lax/primitive.js";
import * as tree from "../tree.js";
import { bind, currentTrace, evalTrace, withTrace } from "./core.js";
import { partialEvalRules } from "./partial_eval.js";
import { tangentAval, zerosLike } from "./ad_util.js";
import { batchFlat, bdimAtFront, vmapFlat } from "./batching.js";
import { traceToJaxpr } from "./jaxpr_trace.js";
import { functionName, leafValue, runClosedJaxpr, traceCall } from "./jit.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { scalar } from "../array/array.js";

type FlatJvp = (primals: JaxArray[], tangents: JaxArray[]) => [JaxArray[], JaxArray[]];
type FlatFwd = (xs: JaxArray[]) => [JaxArray[], JaxArray[]];
type FlatBwd = (res: JaxArray[], cts: JaxArray[]) => MaybeZero[];

/** A user rule as a param: printed by its function name (JAX prints `jvp=f_jvp`). */
class RuleRef<F> {
  constructor(
    readonly name: string,
    readonly fn: F,
  ) {}
  toString(): string {
    return this.name;
  }
}

interface CustomJvpParams extends Params {
  call_jaxpr: ClosedJaxpr;
  jvp_jaxpr_fun: RuleRef<FlatJvp>;
  num_consts: number;
  symbolic_zeros: boolean;
  name: string;
}

interface CustomVjpParams extends Params {
  call_jaxpr: ClosedJaxpr;
  fwd_jaxpr_thunk: RuleRef<FlatFwd>;
  bwd: RuleRef<FlatBwd>;
  num_consts: number;
  symbolic_zeros: boolean;
  name: string;
}

const evalClosed = (c: ClosedJaxpr, args: JaxArray[]): JaxArray[] =>
  interpretJaxpr<JaxArray>(c.jaxpr, c.consts as JaxArray[], args, (l) => scalar(l.val, l.aval.dtype, l.aval.weakType), (p, xs, ps) => bind(p, xs, ps));

/** Every input batched at axis 0 (unbatched ones broadcast): custom rules then see one layout. */
const allAtFront = (args: JaxArray[], dims: (number | null)[], size: number) => args.map((a, i) => bdimAtFront(a, dims[i], size));

// ---- custom_jvp_call --------------------------------------------------------------------------

export const custom_jvp_call_p = definePrimitive<CustomJvpParams>({
  name: "custom_jvp_call",
  abstractEval: (_avals, p) => p.call_jaxpr.outAvals,
  impl: (args, p) => runClosedJaxpr(p.call_jaxpr, args, p.name),
  printParams: (p) => [
    ["name", p.name],
    ["call_jaxpr", p.call_jaxpr],
    ["jvp", p.jvp_jaxpr_fun.name],
    ...(p.num_consts ? [["num_consts", p.num_consts] as [string, unknown]] : []),
    ["symbolic_zeros", p.symbolic_zeros],
  ],
  jvp(primals, tangents, p) {
    // Closed-over values (consts) are not differentiated through the rule, as in JAX.
    const xs = primals.slice(p.num_consts);
    const ts = tangents.slice(p.num_consts).map((t, i) => t ?? zerosLike(tangentAval(xs[i].aval)));
    const [outs, touts] = p.jvp_jaxpr_fun.fn(xs, ts);
    return [outs, touts];
  },
  batch(args, dims, p, axis) {
    const xs = allAtFront(args, dims, axis.size);
    const call = batchedCall(p.call_jaxpr, axis);
    const rule = p.jvp_jaxpr_fun.fn;
    const n = p.num_consts;
    const jvp: FlatJvp = (primals, tangents) => {
      const all = [...primals, ...tangents];
      let nOut = 0;
      const outs = vmapFlat(
        (...ys) => {
          const [po, to] = rule(ys.slice(0, primals.length), ys.slice(primals.length));
          nOut = po.length;
          return [...po, ...to];
        },
        all,
        all.map(() => 0),
        (k) => new Array(k).fill(0),
        axis,
        `vmap(${p.jvp_jaxpr_fun.name})`,
        currentTrace(),
      );
      return [outs.slice(0, nOut), outs.slice(nOut)];
    };
    const outs = bind(custom_jvp_call_p, xs, { ...p, call_jaxpr: call, jvp_jaxpr_fun: new RuleRef(p.jvp_jaxpr_fun.name, jvp), num_consts: n });
    return [outs, outs.map(() => 0)];
  },
});

/** The call jaxpr vmapped with every input and output batched at axis 0. */
function batchedCall(c: ClosedJaxpr, axis: { name: string | null; size: number }): ClosedJaxpr {
  const inAvals = c.inAvals.map((a) => a.update({ shape: [axis.size, ...a.shape] }));
  const { jaxpr, consts } = traceToJaxpr(
    (...xs) => vmapFlat((...ys) => evalClosed(c, ys), xs, xs.map(() => 0), (k) => new Array(k).fill(0), axis, "vmap", currentTrace()),
    inAvals,
    "vmap of a custom-derivative function",
  );
  return new ClosedJaxpr(jaxpr, consts);
}

// ---- custom_vjp_call and custom_lin -----------------------------------------------------------

interface CustomLinParams extends Params {
  num_res: number;
  bwd: RuleRef<FlatBwd>;
  out_avals: ShapedArray[];
  symbolic_zeros: boolean;
}

/** The tangent of a custom-VJP function: linear in the tangents, transposed by the user's bwd. */
export const custom_lin_p = definePrimitive<CustomLinParams>({
  name: "custom_lin",
  abstractEval: (_avals, p) => p.out_avals,
  impl() {
    throw new TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.");
  },
  printParams: (p) => [
    ["bwd", p.bwd.name],
    ["num_res", p.num_res],
    ["out_avals", p.out_avals],
    ["symbolic_zeros", p.symbolic_zeros],
  ],
  transpose(cts, args, p) {
    const res = args.slice(0, p.num_res) as JaxArray[];
    const ctsIn = cts.map((c, i) => c ?? zerosLike(p.out_avals[i]));
    const grads = p.bwd.fn(res, ctsIn);
    return [...res.map(() => null), ...grads];
  },
});

export const custom_vjp_call_p = definePrimitive<CustomVjpParams>({
  name: "custom_vjp_call",
  abstractEval: (_avals, p) => p.call_jaxpr.outAvals,
  impl: (args, p) => runClosedJaxpr(p.call_jaxpr, args, p.name),
  printParams: (p) => [
    ["name", p.name],
    ["bwd", p.bwd.name],
    ["call_jaxpr", p.call_jaxpr],
    ["fwd", p.fwd_jaxpr_thunk.name],
    ...(p.num_consts ? [["num_consts", p.num_consts] as [string, unknown]] : []),
    ["symbolic_zeros", p.symbolic_zeros],
  ],
  jvp(primals, tangents, p) {
    const xs = primals.slice(p.num_consts);
    const [outs, res] = p.fwd_jaxpr_thunk.fn(xs);
    const ts = tangents.slice(p.num_consts).map((t, i) => t ?? zerosLike(tangentAval(xs[i].aval)));
    const outAvals = outs.map((o) => tangentAval(o.aval));
    const touts = bind(custom_lin_p, [...res, ...ts], { num_res: res.length, bwd: p.bwd, out_avals: outAvals, symbolic_zeros: false });
    return [outs, touts];
  },
  batch(args, dims, p, axis) {
    const xs = allAtFront(args, dims, axis.size);
    const fwd = p.fwd_jaxpr_thunk.fn;
    const bwd = p.bwd.fn;
    const front = (k: number) => new Array(k).fill(0);
    const bfwd: FlatFwd = (ys) => {
      let nOut = 0;
      const outs = vmapFlat(
        (...zs) => {
          const [o, r] = fwd(zs);
          nOut = o.length;
          return [...o, ...r];
        },
        ys,
        front(ys.length),
        front,
        axis,
        `vmap(${p.fwd_jaxpr_thunk.name})`,
        currentTrace(),
      );
      return [outs.slice(0, nOut), outs.slice(nOut)];
    };
    const bbwd: FlatBwd = (res, cts) => {
      const ins = [...res, ...cts];
      const [vals, ods] = batchFlat(
        (...zs) => bwd(zs.slice(0, res.length), zs.slice(res.length)).map((g, i) => g ?? zerosLike(tangentAval(xs[i].aval.update({ shape: xs[i].shape.slice(1) })))),
        ins,
        front(ins.length),
        axis,
        `vmap(${p.bwd.name})`,
        currentTrace(),
      );
      return vals.map((v, i) => bdimAtFront(v, ods[i], axis.size));
    };
    const outs = bind(custom_vjp_call_p, xs, {
      ...p,
      call_jaxpr: batchedCall(p.call_jaxpr, axis),
      fwd_jaxpr_thunk: new RuleRef(p.fwd_jaxpr_thunk.name, bfwd),
      bwd: new RuleRef(p.bwd.name, bbwd),
    });
    return [outs, outs.map(() => 0)];
  },
});

// Partial evaluation builds linear functions only, so a custom rule applied to unknown (tangent)
// values is no longer needed: the call is inlined and its body linearized (as JAX's
// JaxprTrace.process_custom_jvp_call / process_custom_vjp_call do).
for (const p of [custom_jvp_call_p, custom_vjp_call_p] as Primitive<CustomJvpParams | CustomVjpParams>[])
  partialEvalRules.set(p, (trace, args, _unknown, params) => withTrace(trace, () => evalClosed((params as CustomJvpParams).call_jaxpr, args)));

// ---- the public API ---------------------------------------------------------------------------

type Fn = (...args: any[]) => any;


export interface CustomJvpFunction<F extends Fn> {
  (...args: Parameters<F>): ReturnType<F>;
  /** Sets the rule: `jvp(primals, tangents) => [primalOut, tangentOut]`, each an array of the arguments / an output pytree. */
  defjvp(rule: (primals: any[], tangents: any[]) => [any, any]): CustomJvpFunction<F>;
}

/**
 * A function with a user-defined JVP (JAX's custom_jvp): `const f = customJvp((x) => ...);
 * f.defjvp(([x], [t]) => [f(x), t.mul(...)])`. Reverse mode transposes the rule's tangent map.
 */
export function customJvp<F extends Fn>(f: F): CustomJvpFunction<F> {
  const fname = functionName(f);
  let rule: ((primals: any[], tangents: any[]) => [any, any]) | null = null;
  let ruleName = "";
  const wrapped = ((...args: unknown[]) => {
    if (!rule) throw new TypeError(`No JVP defined for custom_jvp function ${fname} using defjvp.`);
    if (currentTrace() === evalTrace) return f(...args);
    const { call, consts, xs, inTree, outTree } = traceCall(f, args, `${fname} for custom_jvp`);
    const r = rule;
    const flatJvp: FlatJvp = (primals, tangents) => {
      const [po, to] = r(tree.unflatten(inTree, primals) as any[], tree.unflatten(inTree, tangents) as any[]);
      const [pl, pdef] = tree.flatten(po);
      const [tl, tdef] = tree.flatten(to);
      if (String(pdef) !== String(tdef))
        throw new TypeError(`Custom JVP rule ${ruleName} for function ${fname} must produce primal and tangent outputs with equal container (pytree) structures, but got ${pdef} and ${tdef} respectively.`);
      if (String(pdef) !== String(outTree))
        throw new TypeError(`Custom JVP rule ${ruleName} for function ${fname} must produce a pair (list or tuple of length two) where the first element represents the primal output (equal in value to the output of the custom_jvp-decorated function ${fname}, and in particular of the same container/pytree structure), but instead the JVP rule output's first element had container/pytree structure ${pdef} while the custom_jvp-decorated function ${fname} had output container/pytree structure ${outTree}.`);
      return [pl.map(leafValue), tl.map(leafValue)];
    };
    const outs = bind(custom_jvp_call_p, [...consts, ...xs], {
      call_jaxpr: call,
      jvp_jaxpr_fun: new RuleRef(ruleName, flatJvp),
      num_consts: consts.length,
      symbolic_zeros: false,
      name: fname,
    });
    return tree.unflatten(outTree, outs);
  }) as unknown as CustomJvpFunction<F>;
  wrapped.defjvp = (r) => {
    rule = r;
    ruleName = functionName(r);
    return wrapped;
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped;
}

export interface CustomVjpFunction<F extends Fn> {
  (...args: Parameters<F>): ReturnType<F>;
  /** `fwd(...args) => [out, residuals]`; `bwd(residuals, ct) => [ctArg0, ctArg1, ...]`. */
  defvjp(fwd: (...args: any[]) => [any, any], bwd: (res: any, ct: any) => any[]): CustomVjpFunction<F>;
}

/**
 * A function with a user-defined VJP (JAX's custom_vjp): `f.defvjp(fwd, bwd)`. Forward-mode
 * differentiation of it raises JAX's error.
 */
export function customVjp<F extends Fn>(f: F): CustomVjpFunction<F> {
  const fname = functionName(f);
  let fwd: ((...args: any[]) => [any, any]) | null = null;
  let bwd: ((res: any, ct: any) => any[]) | null = null;
  const wrapped = ((...args: unknown[]) => {
    if (!fwd || !bwd) throw new TypeError(`No VJP defined for custom_vjp function ${fname} using defvjp.`);
    if (currentTrace() === evalTrace) return f(...args);
    const { call, consts, xs, inTree, outTree } = traceCall(f, args, `${fname} for custom_vjp`);
    const [fw, bw] = [fwd, bwd];
    let resTree: tree.TreeDef | undefined;
    const flatFwd: FlatFwd = (ys) => {
      const out = fw(...(tree.unflatten(inTree, ys) as unknown[]));
      if (!Array.isArray(out) || out.length !== 2)
        throw new TypeError(`Custom VJP fwd rule ${functionName(fw)} for function ${fname} must produce a pair (list or tuple of length two) representing primal outputs and residuals (values stored from the forward pass for use on the backward pass), got ${typeof out}.`);
      const [ol] = tree.flatten(out[0]);
      const [rl, rdef] = tree.flatten(out[1]);
      resTree = rdef;
      return [ol.map(leafValue), rl.map(leafValue)];
    };
    const flatBwd: FlatBwd = (res, cts) => {
      const g = bw(tree.unflatten(resTree!, res), tree.unflatten(outTree, cts));
      if (!Array.isArray(g) || g.length !== args.length)
        throw new TypeError(
          `Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args tuple of the primal function, and in particular must produce a tuple of length equal to the number of arguments to the primal function, but got bwd output structure ${tree.structure(g)} for primal input structure ${tree.structure(args)}.`,
        );
      const leaves: MaybeZero[] = [];
      g.forEach((gi, i) => {
        const n = tree.flatten(args[i])[0].length;
        if (gi === null || gi === undefined) for (let k = 0; k < n; k++) leaves.push(null);
        else leaves.push(...tree.flatten(gi)[0].map(leafValue));
      });
      return leaves;
    };
    const outs = bind(custom_vjp_call_p, [...consts, ...xs], {
      call_jaxpr: call,
      fwd_jaxpr_thunk: new RuleRef(functionName(fw), flatFwd),
      bwd: new RuleRef(functionName(bw), flatBwd),
      num_consts: consts.length,
      symbolic_zeros: false,
      name: fname,
    });
    return tree.unflatten(outTree, outs);
  }) as unknown as CustomVjpFunction<F>;
  wrapped.defvjp = (f1, b1) => {
    fwd = f1;
    bwd = b1;
    return wrapped;
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped;
}

export { UndefinedPrimal };
