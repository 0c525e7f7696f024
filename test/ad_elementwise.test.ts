// The transformation rules of src/lax/elementwise.ts: jvp, transpose and batching.
// (a) Exact jaxpr texts, printed by JAX itself for the same programs written in Python
//     (scripts/jax_reference/jaxpr_texts.py, keys "ad_elementwise/*"): the primal side of
//     linearize records every equation a jvp rule binds on known values, then the backward pass
//     walks the linear equations in reverse, each transpose rule binding its own equations.
// (b) Numbers: jvp and vjp against central finite differences of float64 JS references.
// (c) vmap against a loop over the batch.
import { describe, expect, test } from "vitest";
import { type Array, grad, jit, jnp, jvp, lax, makeJaxpr, vjp, vmap } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));
const vals = (a: unknown): number[] => globalThis.Array.from((a as Array).dataSync() as ArrayLike<number>).map(Number);
const f32a = (xs: number[] | number[][]) => jnp.array(xs as any);
const f32 = Math.fround;

/** |got - want| <= tol * max(1, |want|), elementwise. */
function close(got: number[], want: number[], tol: number, what = "") {
  expect(got.length, what).toBe(want.length);
  got.forEach((g, i) => {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(g) : g === want[i] || Math.abs(g - want[i]) <= tol * Math.max(1, Math.abs(want[i]));
    if (!ok) expect.fail(`${what}[${i}]: got ${g}, want ${want[i]} (tol ${tol})`);
  });
}

/** Central difference of a float64 function. */
const fd = (f: (x: number) => number, x: number) => {
  const h = 1e-6 * Math.max(1, Math.abs(x));
  return (f(x + h) - f(x - h)) / (2 * h);
};

describe("makeJaxpr(grad(f)) prints what JAX prints", () => {
  // Each: its fixture key, the function, its argument. A JS number is a weak f32 scalar, as a
  // Python float is; jnp.array(3.0) is a strong float32 scalar (Python: jnp.array(3.0, jnp.float32)).
  test.each([
    ["grad_tanh", (x: Array) => lax.tanh(x), 3.0], // (g + g*ans) * (1 - ans)
    ["grad_max", (x: Array) => lax.max(x, 2.0), 3.0], // _balanced_eq splits ties in half
    ["grad_cbrt_weak", (x: Array) => lax.cbrt(x), 3.0], // _const beside a weak scalar: a Python float
    ["grad_cbrt_strong", (x: Array) => lax.cbrt(x), jnp.array(3.0)], // ... beside a strong one: np.float32
    ["grad_sqrt", lax.sqrt, 3.0],
    ["grad_rsqrt", lax.rsqrt, 3.0],
    ["grad_logistic", lax.logistic, 3.0],
    ["grad_expm1", lax.expm1, 3.0],
    ["grad_tan", lax.tan, 3.0],
    ["grad_log1p", lax.log1p, 3.0],
    ["grad_log", lax.log, 3.0],
    ["grad_integer_pow_3", (x: Array) => lax.integerPow(x, 3), 3.0],
    ["grad_exp2", (x: Array) => lax.exp2(x), 3.0], // log of a constant is staged on the primal side
    ["grad_erf", (x: Array) => lax.erf(x), 0.5], // 2/sqrt(pi) prints as Python's repr of the double
    ["grad_abs", (x: Array) => lax.abs(x), 3.0], // select_n's transpose
    ["grad_pow_weak_base", (x: Array) => lax.pow(x, 2.0), 3.0], // _pow_jvp_lhs converts the weak base
    ["grad_convert_sin", (x: Array) => lax.sin(lax.convertElementType(x, "float32")), 3.0], // the transpose restores weak_type
  ] as [string, (x: Array) => Array, Array | number][])("%s", (name, f, x) => {
    expect(text(grad(f), x)).toBe(jaxText(`ad_elementwise/${name}`));
  });

  test("pow in both arguments (strong float32 scalars)", () => {
    expect(text(grad((a: Array, b: Array) => lax.pow(a, b), { argnums: [0, 1] }), jnp.array(3.0), jnp.array(2.5))).toBe(
      jaxText("ad_elementwise/grad_pow_both_strong"),
    );
  });

  test("pow in its exponent, weak scalars: the final convert stages, its transpose folds", () => {
    expect(text(grad((a: Array, b: Array) => lax.pow(a, b), { argnums: 1 }), 3.0, 2.0)).toBe(jaxText("ad_elementwise/grad_pow_exponent_weak"));
  });
});

describe("clamp", () => {
  test("grad: the operand's select, its zeros staged unused as JAX's full_like", () => {
    expect(text(grad((x: Array) => lax.clamp(-1.0, x, 2.0).sum()), jnp.array([-3, 0.5, 5]))).toBe(jaxText("ad_elementwise/grad_clamp"));
  });
  test("JS integers beside an int32 operand are int32 bounds", () => {
    expect(text((x: Array) => lax.clamp(0, x, 2), jnp.array([1, 2], { dtype: "int32" }))).toBe(jaxText("ad_elementwise/clamp_int"));
  });
});

describe("vjp jaxprs: unbroadcasting and linear transposes", () => {
  const pull = (f: (u: Array, v: Array) => Array) => (x: Array, y: Array, ct: Array) => (vjp(f, x, y)[1] as (c: Array) => Array[])(ct);

  test("mul with a size-1 axis: the cotangent is summed and reshaped back", () => {
    expect(text(pull((u, v) => lax.mul(u, v)), jnp.zeros([1, 3]), jnp.zeros([2, 3]), jnp.zeros([2, 3]))).toBe(jaxText("ad_elementwise/vjp_mul_unbroadcast"));
  });

  test("div by a scalar: numerator transpose, and the denominator's nonlinear jvp", () => {
    expect(text(pull((u, v) => lax.div(u, v)), jnp.zeros([3]), jnp.array(2.0), jnp.zeros([3]))).toBe(jaxText("ad_elementwise/vjp_div_scalar"));
  });

  test("select: _zeros of the tangent is staged even when unused; both cases transposed", () => {
    const f = (p: Array, x: Array, y: Array, ct: Array) => pull((u, v) => lax.select(p, u, v))(x, y, ct);
    expect(text(f, jnp.array([true, false, true]), jnp.zeros([3]), jnp.zeros([3]), jnp.zeros([3]))).toBe(jaxText("ad_elementwise/vjp_select"));
  });
});

describe("vmap jaxprs (JAX's batching rules)", () => {
  test("select_n: a scalar `which` with cases batched on different axes", () => {
    const f = vmap((p: Array, x: Array, y: Array) => lax.select(p, x, y), { inAxes: [null, 0, 1] });
    expect(text(f, jnp.array(true), jnp.zeros([4, 3]), jnp.zeros([3, 4]))).toBe(jaxText("ad_elementwise/vmap_select_scalar_which"));
  });

  test("select_n: a per-example scalar `which` is broadcast to the cases", () => {
    const f = vmap((p: Array, x: Array, y: Array) => lax.select(p, x, y));
    expect(text(f, jnp.array([true, false, true, true]), jnp.zeros([4, 3]), jnp.zeros([4, 3]))).toBe(jaxText("ad_elementwise/vmap_select_per_example"));
  });

  test("clamp: a scalar bound of batched operands is broadcast (_clamp_batch_rule)", () => {
    const f = vmap((lo: Array, x: Array) => lax.clamp(lo, x, 2.0));
    expect(text(f, jnp.array([-3, 0.5, 5]), jnp.array([-3, 0.5, 5]))).toBe(jaxText("ad_elementwise/vmap_clamp"));
  });

  test("add: an unbatched operand gets a size-1 batch axis", () => {
    const f = vmap((x: Array, y: Array) => lax.add(x, y), { inAxes: [0, null] });
    expect(text(f, jnp.zeros([4, 3]), jnp.zeros([3]))).toBe(jaxText("ad_elementwise/vmap_add_unbatched"));
  });
});

// ---- numbers ----------------------------------------------------------------------------------

type Unary = { name: string; f: (x: Array) => Array; ref: (x: number) => number; xs: number[]; tol?: number };

const logistic64 = (x: number) => 1 / (1 + Math.exp(-x));
const unaries: Unary[] = [
  { name: "neg", f: lax.neg, ref: (x) => -x, xs: [-2, 0.5, 3] },
  { name: "abs", f: lax.abs, ref: Math.abs, xs: [-2, 0.5, 3] },
  { name: "exp", f: lax.exp, ref: Math.exp, xs: [-2, 0.5, 3] },
  { name: "exp2", f: lax.exp2, ref: (x) => 2 ** x, xs: [-2, 0.5, 3] },
  { name: "log", f: lax.log, ref: Math.log, xs: [0.25, 1.5, 7] },
  { name: "log1p", f: lax.log1p, ref: Math.log1p, xs: [-0.5, 0.001, 4] },
  { name: "expm1", f: lax.expm1, ref: Math.expm1, xs: [-2, 0.001, 3] },
  { name: "sin", f: lax.sin, ref: Math.sin, xs: [-2, 0.5, 3] },
  { name: "cos", f: lax.cos, ref: Math.cos, xs: [-2, 0.5, 3] },
  { name: "tan", f: lax.tan, ref: Math.tan, xs: [-1.2, 0.5, 1] },
  { name: "tanh", f: lax.tanh, ref: Math.tanh, xs: [-2, 0.5, 3] },
  { name: "logistic", f: lax.logistic, ref: logistic64, xs: [-2, 0.5, 3] },
  { name: "sqrt", f: lax.sqrt, ref: Math.sqrt, xs: [0.25, 1.5, 7] },
  { name: "rsqrt", f: lax.rsqrt, ref: (x) => 1 / Math.sqrt(x), xs: [0.25, 1.5, 7] },
  { name: "cbrt", f: lax.cbrt, ref: Math.cbrt, xs: [-8, 0.5, 3] },
  { name: "square", f: lax.square, ref: (x) => x * x, xs: [-2, 0.5, 3] },
  { name: "erf", f: lax.erf, ref: erf64, xs: [-1.5, 0.3, 2] },
  { name: "copy", f: lax.copy, ref: (x) => x, xs: [-2, 0.5] },
  { name: "convert f32->f32", f: (x) => lax.convertElementType(x, "float32"), ref: (x) => x, xs: [-2, 0.5] },
  ...[-3, -1, 0, 1, 2, 3, 5].map((y) => ({ name: `integer_pow y=${y}`, f: (x: Array) => lax.integerPow(x, y), ref: (x: number) => x ** y, xs: [-1.5, 0.5, 2] })),
  // Zero derivative almost everywhere.
  { name: "sign", f: lax.sign, ref: Math.sign, xs: [-2, 0.5] },
  { name: "floor", f: lax.floor, ref: Math.floor, xs: [-2.5, 0.5] },
  { name: "ceil", f: lax.ceil, ref: Math.ceil, xs: [-2.5, 0.5] },
  { name: "round", f: (x) => lax.round(x), ref: (x) => Math.sign(x) * Math.round(Math.abs(x)), xs: [-2.3, 0.7] },
  { name: "stop_gradient", f: lax.stopGradient, ref: () => 0, xs: [-2, 0.5] },
];

/** erf in float64 (series; |x| < 3 here). */
function erf64(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe("unary rules against finite differences", () => {
  test.each(unaries)("$name: jvp, vjp and grad", ({ f, ref, xs, tol = 2e-5 }) => {
    const x = xs.map(f32);
    const want = x.map((v) => fd(ref, v));
    const xa = f32a(x);
    const [, t] = jvp(f, [xa], [jnp.ones([x.length])]) as [Array, Array];
    close(vals(t), want, tol, "jvp");
    const [, pull] = vjp(f, xa);
    close(vals((pull as (c: Array) => Array[])(jnp.ones([x.length]))[0]), want, tol, "vjp");
    close(vals(grad(f)(jnp.array(x[0]))), [want[0]], tol, "grad");
    // The same under jit, and batched.
    close(vals(jit(grad(f))(jnp.array(x[1]))), [want[1]], tol, "jit(grad)");
    close(vals(vmap(grad(f))(xa)), want, tol, "vmap(grad)");
  });

  test("erf_inv: its gradient inverts erf's", () => {
    const xs = [-0.9, -0.2, 0.4, 0.95];
    const g = vals(vmap(grad(lax.erfInv))(f32a(xs)));
    const y = vals(lax.erfInv(f32a(xs)));
    close(g, y.map((v) => 1 / ((2 / Math.sqrt(Math.PI)) * Math.exp(-v * v))), 1e-4);
  });

  test("second derivatives", () => {
    const x = 0.7;
    const sech2 = 1 / Math.cosh(x) ** 2;
    close(vals(grad(grad(lax.tanh))(x)), [-2 * Math.tanh(x) * sech2], 1e-5, "tanh''");
    const s = logistic64(x);
    close(vals(grad(grad(lax.logistic))(x)), [s * (1 - s) * (1 - 2 * s)], 1e-5, "logistic''");
    close(vals(grad(grad(lax.sin))(x)), [-Math.sin(x)], 1e-5, "sin''");
    close(vals(grad(grad((v: Array) => lax.integerPow(v, 3)))(x)), [6 * x], 1e-5, "x^3''");
    close(vals(grad(grad(lax.sqrt))(x)), [-0.25 * x ** -1.5], 1e-5, "sqrt''");
    close(vals(grad(grad(lax.rsqrt))(x)), [0.75 * x ** -2.5], 1e-5, "rsqrt''");
    close(vals(grad(grad(lax.erf))(x)), [(-4 * x * Math.exp(-x * x)) / Math.sqrt(Math.PI)], 1e-5, "erf''");
  });

  test("integer and boolean outputs have zero tangents", () => {
    const x = f32a([-1.5, 0.5, 2]);
    const viaBool = (v: Array) => lax.select(lax.isFinite(v), lax.mul(v, v), v);
    close(vals(vmap(grad(viaBool))(x)), [-3, 1, 4], 1e-6, "is_finite in select");
    const viaInt = (v: Array) => lax.convertElementType(lax.convertElementType(v, "int32"), "float32");
    close(vals(vmap(grad(viaInt))(x)), [0, 0, 0], 0, "through int32");
    const [, t] = jvp((v: Array) => lax.lt(v, 1), [x], [jnp.ones([3])]) as [Array, Array];
    expect(vals(t)).toEqual([0, 0, 0]);
  });
});

type Binary = { name: string; f: (x: Array, y: Array) => Array; ref: (x: number, y: number) => number; pts: [number, number][] };
const binaries: Binary[] = [
  { name: "add", f: lax.add, ref: (x, y) => x + y, pts: [[1.5, -2], [0.25, 3]] },
  { name: "sub", f: lax.sub, ref: (x, y) => x - y, pts: [[1.5, -2], [0.25, 3]] },
  { name: "mul", f: lax.mul, ref: (x, y) => x * y, pts: [[1.5, -2], [0.25, 3]] },
  { name: "div", f: lax.div, ref: (x, y) => x / y, pts: [[1.5, -2], [0.25, 3]] },
  { name: "rem", f: lax.rem, ref: (x, y) => x % y, pts: [[7.5, 2], [-7.5, 2], [5.25, -1.5]] },
  { name: "max", f: lax.max, ref: Math.max, pts: [[1.5, -2], [0.25, 3]] },
  { name: "min", f: lax.min, ref: Math.min, pts: [[1.5, -2], [0.25, 3]] },
  { name: "atan2", f: lax.atan2, ref: Math.atan2, pts: [[1.5, -2], [-0.25, 3]] },
  { name: "pow", f: lax.pow, ref: (x, y) => x ** y, pts: [[1.5, -2], [0.25, 3], [2, 0.5]] },
];

describe("binary rules against finite differences", () => {
  test.each(binaries)("$name: vjp in both operands, jvp", ({ f, ref, pts }) => {
    const xs = pts.map((p) => f32(p[0]));
    const ys = pts.map((p) => f32(p[1]));
    const wantX = xs.map((x, i) => fd((v) => ref(v, ys[i]), x));
    const wantY = ys.map((y, i) => fd((v) => ref(xs[i], v), y));
    const [, pull] = vjp(f, f32a(xs), f32a(ys));
    const [gx, gy] = (pull as (c: Array) => Array[])(jnp.ones([xs.length]));
    close(vals(gx), wantX, 1e-4, "d/dx");
    close(vals(gy), wantY, 1e-4, "d/dy");
    const [, t] = jvp(f, [f32a(xs), f32a(ys)], [jnp.full([xs.length], 2), jnp.full([xs.length], -1)]) as [Array, Array];
    close(vals(t), wantX.map((g, i) => 2 * g - wantY[i]), 1e-4, "jvp");
  });

  test("max and min split the gradient evenly at ties", () => {
    const [, pull] = vjp(lax.max, f32a([2, 1]), f32a([2, 3]));
    const [gx, gy] = (pull as (c: Array) => Array[])(jnp.ones([2]));
    expect(vals(gx)).toEqual([0.5, 0]);
    expect(vals(gy)).toEqual([0.5, 1]);
    expect(vals(grad((x: Array) => lax.min(x, 2.0))(2.0))).toEqual([0.5]);
  });

  test("pow with an integer exponent, and at x = 0", () => {
    const x = f32a([0, 1.5, -2]);
    const n = jnp.array([0, 3, 2], { dtype: "int32" });
    // d/dx x^n = n x^(n-1), exactly 0 for n = 0 (even at x = 0).
    close(vals(vmap(grad((a: Array, k: Array) => lax.pow(a, k)))(x, n)), [0, 3 * 1.5 ** 2, -4], 1e-5, "int exponent");
    // d/dy 0^y = 0 (log(0) is replaced), d/dx x^2 at 0 is 0.
    const [, pull] = vjp(lax.pow, f32a([0, 0]), f32a([2, 3]));
    const [gx, gy] = (pull as (c: Array) => Array[])(jnp.ones([2]));
    expect(vals(gx)).toEqual([0, 0]);
    expect(vals(gy)).toEqual([0, 0]);
  });

  test("implicit broadcasting: cotangents are summed back to each operand's shape", () => {
    const x = f32a([[1, 2, 3]]); // (1, 3)
    const y = f32a([[1, 2, 3], [4, 5, 6]]); // (2, 3)
    for (const [name, f, dx, dy] of [
      ["add", lax.add, (_x: number, _y: number) => 1, (_x: number, _y: number) => 1],
      ["sub", lax.sub, () => 1, () => -1],
      ["mul", lax.mul, (_x: number, yv: number) => yv, (xv: number) => xv],
      ["div", lax.div, (_x: number, yv: number) => 1 / yv, (xv: number, yv: number) => -xv / (yv * yv)],
      ["rem", lax.rem, () => 1, (xv: number, yv: number) => -Math.trunc(xv / yv)],
    ] as const) {
      const [, pull] = vjp(f, x, y);
      const [gx, gy] = (pull as (c: Array) => Array[])(jnp.ones([2, 3]));
      expect(gx.shape, name).toEqual([1, 3]);
      expect(gy.shape, name).toEqual([2, 3]);
      const X = [1, 2, 3];
      const Y = [[1, 2, 3], [4, 5, 6]];
      close(vals(gx), X.map((xv, j) => dx(xv, Y[0][j]) + dx(xv, Y[1][j])), 1e-5, `${name} d/dx`);
      close(vals(gy), Y.flat().map((yv, k) => dy(X[k % 3], yv)), 1e-5, `${name} d/dy`);
    }
    // A rank-0 operand beside a vector: the cotangent is summed to a scalar.
    const [, pull] = vjp(lax.mul, jnp.array(2.0), f32a([1, 2, 3]));
    const [gs] = (pull as (c: Array) => Array[])(jnp.ones([3]));
    expect(gs.shape).toEqual([]);
    expect(vals(gs)).toEqual([6]);
  });

  test("select_n: cotangents go to the selected case (bool and int32 `which`)", () => {
    const p = jnp.array([true, false, true]);
    const [, pull] = vjp((a: Array, b: Array) => lax.select(p, a, b), f32a([1, 2, 3]), f32a([4, 5, 6]));
    const [ga, gb] = (pull as (c: Array) => Array[])(f32a([10, 20, 30]));
    expect(vals(ga)).toEqual([10, 0, 30]);
    expect(vals(gb)).toEqual([0, 20, 0]);
    const w = jnp.array([2, 0, 1], { dtype: "int32" });
    const [, pull3] = vjp((a: Array, b: Array, c: Array) => lax.selectN(w, a, b, c), f32a([1, 2, 3]), f32a([4, 5, 6]), f32a([7, 8, 9]));
    const g3 = (pull3 as (c: Array) => Array[])(f32a([10, 20, 30]));
    expect(g3.map(vals)).toEqual([
      [0, 20, 0],
      [0, 0, 30],
      [10, 0, 0],
    ]);
    const [, t] = jvp((a: Array) => lax.select(p, a, jnp.zeros([3])), [f32a([1, 2, 3])], [f32a([1, 1, 1])]) as [Array, Array];
    expect(vals(t)).toEqual([1, 0, 1]);
  });

  test("comparisons and bitwise ops pass no gradient", () => {
    const f = (x: Array) => lax.select(lax.gt(x, 1), lax.mul(x, 3), lax.neg(x));
    close(vals(vmap(grad(f))(f32a([0.5, 2]))), [-1, 3], 0);
    const g = (x: Array) => lax.convertElementType(lax.bitwiseXor(lax.convertElementType(x, "int32"), lax.convertElementType(x, "int32")), "float32");
    close(vals(grad(g)(2.0)), [0], 0);
  });
});

// ---- vmap -------------------------------------------------------------------------------------

/** The batch results of `f` as a loop: example i of each argument along its axis (null = unmapped). */
function loop(f: (...a: Array[]) => Array, args: Array[], axes: (number | null)[]): number[][] {
  const n = args.find((_, i) => axes[i] !== null)!.shape[axes[args.findIndex((_, i) => axes[i] !== null)]!];
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const ex = args.map((a, k) => (axes[k] === null ? a : jnp.index(axes[k] === 0 ? a : jnp.swapaxes(a, 0, axes[k]!), i)));
    out.push(vals(f(...ex)));
  }
  return out;
}

describe("batching rules against a loop", () => {
  const a = f32a([[0.5, -1, 2], [1.5, 0.25, -3]]); // (2, 3)
  const aT = f32a([[0.5, 1.5], [-1, 0.25], [2, -3]]); // (3, 2): the same examples along axis 1
  const s = jnp.array(0.75);

  test.each(unaries.filter((u) => !u.name.startsWith("integer_pow") || u.name === "integer_pow y=3"))("$name over axis 1", ({ f }) => {
    const got = vmap(f, { inAxes: 1 })(aT) as Array;
    expect(got.shape).toEqual([2, 3]);
    close(vals(got), loop(f, [aT], [1]).flat(), 1e-6);
  });

  test.each(binaries)("$name with mixed axes and unbatched operands", ({ f }) => {
    const cases: [Array[], (number | null)[]][] = [
      [[a, aT], [0, 1]],
      [[a, s], [0, null]],
      [[f32a([0.5, -1, 2]), a], [null, 0]],
      [[aT, aT], [1, 1]],
    ];
    for (const [args, axes] of cases) {
      const got = (vmap(f, { inAxes: axes }) as (...xs: Array[]) => Array)(...args);
      close(vals(got), loop(f, args, axes).flat(), 1e-6, `${axes}`);
    }
  });

  test("comparisons, select_n (every branch of its rule) and convert_element_type", () => {
    close(vals(vmap(lax.lt, { inAxes: [0, 1] })(a, aT)), loop(lax.lt, [a, aT], [0, 1]).flat(), 0, "lt");
    const sel = (p: Array, x: Array, y: Array) => lax.select(p, x, y);
    const p = jnp.array([[true, false, true], [false, false, true]]);
    const p1 = jnp.array([true, false]);
    for (const [args, axes] of [
      [[p, a, aT], [0, 0, 1]], // which and cases disagree: all batch-first
      [[jnp.array(false), a, aT], [null, 0, 1]], // scalar which, cases on different axes
      [[jnp.array(true), aT, aT], [null, 1, 1]], // scalar which, agreeing cases
      [[p1, a, a], [0, 0, 0]], // per-example scalar which
      [[p1, s, s], [0, null, null]], // batched which, unbatched scalar cases
      [[p1, f32a([1, 2, 3]), a], [0, null, 0]], // per-example scalar which, an unbatched case
    ] as [Array[], (number | null)[]][]) {
      const got = (vmap(sel, { inAxes: axes }) as (...xs: Array[]) => Array)(...args);
      close(vals(got), loop(sel, args, axes).flat(), 0, `select ${axes}`);
    }
    const conv = (x: Array) => lax.convertElementType(x, "int32");
    expect(vals(vmap(conv, { inAxes: 1 })(aT))).toEqual(loop(conv, [aT], [1]).flat());
  });

  test("per-example gradients of a binary op with an unbatched operand", () => {
    const g = vmap(grad((x: Array, w: Array) => lax.mul(lax.sin(x), w)), { inAxes: [0, null] });
    close(vals(g(f32a([0.5, 1, 2]), jnp.array(3.0))), [0.5, 1, 2].map((x) => 3 * Math.cos(x)), 1e-6);
  });
});
