// XLA's algebraic simplifier under jit (src/jaxpr/passes/xla_divide.ts), against JAX's own outputs
// (scripts/jax_reference/xla_simplify.py → test/fixtures/xla_simplify_jax.json): a division by an
// exp, pow or rsqrt (directly or through a broadcast) is a product with its inverse, a division by
// a broadcast written out is a product with the reciprocal, and (a * C) * s keeps the constant
// with the scalar. random.ball divides by |g|_p^(1/p), which JAX computes as g * pow(s, -1/p).
// Also run on WebGL (test/browser/prng.test.ts).
import { describe, expect, test } from "vitest";
import { type Array, getBackend, jit, jnp, lax, random } from "../src/index.js";
import FIXTURE from "./fixtures/xla_simplify_jax.json" with { type: "json" };

const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
const bitsOf = (x: Array): number[] => globalThis.Array.from(new Uint32Array(Float32Array.from(x.dataSync()).buffer));
const [a, b, c] = (["a", "b", "c"] as const).map((k) => jnp.array(f32(FIXTURE.inputs[k])).reshape([256, 4]));
const s = jnp.array(FIXTURE.s);

const PROGRAMS: Record<string, () => Array> = {
  "a / exp(c)": () => jit((a: Array, c: Array) => a.div(jnp.exp(c)))(a, c) as Array,
  "a / pow(b, c)": () => jit((a: Array, b: Array, c: Array) => a.div(lax.pow(b, c)))(a, b, c) as Array,
  "a / rsqrt(b)": () => jit((a: Array, b: Array) => a.div(lax.rsqrt(b)))(a, b) as Array,
  "a / exp(c[:, 0])[:, None]": () => jit((a: Array, c: Array) => a.div(jnp.exp(c.get(":", 0)).get(":", null)))(a, c) as Array,
  "a / pow(b[:, 0], c[:, 0])[:, None]": () => jit((a: Array, b: Array, c: Array) => a.div(lax.pow(b.get(":", 0), c.get(":", 0)).get(":", null)))(a, b, c) as Array,
  "a / broadcast_to(b[:, :1], a.shape)": () => jit((a: Array, b: Array) => a.div(jnp.broadcastTo(b.get(":", ":1"), [256, 4])))(a, b) as Array,
  "(a * 3.3) * s": () => jit((a: Array, s: Array) => a.mul(3.3).mul(s))(a, s) as Array,
  "(a * s) * 3.3": () => jit((a: Array, s: Array) => a.mul(s).mul(3.3))(a, s) as Array,
};

describe(`XLA's rewrites under jit (JAX ${FIXTURE.jax}), bit for bit`, () => {
  test.each(Object.keys(PROGRAMS))("%s", (name) => {
    expect(bitsOf(PROGRAMS[name]())).toEqual((FIXTURE.programs as Record<string, number[]>)[name]);
  });
  // Not on WebGL: SwiftShader's shader compiler reorders the constant product (as it folds
  // (x * (1/3)) * 3 into x; test/xla_math.test.ts).
  test.skipIf(getBackend() === "webgl")("(a * 3.3) / s", () => {
    expect(bitsOf(jit((a: Array, s: Array) => a.mul(3.3).div(s))(a, s) as Array)).toEqual((FIXTURE.programs as Record<string, number[]>)["(a * 3.3) / s"]);
  });
  test("random.ball draws", () => {
    expect(bitsOf(random.ball(random.key(7), 3, 2.0, [400]))).toEqual(FIXTURE.ball);
  });
});
