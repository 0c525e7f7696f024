// Differential fuzzing on WebGL (issue #7): jit of a generated program (test/harness/programs.ts)
// on tfjs's WebGL backend (SwiftShader here) against the same program run eagerly on tfjs's CPU
// backend. Shader compiles are slow (~0.5 s each), so a few dozen programs, seeded; the Node
// projects run the full properties (test/fuzz.test.ts). Known WebGL limits (test/browser/webgl.test.ts
// SKIPS) are kept out of the generated programs rather than skipped after the fact:
//   - int32 lives in float32 textures, exact only below 2^24: int inputs are small (|v| <= 5),
//     the int32 ops that grow values fast (mul, square, integer_pow, shift_left, jnp.multiply,
//     dot) are left out, and bodies do not nest (a scan in a scan doubling its carry reaches 2^24);
//     a program whose CPU results hold an int32 >= 2^24 anyway is not compared;
//   - tfjs's WebGL Sum throws on an empty reduced axis: no zero-size dimensions;
//   - log(0), 0/0, pow(0, y < 0), pow(x < 0, NaN), atan2(-0, x) differ: float inputs are the
//     harness's finite values below 2^24 in magnitude, and a program whose CPU results are not
//     all finite is not compared (a non-finite value is where those specials show).
import * as tf from "@tensorflow/tfjs-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setBackend as switchTo } from "../../src/backends/backend.js";
import { type Array as JaxArray, jit } from "../../src/index.js";
import { describeCase } from "../harness/fuzz.js";
import { type Elementwise, type Input, type Program, generate, hostValues, inputsFor, run, toArray } from "../harness/programs.js";

const RUNS = 60;
const SEED = 20261127;
/**
 * SwiftShader's float32 math (webgl.test.ts TOLERANCE: sin/cos 2e-4 absolute, exp 32 ulps, pow
 * 64 ulps), carried through a chain of up to 8 operations: 2^-9 of max(1, |value|).
 */
const REL = 2 ** -9;
const GROWS = new Set(["mul", "square", "integer_pow", "shift_left"]);
const elementwise = (e: Elementwise) => !(e.dtypes.includes("int32") && GROWS.has(e.prim));
const INPUTS = { maxInt: 6, floatFilter: (v: number) => Number.isFinite(v) && Math.abs(v) < 2 ** 24 };

/** Switches tfjs's backend; tfjax's kernel caches are keyed by backend, so nothing is cleared. */
const setBackend = (name: "cpu" | "webgl"): Promise<void> => switchTo(name);

interface Outs {
  dtypes: string[];
  data: number[][];
}

function outputs(p: Program, inputs: Input[], f: (...xs: JaxArray[]) => JaxArray[]): Outs {
  const args = inputs.map(toArray);
  try {
    const outs = f(...args);
    const r = { dtypes: outs.map((o) => o.dtype), data: outs.map(hostValues) };
    outs.forEach((o) => args.includes(o) || o.dispose());
    return r;
  } finally {
    args.forEach((a) => a.dispose());
  }
}

describe("differential fuzzing on WebGL", () => {
  let forward = true;
  beforeAll(() => {
    forward = tf.env().getBool("WEBGL_CPU_FORWARD");
    tf.env().set("WEBGL_CPU_FORWARD", false); // small arrays: run the GPU kernels themselves
  });
  afterAll(async () => {
    tf.env().set("WEBGL_CPU_FORWARD", forward);
    await setBackend("webgl");
  });

  it(`jit on WebGL == eager on the CPU backend (seed ${SEED}, ${RUNS} programs)`, async () => {
    let compared = 0;
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 0xffff }), { maxLength: 160, size: "max" }), fc.nat({ max: 1e6 }), async (cs, seed) => {
        const p = generate(cs, { elementwise, zeroSize: false, intProducts: false, maxDepth: 1 });
        const inputs = inputsFor(p, seed, INPUTS);
        await setBackend("cpu");
        let want: Outs;
        try {
          want = outputs(p, inputs, (...xs) => run(p, xs));
        } catch (e) {
          throw new Error(describeCase(p, inputs, [`cpu eager threw: ${(e as Error).stack}`]));
        }
        const big = want.data.some((d, k) => want.dtypes[k] === "int32" && d.some((v) => Math.abs(v) >= 2 ** 24));
        const special = want.data.some((d, k) => want.dtypes[k] === "float32" && !d.every(Number.isFinite));
        if (big || special) return;
        await setBackend("webgl");
        let got: Outs;
        try {
          got = outputs(p, inputs, jit((...xs: JaxArray[]) => run(p, xs)));
        } catch (e) {
          throw new Error(describeCase(p, inputs, [`webgl jit threw: ${(e as Error).stack}`]));
        }
        compared++;
        const bad: string[] = [];
        want.data.forEach((w, k) =>
          w.forEach((v, i) => {
            const g = got.data[k][i];
            const ok = want.dtypes[k] === "float32" ? Math.abs(g - v) <= REL * Math.max(1, Math.abs(v)) : g === v;
            if (!ok) bad.push(`output ${k}[${i}]: webgl jit ${g}, cpu eager ${v}`);
          }),
        );
        if (got.dtypes.join() !== want.dtypes.join()) bad.push(`dtypes ${got.dtypes} vs ${want.dtypes}`);
        if (bad.length) {
          const msg = describeCase(p, inputs, bad.slice(0, 8));
          if (!reported++) console.warn(`first failure, before shrinking:\n${msg}`); // shrinking recompiles shaders: slow
          throw new Error(msg);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(compared, "programs compared (the rest hold values WebGL cannot store)").toBeGreaterThan(RUNS / 2);
  }, 900_000);
});
