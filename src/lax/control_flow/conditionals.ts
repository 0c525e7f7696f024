// Conditionals: lax.cond and lax.switch bind one primitive, `cond`, whose branches are closed
// jaxprs traced once from the user's functions (JAX's initial style), with the values they close
// over merged into leading operands (jax/_src/lax/control_flow/conditionals.py). Its rules
// transform every branch the same way and keep their signatures identical; it runs by reading
// the index on the host and calling the chosen branch's compiled executable. The helpers at the
// end (tracing, error texts, jaxpr joins, the executable cache) are shared with loops.ts.
import * as tf from "@tensorflow/tfjs-core";
import { Array as JaxArray } from "../../array/base.js";
import { ArrayImpl, scalar, tensorFrom } from "../../array/array.js";
import { ShapedArray, pyShape } from "../../jaxpr/aval.js";
import { type BatchDim, ClosedJaxpr, Jaxpr, type Params, type Primitive, UndefinedPrimal, Var } from "../../jaxpr/jaxpr.js";
import { JaxprTypeError } from "../../jaxpr/typecheck.js";
import { type DType, isFloat, isInteger } from "../../dtypes.js";
import type { Executable } from "../../backends/compile.js";
import { bind, bind1, currentTrace, evalTrace, withTrace } from "../../tracer/core.js";
import { tangentAval, zerosLike } from "../../tracer/ad_util.js";
import { bdimAtFront, moveaxis } from "../../tracer/batching.js";
import { type Transformed, batchJaxpr, cached, evalClosed, jvpJaxpr, traceClosed, transposeJaxpr } from "../../tracer/call_rules.js";
import { executableFor, functionName, leafValue, tracePytree } from "../../tracer/jit.js";
import { partialEvalJaxpr, partialEvalRules } from "../../tracer/partial_eval.js";
import { definePrimitive } from "../primitive.js";
import { ValueError } from "../../errors.js";
import * as tree from "../../tree.js";
import * as e from "../elementwise.js";
import * as s from "../structural.js";

export { ValueError };

// ---- the primitive ----------------------------------------------------------------------------

interface CondParams extends Params {
  /** One closed jaxpr per branch, all of one signature; `branches[index]` runs. */
  branches: ClosedJaxpr[];
}

export const cond_p = definePrimitive<CondParams>({
  name: "cond",
  abstractEval(avals, { branches }) {
    checkCond(avals, branches);
    return branches[0].outAvals;
  },
  impl([index, ...ops], { branches }) {
    const i = index.dataSync()[0];
    // XLA's Case runs the last branch for an out-of-range index; lax.switch clamps before binding.
    const k = i >= 0 && i < branches.length ? i : branches.length - 1;
    return runCompiled(branches[k], ops, "cond");
  },
});

/**
 * An uninitialized scalar (JAX's empty2): partial evaluation fills the residual slots a branch
 * does not produce with `empty_like_aval`, whose value is never read.
 */
type EmptyParams = { dtype: DType; memory_space: string };
export const empty2_p: Primitive<EmptyParams> = definePrimitive<EmptyParams>({
  name: "empty2",
  abstractEval: (_avals, p) => [new ShapedArray([], p.dtype)],
  impl: (_args, p) => [tensorFrom([0], [], p.dtype)],
  nonDifferentiable: true,
  // No operands, so never batched.
  batch: (_args, _dims, p): [JaxArray[], BatchDim[]] => [bind(empty2_p, [], p), [null]],
});

/** ad_util.empty_like_aval: empty2, broadcast to the aval's shape (lax.broadcast: none for a scalar). */
function emptyLike(a: ShapedArray): JaxArray {
  const x = bind1(empty2_p, [], { dtype: a.dtype, memory_space: "MemorySpace.Device" });
  return a.shape.length === 0 ? x : bind1(s.broadcast_in_dim_p, [x], { shape: [...a.shape], broadcast_dimensions: [], sharding: null });
}

/** JAX's _cond_typecheck, with its texts. */
function checkCond(avals: ShapedArray[], branches: ClosedJaxpr[]): void {
  if (branches.length === 0) throw new JaxprTypeError("cond requires at least one branch function");
  const b0 = branches[0];
  branches.slice(1).forEach((b, k) => {
    const i = k + 1;
    if (b.inAvals.length !== b0.inAvals.length) throw new JaxprTypeError(`cond branch 0 takes ${b0.inAvals.length} inputs, branch ${i} takes ${b.inAvals.length}`);
    if (b.outAvals.length !== b0.outAvals.length) throw new JaxprTypeError(`cond branch 0 outputs ${b0.outAvals.length} values, branch ${i} outputs ${b.outAvals.length}`);
    if (!b.inAvals.every((a, j) => typematch(a, b0.inAvals[j])))
      throw new JaxprTypeError(`cond branches 0 and ${i} have mismatching input types: ${avalsShort(b0.inAvals)} vs ${avalsShort(b.inAvals)}`);
    if (!b.outAvals.every((a, j) => typematch(a, b0.outAvals[j])))
      throw new JaxprTypeError(`cond branches 0 and ${i} have mismatching output types: ${avalsShort(b0.outAvals)} vs ${avalsShort(b.outAvals)}`);
  });
  if (avals.length !== 1 + b0.inAvals.length)
    throw new JaxprTypeError(`cond called with ${avals.length - 1} non-predicate operands, but branches take ${b0.inAvals.length} inputs`);
  const [index, ...ops] = avals;
  if (index.dtype !== "int32") throw new JaxprTypeError(`cond called with index of type ${index.dtype} instead of int32`);
  if (!ops.every((a, j) => typematch(a, b0.inAvals[j])))
    throw new JaxprTypeError(`cond branches take input types ${avalsShort(b0.inAvals)}, called with operands of type ${avalsShort(ops)}`);
}

// ---- the API ----------------------------------------------------------------------------------

type Fn = (...args: any[]) => any;

/**
 * `pred ? trueFn(...operands) : falseFn(...operands)`, with both branches traced and staged:
 * `lax.cond(x.gt(0), (x) => x.mul(2), (x) => x.neg(), x)`. Under vmap with a batched predicate
 * both branches run and their outputs are selected.
 */
export function cond(pred: unknown, trueFn: Fn, falseFn: Fn, ...operands: unknown[]): any {
  if (typeof trueFn !== "function" || typeof falseFn !== "function") throw new TypeError("lax.cond: true_fun and false_fun arguments should be callable.");
  if (pred === null || pred === undefined) throw new TypeError("cond predicate is None");
  if (Array.isArray(pred) || typeof pred === "string") throw new TypeError(`Pred must be a scalar, got ${pyRepr(pred)} of type ${pyType(pred)}`);
  if (pred instanceof JaxArray && pred.ndim !== 0) throw new TypeError(`Pred must be a scalar, got ${pred.toString()} of shape ${pyShape(pred.shape)}.`);
  if (!(pred instanceof JaxArray) && typeof pred !== "number" && typeof pred !== "boolean")
    throw new TypeError(`Pred type must be either boolean or number, got ${pyRepr(pred)}.`);
  let p: JaxArray;
  if (typeof pred === "number") p = scalar(pred !== 0, "bool", false); // Python computes `pred != 0` itself
  else if (typeof pred === "boolean") p = scalar(pred, "bool", false);
  else if (pred.dtype === "bool") p = pred as JaxArray;
  else if (pred.dtype === "float32" || isInteger(pred.dtype)) p = bind1(e.ne_p, [pred as JaxArray, scalar(0, pred.dtype, pred.weakType)]);
  else throw new TypeError(`Pred type must be either boolean or number, got ${pred.dtype}.`);

  const [leaves, inTree] = tree.flatten(operands);
  const args = leaves.map(leafValue);
  const avals = args.map((a) => a.aval);
  const t = traceBranch(trueFn, inTree, avals, "cond");
  const f = traceBranch(falseFn, inTree, avals, "cond");
  // JAX merges the consts of (true, false) in that order, then binds branches=(false, true).
  const merged = mergeCommonConsts([t, f]);
  checkBranchOutputs("cond", "true_fun", "false_fun", trueFn, falseFn, t, f);
  const index = toInt32(p);
  try {
    return tree.unflatten(t.outTree, bindCond(index, [merged.jaxprs[1], merged.jaxprs[0]], merged.consts, args));
  } finally {
    disposeOwn([p, index], [pred]);
  }
}

/**
 * `branches[clamp(index, 0, n - 1)](...operands)`, every branch traced and staged:
 * `lax.switch(i, [(x) => x.add(1), (x) => x.mul(2)], x)`.
 */
export function switch_(index: unknown, branches: Fn[], ...operands: unknown[]): any {
  if (!Array.isArray(branches) || !branches.every((b) => typeof b === "function")) throw new TypeError("lax.switch: branches argument should be a sequence of callables.");
  if (Array.isArray(index)) throw new TypeError(`Branch index must be scalar, got ${pyRepr(index)} of shape ${pyShape([index.length])}.`);
  if (index instanceof JaxArray && index.ndim !== 0) throw new TypeError(`Branch index must be scalar, got ${index.toString()} of shape ${pyShape(index.shape)}.`);
  let idx: JaxArray;
  if (typeof index === "number") {
    // A JS integer is a Python int here (weak int32); anything else is a float.
    if (!Number.isInteger(index)) throw new TypeError(`Index type must be an integer, got ${pyRepr(index)} as float32`);
    idx = scalar(index, "int32", true);
  } else if (index instanceof JaxArray) {
    if (!isInteger(index.dtype)) throw new TypeError(`Index type must be an integer, got ${index.toString()} as ${index.dtype}`);
    idx = index;
  } else if (typeof index === "boolean") throw new TypeError(`Index type must be an integer, got ${pyRepr(index)} as bool`);
  else throw new TypeError(`Index type must be an integer, got ${pyRepr(index)}.`);
  if (branches.length === 0) throw new ValueError("Empty branch sequence");
  if (branches.length === 1) return branches[0](...operands);
  const idx32 = toInt32(idx);
  const clamped = clamp(scalar(0, "int32", false), idx32, scalar(branches.length - 1, "int32", false));

  const [leaves, inTree] = tree.flatten(operands);
  const args = leaves.map(leafValue);
  const avals = args.map((a) => a.aval);
  const traced = branches.map((b) => traceBranch(b, inTree, avals, "switch"));
  const merged = mergeCommonConsts(traced);
  traced.slice(1).forEach((t, i) => checkBranchOutputs("switch", "branch 0", `branch${i + 1}`, branches[0], branches[i + 1], traced[0], t));
  try {
    return tree.unflatten(traced[0].outTree, bindCond(clamped, merged.jaxprs, merged.consts, args));
  } finally {
    disposeOwn([idx32, clamped], [index]);
  }
}

/** Eagerly (no transformation could have kept them), frees the arrays this module made. */
function disposeOwn(made: JaxArray[], callers: unknown[]): void {
  if (currentTrace() !== evalTrace) return;
  for (const x of new Set(made)) if (x instanceof ArrayImpl && !callers.includes(x)) x.dispose();
}

/** Binds cond with the outputs every branch forwards from one input pruned (JAX's in_fwd). */
function bindCond(index: JaxArray, jaxprs: Jaxpr[], consts: JaxArray[], args: JaxArray[]): JaxArray[] {
  const fwds = jaxprs.map(forwarding);
  const inFwd = fwds[0].map((f, i) => (fwds.every((g) => g[i] === f) ? f : null));
  const keep = inFwd.map((f) => f === null);
  const branches = jaxprs.map((j) => new ClosedJaxpr(keep.every(Boolean) ? j : new Jaxpr(j.constvars, j.invars, j.eqns, j.outvars.filter((_, i) => keep[i])), []));
  const all = [...consts, ...args];
  let outs: JaxArray[];
  if (currentTrace() === evalTrace && index instanceof ArrayImpl) {
    // Eagerly, only the chosen branch runs, op by op: nothing is compiled for a one-off call.
    checkCond([index.aval, ...all.map((x) => x.aval)], branches);
    const i = index.dataSync()[0];
    const chosen = branches[i >= 0 && i < branches.length ? i : branches.length - 1];
    // The cond's outputs are new arrays with branch 0's types, weak types included.
    outs = evalClosed(chosen, all).map((o, j) => {
      const want = branches[0].outAvals[j];
      if (o.weakType !== want.weakType) return bind1(e.convert_element_type_p, [o], { new_dtype: want.dtype, sharding: null, weak_type: want.weakType });
      return all.includes(o) ? bind1(e.copy_p, [o]) : o;
    });
  } else outs = bind(cond_p, [index, ...all], { branches });
  let k = 0;
  return inFwd.map((f) => (f === null ? outs[k++] : all[f]));
}

/** For each output, the input it is (JAX's _jaxpr_forwarding, for direct forwards). */
export function forwarding(j: Jaxpr): (number | null)[] {
  return j.outvars.map((o) => (o instanceof Var && j.invars.includes(o) ? j.invars.indexOf(o) : null));
}

/** lax.convert_element_type(x, int32): nothing for int32, a literal for a JS scalar (JAX folds it). */
function toInt32(x: JaxArray): JaxArray {
  if (x.dtype === "int32" && !x.weakType) return x;
  if (x instanceof ArrayImpl && x.literal !== undefined) return scalar(Number(x.literal), "int32", false);
  return bind1(e.convert_element_type_p, [x], { new_dtype: "int32", sharding: null, weak_type: false });
}

const clamp = (lo: JaxArray, x: JaxArray, hi: JaxArray): JaxArray => bind1(e.clamp_p, [lo, x, hi]);

// ---- rules ------------------------------------------------------------------------------------

// jvp (JAX's _cond_jvp): each branch differentiated with the nonzero input tangents, every
// output tangent that is nonzero in some branch instantiated in all of them.
cond_p.jvp = ([index, ...ops], [, ...dots], { branches }) => {
  const nz = dots.map((t) => t !== null);
  const outNz = orAll(branches.map((b) => jvpJaxpr(b, nz, false, "jvp(cond)").outNz));
  const joined = joinConsts(branches.map((b) => jvpJaxpr(b, nz, outNz, "jvp(cond)")));
  const outs = bind(cond_p, [index, ...joined.consts, ...ops, ...(dots.filter((t) => t !== null) as JaxArray[])], { branches: joined.branches });
  const n = outNz.length;
  let k = n;
  return [outs.slice(0, n), outNz.map((z) => (z ? outs[k++] : null))];
};

// Partial evaluation with a known index (JAX's _cond_partial_eval): each branch splits into a
// known part, run now and returning its residuals too, and an unknown part staged with them.
// Residuals differ per branch: they are merged by type, and a branch fills the slots it does not
// produce with zeros. An unknown index stages the whole cond.
partialEvalRules.set(cond_p, (trace, args, unknown, params) => {
  const { branches } = params as CondParams;
  if (unknown[0]) return trace.stage(cond_p, args, params);
  const [index, ...ops] = args;
  const opsUk = unknown.slice(1);
  const key = `pe|${opsUk.map(Number).join("")}`;
  const outUk = orAll(branches.map((b) => cached(b, key, () => partialEvalJaxpr(b.jaxpr, [], opsUk, false, "cond")).outUnknown));
  const splits = branches.map((b) => cached(b, `${key}|${outUk.map(Number).join("")}`, () => partialEvalJaxpr(b.jaxpr, [], opsUk, outUk, "cond")));
  const nKnownOut = outUk.filter((u) => !u).length;
  const [allRes, slots] = mergeResiduals(splits.map((sp) => sp.known.jaxpr.outAvals.slice(nKnownOut)));
  const knownIn = ops.filter((_, i) => !opsUk[i]);
  const known = joinConsts(
    splits.map((sp, b) =>
      restructure(
        knownIn.map((x) => x.aval),
        (xs) => evalClosed(new ClosedJaxpr(sp.known.jaxpr, sp.known.consts), xs),
        (outs) => {
          const res = allRes.map(emptyLike);
          slots[b].forEach((slot, r) => (res[slot] = outs[nKnownOut + r]));
          return [...outs.slice(0, nKnownOut), ...res];
        },
      ),
    ),
  );
  const knownOuts = withTrace(trace.parent!, () => bind(cond_p, [index, ...known.consts, ...knownIn], { branches: known.branches }));
  const residuals = knownOuts.slice(nKnownOut);
  const staged = splits.map((sp, b) => {
    const j = sp.unknown.jaxpr;
    const resVars = allRes.map((a) => new Var(a));
    slots[b].forEach((slot, r) => (resVars[slot] = j.constvars[r]));
    return new ClosedJaxpr(new Jaxpr([], [...resVars, ...j.invars], j.eqns, j.outvars), []);
  });
  const unknownOuts = outUk.some(Boolean) ? trace.stage(cond_p, [index, ...residuals, ...ops.filter((_, i) => opsUk[i])], { branches: staged }) : [];
  let a = 0;
  let b = 0;
  return outUk.map((u) => (u ? unknownOuts[b++] : knownOuts[a++]));
});

// transpose (JAX's _cond_transpose): each branch transposed in the same linear operands; a
// cotangent that is zero in one branch but not in another is instantiated.
cond_p.transpose = (cts, [index, ...ops], { branches }) => {
  if (index instanceof UndefinedPrimal) throw new Error("internal: cond transposed in its index");
  const linear = ops.map((x) => x instanceof UndefinedPrimal);
  const ctNz = cts.map((c) => c !== null);
  const ts = branches.map((b) => transposeJaxpr(b, linear, ctNz, "transpose(cond)"));
  const outNz = orAll(ts.map((t) => t.outNz));
  const linAvals = ops.filter((_, i) => linear[i]).map((x) => tangentAval(x.aval));
  const defined = ops.filter((x): x is JaxArray => !(x instanceof UndefinedPrimal));
  const inAvals = [...defined.map((x) => x.aval), ...cts.filter((c): c is JaxArray => c !== null).map((c) => c.aval)];
  const joined = joinConsts(
    ts.map((t) =>
      t.outNz.every((z, i) => z === outNz[i])
        ? t
        : restructure(
            inAvals,
            (xs) => evalClosed(t.closed, [...t.consts, ...xs]),
            (outs) => {
              let k = 0;
              const res: JaxArray[] = [];
              linAvals.forEach((a, i) => {
                const have = t.outNz[i] ? outs[k++] : null;
                if (outNz[i]) res.push(have ?? zerosLike(a));
              });
              return res;
            },
          ),
    ),
  );
  const outs = bind(cond_p, [index as JaxArray, ...joined.consts, ...defined, ...(cts.filter((c) => c !== null) as JaxArray[])], { branches: joined.branches });
  let k = 0;
  let j = 0;
  return [null, ...linear.map((l) => (l ? (outNz[j++] ? outs[k++] : null) : null))];
};

// Batching (JAX's _cond_batching_rule). A batched index turns the cond into a select over the
// outputs of every branch, each run on operands that carry no gradient where it is not chosen.
// An unbatched index keeps the cond, with batched branches.
cond_p.batch = (args, dims, { branches }, axis) => {
  const [indexDim, ...opDims] = dims;
  if (indexDim !== null) {
    const [index, ...ops] = args.map((x, i) => bdimAtFront(x, dims[i], axis.size));
    const avals = ops.map((x) => x.aval);
    const outsPerBranch = branches.map((b, i) => {
      const bb = batchJaxpr(b, avals, avals.map(() => 0), axis, b.outAvals.map(() => 0), "vmap(cond)");
      const pred = bind1(e.eq_p, [index, scalar(i, "int32", false)]);
      const ops_ = ops.map((x) => bind1(e.select_n_p, [bcastPred(pred, x), stopGradient(x), x]));
      return evalClosed(bb.closed, [...bb.consts, ...ops_]);
    });
    const outs = outsPerBranch[0].map((o, j) => bind1(e.select_n_p, [bcastPred(index, o), ...outsPerBranch.map((bo) => bo[j])]));
    return [outs, outs.map(() => 0)];
  }
  const [index, ...ops0] = args;
  const ops = ops0.map((x, i) => (opDims[i] === null ? x : moveaxis(x, opDims[i]!, 0)));
  const inDims: BatchDim[] = opDims.map((d) => (d === null ? null : 0));
  const avals = ops.map((x) => x.aval);
  const outBat = orAll(branches.map((b) => batchJaxpr(b, avals, inDims, axis, null, "vmap(cond)").outDims.map((d) => d !== null)));
  const force = outBat.map((bt) => (bt ? 0 : null));
  const joined = joinConsts(branches.map((b) => batchJaxpr(b, avals, inDims, axis, force, "vmap(cond)")));
  return [bind(cond_p, [index, ...joined.consts, ...ops], { branches: joined.branches }), force];
};

/** `pred` broadcast over `x`'s trailing axes (JAX's _bcast_select pred handling). */
export function bcastPred(pred: JaxArray, x: JaxArray): JaxArray {
  if (pred.ndim === x.ndim) return pred;
  return bind1(s.broadcast_in_dim_p, [pred], { shape: [...x.shape], broadcast_dimensions: pred.shape.map((_, i) => i), sharding: null });
}

/** lax.stop_gradient: bound only for floats. */
const stopGradient = (x: JaxArray): JaxArray => (isFloat(x.dtype) ? bind1(e.stop_gradient_p, [x]) : x);

// ---- shared helpers: tracing and JAX's error texts --------------------------------------------

export interface TracedFn {
  /** The raw jaxpr: closed-over values are its constvars. */
  jaxpr: Jaxpr;
  consts: JaxArray[];
  outTree: tree.TreeDef;
  fn: Fn;
}

/** Traces `fn` on abstract operands with the structure `inTree` (JAX's trace_to_jaxpr). */
export function traceBranch(fn: Fn, inTree: tree.TreeDef, avals: ShapedArray[], what: string): TracedFn {
  return { ...tracePytree(fn, inTree, avals, `${functionName(fn)} for ${what}`), fn };
}

/**
 * One signature for all branches (JAX's _merge_common_consts): every branch takes the consts of
 * all branches, each distinct value once, then the operands.
 */
export function mergeCommonConsts(traced: { jaxpr: Jaxpr; consts: JaxArray[] }[]): { jaxprs: Jaxpr[]; consts: JaxArray[] } {
  const consts = [...new Set(traced.flatMap((t) => t.consts))];
  const jaxprs = traced.map(({ jaxpr: j, consts: cs }) => {
    const own = new Map<JaxArray, Var>(cs.map((c, i) => [c, j.constvars[i]]));
    return new Jaxpr([], [...consts.map((c) => own.get(c) ?? new Var(c.aval)), ...j.invars], j.eqns, j.outvars);
  });
  return { jaxprs, consts };
}

/** Joins transformed branches whose captured values differ: each takes all of them, in order. */
export function joinConsts(items: Transformed[]): { branches: ClosedJaxpr[]; consts: JaxArray[] } {
  if (items.every((t) => t.consts.length === 0)) return { branches: items.map((t) => t.closed), consts: [] };
  const consts = items.flatMap((t) => t.consts);
  let offset = 0;
  const branches = items.map((t) => {
    const j = t.closed.jaxpr;
    const n = t.consts.length;
    const pad = (from: number, to: number) => consts.slice(from, to).map((c) => new Var(c.aval));
    const invars = [...pad(0, offset), ...j.invars.slice(0, n), ...pad(offset + n, consts.length), ...j.invars.slice(n)];
    offset += n;
    return new ClosedJaxpr(new Jaxpr([], invars, j.eqns, j.outvars), []);
  });
  return { branches, consts };
}

/** A jaxpr over `inAvals` that evaluates `run` and reshapes its outputs with `reshape`. */
export function restructure(inAvals: ShapedArray[], run: (xs: JaxArray[]) => JaxArray[], reshape: (outs: JaxArray[]) => JaxArray[]): Transformed {
  return traceClosed((...xs) => reshape(run(xs)), inAvals, "cond");
}

/**
 * Residual types across branches (JAX's _merge_branch_residuals): equal types share a slot, so
 * `[x], [y], [x, x]` gives `[x, y, x]` and slots `[[0], [1], [0, 2]]`.
 */
export function mergeResiduals(perBranch: ShapedArray[][]): [ShapedArray[], number[][]] {
  const all: ShapedArray[] = [];
  const keys: string[] = [];
  const slots = perBranch.map((avals) => {
    const seen = new Map<string, number>();
    return avals.map((a) => {
      const n = seen.get(a.key()) ?? 0;
      seen.set(a.key(), n + 1);
      const tag = `${a.key()}#${n}`;
      let i = keys.indexOf(tag);
      if (i < 0) {
        i = keys.push(tag) - 1;
        all.push(a);
      }
      return i;
    });
  });
  return [all, slots];
}

export const orAll = (masks: boolean[][]): boolean[] => masks[0].map((_, i) => masks.some((m) => m[i]));

/** Equal shapes and dtypes, weak types aside (JAX's core.typematch). */
export const typematch = (a: ShapedArray, b: ShapedArray): boolean => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** `float32[3]`: ShapedArray.str_short with full dtype names, as JAX's errors print types. */
export const strShort = (a: ShapedArray): string => `${a.dtype}[${a.shape.join(",")}]`;
const avalsShort = (avals: ShapedArray[]): string => avals.map(strShort).join(" ");

/** JAX's core.aval_mismatch_extra. */
export function mismatchExtra(a: ShapedArray, b: ShapedArray): string {
  const m = [...(a.dtype !== b.dtype ? ["the dtypes do not match"] : []), ...(!typematch(a.update({ dtype: b.dtype }), b) ? ["the shapes do not match"] : [])];
  return m.length === 0 ? "" : m.length === 1 ? `, so ${m[0]}` : `, so ${m.slice(0, -1).join(", ")}, and ${m[m.length - 1]}`;
}

export const capitalize = (s: string): string => s[0].toUpperCase() + s.slice(1);

/** A pytree node's Python type as JAX's errors name it (JS arrays play Python's lists). */
function nodeType(t: tree.TreeDef): string {
  switch (t.kind) {
    case "leaf":
      return "pytree leaf";
    case "list":
      return "<class 'list'>";
    case "dict":
      return "<class 'dict'>";
    case "none":
      return "<class 'NoneType'>";
    case "undefined":
      return "<class 'undefined'>";
    case "custom":
      return `<class '${(t.meta as [Function])[0].name}'>`;
  }
}

/**
 * Where two pytree structures differ (JAX's equality_errors): [path, thing1, thing2, explanation].
 * A leaf is named `leaf`: JAX compares structures (a "pytree leaf") or trees of avals.
 */
export function treeDiffs(t1: tree.TreeDef, t2: tree.TreeDef, path = "", leaf = "pytree leaf"): [string, string, string, string][] {
  if (t1.kind === "leaf" && t2.kind === "leaf") return [];
  const k1 = t1.kind === "custom" ? nodeType(t1) : t1.kind;
  const k2 = t2.kind === "custom" ? nodeType(t2) : t2.kind;
  const name = (t: tree.TreeDef) => (t.kind === "leaf" ? leaf : nodeType(t));
  if (k1 !== k2) return [[path, name(t1), name(t2), "their Python types differ"]];
  const n1 = t1.children.length;
  const n2 = t2.children.length;
  if (t1.kind === "list" && n1 !== n2) return [[path, `list of length ${n1}`, `list of length ${n2}`, "the lengths do not match"]];
  const keys1 = t1.kind === "dict" ? (t1.meta as string[]) : t1.children.map((_, i) => i);
  const keys2 = t2.kind === "dict" ? (t2.meta as string[]) : t2.children.map((_, i) => i);
  const children = (n: number) => `${n} child${n > 1 ? "ren" : ""}`;
  if (n1 !== n2) {
    const diff = [...keys1.filter((k) => !keys2.includes(k as never)), ...keys2.filter((k) => !keys1.includes(k as never))].map((k) => pyRepr(k)).join(" ");
    return [[path, `${nodeType(t1)} with ${children(n1)}`, `${nodeType(t2)} with ${children(n2)}`, `the numbers of children do not match${diff ? `, with the symmetric difference of key sets: {${diff}}` : ""}`]];
  }
  if (JSON.stringify(keys1) !== JSON.stringify(keys2) || (t1.kind === "custom" && String(t1) !== String(t2)))
    return [[path, `${nodeType(t1)} with pytree metadata ${pyRepr(keys1)}`, `${nodeType(t2)} with pytree metadata ${pyRepr(keys2)}`, "the pytree node metadata does not match"]];
  return t1.children.flatMap((c, i) => treeDiffs(c, t2.children[i], `${path}[${typeof keys1[i] === "string" ? `'${keys1[i]}'` : keys1[i]}]`, leaf));
}

/** JAX's _check_branch_outputs: equal pytree structures, then equal types, with its texts. */
function checkBranchOutputs(api: string, name1: string, name2: string, f1: Fn, f2: Fn, t1: TracedFn, t2: TracedFn): void {
  const paths = tree.leafPaths(t1.outTree);
  const component = (p: string) => (p ? ` at path ${p}` : "");
  const header = `${name1} is ${functionName(f1)}\n${name2} is ${functionName(f2)}\n\n`;
  if (!t1.outTree.equals(t2.outTree)) {
    const diffs = treeDiffs(t1.outTree, t2.outTree).map(([p, a, b, why]) => `${name1} output${component(p)} is a ${a} but ${name2} output${component(p)} is a ${b}, so ${why}`);
    if (diffs.length === 0) return;
    const differences = diffs.length === 1 ? `${diffs[0]}.\n` : diffs.slice(0, -1).map((d) => `  * ${d};\n`).join("\n") + `  * ${diffs[diffs.length - 1]}.\n`;
    throw new TypeError(
      `${api} branch outputs must have the same pytree structure, but they differ:\n\n${header}${differences}\nRevise ${name1} and/or ${name2} so that they have the same pytree structure.`,
    );
  }
  const a1 = t1.jaxpr.outAvals;
  const a2 = t2.jaxpr.outAvals;
  const diffs = a1.flatMap((a, i) =>
    typematch(a, a2[i]) ? [] : [`the output of ${name1}${component(paths[i])} has type ${strShort(a)} but the corresponding output of ${name2} has type ${strShort(a2[i])}${mismatchExtra(a, a2[i])}`],
  );
  if (diffs.length === 0) return;
  const differences = diffs.length === 1 ? `${capitalize(diffs[0])}.\n` : diffs.slice(0, -1).map((d) => `  * ${d};`).join("\n") + `\n  * ${diffs[diffs.length - 1]}.\n`;
  throw new TypeError(`${api} branches must have equal output types but they differ.\n\n${header}${differences}\nRevise ${name1} and/or ${name2} so that all output types match.`);
}

/** A JS value as Python's repr would show its counterpart, for error messages. */
export function pyRepr(x: unknown): string {
  if (typeof x === "string") return `'${x}'`;
  if (typeof x === "boolean") return x ? "True" : "False";
  if (x === null || x === undefined) return "None";
  if (Array.isArray(x)) return `[${x.map(pyRepr).join(", ")}]`;
  if (typeof x === "function") return `<function ${functionName(x)}>`;
  if (x instanceof JaxArray) return x.toString();
  return String(x);
}
const pyType = (x: unknown): string => (typeof x === "string" ? "<class 'str'>" : Array.isArray(x) ? "<class 'list'>" : `<class '${typeof x}'>`);

// ---- shared helpers: running a jaxpr ----------------------------------------------------------

/** Runs a closed jaxpr (no consts) on tensors with its compiled executable. */
export function runCompiled(c: ClosedJaxpr, args: tf.Tensor[], name: string): tf.Tensor[] {
  return executableOf(c, name).run(args);
}

export function executableOf(c: ClosedJaxpr, name: string): Executable {
  if (c.consts.length) throw new Error(`internal: ${name} jaxpr has unconverted consts`);
  return executableFor(c.jaxpr, name); // jit's compile cache: one per backend, bounded
}

export type { DType };
