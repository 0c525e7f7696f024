// Fusion: elementwise chains become one generated kernel, with results equal to tfjs's
// op-by-op kernels bit for bit on the CPU backend.
import { describe, expect, test } from "vitest";
import { getBackend, jit, jnp, lax, makeJaxpr, type Array } from "../src/index.js";
import { planFusion } from "../src/backends/fusion/plan.js";
import { optimize } from "../src/jaxpr/passes/index.js";
import { convertConstvars } from "../src/tracer/jaxpr_trace.js";
import { chain } from "../examples/fusion.js";

const plan = (f: (...a: any[]) => unknown, ...args: unknown[]) => planFusion(optimize(convertConstvars(makeJaxpr(f)(...args).jaxpr)));
const kinds = (items: ReturnType<typeof planFusion>) => items.map((i) => (i.kind === "group" ? `fused(${i.group.eqns.length})` : i.eqn.primitive.name));

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
    expect(bits(jit(chain)(x) as Array)).toEqual(bits(chain(x)));
  });
  test("broadcast operands, selects, compares, converts, integer_pow, several outputs", () => {
    const f = (a: Array, b: Array) => {
      const c = jnp.where(jnp.greater(a, b), jnp.power(a, 3), jnp.negative(b));
      const d = jnp.add(jnp.floor(c), jnp.astype(jnp.less(a, 0), "float32"));
      return [c, jnp.multiply(d, jnp.round(a)), jnp.abs(d)];
    };
    const a = jnp.reshape(jnp.linspace(-2, 2, 12), [4, 3]);
    const b = jnp.array([0.5, -1, 0.25]);
    const want = f(a, b).map(bits);
    const got = (jit(f)(a, b) as Array[]).map(bits);
    expect(got).toEqual(want);
  });
  test("seeded random elementwise programs", () => {
    let seed = 12345;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const unary = [jnp.sin, jnp.cos, jnp.exp, jnp.tanh, jnp.abs, jnp.negative, (v: Array) => jnp.sqrt(jnp.abs(v)), (v: Array) => lax.logistic(v)];
    const binary = [jnp.add, jnp.subtract, jnp.multiply, jnp.maximum, jnp.minimum, (p: Array, q: Array) => jnp.divide(p, jnp.add(jnp.abs(q), 1))];
    for (let t = 0; t < 40; t++) {
      const ops: [number, number, number][] = Array.from({ length: 3 + Math.floor(rand() * 10) }, () => [Math.floor(rand() * 3), Math.floor(rand() * 8), Math.floor(rand() * 6)]);
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
      expect(bits(jit(f)(p, q) as Array), `program ${t}`).toEqual(bits(f(p, q)));
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
