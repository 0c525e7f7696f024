// Loops: lax.whileLoop binds the `while` primitive, whose cond and body are closed jaxprs traced
// once from the user's functions, with the values each closes over as leading operands
// (jax/_src/lax/control_flow/loops.py). It runs on the host: both jaxprs are compiled once and
// each iteration reads back only the predicate. Differentiable forward (jvp carries tangents to
// a fixed point of nonzero-ness); reverse mode raises JAX's error. lax.foriLoop is JAX's
// reduction to a while over (i, upper, x) when its bounds are traced.
import * as tf from "@tensorflow/tfjs-core";
import { Array as JaxArray } from "../../array/base.js";
import { ArrayImpl, scalar, wrap } from "../../array/array.js";
import { type ShapedArray } from "../../jaxpr/aval.js";
import { type BatchDim, ClosedJaxpr, Jaxpr, type Params, Var } from "../../jaxpr/jaxpr.js";
import { JaxprTypeError } from "../../jaxpr/typecheck.js";
import { dce } from "../../jaxpr/passes/dce.js";
import { isFloat, isSignedInt, resultType } from "../../dtypes.js";
import { bind, bind1, currentTrace, evalTrace, withTrace } from "../../tracer/core.js";
import { Executable, compile } from "../../backends/compile.js";
import { zerosLike } from "../../tracer/ad_util.js";
import { broadcastAxis, moveaxis } from "../../tracer/batching.js";
import { batchJaxpr, cached, jvpJaxpr } from "../../tracer/call_rules.js";
import { leafValue } from "../../tracer/jit.js";
import { partialEvalJaxpr, partialEvalRules } from "../../tracer/partial_eval.js";
import { definePrimitive } from "../primitive.js";
import * as tree from "../../tree.js";
import * as e from "../elementwise.js";
import { scan } from "./scan.js";
import { ValueError, capitalize, executableOf, mismatchExtra, strShort, traceBranch, treeDiffs, typematch } from "./conditionals.js";

// ---- the primitive ----------------------------------------------------------------------------

interface WhileParams extends Params {
  /** [body consts, carry] -> carry */
  body_jaxpr: ClosedJaxpr;
  body_nconsts: number;
  /** [cond consts, carry] -> bool[] (a batched predicate: bool[B], one per example) */
  cond_jaxpr: ClosedJaxpr;
  cond_nconsts: number;
}

export const while_p = definePrimitive<WhileParams>({
  name: "while",
  abstractEval(avals, p) {
    const nCarry = avals.length - p.cond_nconsts - p.body_nconsts;
    if (p.cond_jaxpr.inAvals.length !== p.cond_nconsts + nCarry)
      throw new JaxprTypeError(`while_loop len(cond_jaxpr.in_avals)=${p.cond_jaxpr.inAvals.length} but len(cond_consts_avals) + len(in_avals)=${p.cond_nconsts + nCarry}`);
    if (p.body_jaxpr.inAvals.length !== p.body_nconsts + nCarry)
      throw new JaxprTypeError(`while_loop len(body_jaxpr.in_avals)=${p.body_jaxpr.inAvals.length} but len(body_consts_avals) + len(in_avals)=${p.body_nconsts + nCarry}`);
    return p.body_jaxpr.outAvals;
  },
  impl: (args, p) => loop(args, p, executableOf(p.cond_jaxpr, "while_cond"), executableOf(p.body_jaxpr, "while_body")),
});

/** Runs the loop on the host: the predicate is the only value read back per iteration. */
function loop(args: tf.Tensor[], p: WhileParams, condExe: Executable, bodyExe: Executable): tf.Tensor[] {
  const condConsts = args.slice(0, p.cond_nconsts);
  const bodyConsts = args.slice(p.cond_nconsts, p.cond_nconsts + p.body_nconsts);
  const init = args.slice(p.cond_nconsts + p.body_nconsts);
  let carry = init;
  try {
    for (;;) {
      const [pred] = condExe.run([...condConsts, ...carry]);
      const go = pred.dataSync().some((b) => b !== 0);
      if (!go) {
        pred.dispose();
        break;
      }
      let next = bodyExe.run([...bodyConsts, ...carry]);
      // A batched predicate: examples whose predicate is false keep their carry (JAX's lowering).
      if (pred.shape.length) next = next.map((x, i) => selectRows(pred, x, carry[i]));
      pred.dispose();
      if (carry !== init) carry.forEach((t) => t.dispose());
      carry = next;
    }
  } catch (err) {
    if (carry !== init) carry.forEach((t) => t.dispose());
    throw err;
  }
  return carry === init ? init.map((t) => tf.clone(t)) : carry;
}

/** `pred ? x : y` with `pred` broadcast over the trailing axes of `x`; frees `x`. */
function selectRows(pred: tf.Tensor, x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const out = tf.tidy(() => {
    const shape = [...pred.shape, ...Array(x.shape.length - pred.shape.length).fill(1)];
    return e.where(tf.broadcastTo(tf.reshape(tf.cast(pred, "bool"), shape), x.shape), x, y);
  });
  x.dispose();
  return out;
}

// ---- while_loop -------------------------------------------------------------------------------

type Fn = (...args: any[]) => any;

/**
 * Runs `bodyFn` on the carry while `condFn` of it is true:
 * `lax.whileLoop(([i]) => i.lt(10), ([i, x]) => [i.add(1), x.mul(2)], [0, x])`. The carry keeps
 * its structure, shapes and dtypes. Differentiable in forward mode only, as in JAX.
 */
export function whileLoop(condFn: Fn, bodyFn: Fn, init: unknown): any {
  if (typeof bodyFn !== "function" || typeof condFn !== "function") throw new TypeError("lax.while_loop: body_fun and cond_fun arguments should be callable.");
  const [leaves, inTree] = tree.flatten(init);
  const argTree = tree.flatten([init])[1]; // the functions take the carry as one argument
  let vals = leaves.map(leafValue);
  const create = () => {
    const avals = vals.map((v) => v.aval);
    const c = traceBranch(condFn, argTree, avals, "while_cond");
    const b = traceBranch(bodyFn, argTree, avals, "while_body");
    if (c.outTree.kind !== "leaf" || c.jaxpr.outvars.length !== 1) throw new TypeError(`cond_fun must return a boolean scalar, but got pytree ${pyTreeDef(c.outTree)}.`);
    const pred = c.jaxpr.outAvals[0];
    if (pred.dtype !== "bool" || pred.ndim !== 0)
      throw new TypeError(`cond_fun must return a boolean scalar, but got output type(s) [ShapedArray(${strShort(pred)}${pred.weakType ? ", weak_type=True" : ""})].`);
    return { c, b };
  };
  let { c, b } = create();
  if (b.jaxpr.outvars.length !== vals.length) checkCarryType(bodyFn, inTree, vals, b.outTree, b.jaxpr.outAvals);
  // Weakly typed inputs take the type the body gives them, and the functions are traced again.
  let changed = false;
  vals = vals.map((v, i) => {
    const out = b.jaxpr.outAvals[i];
    if (!v.weakType || typematch(v.aval, out)) return v;
    changed = true;
    return convert(v, resultType({ dtype: v.dtype, weakType: true }, { dtype: out.dtype, weakType: out.weakType }).dtype);
  });
  if (changed) ({ c, b } = create());
  checkCarryType(bodyFn, inTree, vals, b.outTree, b.jaxpr.outAvals);

  let condJ = new Jaxpr([], [...c.jaxpr.constvars, ...c.jaxpr.invars], c.jaxpr.eqns, c.jaxpr.outvars);
  let bodyJ = new Jaxpr([], [...b.jaxpr.constvars, ...b.jaxpr.invars], b.jaxpr.eqns, b.jaxpr.outvars);
  let bodyConsts = b.consts;
  // A carry the body passes through unchanged and the cond never reads becomes a body const
  // (JAX does this so that vmap with a batched predicate need not batch it).
  const nb = bodyConsts.length;
  const nc = c.consts.length;
  const live = dce(condJ);
  const read = new Set<unknown>([...live.eqns.flatMap((q) => q.inputs), ...live.outvars]);
  const move = bodyJ.outvars.map((o, i) => o === bodyJ.invars[nb + i] && !read.has(condJ.invars[nc + i]));
  let initVals = vals;
  if (move.some(Boolean)) {
    const kept = (xs: Var[], off: number) => xs.filter((_, i) => i < off || !move[i - off]);
    condJ = dce(new Jaxpr([], kept(condJ.invars, nc), condJ.eqns, condJ.outvars));
    const movedVars = bodyJ.invars.slice(nb).filter((_, i) => move[i]);
    bodyJ = new Jaxpr([], [...movedVars, ...kept(bodyJ.invars, nb)], bodyJ.eqns, bodyJ.outvars.filter((_, i) => !move[i]));
    bodyConsts = [...vals.filter((_, i) => move[i]), ...bodyConsts];
    initVals = vals.filter((_, i) => !move[i]);
  }
  const args = [...c.consts, ...bodyConsts, ...initVals];
  const params: WhileParams = { body_jaxpr: new ClosedJaxpr(bodyJ, []), body_nconsts: bodyConsts.length, cond_jaxpr: new ClosedJaxpr(condJ, []), cond_nconsts: nc };
  let outs: JaxArray[];
  if (currentTrace() === evalTrace) {
    // Eagerly, the loop's executables serve this call only: compiled here and freed after it.
    const avals = while_p.abstractEval(args.map((x) => x.aval), params);
    const [condExe, bodyExe] = [compile(condJ, { name: "while_cond" }), compile(bodyJ, { name: "while_body" })];
    try {
      outs = loop(args.map((x) => (x as ArrayImpl).tensor), params, condExe, bodyExe).map((t, i) => wrap(t, avals[i].dtype, avals[i].weakType));
    } finally {
      condExe.dispose();
      bodyExe.dispose();
    }
  } else outs = bind(while_p, args, params);
  let k = 0;
  return tree.unflatten(b.outTree, vals.map((v, i) => (move[i] ? v : outs[k++])));
}

/** lax.convert_element_type, folded for JS scalars. */
function convert(x: JaxArray, dtype: import("../../dtypes.js").DType): JaxArray {
  if (x instanceof ArrayImpl && x.literal !== undefined) return scalar(isFloat(dtype) ? Number(x.literal) : Math.trunc(Number(x.literal)), dtype, false);
  return bind1(e.convert_element_type_p, [x], { new_dtype: dtype, sharding: null, weak_type: false });
}

/** JAX's _check_carry_type for while_loop bodies, with its texts. */
function checkCarryType(bodyFn: Fn, inTree: tree.TreeDef, vals: JaxArray[], outTree: tree.TreeDef, outAvals: ShapedArray[]): void {
  const name = firstParamName(bodyFn);
  const component = (p: string) => (name ? (p ? `the input carry component ${name}${p}` : `the input carry ${name}`) : p ? `the input carry at path ${p}` : "the input carry");
  const bullets = (diffs: string[]) =>
    diffs.length === 1 ? `${capitalize(diffs[0])}.\n` : diffs.slice(0, -1).map((d) => `  * ${d};\n`).join("\n") + `  * ${diffs[diffs.length - 1]}.\n`;
  if (!inTree.equals(outTree)) {
    // JAX compares trees of avals here: a leaf is a ShapedArray.
    const diffs = treeDiffs(inTree, outTree, "", "<class 'jax._src.core.ShapedArray'>").map(([p, a, b, why]) => `${component(p)} is a ${a} but the corresponding component of the carry output is a ${b}, so ${why}`);
    if (diffs.length === 0) return;
    throw new TypeError(
      `while_loop body function carry input and carry output must have the same pytree structure, but they differ:\n\n${bullets(diffs)}\n` +
        "Revise the function so that the carry output has the same pytree structure as the carry input.",
    );
  }
  const paths = tree.leafPaths(inTree);
  const diffs = vals.flatMap((v, i) =>
    typematch(v.aval, outAvals[i]) ? [] : [`${component(paths[i])} has type ${strShort(v.aval)} but the corresponding output carry component has type ${strShort(outAvals[i])}${mismatchExtra(v.aval, outAvals[i])}`],
  );
  if (diffs.length === 0) return;
  throw new TypeError(
    `while_loop body function carry input and carry output must have equal types, but they differ:\n\n${bullets(diffs)}\n` +
      "Revise the function so that all output types match the corresponding input types.",
  );
}

/** The name of a function's first parameter (Python's inspect.signature), if it has a plain one. */
function firstParamName(f: Fn): string | null {
  const src = Function.prototype.toString.call(f);
  const m = /^\s*(?:async\s*)?(?:function\b[^(]*)?\(\s*([A-Za-z_$][\w$]*)\s*[,)=]/.exec(src) ?? /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  return m ? m[1] : null;
}

/** A structure as PyTreeDef prints it: `PyTreeDef((*, *))`. */
function pyTreeDef(t: tree.TreeDef): string {
  const go = (d: tree.TreeDef): string =>
    d.kind === "leaf" ? "*" : d.kind === "list" ? `[${d.children.map(go).join(", ")}]` : d.kind === "none" ? "None" : d.kind === "dict" ? `{${(d.meta as string[]).map((k, i) => `'${k}': ${go(d.children[i])}`).join(", ")}}` : String(d);
  return `PyTreeDef(${go(t)})`;
}

// ---- fori_loop --------------------------------------------------------------------------------

/**
 * `for (let i = lower; i < upper; i++) x = bodyFn(i, x)`, staged:
 * `lax.foriLoop(0, n, (i, x) => x.add(i), 0)`. With traced bounds it is a while loop (forward
 * differentiable only), as in JAX.
 */
export function foriLoop(lower: unknown, upper: unknown, bodyFn: Fn, init: unknown, opts: { unroll?: number | boolean } = {}): any {
  if (typeof bodyFn !== "function") throw new TypeError("lax.fori_loop: body_fun argument should be callable.");
  let lo = bound(lower);
  let hi = bound(upper);
  let dtype = lo.dtype;
  if (lo.dtype !== hi.dtype) {
    // A weakly typed bound (a JS integer) takes the other's signed integer type.
    const d = isSignedInt(lo.dtype) && isSignedInt(hi.dtype) ? (lo.weakType && !hi.weakType ? hi.dtype : !lo.weakType && hi.weakType ? lo.dtype : null) : null;
    if (d === null) throw new TypeError(`lower and upper arguments to fori_loop must have equal types, got ${lo.dtype} and ${hi.dtype}`);
    dtype = d;
  }
  // Static bounds: a scan of known length, so reverse mode works (JAX's choice).
  if (lo instanceof ArrayImpl && hi instanceof ArrayImpl) {
    const [l, u] = [Math.trunc(lo.item() as number), Math.trunc(hi.item() as number)];
    const scanned = (loop_carry: [JaxArray, unknown], _: null): [[JaxArray, unknown], null] => {
      const [i, x] = loop_carry;
      return [[bind1(e.add_p, [i, scalar(1, i.dtype, i.weakType && i.ndim === 0)]), bodyFn(i, x)], null];
    };
    const [[, result]] = scan(scanned, [scalar(l, "int32", true), init], null, { length: Math.max(u - l, 0), unroll: opts.unroll ?? false });
    return result;
  }
  if (opts.unroll !== undefined && opts.unroll !== false && opts.unroll !== 1)
    throw new ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are statically known.");
  if (lo.dtype !== dtype) lo = convert(lo, dtype);
  if (hi.dtype !== dtype) hi = convert(hi, dtype);
  // JAX's _fori_cond_fun and _fori_body_fun, over the carry (i, upper, x).
  const [, , result] = whileLoop(
    (loop_carry: [JaxArray, JaxArray, unknown]) => bind1(e.lt_p, [loop_carry[0], loop_carry[1]]),
    (loop_carry: [JaxArray, JaxArray, unknown]) => {
      const [i, u, x] = loop_carry;
      return [bind1(e.add_p, [i, scalar(1, i.dtype, i.weakType && i.ndim === 0)]), u, bodyFn(i, x)];
    },
    [lo, hi, init],
  );
  return result;
}

/** A loop bound: a JS integer is a Python int (weak int32), another number a Python float. */
function bound(x: unknown): JaxArray {
  if (typeof x === "number") return Number.isInteger(x) ? scalar(x, "int32", true) : scalar(x, "float32", true);
  if (!(x instanceof JaxArray)) throw new TypeError(`fori_loop bounds must be numbers or arrays, got ${String(x)}`);
  return x;
}

// ---- rules ------------------------------------------------------------------------------------

const split3 = <T>(xs: T[], p: WhileParams): [T[], T[], T[]] => [
  xs.slice(0, p.cond_nconsts),
  xs.slice(p.cond_nconsts, p.cond_nconsts + p.body_nconsts),
  xs.slice(p.cond_nconsts + p.body_nconsts),
];
const eqMask = (a: boolean[], b: boolean[]) => a.every((x, i) => x === b[i]);
const orMask = (a: boolean[], b: boolean[]) => a.map((x, i) => x || b[i]);
const bits = (m: boolean[]) => m.map(Number).join("");

// jvp (JAX's _while_loop_jvp): which carries have tangents is a fixed point (a carry whose
// tangent is zero on entry may gain one in the body); the loop then carries primals and tangents
// together, the cond ignoring the tangents.
while_p.jvp = (primals, tangents, p) => {
  const [cconst, bconst, init] = split3(primals, p);
  const [, bconstDot, initDot] = split3(tangents, p);
  const bconstNz = bconstDot.map((t) => t !== null);
  let carryNz = initDot.map((t, i) => t !== null && isFloat(init[i].dtype));
  let jvp = jvpJaxpr(p.body_jaxpr, [...bconstNz, ...carryNz], carryNz, "jvp(while)");
  for (let k = 0; k <= carryNz.length && !eqMask(jvp.outNz, carryNz); k++) {
    carryNz = orMask(carryNz, jvp.outNz);
    jvp = jvpJaxpr(p.body_jaxpr, [...bconstNz, ...carryNz], carryNz, "jvp(while)");
  }
  const bDots = bconstDot.filter((t): t is JaxArray => t !== null);
  const iDots = init.flatMap((x, i) => (carryNz[i] ? [initDot[i] ?? zerosLike(x.aval)] : []));
  // jvp's binders are [captured, bconst, carry, bconst dots, carry dots]; the loop wants
  // [captured, bconst, bconst dots, carry, carry dots].
  const nc = jvp.consts.length;
  const nb = bconst.length;
  const n = init.length;
  const body = cached(p.body_jaxpr, `while-jvp|${bits(bconstNz)}|${bits(carryNz)}`, () => {
    const j = jvp.closed.jaxpr;
    const at = (from: number, k: number) => j.invars.slice(from, from + k);
    const invars = [...at(0, nc + nb), ...at(nc + nb + n, bDots.length), ...at(nc + nb, n), ...at(nc + nb + n + bDots.length, iDots.length)];
    return new ClosedJaxpr(new Jaxpr([], invars, j.eqns, j.outvars), []);
  });
  const condJ = cached(p.cond_jaxpr, `while-jvp|${bits(carryNz)}`, () => {
    const c = p.cond_jaxpr.jaxpr;
    return new ClosedJaxpr(new Jaxpr([], [...c.invars, ...iDots.map((t) => new Var(t.aval))], c.eqns, c.outvars), []);
  });
  const outs = bind(while_p, [...cconst, ...jvp.consts, ...bconst, ...bDots, ...init, ...iDots], {
    body_jaxpr: body,
    body_nconsts: nc + nb + bDots.length,
    cond_jaxpr: condJ,
    cond_nconsts: p.cond_nconsts,
  });
  let k = n;
  return [outs.slice(0, n), carryNz.map((z) => (z ? outs[k++] : null))];
};

// Partial evaluation (JAX's _while_partial_eval): when the predicate depends only on known
// values, the known carries come from a loop over the known part of the body; the unknown ones
// from the whole loop, staged (so reverse mode meets a `while` to transpose, and fails as JAX
// does). Otherwise the whole loop is staged.
partialEvalRules.set(while_p, (trace, args, unknown, params) => {
  const p = params as WhileParams;
  const [cUk, bUk, initUk] = split3(unknown, p);
  let carryUk = initUk;
  const splitBody = () => cached(p.body_jaxpr, `while-pe|${bits([...bUk, ...carryUk])}`, () => partialEvalJaxpr(p.body_jaxpr.jaxpr, [], [...bUk, ...carryUk], carryUk, "while_body"));
  let body = splitBody();
  for (let k = 0; k <= carryUk.length && !eqMask(body.outUnknown, carryUk); k++) {
    carryUk = orMask(carryUk, body.outUnknown);
    body = splitBody();
  }
  const condSplit = cached(p.cond_jaxpr, `while-pe|${bits([...cUk, ...carryUk])}`, () => partialEvalJaxpr(p.cond_jaxpr.jaxpr, [], [...cUk, ...carryUk], false, "while_cond"));
  if (condSplit.outUnknown[0] || carryUk.every(Boolean)) return trace.stage(while_p, args, params);
  // The known loop: the known body restricted to the known carries (residuals dropped).
  const nKnown = carryUk.filter((u) => !u).length;
  const kb = body.known.jaxpr;
  const knownBody = dce(new Jaxpr([], [...kb.constvars, ...kb.invars], kb.eqns, kb.outvars.slice(0, nKnown)));
  const kc = condSplit.known.jaxpr;
  const knownCond = dce(new Jaxpr([], [...kc.constvars, ...kc.invars], kc.eqns, kc.outvars.slice(0, 1)));
  const [cc, bc, init] = split3(args, p);
  const knownOuts = withTrace(trace.parent!, () =>
    bind(
      while_p,
      [...condSplit.known.consts, ...cc.filter((_, i) => !cUk[i]), ...body.known.consts, ...bc.filter((_, i) => !bUk[i]), ...init.filter((_, i) => !carryUk[i])],
      {
        body_jaxpr: new ClosedJaxpr(knownBody, []),
        body_nconsts: body.known.consts.length + bUk.filter((u) => !u).length,
        cond_jaxpr: new ClosedJaxpr(knownCond, []),
        cond_nconsts: condSplit.known.consts.length + cUk.filter((u) => !u).length,
      },
    ),
  );
  const all = trace.stage(while_p, args, params);
  let k = 0;
  return carryUk.map((u, i) => (u ? all[i] : knownOuts[k++]));
});

// Reverse mode: the loop has no static trip count, so nothing to transpose (JAX's text).
while_p.transpose = () => {
  throw new ValueError(
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop values. Try using lax.scan, or using fori_loop with static start/stop.",
  );
};

// Batching (JAX's _while_loop_batching_rule): which carries are batched is a fixed point; a
// batched predicate batches every carry (examples that are done keep their carry while the
// others run on); otherwise batched carries get their batch axis after the predicate's axes.
while_p.batch = (args, dims, p, axis) => {
  const [cc, bc, init] = split3(args, p);
  const [ccDims, bcDims, initDims] = split3(dims, p);
  const withAxis = (a: ShapedArray, d: BatchDim) => (d === null ? a : a.update({ shape: [...a.shape.slice(0, d), axis.size, ...a.shape.slice(d)] }));
  const carryAvals = (bat: boolean[], at: (i: number) => BatchDim) => init.map((x, i) => withAxis(initDims[i] === null ? x.aval : unbatched(x.aval, initDims[i]!), bat[i] ? at(i) : null));
  const unbatched = (a: ShapedArray, d: number) => a.update({ shape: a.shape.filter((_, i) => i !== d) });
  let carryBat = initDims.map((d) => d !== null);
  for (let k = 0; k <= carryBat.length; k++) {
    const avals = [...bc.map((x) => x.aval), ...carryAvals(carryBat, () => 0)];
    const out = batchJaxpr(p.body_jaxpr, avals, [...bcDims, ...carryBat.map((b) => (b ? 0 : null))], axis, carryBat.map((b) => (b ? 0 : "any")), "vmap(while_body)");
    const outBat = out.outDims.map((d) => d !== null);
    if (eqMask(outBat, carryBat)) break;
    carryBat = orMask(carryBat, outBat);
  }
  const condAvals = [...cc.map((x) => x.aval), ...carryAvals(carryBat, () => 0)];
  const predBat = batchJaxpr(p.cond_jaxpr, condAvals, [...ccDims, ...carryBat.map((b) => (b ? 0 : null))], axis, null, "vmap(while_cond)").outDims[0] !== null;
  const rank = p.cond_jaxpr.outAvals[0].ndim;
  const carryDims: BatchDim[] = predBat ? init.map(() => 0) : carryBat.map((b) => (b ? rank : null));
  const avals = carryAvals(carryDims.map((d) => d !== null), (i) => carryDims[i]);
  const body = batchJaxpr(p.body_jaxpr, [...bc.map((x) => x.aval), ...avals], [...bcDims, ...carryDims], axis, carryDims, "vmap(while_body)");
  const cond = batchJaxpr(p.cond_jaxpr, [...cc.map((x) => x.aval), ...avals], [...ccDims, ...carryDims], axis, [predBat ? 0 : null], "vmap(while_cond)");
  const newInit = init.map((x, i) => {
    const from = initDims[i];
    const to = carryDims[i];
    if (to === null) return x;
    return from === null ? broadcastAxis(x, axis.size, to) : moveaxis(x, from, to);
  });
  const outs = bind(while_p, [...cond.consts, ...cc, ...body.consts, ...bc, ...newInit], {
    body_jaxpr: body.closed,
    body_nconsts: body.consts.length + bc.length,
    cond_jaxpr: cond.closed,
    cond_nconsts: cond.consts.length + cc.length,
  });
  return [outs, carryDims];
};
