// jnp.exp, jnp.log and jnp.log1p on float32 give XLA CPU's own results bit for bit (JAX's draws of
// test/fixtures/xla_math_jax.json, scripts/jax_reference/xla_math.py), eagerly and under jit: the
// functions of lax/special.ts (exp32, log32, log1p32) in JS loops on cpu, wasm/xla_math.ts's SIMD
// on wasm. NaNs compare as NaNs (their payloads are not compared). Not on WebGL (GLSL exp/log).
import { describe, expect, test } from "vitest";
import { type Array, jit, jnp } from "../src/index.js";
import { exp32, log1p32, log32 } from "../src/lax/special.js";
import FIXTURE from "./fixtures/xla_math_jax.json" with { type: "json" };

const cases = FIXTURE.cases as Record<string, { x: number[]; y: number[] }>;
const HOST: Record<string, (x: number) => number> = { exp: exp32, log: log32, log1p: log1p32 };
const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
/** Bit patterns, every NaN as the canonical quiet NaN. */
const canon = (xs: ArrayLike<number>) => globalThis.Array.from(new Uint32Array(Float32Array.from(xs, (v) => (Number.isNaN(v) ? NaN : v)).buffer));

describe(`XLA CPU's float32 exp, log, log1p (JAX ${FIXTURE.jax}), bit for bit`, () => {
  test.each(Object.keys(HOST))("%s", (name) => {
    const { x, y } = cases[name];
    const xs = f32(x);
    const want = canon(f32(y));
    expect(canon(globalThis.Array.from(xs, HOST[name]))).toEqual(want);
    const f = (a: Array) => (jnp as unknown as Record<string, (a: Array) => Array>)[name](a);
    expect(canon(f(jnp.array(xs)).dataSync())).toEqual(want);
    expect(canon((jit(f)(jnp.array(xs)) as Array).dataSync())).toEqual(want);
  });
});
