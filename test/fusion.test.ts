// Fusion: elementwise chains become one generated kernel, with results equal to tfjs's
// op-by-op kernels bit for bit on the CPU backend: a jitted function against its optimised jaxpr
// (the one the fusion planner sees, after XLA's algebraic rewrites such as (x * C1) * C2 →
// x * (C1 C2), which make JAX's jit differ from its eager ops too) run op by op.
import { describe, expect, test } from "vitest";
import { config, evalJaxpr, getBackend, jit, jnp, lax, makeJaxpr, random, type Array } from "../src/index.js";
import { planFusion } from "../src/backends/fusion/plan.js";
import { optimize } from "../src/jaxpr/passes/index.js";
import { convertConstvars } from "../src/tracer/jaxpr_trace.js";
import { chain } from "../examples/fusion.js";
import { type K, f32bits, ref } from "./prng_reference.js";
import { bitcast_convert_type_p } from "../src/prng/bitcast.js";
import { bind1 } from "../src/tracer/core.js";

const plan = (f: (...a: any[]) => unknown, ...args: unknown[]) => planFusion(optimize(convertConstvars(makeJaxpr(f)(...args).jaxpr)));
const kinds = (items: ReturnType<typeof planFusion>) => items.map((i) => (i.kind === "group" ? `fused(${i.group.eqns.length})` : i.eqn.primitive.name));

/** f's optimised jaxpr evaluated one primitive at a time (no fusion). */
const opByOp = (f: (...a: Array[]) => unknown, ...args: Array[]): Array[] => {
  const closed = makeJaxpr(f)(...args);
  return evalJaxpr(optimize(convertConstvars(closed.jaxpr)), ...(closed.consts as Array[]), ...args);
};

function bits(a: Array): number[] {
  return [...new Uint32Array(new Float32Array(a.dataSync() as Float32Array).buffer)];
}

describe("planning", () => {
  test("an 11-op chain is one kernel", () => {
    expect(kinds(plan(chain, jnp.ones([8])))).toEqual(["fused(12)"]);
  });
  test("a reduction splits the chain; the group feeding it is emitted before it", () => {
    const f = (x: Array) => jnp.multiply(jnp.exp(jnp.sin(x)), jnp.sum(jnp.cos(jnp.sin(x))));
    expect(kinds(plan(f, jnp.ones([8])))).toEqual(["fused(3)", "reduce_sum", "mul"]);
  });
  test("size-1 broadcasting reads with stride 0 (jnp's rank-only broadcast stays a cheap view)", () => {
    const f = (x: Array, b: Array) => jnp.tanh(jnp.add(jnp.multiply(x, 2), b));
    const items = plan(f, jnp.ones([4, 3]), jnp.ones([3]));
    expect(kinds(items)).toEqual(["broadcast_in_dim", "fused(3)"]);
    const g = items[1].kind === "group" ? items[1].group : null;
    expect(g!.program.inputs.map((i) => i.strides)).toEqual([[3, 1], [0, 1]]);
  });
  test("integer arithmetic stays on tfjax's exact host kernels", () => {
    const f = (x: Array) => jnp.multiply(jnp.add(x, 1), 3);
    expect(kinds(plan(f, jnp.ones([4], { dtype: "int32" })))).toEqual(["add", "mul"]);
  });
});

describe("results equal op-by-op execution bit for bit (CPU)", () => {
  const x = jnp.linspace(-3, 3, 1001);
  test("the chain", () => {
    expect(bits(jit(chain)(x) as Array)).toEqual(bits(opByOp(chain, x)[0]));
  });
  test("broadcast operands, selects, compares, converts, integer_pow, several outputs", () => {
    const f = (a: Array, b: Array) => {
      const c = jnp.where(jnp.greater(a, b), jnp.power(a, 3), jnp.negative(b));
      const d = jnp.add(jnp.floor(c), jnp.astype(jnp.less(a, 0), "float32"));
      return [c, jnp.multiply(d, jnp.round(a)), jnp.abs(d)];
    };
    const a = jnp.reshape(jnp.linspace(-2, 2, 12), [4, 3]);
    const b = jnp.array([0.5, -1, 0.25]);
    const want = opByOp(f, a, b).map(bits);
    const got = (jit(f)(a, b) as Array[]).map(bits);
    expect(got).toEqual(want);
  });
  test("erf_inv in blocks (its operand also used after it, a partial last block) equals the eager kernel", () => {
    const f = (v: Array) => {
      const u = jnp.multiply(v, 0.999);
      return [jnp.add(lax.erfInv(u), jnp.multiply(u, 3)), jnp.sin(v)];
    };
    const v = jnp.linspace(-1, 1, 10_007);
    expect((jit(f)(v) as Array[]).map(bits)).toEqual(opByOp(f, v).map(bits));
  });
  test("seeded random elementwise programs", () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const unary = [jnp.sin, jnp.cos, jnp.exp, jnp.tanh, jnp.abs, jnp.negative, (v: Array) => jnp.sqrt(jnp.abs(v)), (v: Array) => lax.logistic(v)];
    const binary = [jnp.add, jnp.subtract, jnp.multiply, jnp.maximum, jnp.minimum, (p: Array, q: Array | number) => jnp.divide(p, jnp.add(jnp.abs(q), 1))];
    for (let t = 0; t < 40; t++) {
      const ops: [number, number, number][] = globalThis.Array.from({ length: 3 + Math.floor(rand() * 10) }, () => [Math.floor(rand() * 3), Math.floor(rand() * 8), Math.floor(rand() * 6)]);
      const f = (p: Array, q: Array) => {
        const vals = [p, q];
        for (const [kind, u, b] of ops) {
          const a = vals[vals.length - 1];
          const other = vals[Math.floor(vals.length / 2)];
          vals.push(kind === 0 ? unary[u](a) : kind === 1 ? binary[b](a, other) : binary[b](a, 0.75));
        }
        return vals[vals.length - 1];
      };
      const p = jnp.linspace(-2, 2, 64);
      const q = jnp.linspace(3, -1, 64);
      expect(bits(jit(f)(p, q) as Array), `program ${t}`).toEqual(bits(opByOp(f, p, q)[0]));
    }
  });
});

describe("reductions as epilogues", () => {
  const loss = (x: Array, y: Array) => jnp.sum(jnp.square(jnp.subtract(jnp.tanh(x), y)));
  const rows = (x: Array) => jnp.sum(jnp.exp(jnp.sin(x)), 1);
  const cols = (x: Array) => jnp.sum(jnp.exp(jnp.sin(x)), 0);
  test("a sum that is the chain's only consumer is computed inside the kernel", () => {
    expect(kinds(plan(loss, jnp.ones([8]), jnp.ones([8])))).toEqual(["fused(4)"]);
    expect(kinds(plan(rows, jnp.ones([4, 3])))).toEqual(["fused(3)"]);
    // A chain value read elsewhere too is materialised; the sum stays a tfjs kernel.
    const both = (x: Array) => [jnp.sum(jnp.exp(jnp.sin(x))), jnp.exp(jnp.sin(x))];
    expect(kinds(plan(both, jnp.ones([8])))).toEqual(["fused(2)", "reduce_sum"]);
  });
  test("the fused sum equals tfjs's Sum kernel (bit for bit on cpu), over any axes", () => {
    const x = jnp.reshape(jnp.linspace(-3, 3, 12 * 7), [12, 7]);
    const y = jnp.reshape(jnp.linspace(1, -2, 12 * 7), [12, 7]);
    for (const [f, args] of [[loss, [x, y]], [rows, [x]], [cols, [x]]] as [(...a: Array[]) => Array, Array[]][]) {
      const got = jit(f)(...args) as Array;
      const want = f(...args);
      // tfjs-wasm's Sum accumulates in float32 where tfjs-cpu (and the fused loop) use float64.
      if (getBackend() === "cpu") expect(bits(got)).toEqual(bits(want));
      else [...got.dataSync()].forEach((g, i) => expect(g).toBeCloseTo(Number(want.dataSync()[i]), 4));
    }
  });
});

describe("bit operations and random bits", () => {
  const flat = (x: Array) => globalThis.Array.from(x.dataSync() as ArrayLike<number>, Number);
  const groupOf = (items: ReturnType<typeof planFusion>) => items.flatMap((i) => (i.kind === "group" ? [i.group.eqns.map((e) => e.primitive.name)] : []));
  const k = random.key(7);
  const kd = flat(random.keyData(k)) as K;
  const withStream = (part: boolean, f: () => void) => {
    config.update("jax_threefry_partitionable", part);
    try {
      f();
    } finally {
      config.update("jax_threefry_partitionable", true);
    }
  };

  test("uint32 shifts, bit operations and bitcasts fuse, and agree with the op-by-op kernels", () => {
    const f = (x: Array, y: Array) => {
      const a = lax.bitwiseXor(lax.shiftRightLogical(x, y), lax.shiftLeft(x, jnp.array(3, { dtype: "uint32" })));
      const b = lax.bitwiseOr(lax.bitwiseAnd(a, lax.bitwiseNot(y)), lax.shiftRightArithmetic(x, y));
      const mantissa = lax.bitwiseOr(lax.shiftRightLogical(b, jnp.array(9, { dtype: "uint32" })), jnp.array(0x3f800000, { dtype: "uint32" }));
      return [b, bind1(bitcast_convert_type_p, [mantissa], { new_dtype: "float32" })];
    };
    const words = [0, 1, 5, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff, 123456789, 2 ** 24 + 1, 2 ** 31 + 7];
    const shifts = [0, 1, 9, 31, 32, 33, 0xffffffff, 7, 16, 24];
    const x = jnp.array(words, { dtype: "uint32" });
    const y = jnp.array(shifts, { dtype: "uint32" });
    expect(groupOf(plan(f, x, y))).toHaveLength(1);
    const want = f(x, y).map(flat);
    const got = (jit(f)(x, y) as Array[]).map(flat);
    expect(got[0]).toEqual(want[0]);
    expect(f32bits(got[1])).toEqual(f32bits(want[1]));
  });

  test("uniform, normal and bernoulli are each one kernel, starting from random_bits", () => {
    const cases: [(k: Array) => Array, string][] = [
      [(key) => random.uniform(key, [8]), "max"],
      [(key) => random.normal(key, [8]), "mul"],
      [(key) => random.bernoulli(key, 0.3, [8]), "lt"],
    ];
    for (const [f, last] of cases) {
      const items = plan(f, k);
      const groups = groupOf(items);
      expect(groups).toHaveLength(1);
      expect(groups[0][0]).toBe("random_bits");
      expect(groups[0].at(-1)).toBe(last);
      // What stays outside works on the scalar bounds only.
      for (const i of items) if (i.kind === "eqn") expect(i.eqn.outBinders[0].aval.size).toBeLessThanOrEqual(1);
    }
  });

  for (const part of [true, false])
    test(`fused samplers draw the reference stream (partitionable=${part}), across tails and chunks`, () =>
      withStream(part, () => {
        for (const shape of [[1], [5], [3, 5, 7], [70_001]]) {
          const n = shape.reduce((a, b) => a * b, 1);
          expect(f32bits(flat(random.uniform(k, shape, "float32", -2, 3)))).toEqual(f32bits(ref.uniform(kd, n, part, -2, 3)));
          expect(f32bits(flat(random.normal(k, shape)))).toEqual(f32bits(ref.normal(kd, n, part)));
          expect(flat(random.bernoulli(k, 0.3, shape))).toEqual(ref.uniform(kd, n, part).map((u) => Number(u < Math.fround(0.3))));
        }
      }));

  test("a compiled plan follows jax_threefry_partitionable when it runs", () => {
    const f = jit((key: Array) => random.normal(key, [9]));
    expect(f32bits(flat(f(k)))).toEqual(f32bits(ref.normal(kd, 9, true)));
    withStream(false, () => expect(f32bits(flat(f(k)))).toEqual(f32bits(ref.normal(kd, 9, false))));
  });

  test("random bits inside a reduction epilogue count elements by their row-major index", () => {
    const f = (key: Array) => jnp.sum(random.uniform(key, [4, 5]), 1);
    expect(groupOf(plan(f, k))[0]).toContain("reduce_sum");
    for (const part of [true, false])
      withStream(part, () => {
        const u = ref.uniform(kd, 20, part);
        const want = [0, 1, 2, 3].map((r) => Math.fround(u.slice(5 * r, 5 * r + 5).reduce((a, b) => a + b, 0)));
        flat(jit(f)(k)).forEach((g, r) => expect(g).toBeCloseTo(want[r], 5));
      });
  });
});
