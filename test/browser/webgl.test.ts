// tfjax on tfjs's WebGL backend, in headless Chromium on SwiftShader (WebGL 2 on the CPU): backend
// selection, jnp/jit/makeJaxpr, and the generic primitive harness (test/harness) with WebGL's
// tolerances. Run alone with `npx vitest run --project browser`.
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBackend, getBackend, setBackend } from "../../src/backends/backend.js";
import { type Array as JaxArray, ArrayImpl, jit, lax, makeJaxpr, numpy as jnp } from "../../src/index.js";
import { type Case, cases } from "../harness/cases.js";
import { type Host, zipWith } from "../harness/ref.js";
import { checkCaseJaxpr, modes, runCase, type Tolerance } from "../harness/run.js";

const values = (x: JaxArray): number[] => Array.from((x as ArrayImpl).dataSync(), Number);

// ---- WebGL's numerics, in one place ------------------------------------------------------------

/** GPUs flush subnormal results to zero: every float comparison accepts an error of 2^-126. */
const FTZ = 2 ** -126;

/** Per primitive: how far SwiftShader's float32 math is from the float64-rounded reference. */
const TOLERANCE: Record<string, Tolerance> = {
  // sin/cos err by up to 2e-4 absolute on [-10, 10] (measured; GLSL sets no precision for them).
  sin: { abs: 2e-4 },
  cos: { abs: 2e-4 },
  // acos errs by up to 7e-5 absolute on [-1, 1] (measured; the same unspecified GLSL precision).
  acos: { abs: 1e-4 },
  // tan = sin/cos: the same absolute error, magnified by tan' = 1 + tan^2 near the poles.
  tan: { abs: (w) => 2e-4 * (1 + w * w) },
  // tfjs computes tanh as (1 - e^-2|x|) / (1 + e^-2|x|), which cancels near 0: an ulp of 1.
  tanh: { abs: 2 ** -23 },
  // exp's error grows with |x| (29 ulps at x = 88), as exp2(x * log2(e)) would.
  exp: { ulps: 32 },
  logistic: { ulps: 32 }, // 1 / (1 + exp(-x)): exp's error
  // GLSL's pow is exp2(y * log2(x)): likewise (2 ulps for 2^-1.5, 44 ulps for 10^38).
  pow: { ulps: 64 },
};

function tolerance(c: Case): Tolerance {
  const t = TOLERANCE[c.prim] ?? {};
  const abs = t.abs;
  return { ulps: t.ulps, abs: (w) => Math.max(FTZ, typeof abs === "function" ? abs(w) : (abs ?? 0)) };
}

/** Some element of the broadcast inputs satisfies `p`. */
const anyElement = (c: Case, p: (...v: number[]) => boolean): boolean => zipWith("bool", c.inputs, p).data.some(Boolean);
const ints = (h: Host) => h.dtype === "int32" || h.dtype === "uint32";
const F32 = (c: Case) => c.inputs.every((h) => h.dtype === "float32");

/**
 * Primitives whose integer results stay exact on WebGL whatever the values: tfjax computes them on
 * the host (its integer kernels, the PRNG), they move no words through a texture (clones, views),
 * or their float result is the float32 rounding a texture makes anyway (convert_element_type).
 * Checked for the harness's modes below; a new mode starts out skipped.
 */
const EXACT_INTS = new Set([
  "add", "sub", "mul", "div", "rem", "neg", "sign", "abs", "square", "integer_pow",
  "not", "and", "or", "xor", "shift_left", "shift_right_logical", "shift_right_arithmetic",
  "convert_element_type", "bitcast_convert_type", "copy", "stop_gradient", "reshape", "squeeze", "sort",
  "random_seed", "random_wrap", "random_unwrap", "random_split", "random_fold_in", "random_bits", "threefry2x32", "iota_2x32_shape",
]);
const EXACT_MODES = new Set(["eager", "jit", "evalJaxpr"]);

/**
 * Every harness case (and mode) that is not run on WebGL, and why: the only place tests are
 * skipped. First the known mismatches of WebGL's float math, then the limit of its integer storage.
 */
const SKIPS: [string, (c: Case, mode: string) => boolean][] = [
  [
    "log(0) is -88.03, not -inf (GLSL leaves log(0) undefined; SwiftShader returns ln 2^-127, and tfjs's WebGL log does not special-case 0)",
    (c) => c.prim === "log" && anyElement(c, (x) => x === 0),
  ],
  [
    "0/0 and inf/inf are 1, not NaN (tfjs's WebGL div returns 1.0 whenever a == b)",
    (c) => c.prim === "div" && F32(c) && anyElement(c, (a, b) => a === b && (a === 0 || !Number.isFinite(a))),
  ],
  [
    "pow(±0, y < 0) is 0, not ±inf (GLSL leaves pow(0, y <= 0) undefined)",
    (c) => c.prim === "pow" && anyElement(c, (a, b) => a === 0 && b < 0),
  ],
  [
    "pow(x < 0, NaN) is inf, not NaN (tfjs's WebGL pow)",
    (c) => c.prim === "pow" && anyElement(c, (a, b) => a < 0 && Number.isNaN(b)),
  ],
  [
    "atan2(-0, x) ignores the zero's sign: pi for x > 0, 0 for x < 0 (SwiftShader's atan(y, x))",
    (c) => c.prim === "atan2" && anyElement(c, (a) => Object.is(a, -0)),
  ],
  [
    "tfjs's WebGL Sum throws on an empty reduced axis (reshape to (NaN, 0))",
    (c) =>
      c.prim === "reduce_sum" && c.inputs[0].dtype === "float32" && (c.params.axes as number[]).some((d) => c.inputs[0].shape[d] === 0),
  ],
  [
    "int32 values >= 2^24 through tfjs's own WebGL kernels (data movement, reductions, compares, max/min, matmul), which keep integers in float32 textures, exact only below 2^24",
    (c, mode) => {
      const hosts = [...c.inputs, ...(c.ref ? c.ref(...c.inputs) : [])];
      // Primitives on uint32 (and keys) run on the CPU backend (src/backends/dispatch.ts).
      const exact = EXACT_INTS.has(c.prim) || hosts.some((h) => h.dtype === "uint32");
      return !(exact && EXACT_MODES.has(mode)) && hosts.some((h) => ints(h) && h.data.some((v) => Math.abs(v | 0) >= 2 ** 24));
    },
  ],
];

const skipReason = (c: Case, mode: string): string | undefined => SKIPS.find(([, applies]) => applies(c, mode))?.[0];

// ---- the backend ------------------------------------------------------------------------------

describe("backend selection", () => {
  it("the browser's default is webgl, started by importing tfjax", () => {
    expect(defaultBackend()).toBe("webgl");
    expect(tf.getBackend()).toBe("webgl");
    expect(String(jnp.ones([2]))).toBe("[1. 1.]");
  });

  it('setBackend("webgl") selects WebGL 2 on SwiftShader', async () => {
    await setBackend("webgl");
    expect(tf.getBackend()).toBe("webgl");
    expect(getBackend()).toBe("webgl");
    expect(tf.env().getNumber("WEBGL_VERSION")).toBe(2);
    const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    expect(info).not.toBeNull();
    expect(gl.getParameter(info!.UNMASKED_RENDERER_WEBGL)).toMatch(/SwiftShader/);
    expect(tf.env().getBool("WEBGL_DOWNLOAD_FLOAT_ENABLED")).toBe(true);
  });

  it("switches between backends; arrays follow", async () => {
    const x = jnp.array([1, 2, 3]);
    await setBackend("cpu");
    expect(getBackend()).toBe("cpu");
    expect(values(x.mul(2))).toEqual([2, 4, 6]);
    await setBackend("webgl");
    expect(getBackend()).toBe("webgl");
    expect(values(x.add(1))).toEqual([2, 3, 4]);
  });

  it("an unknown backend is a clear error", async () => {
    await expect(setBackend("gpu" as "webgl")).rejects.toThrow('unknown backend "gpu"');
    expect(getBackend()).toBe("webgl");
  });
});

// ---- tfjax on WebGL -----------------------------------------------------------------------------

describe("tfjax on webgl", () => {
  beforeAll(() => setBackend("webgl"));

  it("jnp ops", () => {
    const a = jnp.arange(6).astype("int32").reshape([2, 3]);
    expect(a.dtype).toBe("int32");
    expect(String(a)).toBe("[[0 1 2]\n [3 4 5]]");
    const m = jnp.matmul(a.astype("float32"), jnp.ones([3, 2]));
    expect(String(m)).toBe("[[ 3.  3.]\n [12. 12.]]");
    expect(values(jnp.sum(a, 1))).toEqual([3, 12]);
    expect(values(jnp.where(a.gt(2), a, a.neg()))).toEqual([0, -1, -2, 3, 4, 5]);
    expect(values(jnp.sqrt(jnp.array([4, 9, 16])))).toEqual([2, 3, 4]);
  });

  it("makeJaxpr prints the same jaxpr as everywhere", () => {
    const f = (x: JaxArray) => jnp.sin(jnp.cos(x));
    expect(String(makeJaxpr(f)(3.0))).toBe("{ lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }");
  });

  it("jit runs an elementwise chain as one generated shader, within WebGL's tolerances", () => {
    type Program = { userCode: string };
    const backend = tf.backend() as unknown as { compileAndRun(p: Program, ...rest: unknown[]): unknown };
    const original = backend.compileAndRun;
    const programs: string[] = [];
    backend.compileAndRun = function (p: Program, ...rest: unknown[]) {
      programs.push(p.userCode);
      return original.call(this, p, ...rest);
    };
    try {
      const step = jit((w: JaxArray, x: JaxArray) => w.sub(jnp.tanh(w.mul(x)).mul(0.1)));
      const xs = Array.from({ length: 1000 }, (_, i) => (i - 500) / 100);
      const got = values(step(jnp.ones([1000]), jnp.array(xs)));
      const want = xs.map((x) => 1 - Math.tanh(x) * 0.1);
      got.forEach((g, i) => expect(Math.abs(g - want[i]), `x = ${xs[i]}`).toBeLessThanOrEqual(2 ** -22));
      expect(programs.filter((s) => s.includes("// tfjax fused kernel")).length).toBeGreaterThan(0);
    } finally {
      backend.compileAndRun = original;
    }
  });

  it("jit matches the cpu backend", async () => {
    const f = jit((x: JaxArray) => jnp.exp(jnp.sin(x).mul(0.5)).add(jnp.sqrt(jnp.abs(x))));
    const x = jnp.linspace(-3, 3, 257);
    const gpu = values(f(x));
    await setBackend("cpu");
    const cpu = values(f(x));
    await setBackend("webgl");
    gpu.forEach((g, i) => expect(Math.abs(g - cpu[i])).toBeLessThanOrEqual(3e-4));
  });

  it("uint32 comparisons are exact on the GPU for values it stores exactly", () => {
    const forward = tf.env().getBool("WEBGL_CPU_FORWARD");
    tf.env().set("WEBGL_CPU_FORWARD", false); // small arrays: make tfjs run them on the GPU
    try {
      const a = jnp.array([0, 3, 5]).astype("uint32");
      const b = jnp.array([3, 0, 5]).astype("uint32");
      expect(values(lax.lt(a, b))).toEqual([1, 0, 0]);
      expect(values(lax.ge(a, b))).toEqual([0, 1, 1]);
    } finally {
      tf.env().set("WEBGL_CPU_FORWARD", forward);
    }
  });
});

// ---- the primitive harness ---------------------------------------------------------------------

// tfjs hands small ops whose inputs are still on the CPU to its CPU backend (WEBGL_CPU_FORWARD);
// the harness's arrays are all small, so it turns that off to test the GPU kernels themselves.
describe("primitive harness on webgl (GPU kernels)", () => {
  let forward = true;
  beforeAll(async () => {
    await setBackend("webgl");
    forward = tf.env().getBool("WEBGL_CPU_FORWARD");
    tf.env().set("WEBGL_CPU_FORWARD", false);
  });
  afterAll(() => tf.env().set("WEBGL_CPU_FORWARD", forward));

  // The harness's grad and vmap modes run in the Node projects only: transformation rules emit
  // the same primitives on every backend, whose WebGL kernels the modes below check, and eager
  // vmap here compiles a shader per batched shape (measured: ~60 s for the table on SwiftShader).
  it.skip("grad and vmap modes (Node projects only: rules are backend-independent; ~60 s of shader compiles here)", () => {});

  describe.each(cases)("$name", (c) => {
    for (const mode of modes) {
      const skip = skipReason(c, mode.name);
      if (skip) it.skip(`${mode.name} (skipped on WebGL: ${skip})`, () => {});
      else it(mode.name, () => runCase(c, mode, tolerance(c)));
    }
    it("jaxpr", () => checkCaseJaxpr(c));
  });
});
