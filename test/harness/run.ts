// Runs a case record through one execution path and checks it against its reference: values
// (ulps for floats, exact otherwise), output avals against the abstract-eval rule, and that no
// tensor outlives the call.
import * as tf from "@tensorflow/tfjs-core";
import { expect } from "vitest";
import "../../src/index.js"; // registers every primitive and the jaxpr printer
import type { Array as JaxArray } from "../../src/array/base.js";
import { ArrayImpl, scalar, tensorFrom, wrap } from "../../src/array/array.js";
import { ensureBackend } from "../../src/backends/backend.js";
import { storageDtype } from "../../src/backends/storage.js";
import type { ShapedArray } from "../../src/jaxpr/aval.js";
import type { Primitive } from "../../src/jaxpr/jaxpr.js";
import { checkJaxpr } from "../../src/jaxpr/typecheck.js";
import { primitives } from "../../src/lax/primitive.js";
import { bind, currentTrace, evalTrace } from "../../src/tracer/core.js";
import { evalJaxpr } from "../../src/tracer/eval_jaxpr.js";
import { jit, makeJaxpr } from "../../src/tracer/jit.js";
import type { Case } from "./cases.js";
import { type Host, ulpDistance } from "./ref.js";

export type Fn = (...args: JaxArray[]) => JaxArray[];

export interface Mode {
  name: string;
  /** An execution path for `fn`, the function that binds the case's primitive (literals closed over). */
  prepare(fn: Fn): Fn;
  /** The path keeps tensors alive in a cache after its first call (jit's executables own their literals). */
  caches?: boolean;
}

export const modes: Mode[] = [
  {
    name: "eager",
    prepare: (fn) => (...xs) => {
      expect(currentTrace()).toBe(evalTrace);
      return fn(...xs);
    },
  },
  { name: "jit", prepare: (fn) => jit(fn), caches: true },
  { name: "evalJaxpr", prepare: (fn) => (...xs) => evalJaxpr(makeJaxpr(fn)(...xs), ...xs) },
  // The transformations have checks of their own: grad.ts (jvp and vjp against finite
  // differences of the reference) and vmap.ts (a batch against a loop over its examples).
];

export const primitiveOf = (c: Case): Primitive => {
  const p = primitives.get(c.prim);
  if (!p) throw new Error(`case ${c.name}: no primitive named ${c.prim} in the registry`);
  return p;
};

/** A host array as a tfjax array: a literal scalar (interned, as JS numbers are) or a fresh array. */
export function materialize(x: Host): JaxArray {
  ensureBackend();
  if (x.literal) return scalar(x.dtype === "bool" ? x.data[0] !== 0 : x.data[0], x.dtype, !!x.weak);
  return wrap(tensorFrom(x.data, x.shape, x.dtype), x.dtype, !!x.weak);
}

export const dispose = (xs: JaxArray[]) => xs.forEach((x) => x instanceof ArrayImpl && x.dispose());
const numTensors = () => tf.memory().numTensors;

/** Materializes the inputs, runs `body`, disposes the inputs and checks nothing else remains. */
export function withInputs(c: Case, body: (fn: Fn, args: JaxArray[], avals: ShapedArray[]) => void, allowCached = false): void {
  c.inputs.filter((x) => x.literal).forEach(materialize); // interned before counting
  const before = numTensors();
  const inputs = c.inputs.map(materialize);
  const prim = primitiveOf(c);
  const fn: Fn = (...dyn) => {
    let k = 0;
    return bind(prim, inputs.map((x, i) => (c.inputs[i].literal ? x : dyn[k++])), c.params);
  };
  try {
    body(
      fn,
      inputs.filter((_, i) => !c.inputs[i].literal),
      inputs.map((x) => x.aval),
    );
  } finally {
    dispose(inputs);
  }
  if (!allowCached) expect(numTensors(), "tensors leaked").toBe(before);
}

/**
 * How far float32 outputs may be from the reference on a backend less exact than the case
 * assumes (WebGL's GPU math): a value matches if it is within `ulps` (when more than the case's
 * own) or within the absolute error `abs` (a number, or a function of the expected value).
 */
export interface Tolerance {
  ulps?: number;
  abs?: number | ((want: number) => number);
}

/** Runs case `c` through `mode` and checks outputs, avals and memory (floats within `tol` if given). */
export function runCase(c: Case, mode: Mode, tol?: Tolerance): void {
  withInputs(
    c,
    (fn, args, avals) => {
      const run = mode.prepare(fn);
      if (c.error !== undefined) {
        const n = numTensors();
        expect(() => run(...args)).toThrow(c.error);
        expect(numTensors(), "tensors leaked by a failing call").toBe(n);
        return;
      }
      const outs = run(...args);
      try {
        checkOutputs(c, outs, avals, tol);
      } finally {
        dispose(outs);
      }
      // Steady state (jit's caches warm): a call frees all it allocates once its outputs are disposed.
      const n = numTensors();
      dispose(run(...args));
      expect(numTensors(), "tensors leaked by a call").toBe(n);
    },
    mode.caches || c.caches,
  );
}

/** The jaxpr of the case: well-typed, printing the primitive, with the rule's and reference's types. */
export function checkCaseJaxpr(c: Case): void {
  withInputs(c, (fn, args, avals) => {
    if (c.error !== undefined) {
      expect(() => makeJaxpr(fn)(...args)).toThrow(c.error);
      return;
    }
    const closed = makeJaxpr(fn)(...args);
    checkJaxpr(closed.jaxpr);
    expect(String(closed)).toMatch(new RegExp(`= ${c.prim}[\\[ ]`));
    const eqns = closed.eqns.filter((e) => e.primitive === primitiveOf(c));
    expect(eqns).toHaveLength(1);
    const rule = primitiveOf(c).abstractEval(avals, c.params);
    expect(eqns[0].outBinders.map((v) => v.aval.key())).toEqual(rule.map((a) => a.key()));
    expect(closed.outAvals.map(typeOf)).toEqual(reference(c).map(typeOf));
  });
}

const typeOf = (x: { dtype: string; shape: readonly number[]; weak?: boolean; weakType?: boolean }) => `${x.dtype}[${x.shape}]${x.weak || x.weakType ? " weak" : ""}`;
const reference = (c: Case): Host[] => c.ref!(...c.inputs);

export function checkOutputs(c: Case, outs: JaxArray[], inAvals: ShapedArray[], tol: Tolerance = {}): void {
  const ulps = Math.max(c.ulps, tol.ulps ?? 0);
  const absErr = (w: number) => (typeof tol.abs === "function" ? tol.abs(w) : (tol.abs ?? 0));
  const want = reference(c);
  const rule = primitiveOf(c).abstractEval(inAvals, c.params);
  expect(outs).toHaveLength(want.length);
  outs.forEach((out, k) => {
    expect(out).toBeInstanceOf(ArrayImpl);
    const a = out as ArrayImpl;
    // The aval: what the rule says, what the reference says, and how the tensor is stored.
    expect(a.aval.key(), `output ${k} aval vs abstractEval`).toBe(rule[k].key());
    expect(typeOf(a), `output ${k} type vs reference`).toBe(typeOf(want[k]));
    expect(a.tensor.dtype, `output ${k} storage dtype`).toBe(storageDtype(a.dtype));
    // A key array's tensor has a trailing axis of 2 uint32 words that its aval does not show.
    expect(a.tensor.shape, `output ${k} tensor shape`).toEqual(a.dtype === "key<fry>" ? [...a.shape, 2] : a.shape);
    const got = Array.from(a.dataSync(), Number);
    const bad: string[] = [];
    want[k].data.forEach((w, i) => {
      const g = got[i];
      const d = a.dtype === "float32" ? ulpDistance(g, w) : g === w ? 0 : Infinity;
      if (d > ulps && !(a.dtype === "float32" && Math.abs(g - w) <= absErr(w)))
        bad.push(`[${i}] got ${g}, want ${w}${a.dtype === "float32" ? ` (${d} ulps > ${ulps}${tol.abs !== undefined ? `, |error| > ${absErr(w)}` : ""})` : ""}`);
    });
    expect(bad, `output ${k} values; inputs ${c.inputs.map((x) => `[${x.data}]`).join(" ")}\n${bad.join("\n")}\n`).toEqual([]);
  });
}
