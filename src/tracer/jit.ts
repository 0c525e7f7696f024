// jit and makeJaxpr. Two caches, as in JAX: traces keyed on (function, abstract signature), and
// compiled executables keyed on the jaxpr. A global read while tracing freezes into the jaxpr.
import { Array as JaxArray } from "../array/base.js";
import { ArrayImpl, scalar, wrap } from "../array/array.js";
import type { ArrayLike } from "../lax/lax.js";
import { ShapedArray } from "../jaxpr/aval.js";
import { ClosedJaxpr, Jaxpr, type Params } from "../jaxpr/jaxpr.js";
import { definePrimitive } from "../lax/primitive.js";
import { Executable, compile } from "../backends/compile.js";
import { backendName, ensureBackend } from "../backends/backend.js";
import { config, debugChecks } from "../config.js";
import { ValueError } from "../errors.js";
import { constCounts, jaxprSignature } from "./key_reuse.js";
import * as tree from "../tree.js";
import { Tracer, bind, currentTrace, evalTrace } from "./core.js";
import { defCallRules } from "./call_rules.js";
import { convertConstvars, traceToJaxpr } from "./jaxpr_trace.js";
import { logCompile, explainMiss, type CacheKeyParts } from "./log_compiles.js";
import { CACHE_SIZES, WeakLRU } from "../cache.js";

// ---- the jit primitive ----------------------------------------------------------------------

interface JitParams extends Params {
  jaxpr: ClosedJaxpr;
  name: string;
}

// The compile cache: per jaxpr, one executable per backend and donation pattern; an LRU over
// all jaxprs (an evicted executable's literal tensors are freed once it is collected).
const executables = new WeakLRU<Jaxpr, Executable>("jit.executables", CACHE_SIZES.executables);

export function executableFor(j: Jaxpr, name?: string, donated?: boolean[]): Executable {
  // Kernels are generated for the active backend, so the backend is part of the key.
  const key = `${backendName()}|${donated?.some(Boolean) ? donated.map(Number).join("") : ""}`;
  let e = executables.get(j, key);
  if (e === undefined) {
    e = compile(j, { name, donated });
    executables.set(j, key, e);
  }
  return e;
}

/** `jit[name=f jaxpr={...}]`: a call of a jaxpr, printed as JAX prints pjit equations. */
export const jit_p = definePrimitive<JitParams>({
  name: "jit",
  abstractEval(avals, p) {
    const want = p.jaxpr.inAvals;
    if (avals.length !== want.length || avals.some((a, i) => a.dtype !== want[i].dtype || a.shape.join() !== want[i].shape.join()))
      throw new TypeError(`jit ${p.name}: argument types ${avals.map((a) => a.strShort()).join(", ")} do not match the jaxpr's ${want.map((a) => a.strShort()).join(", ")}`);
    return p.jaxpr.outAvals;
  },
  impl: (args, p) => executableFor(p.jaxpr.jaxpr, p.name).run(args),
  printParams: (p) => [
    ["name", p.name],
    ["jaxpr", p.jaxpr],
  ],
});

/** Runs a closed jaxpr's compiled executable on tensors (the impl of call-like primitives). */
export function runClosedJaxpr(c: ClosedJaxpr, args: import("@tensorflow/tfjs-core").Tensor[], name?: string): import("@tensorflow/tfjs-core").Tensor[] {
  if (c.consts.length) throw new Error(`internal: ${name ?? "call"} jaxpr has unconverted consts`);
  return executableFor(c.jaxpr, name).run(args);
}

// ---- tracing user functions -----------------------------------------------------------------

export const functionName = (f: Function): string => (f.name ? f.name.replace(/^bound /, "") : "<lambda>");

/** A pytree leaf as an abstract value: JS numbers are weak float32 scalars. */
const WEAK_F32 = new ShapedArray([], "float32", true);
const BOOL = new ShapedArray([], "bool", false);

function leafAval(x: unknown, fname: string, path: () => string): ShapedArray {
  if (x instanceof JaxArray) return x.aval;
  if (typeof x === "number") return WEAK_F32;
  if (typeof x === "boolean") return BOOL;
  throw new TypeError(
    `Error interpreting argument to ${fname} as an abstract array. The problematic value is of type ${typeName(x)} and was passed to the function at path ${path()}.\n` +
      `This typically means that a jit-wrapped function was called with a non-array argument, and this argument was not marked as static using the staticArgnums or staticArgnames options of jit.`,
  );
}

const isLeaf = (x: unknown): boolean => x instanceof JaxArray || typeof x === "number" || typeof x === "boolean";

const typeName = (x: unknown): string => (x === null ? "null" : typeof x === "object" ? (x.constructor?.name ?? "object") : typeof x);

/** A leaf as an array (numbers become weak float32 scalars, booleans bool scalars). */
export function leafValue(x: unknown): JaxArray {
  if (x instanceof JaxArray) return x;
  if (typeof x === "number") return scalar(x, "float32", true);
  if (typeof x === "boolean") return scalar(x, "bool", false);
  throw new TypeError(`Argument '${String(x)}' of type ${typeName(x)} is not a valid JAX type.`);
}

/** An output leaf: arrays and JS scalars are allowed. */
function outputValue(x: unknown, fname: string, path: string): JaxArray {
  if (x instanceof JaxArray || typeof x === "number" || typeof x === "boolean") return leafValue(x);
  throw new TypeError(`${fname} returned a value of type ${typeName(x)} at output path ${path || "()"}, which is not a valid JAX type`);
}

interface Traced {
  closed: ClosedJaxpr; // constvars converted to leading invars
  consts: JaxArray[];
  outTree: tree.TreeDef;
}

interface StaticInfo {
  staticArgnums: number[];
}

/** Splits call arguments into static ones (part of the cache key) and dynamic pytree leaves. */
function splitArgs(args: unknown[], fname: string, st: StaticInfo) {
  const dyn: unknown[] = [];
  const statics: string[] = [];
  args.forEach((a, i) => {
    if (st.staticArgnums.includes(i)) statics.push(`${i}=${staticKey(a, fname, i)}`);
    else dyn.push(a);
  });
  for (const n of st.staticArgnums)
    if (n >= args.length)
      throw new TypeError(`jitted function ${fname} has staticArgnums=(${st.staticArgnums.join(", ")}${st.staticArgnums.length === 1 ? "," : ""}) but was called with only ${args.length} positional argument${args.length === 1 ? "" : "s"}.`);
  const [leaves, inTree] = tree.flatten(dyn);
  return { leaves, inTree, statics };
}

// What a static arg's hash is, Python's rules carried over to JS values: numbers, booleans,
// strings, null and undefined by value; JS arrays as tuples, element by element; functions and
// other objects by identity, as Python objects without __eq__ (so mutating an object passed as
// static does not retrace). Arrays (tfjax's, typed arrays, ArrayBuffers) are unhashable, as in JAX.
const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

function staticKey(v: unknown, fname: string, i: number): string {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return `${typeof v}:${String(v)}`;
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof JaxArray || ArrayBuffer.isView(v) || v instanceof ArrayBuffer)
    throw new ValueError(
      `Non-hashable static arguments are not supported. An error occurred while trying to hash an object of type ${typeName(v)}, ${String(v)}, passed as static argument ${i} of ${fname}. The error was:\n` +
        `TypeError: unhashable type: '${typeName(v)}'\n`,
    );
  if (Array.isArray(v)) return `(${v.map((x) => staticKey(x, fname, i)).join(",")})`;
  if (typeof v === "object" || typeof v === "function") {
    let id = objectIds.get(v as object);
    if (id === undefined) objectIds.set(v as object, (id = nextObjectId++));
    return `#${id}`;
  }
  throw new TypeError(`static argument ${i} of ${fname} has unsupported type ${typeName(v)}`);
}

/** Traces `f` at the given abstract leaves into a jaxpr whose constvars are leading invars. */
function traceFlat(f: Function, args: unknown[], st: StaticInfo, inTree: tree.TreeDef, inAvals: ShapedArray[], fname: string, purpose: string): Traced & { rawJaxpr: Jaxpr } {
  let outTree: tree.TreeDef | undefined;
  const { jaxpr, consts } = traceToJaxpr(
    (...tracers) => {
      const dynArgs = tree.unflatten(inTree, tracers) as unknown[];
      let k = 0;
      const callArgs = args.map((a, i) => (st.staticArgnums.includes(i) ? a : dynArgs[k++]));
      const out = f(...callArgs);
      const [outLeaves, def] = tree.flatten(out);
      outTree = def;
      const paths = tree.leafPaths(def);
      return outLeaves.map((l, i) => outputValue(l, fname, paths[i]));
    },
    inAvals,
    `${fname} for ${purpose}`,
  );
  if (config.read("jax_debug_key_reuse")) jaxprSignature(jaxpr); // JAX checks each traced jaxpr
  const closed = new ClosedJaxpr(convertConstvars(jaxpr), []);
  constCounts.set(closed.jaxpr, consts.length);
  return { closed, consts, outTree: outTree!, rawJaxpr: jaxpr };
}

/**
 * Traces `f` on its (pytree) arguments into the body of a call primitive (custom_jvp_call,
 * remat2, ...): constvars become leading invars, `consts` are passed first.
 */
export function traceCall(f: Function, args: unknown[], description: string) {
  const [leaves, inTree] = tree.flatten(args);
  const xs = leaves.map(leafValue);
  const { jaxpr, consts, outTree } = tracePytree(f, inTree, xs.map((x) => x.aval), description);
  return { call: new ClosedJaxpr(convertConstvars(jaxpr), []), consts, xs, inTree, outTree };
}

/**
 * Traces `f` on abstract leaves with the argument structure `inTree` (JAX's trace_to_jaxpr of a
 * flattened function): the raw jaxpr (closed-over values are its constvars) and the output tree.
 */
export function tracePytree(f: Function, inTree: tree.TreeDef, avals: ShapedArray[], description: string) {
  let outTree: tree.TreeDef | undefined;
  const { jaxpr, consts } = traceToJaxpr(
    (...ts) => {
      const [outs, def] = tree.flatten(f(...(tree.unflatten(inTree, ts) as unknown[])));
      outTree = def;
      return outs.map(leafValue);
    },
    avals,
    description,
  );
  return { jaxpr, consts, outTree: outTree! };
}

// ---- jit ------------------------------------------------------------------------------------

/**
 * What a transformed function accepts where `f` declares `T`: every `Array` leaf may also be a
 * JS number or boolean (a weak float32 or a bool scalar), in arrays, tuples and objects alike.
 * `jit((x: Array, p: { w: Array }) => ...)` accepts `(2, { w: 0.5 })`.
 */
export type ArgLike<T> = 0 extends 1 & T
  ? T
  : T extends JaxArray
    ? ArrayLike
    : T extends (...args: never[]) => unknown
      ? T
      : T extends object
        ? { [K in keyof T]: ArgLike<T[K]> }
        : T;

/** What a transformed function returns where `f` returns `T`: JS numbers and booleans come back as arrays. */
export type Outputs<T> = 0 extends 1 & T
  ? T
  : T extends JaxArray | number | boolean
    ? JaxArray
    : T extends (...args: never[]) => unknown
      ? T
      : T extends object
        ? { [K in keyof T]: Outputs<T[K]> }
        : T;

/** The signature of `jit(f)`, `vmap(f)` and `pmap(f)`: `f`'s, with `ArgLike` arguments and `Outputs` results. */
export type Transformed<F extends (...args: never[]) => unknown> = (...args: ArgLike<Parameters<F>>) => Outputs<ReturnType<F>>;

/** Options of `jit`, named as JAX's keyword arguments. */
export interface JitOptions {
  /** Positions of arguments that are compile-time constants (part of the cache key). */
  staticArgnums?: number | number[];
  /**
   * Positions of arguments whose buffers the call may consume (JAX's donate_argnums): they are
   * freed as soon as the computation no longer needs them, and deleted for the caller.
   */
  donateArgnums?: number | number[];
}

// The trace cache, keyed on the function itself so `jit(f)(4)` and a later `jit(f)(5)` share it:
// an LRU over all functions, as JAX's; an evicted trace's constants are freed once unreferenced.
const traceCache = new WeakLRU<Function, Traced>("jit.traces", CACHE_SIZES.traces);
const seenKeys = new WeakMap<Function, CacheKeyParts[]>();
/** The jit traces in progress, innermost last: a function re-entered at the same key recurses forever. */
const tracing: { f: Function; key: string }[] = [];

/**
 * Compiles `f` with tracing: traced once per argument structure, shapes, dtypes and static
 * values, then run as tfjs kernels. `const g = jit((x) => x.mul(2).sin()); g(x)`.
 */
export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): Transformed<F> {
  if (typeof f !== "function") throw new TypeError(`jit: expected a function as the first argument, got ${typeName(f)}`);
  const st: StaticInfo = { staticArgnums: normalizeArgnums(opts.staticArgnums) };
  const donateArgnums = normalizeArgnums(opts.donateArgnums);
  for (const d of donateArgnums) if (st.staticArgnums.includes(d)) throw new TypeError(`jit: argument ${d} cannot be both static and donated`);
  const fname = functionName(f);

  const lookup = (args: unknown[]) => {
    // Fast path for the common call: every argument is an array or a JS scalar.
    let leaves: unknown[];
    let inTree: tree.TreeDef | undefined;
    let statics: string[] = [];
    let key: string;
    let avals: ShapedArray[];
    if (st.staticArgnums.length === 0 && args.every(isLeaf)) {
      leaves = args;
      avals = args.map((l) => leafAval(l, fname, () => `args[${args.indexOf(l)}]`));
      key = "*";
      for (const a of avals) key += a.key();
    } else {
      ({ leaves, inTree, statics } = splitArgs(args, fname, st));
      const t = inTree;
      avals = leaves.map((l, i) => leafAval(l, fname, () => tree.leafPaths(t, "args")[i]));
      key = `${inTree}|${avals.map((a) => a.key()).join(";")}|${statics.join(";")}`;
    }
    let traced = traceCache.get(f, key);
    // A trace that closed over tracers of an enclosing trace is valid only while that trace lives
    // (JAX caches it too: both calls of one inner jit inside one outer trace share the jaxpr).
    if (traced !== undefined && traced.consts.some((c) => c instanceof Tracer && !c.trace.alive)) traced = undefined;
    if (traced === undefined) {
      inTree ??= tree.flatten([...leaves])[1];
      const paths = () => tree.leafPaths(inTree!, "args");
      if (config.read("jax_explain_cache_misses")) {
        const parts: CacheKeyParts = { tree: String(inTree), avals: avals.map((a) => a.strShort() + (a.weakType ? "{weak_type=True}" : "")), paths: paths(), statics };
        const prev = seenKeys.get(f) ?? [];
        explainMiss(fname, parts, prev);
        seenKeys.set(f, [...prev.slice(-63), parts]); // the closest of the last 64 keys
      }
      const t0 = performance.now();
      // Tracing f at the signature it is being traced at would never end (JAX's RecursionError).
      if (tracing.some((t) => t.f === f && t.key === key))
        throw new RangeError(
          `Recursively calling ${fname}: it calls itself while being traced for jit with the same argument types (${avals.map((a) => a.strShort()).join(", ")}), so tracing would never end. ` +
            `Bound the recursion by a static argument (staticArgnums), or use lax.cond, lax.whileLoop or lax.foriLoop.`,
        );
      tracing.push({ f, key });
      try {
        traced = traceFlat(f, args, st, inTree, avals, fname, "jit");
      } finally {
        tracing.pop();
      }
      if (config.read("jax_log_compiles")) logCompile(fname, avals, performance.now() - t0);
      traceCache.set(f, key, traced);
    }
    return { leaves, traced };
  };

  const wrapped = function (this: unknown, ...args: unknown[]) {
    // JS ignores missing arguments; a traced function would then see `undefined` leaves.
    if (args.length < f.length)
      throw new TypeError(`${fname}() missing ${f.length - args.length} required positional argument${f.length - args.length === 1 ? "" : "s"}: jit-compiled functions need all of their declared arguments`);
    const { leaves, traced } = lookup(args);
    const inputs = [...traced.consts, ...leaves.map(leafValue)];
    let outs: JaxArray[];
    // Under jax_debug_nans / jax_debug_key_reuse an eager call is a jit_p bind: EvalTrace checks it.
    if (currentTrace() === evalTrace && !debugChecks) {
      ensureBackend();
      const donated = donateArgnums.length ? donationMask(args, traced.consts.length, inputs) : undefined;
      const exe = executableFor(traced.closed.jaxpr, fname, donated);
      const tensors = inputs.map((x, i) => (donated?.[i] ? (x as ArrayImpl).donate()! : (x as ArrayImpl).tensor));
      outs = exe.run(tensors).map((t, i) => wrap(t, exe.outAvals[i].dtype, exe.outAvals[i].weakType));
    } else {
      outs = bind(jit_p, inputs, { jaxpr: traced.closed, name: fname });
    }
    return traced.outTree.kind === "leaf" ? outs[0] : tree.unflatten(traced.outTree, outs);
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped as Transformed<F>;

  /** Which flat inputs are donated: leaves of donated arguments whose buffer appears only once. */
  function donationMask(args: unknown[], numConsts: number, inputs: JaxArray[]): boolean[] {
    const mask = new Array<boolean>(inputs.length).fill(false);
    const count = new Map<JaxArray, number>();
    for (const x of inputs) count.set(x, (count.get(x) ?? 0) + 1);
    let k = numConsts;
    args.forEach((a, i) => {
      if (st.staticArgnums.includes(i)) return;
      const n = tree.flatten(a)[0].length;
      for (let j = 0; j < n; j++, k++) {
        const x = inputs[k];
        mask[k] = donateArgnums.includes(i) && x instanceof ArrayImpl && x.donatable && count.get(x) === 1;
      }
    });
    return mask;
  }
}

function normalizeArgnums(n: number | number[] | undefined): number[] {
  const xs = n === undefined ? [] : Array.isArray(n) ? n : [n];
  for (const x of xs) if (!Number.isInteger(x) || x < 0) throw new TypeError(`jit: staticArgnums must be non-negative integers, got ${JSON.stringify(n)}`);
  return xs;
}

// ---- makeJaxpr ------------------------------------------------------------------------------

/**
 * Returns the jaxpr of `f` at the given arguments. `String(makeJaxpr(f)(3.0))` is what JAX's
 * `str(jax.make_jaxpr(f)(3.0))` prints.
 */
export function makeJaxpr(f: (...args: any[]) => any, opts: JitOptions = {}): (...args: unknown[]) => ClosedJaxpr {
  if (typeof f !== "function") throw new TypeError(`makeJaxpr: expected a function as the first argument, got ${typeName(f)}`);
  const st: StaticInfo = { staticArgnums: normalizeArgnums(opts.staticArgnums) };
  const fname = functionName(f);
  return (...args: unknown[]) => {
    const { leaves, inTree } = splitArgs(args, fname, st);
    const avals = leaves.map((l, i) => leafAval(l, fname, () => tree.leafPaths(inTree, "args")[i]));
    const { rawJaxpr, consts } = traceFlat(f, args, st, inTree, avals, fname, "make_jaxpr");
    return new ClosedJaxpr(rawJaxpr, consts);
  };
}

// jit's transformation rules are the generic ones of call primitives (call_rules.ts).
defCallRules(jit_p, (p) => p.jaxpr, (p, jaxpr) => ({ jaxpr, name: p.name }), (p) => p.name, { forwardKnown: true });
