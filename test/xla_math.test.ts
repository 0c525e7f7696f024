// jnp.exp, jnp.log and jnp.log1p on float32 give XLA CPU's own results bit for bit (JAX's draws of
// test/fixtures/xla_math_jax.json, scripts/jax_reference/xla_math.py), eagerly and under jit: the
// functions of lax/special.ts (exp32, log32, log1p32) in JS loops on cpu, wasm/xla_math.ts's SIMD
// on wasm. So do jnp.tan and jnp.power, which XLA leaves to glibc's tanf and powf (lax/libm32.ts,
// called per element on cpu and per lane on wasm). NaNs compare as NaNs (their payloads are not
// compared). Also run on WebGL (test/browser/prng.test.ts): the shaders compute the same
// functions (fusion/glsl_math.ts).
import { describe, expect, test } from "vitest";
import { type Array, jit, jnp } from "../src/index.js";
import { exp32, log1p32, log32 } from "../src/lax/special.js";
import { powf32, tanf32 } from "../src/lax/libm32.js";
import FIXTURE from "./fixtures/xla_math_jax.json" with { type: "json" };

const cases = FIXTURE.cases as Record<string, { x: number[]; y: number[] }>;
const HOST: Record<string, (x: number) => number> = { exp: exp32, log: log32, log1p: log1p32, tan: tanf32 };
const f32 = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);
/** Bit patterns, every NaN as the canonical quiet NaN. */
const canon = (xs: ArrayLike<number>) => globalThis.Array.from(new Uint32Array(Float32Array.from(xs, (v) => (Number.isNaN(v) ? NaN : v)).buffer));

describe(`XLA CPU's float32 exp, log, log1p, tan (JAX ${FIXTURE.jax}), bit for bit`, () => {
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

// Bases and exponents across the ranges samplers use, bases near 1 to large powers, results into
// the subnormals (flushed to zero: XLA's code runs with FTZ/DAZ set, and so does the powf it calls),
// negative bases to integer powers, and every pair of 15 special values.
test(`XLA CPU's float32 pow (glibc's powf, JAX ${FIXTURE.jax}), bit for bit`, () => {
  const P = FIXTURE.pow as { a: number[]; b: number[]; y: number[] };
  const [a, b] = [f32(P.a), f32(P.b)];
  const want = canon(f32(P.y));
  expect(canon(globalThis.Array.from(a, (x, i) => powf32(x, b[i])))).toEqual(want);
  expect(canon(jnp.power(jnp.array(a), jnp.array(b)).dataSync())).toEqual(want);
  expect(canon((jit((x: Array, y: Array) => jnp.power(x, y))(jnp.array(a), jnp.array(b)) as Array).dataSync())).toEqual(want);
});

// XLA's algebraic simplifier computes a / broadcast(b) and a / constant as a * (1 / b): JAX's
// `x / 3` and `x / row` on CPU are those products (1/3 of them differ from a true quotient).
describe(`XLA CPU's float32 division (JAX ${FIXTURE.jax}), bit for bit`, () => {
  const div = FIXTURE.div as { x: number[]; row: number[]; full: number[]; y: Record<string, number[]> };
  const [x, row, full] = [f32(div.x), f32(div.row), f32(div.full)];
  const programs: Record<string, () => Array> = {
    "x / 3": () => jnp.array(x).div(3),
    "jit x / 3": () => jit((a: Array) => a.div(3))(jnp.array(x)),
    "x / b (b: f32[])": () => jnp.divide(jnp.array(x), jnp.array(row[0])),
    "x / row (x: f32[512, 4])": () => jnp.divide(jnp.array(x).reshape([512, 4]), jnp.array(row)),
    "x / y (same shape)": () => jnp.divide(jnp.array(x), jnp.array(full)),
  };
  test.each(Object.keys(programs))("%s", (name) => {
    expect(canon(programs[name]().dataSync())).toEqual(canon(f32(div.y[name])));
  });
  // (v / 3) * 3 under jit is v * (1/3) * 3, and XLA multiplies the two constants first: v * 1, so
  // JAX returns x / row itself (scripts/jax_reference: jit(((a / r) + 0) / 3 * 3) equals a / r).
  test("fused: jit of a chain dividing by a scalar and by a row", () => {
    const f = jit((a: Array, r: Array) => jnp.divide(a.reshape([512, 4]), r).reshape([2048]).add(0).div(3).mul(3));
    expect(canon(f(jnp.array(x), jnp.array(row)).dataSync())).toEqual(canon(f32(div.y["x / row (x: f32[512, 4])"])));
  });
});
