// jnp.sum over short rows adds up in XLA CPU's order (src/backends/fusion/sum_order.ts), checked
// against JAX's own sums (scripts/jax_reference/sum_order.py → test/fixtures/sum_order_jax.json):
// a float32 fold below 4096 elements, with each product contracted into an FMA when the sum is
// fused with it (jit(sum(x*x)); eagerly the squares are rounded first, in JAX as here), and
// YNNPACK's even/odd order from 4096 elements on. maxwell's norm of three normals is such a sum.
import { describe, expect, test } from "vitest";
import { type Array, jit, jnp, random } from "../src/index.js";
import FIXTURE from "./fixtures/sum_order_jax.json" with { type: "json" };

type Case = { x: number[]; sum: number[]; "jit sum of squares": number[]; "sum of squares": number[] };
const sums = FIXTURE.sums as Record<string, Case>;
const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (x: Array): number[] => globalThis.Array.from(new Uint32Array(Float32Array.from(x.dataSync()).buffer));

describe(`XLA CPU's float32 row sums (JAX ${FIXTURE.jax}), bit for bit`, () => {
  test.each(Object.keys(sums))("%s", (name) => {
    const c = sums[name];
    const [n, k] = name.split("x").map(Number);
    const x = jnp.array(f32(c.x)).reshape([n, k]);
    expect(bitsOf(jnp.sum(x, -1))).toEqual(c.sum);
    expect(bitsOf(jit((a: Array) => jnp.sum(a, -1))(x) as Array)).toEqual(c.sum);
    expect(bitsOf(jit((a: Array) => jnp.sum(a.mul(a), -1))(x) as Array)).toEqual(c["jit sum of squares"]);
    expect(bitsOf(jnp.sum(x.mul(x), -1))).toEqual(c["sum of squares"]);
  });

  test.each(Object.keys(FIXTURE.maxwell))("maxwell, %s draws", (n) => {
    const want = (FIXTURE.maxwell as Record<string, number[]>)[n];
    expect(bitsOf(random.maxwell(random.key(1701), [Number(n)]))).toEqual(want);
  });
});
