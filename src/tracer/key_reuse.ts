// jax_debug_key_reuse: JAX's key reuse checker (jax/experimental/key_reuse/_core.py). Each
// primitive has a signature saying which key inputs it consumes (Sink), which key outputs are
// fresh (Source) and which outputs are its inputs passed on (Forward). Eagerly, every concrete key
// array remembers whether it was consumed; a jaxpr is checked statically when it is traced.
// As in JAX only typed keys are tracked: a raw uint32[2] key is wrapped anew by each sampler, and
// consumption is per element of a key array (slicing `ks.index(0)` consumes that key of ks only).
import { ArrayImpl } from "../array/array.js";
import type { Array as JaxArray } from "../array/base.js";
import { isKey } from "../dtypes.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { type Atom, ClosedJaxpr, type Jaxpr, type Params, Var } from "../jaxpr/jaxpr.js";
import { KeyReuseError } from "../errors.js";

export interface KeyReuseSignature {
  sinks: number[];
  sources: number[];
  forwards: [number, number][];
  /** A sink consuming only some keys of its operand (flat over its shape); absent: all of them. */
  masks?: Record<number, boolean[]>;
}

const sig = (sinks: number[] = [], sources: number[] = [], forwards: [number, number][] = []): KeyReuseSignature => ({ sinks, sources, forwards });
const FORWARD = sig([], [], [[0, 0]]);

/** Which keys of an array are consumed: all, none, or some (flat, row-major). */
type Consumed = boolean | boolean[];
const hits = (c: Consumed | undefined, mask?: boolean[]): boolean =>
  c === true ? (mask ? mask.some(Boolean) : true) : Array.isArray(c) ? c.some((x, j) => x && (mask ? mask[j] : true)) : false;
const consume = (c: Consumed | undefined, mask?: boolean[]): Consumed => (mask === undefined || c === true ? true : Array.isArray(c) ? c.map((x, j) => x || mask[j]) : [...mask]);

/** JAX's slice signature on keys: the sliced keys are consumed, the slice is fresh. */
function sliceSignature(p: Params, inAvals: readonly ShapedArray[]): KeyReuseSignature {
  const shape = inAvals[0].shape;
  if (!isKey(inAvals[0].dtype)) return FORWARD;
  const [start, limit, strides] = [p.start_indices as number[], p.limit_indices as number[], p.strides as number[] | null];
  const size = shape.reduce((a, b) => a * b, 1);
  const mask = Array.from({ length: size }, (_, f) => {
    let inside = true;
    for (let d = shape.length - 1; d >= 0; d--) {
      const i = f % shape[d];
      f = (f - i) / shape[d];
      if (i < start[d] || i >= limit[d] || (i - start[d]) % (strides?.[d] ?? 1) !== 0) inside = false;
    }
    return inside;
  });
  return { ...sig([0], [0]), masks: { 0: mask } };
}

/** JAX's key_reuse_signatures table, by primitive name. */
const SIGNATURES: Record<string, KeyReuseSignature | ((params: Params, nIn: number, nOut: number, inAvals: readonly ShapedArray[]) => KeyReuseSignature)> = {
  random_bits: sig([0]),
  random_split: sig([0], [0]),
  random_fold_in: sig([], [0]),
  random_seed: sig([], [0]),
  random_wrap: sig([], [0]),
  random_clone: sig([], [0]),
  random_gamma: sig([0]),
  random_unwrap: sig(),
  broadcast_in_dim: FORWARD,
  copy: FORWARD,
  convert_element_type: FORWARD,
  reshape: FORWARD,
  squeeze: FORWARD,
  dynamic_slice: FORWARD,
  gather: FORWARD,
  dynamic_update_slice: sig([1], [], [[0, 0]]),
  scatter: sig([2], [], [[0, 0]]),
  eq: sig(),
  ne: sig(),
  slice: (p, _nIn, _nOut, inAvals) => sliceSignature(p, inAvals),
  unstack: (_p, _nIn, nOut) => sig([0], [...Array(nOut).keys()]),
  concatenate: (_p, nIn) => (nIn === 1 ? FORWARD : sig([...Array(nIn).keys()], [0])),
};

// Call primitives: their signature is that of the jaxpr they call.
const CALLS: Record<string, string> = { jit: "jaxpr", remat2: "jaxpr", custom_jvp_call: "call_jaxpr", custom_vjp_call: "call_jaxpr" };

/** `KeyReuseSignature(Sink(1),)`, as JAX prints one in its loop errors. */
function sigRepr(s: KeyReuseSignature): string {
  const items = [...s.sinks.map((i) => `Sink(${i})`), ...s.sources.map((i) => `Source(${i})`), ...s.forwards.map(([i, o]) => `Forward(${i}, ${o})`)];
  return `KeyReuseSignature(${items.join(", ")}${items.length === 1 ? "," : ""})`;
}

/** A loop body may consume a key only if it makes a fresh one in its place (JAX's scan and while rules). */
function checkLoopBody(what: string, body: ClosedJaxpr, nConsts: number, nCarry: number, sources: number[]): KeyReuseSignature {
  const s = jaxprSignature(body.jaxpr);
  const scan = what.startsWith("scan");
  // JAX's texts: scan's give a reason and a signature line, while's the signature on the first line.
  const why = (reason: string) =>
    new KeyReuseError(
      `${what} function leads to key reuse when repeatedly executed` +
        (scan ? `, because ${reason}:\n  signature=${sigRepr(s)}\n` : `:   ${what.slice(11)}_signature=${sigRepr(s)}\n`) +
        `  jaxpr=${body}`,
    );
  if (s.sinks.some((i) => i < nConsts)) throw why("key constants are repeatedly consumed");
  if (s.sinks.some((i) => i >= nConsts && i - nConsts < nCarry && !sources.includes(i - nConsts))) throw why("consumed inputs don't match sourced outputs");
  return s;
}

const LOOPS: Record<string, (p: Params, nIn: number) => KeyReuseSignature> = {
  // Sinks of any branch, sources of every branch, forwards of every branch.
  cond(p) {
    const sigs = (p.branches as ClosedJaxpr[]).map((b) => jaxprSignature(b.jaxpr));
    const inAll = <T>(xs: (s: KeyReuseSignature) => T[], eq: (a: T, b: T) => boolean) => xs(sigs[0]).filter((x) => sigs.every((s) => xs(s).some((y) => eq(x, y))));
    return sig(
      [...new Set(sigs.flatMap((s) => s.sinks))].map((i) => i + 1),
      inAll((s) => s.sources, (a, b) => a === b),
      inAll((s) => s.forwards, (a, b) => a[0] === b[0] && a[1] === b[1]).map(([i, o]) => [i + 1, o]),
    );
  },
  scan(p) {
    const [c, k] = (p.ft_in as { unpack(): { length: number }[] }).unpack();
    const s = jaxprSignature((p.jaxpr as ClosedJaxpr).jaxpr);
    return checkLoopBody("scan body", p.jaxpr as ClosedJaxpr, c.length, k.length, s.sources.filter((o) => o < k.length));
  },
  while(p, nIn) {
    const [cn, bn] = [p.cond_nconsts as number, p.body_nconsts as number];
    const nCarry = nIn - cn - bn;
    const body = jaxprSignature((p.body_jaxpr as ClosedJaxpr).jaxpr);
    const cond = checkLoopBody("while_loop cond", p.cond_jaxpr as ClosedJaxpr, cn, nCarry, body.sources);
    checkLoopBody("while_loop body", p.body_jaxpr as ClosedJaxpr, bn, nCarry, body.sources);
    const condCarry = cond.sinks.map((i) => i - cn);
    if (body.sinks.some((i) => condCarry.includes(i - bn))) throw new KeyReuseError(`while_loop cond and body functions both use the same key: \n  cond_signature=${sigRepr(cond)}\n  body_signature=${sigRepr(body)}`);
    // Operands are [cond consts, body consts, carry]; the body's are [body consts, carry].
    return sig(
      body.sinks.map((i) => cn + i),
      body.sources,
      body.forwards.map(([i, o]) => [cn + i, o]),
    );
  },
};

/** The signature of one application of a primitive; unknown ones consume all their key inputs. */
export function primitiveSignature(name: string, params: Params, inAvals: readonly ShapedArray[], nOut: number): KeyReuseSignature {
  if (name === "remat2" && params.differentiated) return sig(); // JAX: the differentiated pass reuses the primal's keys
  const call = CALLS[name] && params[CALLS[name]];
  if (call instanceof ClosedJaxpr) return jaxprSignature(call.jaxpr);
  if (LOOPS[name]) return LOOPS[name](params, inAvals.length);
  const s = SIGNATURES[name];
  if (s) return typeof s === "function" ? s(params, inAvals.length, nOut, inAvals) : s;
  return sig(inAvals.flatMap((a, i) => (isKey(a.dtype) ? [i] : [])));
}

const signatures = new WeakMap<Jaxpr, KeyReuseSignature>();

/** JAX's jaxpr_type_signature: walks the jaxpr, raising KeyReuseError at the second use of a key. */
export function jaxprSignature(jaxpr: Jaxpr): KeyReuseSignature {
  let s = signatures.get(jaxpr);
  if (s) return s;
  const consumed = new Map<Var, Consumed>();
  const forwards = new Map<Var, Atom>();
  const resolve = (a: Atom): Atom => {
    while (a instanceof Var && forwards.has(a)) a = forwards.get(a)!;
    return a;
  };
  const key = (a: Atom) => isKey(a.aval.dtype);
  for (const eqn of jaxpr.eqns) {
    const e = primitiveSignature(eqn.primitive.name, eqn.params, eqn.inputs.map((a) => a.aval), eqn.outBinders.length);
    for (const [i, o] of e.forwards) forwards.set(eqn.outBinders[o], eqn.inputs[i]);
    for (const i of e.sinks) {
      const v = resolve(eqn.inputs[i]);
      if (!key(v) || !(v instanceof Var)) continue;
      if (hits(consumed.get(v), e.masks?.[i])) throw new KeyReuseError(`In ${eqn.primitive.name}, argument ${i} is already consumed.`);
      consumed.set(v, consume(consumed.get(v), e.masks?.[i]));
    }
    for (const v of eqn.outBinders) if (key(v) && !forwards.has(v)) consumed.set(v, true); // consumed unless a Source
    for (const o of e.sources) consumed.set(eqn.outBinders[o], false);
  }
  const inputs: Atom[] = [...jaxpr.invars, ...jaxpr.constvars];
  const sinks = inputs.flatMap((v, i) => (key(v) && hits(consumed.get(v as Var)) ? [i] : []));
  const masks = Object.fromEntries(sinks.flatMap((i) => { const c = consumed.get(inputs[i] as Var); return Array.isArray(c) ? [[i, c]] : []; }));
  s = sig(
    sinks,
    jaxpr.outvars.flatMap((v, i) => (key(v) && !inputs.includes(resolve(v)) && !(v instanceof Var && hits(consumed.get(v))) ? [i] : [])),
    jaxpr.outvars.flatMap((v, i): [number, number][] => (key(v) && inputs.includes(resolve(v)) ? [[inputs.indexOf(resolve(v)), i]] : [])),
  );
  if (Object.keys(masks).length) s.masks = masks;
  signatures.set(jaxpr, s);
  return s;
}

/** How many leading inputs of a jit's jaxpr are its closed-over constants (set when traced). */
export const constCounts = new WeakMap<Jaxpr, number>();

/** The index JAX reports for input `i` of a call: its arguments come first, then its constants. */
export function callArgIndex(call: unknown, n: number): (i: number) => number {
  const nc = call instanceof ClosedJaxpr ? (constCounts.get(call.jaxpr) ?? 0) : 0;
  return (i) => (i >= nc ? i - nc : n - nc + i);
}

// Eagerly: whether each concrete key array has been consumed.
const consumedKeys = new WeakMap<object, Consumed>();
const isKeyArray = (x: unknown): x is ArrayImpl => x instanceof ArrayImpl && isKey(x.dtype);

/**
 * JAX's check_signature: raises if a sink receives a consumed key. `index` maps an input's position
 * to the one JAX reports (a jit call counts its arguments first, then its constants).
 */
export function checkSignature(s: KeyReuseSignature, args: readonly JaxArray[], funcname: string, index: (i: number) => number = (i) => i): void {
  for (const i of s.sinks)
    if (isKeyArray(args[i]) && hits(consumedKeys.get(args[i]), s.masks?.[i])) throw new KeyReuseError(`Previously-consumed key passed to ${funcname} at index ${index(i)}`);
}

/** JAX's update_consumption: sinks are consumed; key outputs are consumed unless fresh or forwarded. */
export function updateConsumption(s: KeyReuseSignature, args: readonly JaxArray[], outs: readonly JaxArray[]): void {
  for (const i of s.sinks) if (isKeyArray(args[i])) consumedKeys.set(args[i], consume(consumedKeys.get(args[i]), s.masks?.[i]));
  for (const o of outs) if (isKeyArray(o)) consumedKeys.set(o, true);
  for (const o of s.sources) if (isKeyArray(outs[o])) consumedKeys.set(outs[o], false);
  for (const [i, o] of s.forwards) if (isKeyArray(args[i]) && isKeyArray(outs[o])) consumedKeys.set(outs[o], consumedKeys.get(args[i]) ?? false);
}
