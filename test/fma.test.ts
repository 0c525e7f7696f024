// Fused multiply-adds (a*b + c, one rounding), as XLA's CPU backend computes _uniform's
// scale-and-shift and erf_inv's polynomials: the host fma32, the fused kernels' fma node on this
// backend, and where the fusion planner makes one.
import { describe, expect, test } from "vitest";
import { jnp, makeJaxpr, random, type Array } from "../src/index.js";
import { fma32 } from "../src/lax/special.js";
import { compileJsKernel } from "../src/backends/fusion/jsloop.js";
import type { FusedProgram } from "../src/backends/fusion/ir.js";
import { planFusion } from "../src/backends/fusion/plan.js";
import { optimize } from "../src/jaxpr/passes/index.js";
import { convertConstvars } from "../src/tracer/jaxpr_trace.js";
import { exactFma32, f32bits, fmaCases } from "./prng_reference.js";

const CASES = fmaCases(20_000);

describe("fma32", () => {
  test("rounds once: equal to the exact sum rounded to float32, also where a float64 sum would round twice", () => {
    const naiveWrong = CASES.filter(([a, b, c]) => Math.fround(a * b + c) !== exactFma32(a, b, c)).length;
    expect(naiveWrong).toBeGreaterThan(1000); // the cases do exercise double rounding
    expect(f32bits(CASES.map(([a, b, c]) => fma32(a, b, c)))).toEqual(f32bits(CASES.map(([a, b, c]) => exactFma32(a, b, c))));
    // 1 + 2^-24 (1 + 2^-30): above the midpoint between 1 and 1 + 2^-23, though its float64 is on it.
    expect(fma32(1047553 * 2 ** -44, 1025 * 2 ** -10, 1)).toBe(1 + 2 ** -23);
  });
  test("special values", () => {
    const max = Math.fround(2 ** 128 - 2 ** 104);
    expect(fma32(Infinity, 1, 0)).toBe(Infinity);
    expect(fma32(Infinity, 0, 1)).toBeNaN();
    expect(fma32(Infinity, 1, -Infinity)).toBeNaN();
    expect(fma32(NaN, 1, 1)).toBeNaN();
    expect(Object.is(fma32(-0, 1, -0), -0)).toBe(true);
    expect(fma32(max, 2, -max)).toBe(max); // the product overflows float32, not the sum
    expect(fma32(max, 1, 2 ** 103)).toBe(Infinity); // the midpoint to 2^128 rounds up (to even)
    // max + 2^103 - 2^70 (a product: 2^33 - 1 = 14329 * 599479) is below it, though its float64 is on it.
    expect(Math.fround(14329 * 2 ** 70 * 599479 + max)).toBe(Infinity);
    expect(fma32(14329 * 2 ** 70, 599479, max)).toBe(max);
    expect(fma32(-14329 * 2 ** 70, 599479, -max)).toBe(-max);
    expect(fma32(2 ** -100, 2 ** -49, 0)).toBe(2 ** -149); // subnormal product, exact
  });
});

describe("the fma node", () => {
  test("the JS loop kernel rounds once", () => {
    const p: FusedProgram = {
      shape: [CASES.length],
      inputs: [0, 1, 2].map(() => ({ shape: [CASES.length], strides: [1], type: "f32" as const })),
      nodes: [0, 1, 2].map((index) => ({ op: "input" as const, index, type: "f32" as const })).concat([{ op: "fma", a: 0, b: 1, c: 2, type: "f32" } as never]),
      outputs: [3],
    };
    const ins = [0, 1, 2].map((j) => Float32Array.from(CASES, (t) => t[j]));
    const out = new Float32Array(CASES.length);
    compileJsKernel(p).run(ins, [out]);
    expect(f32bits(out)).toEqual(f32bits(CASES.map(([a, b, c]) => exactFma32(a, b, c))));
  });
});

describe("contraction in the fusion planner", () => {
  const plan = (f: (...a: any[]) => unknown, ...args: unknown[]) => planFusion(optimize(convertConstvars(makeJaxpr(f)(...args).jaxpr)));
  const fmas = (f: (...a: any[]) => unknown, ...args: unknown[]) =>
    plan(f, ...args).flatMap((i) => (i.kind === "group" ? i.group.program.nodes.filter((n) => n.op === "fma") : [])).length;
  test("_uniform's scale-and-shift is one fma, with bounds of any kind, as in JAX's jaxpr text", () => {
    expect(fmas((k: Array) => random.uniform(k, [5], "float32", -3, 7), random.key(0))).toBe(1);
    expect(fmas((k: Array, lo: Array) => random.uniform(k, [5], "float32", lo, 7), random.key(0), jnp.arange(5))).toBe(1);
    expect(fmas((k: Array) => random.normal(k, [5]), random.key(0))).toBe(1);
    expect(fmas((k: Array) => jnp.sum(random.uniform(k, [5], "float32", -3, 7)), random.key(0))).toBe(1);
  });
  test("user arithmetic is not contracted: jit stays equal to eager", () => {
    expect(fmas((x: Array, y: Array, z: Array) => jnp.add(jnp.multiply(x, y), z), jnp.ones([4]), jnp.ones([4]), jnp.ones([4]))).toBe(0);
  });
  test("eager and jitted random.uniform draw the same bits", async () => {
    const { jit } = await import("../src/index.js");
    const k = random.key(3);
    const flat = (x: Array) => globalThis.Array.from(x.dataSync(), Number);
    const f = (kk: Array) => random.uniform(kk, [1000], "float32", -3, 7);
    expect(f32bits(flat(jit(f)(k) as Array))).toEqual(f32bits(flat(f(k))));
  });
});
