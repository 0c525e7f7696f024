// jax.random on WebGL, in headless Chromium (SwiftShader): the whole known-answer suite of
// test/prng.test.ts runs here too, then large draws against the hash-built reference. Bits never
// pass through a float texture: key words go to the shader as uniforms, the hash runs in uint
// arithmetic and the floats are made in the same shader.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { type Array as JaxArray, config, getBackend, jit, lax, numpy as jnp, random } from "../../src/index.js";
import { erfInv32 } from "../../src/lax/special.js";
import { type K, f32bits, ref, ulpDistance } from "../prng_reference.js";
import "../prng.test.js";
import GAMMA from "../fixtures/random_gamma_jax.json" with { type: "json" };
import "../random_exact.test.js";
import "../xla_math.test.js";
import "../xla_simplify.test.js";

const flat = (x: JaxArray) => Array.from((x as unknown as { dataSync(): ArrayLike<number> }).dataSync(), Number);
const words = (k: JaxArray) => flat(random.keyData(k)) as K;

/** The user code of every WebGL program `f` runs. */
function programsOf(f: () => void): string[] {
  type Program = { userCode: string };
  const backend = tf.backend() as unknown as { compileAndRun(p: Program, ...rest: unknown[]): unknown };
  const original = backend.compileAndRun;
  const seen: string[] = [];
  backend.compileAndRun = function (p: Program, ...rest: unknown[]) {
    seen.push(p.userCode);
    return original.call(this, p, ...rest);
  };
  try {
    f();
  } finally {
    backend.compileAndRun = original;
  }
  return seen;
}

describe("random on webgl: samplers are one shader each", () => {
  it("runs on WebGL", () => expect(getBackend()).toBe("webgl"));

  it("uniform, normal and bernoulli: the hash, the float conversion and the sampler in one shader", () => {
    const k = random.key(3);
    for (const draw of [() => random.uniform(k, [1000]), () => random.normal(k, [1000]), () => random.bernoulli(k, 0.3, [1000])]) {
      let x: JaxArray | null = null;
      const shaders = programsOf(() => void (x = draw())).filter((s) => s.includes("uintBitsToFloat"));
      expect(shaders).toHaveLength(1);
      expect(shaders[0]).toMatch(/uint k0_0 = uint\(key0\.x\)/); // key words as an ivec2 uniform
      expect(flat(x!).length).toBe(1000);
    }
  });

  it("sqrt(2) erf_inv(u) in a shader is JAX's for all 2^23 u random.normal can give it", () => {
    // u = max(lo, (f - 1) (1 - lo) + lo) over all 2^23 mantissas f (samplers.ts), lo = -1 + 2^-24:
    // (1 - lo) rounds to 2, so the multiply-add is exact either way.
    const lo = Math.fround(-1 + 2 ** -24);
    const us = Float32Array.from({ length: 2 ** 23 }, (_, m) => Math.max(lo, Math.fround(Math.fround(Math.fround(1 + m * 2 ** -23) - 1) * 2) + lo));
    const sqrt2 = Math.fround(Math.SQRT2);
    const f = jit((u: JaxArray) => lax.mul(lax.erfInv(u), sqrt2));
    let got: Float32Array = new Float32Array(0);
    const shaders = programsOf(() => void (got = f(jnp.array(us)).dataSync() as Float32Array));
    expect(shaders.some((s) => s.includes("tfjax_erf_inv"))).toBe(true);
    for (let i = 0; i < us.length; i++) {
      const want = Math.fround(sqrt2 * erfInv32(us[i]));
      if (got[i] !== want) throw new Error(`sqrt(2) erf_inv(${us[i]}) = ${got[i]} on WebGL, ${ulpDistance(got[i], want)} ulps from JAX's ${want}`);
    }
  });

  it("keys moved by shape operations stay exact (primitives on keys and uint32 run on the CPU backend)", () => {
    // 1000 keys are past tfjs's CPU hand-off size: sliced on the GPU, their words would be rounded.
    const keys = random.split(random.key(0), 1000);
    const want = ref.split([0, 0], 1000, true);
    const k500 = [...(keys as unknown as Iterable<JaxArray>)][500];
    expect(words(k500)).toEqual(want[500]);
    expect(f32bits(flat(random.uniform(k500, [5])))).toEqual(f32bits(ref.uniform(want[500], 5, true)));
    const grid = jnp.reshape(random.split(random.key(0), [40, 25]), [1000]);
    expect(flat(random.keyData(grid)).slice(2 * 777, 2 * 777 + 2)).toEqual(want[777]);
  });

  for (const part of [true, false])
    it(`large draws (partitionable=${part}): uniform, bernoulli and normal bit for bit`, () => {
      config.update("jax_threefry_partitionable", part);
      try {
        // Keys with words above 2^24 (what a float texture would round): seed -1 is [0, 2^32 - 1].
        for (const k of [random.key(-1), random.foldIn(random.key(2024), 77)]) {
          const kd = words(k);
          const n = 257 * 129;
          expect(f32bits(flat(random.uniform(k, [257, 129], "float32", -3, 5)))).toEqual(f32bits(ref.uniform(kd, n, part, -3, 5)));
          expect(flat(random.bernoulli(k, 0.7, [n]))).toEqual(ref.uniform(kd, n, part).map((u) => Number(u < Math.fround(0.7))));
          expect(f32bits(flat(random.normal(k, [257, 129])))).toEqual(f32bits(ref.normal(kd, n, part)));
        }
      } finally {
        config.update("jax_threefry_partitionable", true);
      }
    });
});

// gamma and loggamma draw from while loops (Marsaglia-Tsang) whose bodies run as WebGL kernels:
// JAX's 1000 draws per shape (test/fixtures/random_gamma_jax.json) bit for bit up to a = 5, as on
// cpu and wasm; above, c = (1/3) rsqrt(d) is where JAX's own draws depend on the CPU (XLA refines
// the hardware's rsqrt estimate), within 6 ulps.

describe("gamma and loggamma on WebGL, against JAX's draws", () => {
  const ord = (v: number) => {
    const i = new Int32Array(Float32Array.of(v).buffer)[0];
    return i < 0 ? -(i & 0x7fffffff) : i;
  };
  const names = Object.keys(GAMMA).filter((n) => /^(gamma|loggamma)_\d/.test(n));
  it.each(names)("%s", (name) => {
    const a = Number(name.split("_")[1]);
    const k = random.key(42);
    const got = flat(name.startsWith("gamma") ? random.gamma(k, a, [1000]) : random.loggamma(k, a, [1000]));
    const want = new Float32Array(Uint8Array.from(atob((GAMMA as unknown as Record<string, { base64: string }>)[name].base64), (c) => c.charCodeAt(0)).buffer);
    const off = got.map((v, i) => (v === want[i] || (want[i] === 0 && Math.abs(v) < 2 ** -126) ? 0 : Math.abs(ord(v) - ord(want[i]))));
    if (a <= 5) expect(off.filter((d) => d > 0).length).toBe(0);
    else expect(Math.max(...off)).toBeLessThanOrEqual(6);
  });
});
