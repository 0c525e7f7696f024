// The vmap mode of the primitive harness: a case's inputs and two variations of them (permuted
// elements, shifted scalars) stacked along a new batch axis, at 0, at 1 or -1, or left unmapped
// (null) for some operands; vmap of the case's function must equal a loop over the examples,
// eagerly and under jit.
import { expect } from "vitest";
import type { Array as JaxArray } from "../../src/array/base.js";
import { ArrayImpl } from "../../src/array/array.js";
import { isKey } from "../../src/dtypes.js";
import type { ShapedArray } from "../../src/jaxpr/aval.js";
import type { BatchDim } from "../../src/jaxpr/jaxpr.js";
import { jit } from "../../src/tracer/jit.js";
import { vmap } from "../../src/tracer/vmap.js";
import type { Case } from "./cases.js";
import { type Placement, placementOf, rng } from "./grad.js";
import { type Host, size, ulpDistance, unravel } from "./ref.js";
import { dispose, materialize, withInputs } from "./run.js";

const BATCH = 3;

/** Every case with operands to batch (a primitive without operands never meets a batch rule). */
export const hasVmapMode = (c: Case): boolean => c.error === undefined && !!c.ref && c.inputs.some((x) => !x.literal);

/** Words per element of a host's data: a key is 2 uint32 words. */
const words = (h: { dtype: Host["dtype"] }) => (isKey(h.dtype) ? 2 : 1);

/**
 * Example `k` of an input: the input itself for k = 0; otherwise its elements permuted (which
 * keeps every value in the operand's domain: indices in range, logs of positives) or, for a
 * single element, a nearby value of the same kind.
 */
function variation(x: Host, k: number, r: () => number): Host {
  if (k === 0) return x;
  const w = words(x);
  const n = x.data.length / w;
  if (n >= 2) {
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return { ...x, data: order.flatMap((i) => x.data.slice(i * w, (i + 1) * w)) };
  }
  const shift = (v: number): number => {
    switch (x.dtype) {
      case "float32":
        return Math.fround(v === 0 ? k / 4 : v * (1 + k / 4));
      case "bool":
        return k % 2 ? 1 - v : v;
      case "int32":
        return (v + k) | 0;
      default:
        return (v + k) >>> 0; // uint32 and key words
    }
  };
  return { ...x, data: x.data.map(shift) };
}

/** `xs` stacked along a new axis at `axis` (non-negative). */
function stack(xs: Host[], axis: number): Host {
  const inner = xs[0].shape;
  const shape = [...inner.slice(0, axis), xs.length, ...inner.slice(axis)];
  const w = words(xs[0]);
  const data: number[] = [];
  for (let i = 0; i < size(shape); i++) {
    const idx = unravel(i, shape);
    const b = idx.splice(axis, 1)[0];
    const o = idx.reduce((acc, j, d) => acc * inner[d] + j, 0);
    data.push(...xs[b].data.slice(o * w, (o + 1) * w));
  }
  return { ...xs[0], shape, data };
}

/** Example `b` of a batched output whose batch axis is 0: its data. */
function slice(data: number[], shape: readonly number[], w: number, b: number): number[] {
  const n = size(shape.slice(1)) * w;
  return data.slice(b * n, (b + 1) * n);
}

/**
 * The in_axes tried: all 0; then, with several operands, the first unmapped and the others at
 * axis 1 (where they have one), and the last unmapped and the others at axis -1; with one
 * operand of rank >= 1, axis 1.
 */
function axisConfigs(c: Case): BatchDim[][] {
  const dyn = c.inputs.filter((x) => !x.literal);
  const configs: BatchDim[][] = [dyn.map(() => 0)];
  if (dyn.length >= 2) {
    configs.push(dyn.map((x, i) => (i === 0 ? null : x.shape.length >= 1 ? 1 : 0)));
    configs.push(dyn.map((x, i) => (i === dyn.length - 1 ? null : -1)));
  } else if (dyn[0].shape.length >= 1) configs.push([1]);
  return configs;
}

const hostOf = (a: JaxArray): number[] => Array.from((a as ArrayImpl).dataSync(), Number);

/** The loop over the examples, computed once per case and configuration (eager is the reference for every placement). */
type Loop = { aval: ShapedArray; data: number[] }[][];
const loops = new WeakMap<Case, Map<string, Loop>>();
function loopOutputs(c: Case, dims: BatchDim[], compute: () => Loop): Loop {
  let m = loops.get(c);
  if (!m) loops.set(c, (m = new Map()));
  const key = String(dims);
  let loop = m.get(key);
  if (!loop) m.set(key, (loop = compute()));
  return loop;
}
const fmt = (d: BatchDim[]) => `in_axes=(${d.map((a) => (a === null ? "None" : a)).join(", ")})`;

/**
 * Runs the vmap mode on case `c` for every in_axes configuration: eagerly, under jit
 * (`jit(vmap(f))`) or of a jitted function (`vmap(jit(f))`, which runs jit's batching rule).
 */
export function checkVmap(c: Case, placement: Placement | boolean): void {
  const where = placementOf(placement);
  const r = rng(c.name);
  const dyn = c.inputs.filter((x) => !x.literal);
  const examples = Array.from({ length: BATCH }, (_, k) => dyn.map((x) => variation(x, k, r)));
  withInputs(
    c,
    (fn) => {
      // Under jit, one configuration (the least regular): jit's staging does not depend on it.
      const configs = axisConfigs(c);
      for (const dims of where === "eager" ? configs : configs.slice(-1)) {
        // Unmapped operands take example 0's value in every example.
        const perExample = examples.map((ex) => ex.map((x, i) => (dims[i] === null ? examples[0][i] : x)));
        const batched = dyn.map((x, i) => {
          const d = dims[i];
          if (d === null) return materialize(x);
          return materialize(stack(perExample.map((ex) => ex[i]), d < 0 ? d + x.shape.length + 1 : d));
        });
        const run = vmap(where === "of jit" ? jit(fn) : fn, { inAxes: dims });
        const outs = (where === "under jit" ? jit(run) : run)(...batched);
        try {
          const loop = loopOutputs(c, dims, () =>
            perExample.map((ex) => {
              const ins = ex.map(materialize);
              const o = fn(...ins);
              const res = o.map((a) => ({ aval: a.aval, data: hostOf(a) }));
              dispose([...ins, ...o]);
              return res;
            }),
          );
          expect(outs.length, fmt(dims)).toBe(loop[0].length);
          outs.forEach((out, k) => {
            const want = loop[0][k].aval;
            expect(out.aval.key(), `${fmt(dims)}: output ${k} type`).toBe(want.update({ shape: [BATCH, ...want.shape] }).key());
            const data = hostOf(out);
            const bad: string[] = [];
            for (let b = 0; b < BATCH; b++) {
              const got = slice(data, out.shape, words(want), b);
              const exp = loop[b][k].data;
              got.forEach((g, i) => {
                const d = want.dtype === "float32" ? ulpDistance(g, exp[i]) : g === exp[i] ? 0 : Infinity;
                if (d > 2 * c.ulps) bad.push(`example ${b} [${i}]: got ${g}, loop ${exp[i]}`);
              });
            }
            if (bad.length) throw new Error(`${fmt(dims)}: output ${k}, examples ${JSON.stringify(perExample.map((ex) => ex.map((x) => x.data)))}:\n${bad.join("\n")}`);
          });
        } finally {
          dispose([...batched, ...outs]);
        }
      }
    },
    true,
  );
}
