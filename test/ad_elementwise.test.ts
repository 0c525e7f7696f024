// The transformation rules of src/lax/elementwise.ts: jvp, transpose and batching.
// (a) Exact jaxpr texts. No JAX runs here, so each expected text is derived by hand, equation by
//     equation, from JAX 0.11's rules (jax/_src/lax/lax.py and special.py) and its linearize /
//     backward pass (interpreters/ad.py): the primal side of linearize records, in order, every
//     equation a jvp rule binds on known values; the backward pass then walks the linear
//     equations in reverse, each transpose rule binding its own equations. The derivation is
//     in the comment above each case.
// (b) Numbers: jvp and vjp against central finite differences of float64 JS references.
// (c) vmap against a loop over the batch.
import { describe, expect, test } from "vitest";
import { type Array, grad, jit, jnp, jvp, lax, makeJaxpr, vjp, vmap } from "../src/index.js";

const lines = (...ls: string[]) => ls.join("\n");
const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));
const vals = (a: unknown): number[] => Array.from((a as Array).dataSync() as ArrayLike<number>).map(Number);
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

describe("makeJaxpr(grad(f)) prints what JAX prints (derived from JAX's rules)", () => {
  test("tanh: (g + g*ans) * (1 - ans)", () => {
    // primal: b = tanh a; rule binds sub(_one(x), ans) on known values -> c = sub 1.0 b.
    // linear: t1 = mul g b; t2 = add g t1; t3 = mul t2 c.
    // backward: mul's lhs rule d = mul 1.0 c; add gives d to g and t1; t1's mul gives
    // e = mul d b; g accumulates d then e: add_any d e.
    expect(text(grad((x: Array) => lax.tanh(x)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = tanh a",
        "    c:f32[] = sub 1.0:f32[] b",
        "    d:f32[] = mul 1.0:f32[] c",
        "    e:f32[] = mul d b",
        "    f:f32[] = add_any d e",
        "  in (f,) }",
      ),
    );
  });

  test("max: _balanced_eq splits ties in half", () => {
    // _balanced_eq(x, ans, y) = div(select(eq(x, ans), 1, 0), select(eq(y, ans), 2, 1)),
    // select(p, t, f) binding select_n(p, f, t); only x has a tangent, so only its part runs.
    expect(text(grad((x: Array) => lax.max(x, 2.0)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = max a 2.0:f32[]",
        "    c:bool[] = eq a b",
        "    d:f32[] = select_n c 0.0:f32[] 1.0:f32[]",
        "    e:bool[] = eq 2.0:f32[] b",
        "    f:f32[] = select_n e 1.0:f32[] 2.0:f32[]",
        "    g:f32[] = div d f",
        "    h:f32[] = mul 1.0:f32[] g",
        "  in (h,) }",
      ),
    );
  });

  test("cbrt: _const beside a weak scalar is a Python float (printed unrounded)", () => {
    // mul(g, mul(_const(x, 1/3), integer_pow(ans, -2))); x is weak, so 1/3 stays a double.
    expect(text(grad((x: Array) => lax.cbrt(x)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = cbrt a",
        "    c:f32[] = integer_pow[y=-2] b",
        "    d:f32[] = mul 0.3333333333333333:f32[] c",
        "    e:f32[] = mul 1.0:f32[] d",
        "  in (e,) }",
      ),
    );
  });

  test("cbrt of a strong float32: _const is a numpy float32 (printed as its double value)", () => {
    expect(text(grad((x: Array) => lax.cbrt(x)), jnp.array(3.0))).toContain("d:f32[] = mul 0.3333333432674408:f32[] c");
  });

  // One known factor (computed on the primal side) times g, so the backward pass is one mul:
  // mul's lhs rule gives mul(ct, factor) with ct = 1.0.
  test.each([
    // mul(g, div(_const(x, 0.5), ans))
    ["sqrt", lax.sqrt, ["b:f32[] = sqrt a", "c:f32[] = div 0.5:f32[] b", "d:f32[] = mul 1.0:f32[] c"], "d"],
    // mul(g, mul(_const(x, -0.5), div(ans, x)))
    ["rsqrt", lax.rsqrt, ["b:f32[] = rsqrt a", "c:f32[] = div b a", "d:f32[] = mul -0.5:f32[] c", "e:f32[] = mul 1.0:f32[] d"], "e"],
    // mul(g, mul(ans, sub(_one(ans), ans)))
    ["logistic", lax.logistic, ["b:f32[] = logistic a", "c:f32[] = sub 1.0:f32[] b", "d:f32[] = mul b c", "e:f32[] = mul 1.0:f32[] d"], "e"],
    // mul(g, add(ans, _one(ans)))
    ["expm1", lax.expm1, ["b:f32[] = expm1 a", "c:f32[] = add b 1.0:f32[]", "d:f32[] = mul 1.0:f32[] c"], "d"],
    // mul(g, add(_const(x, 1), square(ans)))
    ["tan", lax.tan, ["b:f32[] = tan a", "c:f32[] = square b", "d:f32[] = add 1.0:f32[] c", "e:f32[] = mul 1.0:f32[] d"], "e"],
    // div(g, add(x, _one(x))): div's numerator transpose, div(ct, y)
    ["log1p", lax.log1p, ["_:f32[] = log1p a", "b:f32[] = add a 1.0:f32[]", "c:f32[] = div 1.0:f32[] b"], "c"],
  ] as const)("%s", (_name, f, eqns, out) => {
    expect(text(grad(f), 3.0)).toBe(lines("{ lambda ; a:f32[]. let", ...eqns.map((e) => `    ${e}`), `  in (${out},) }`));
  });

  test("log: div(g, x), short enough for one line", () => {
    expect(text(grad(lax.log), 3.0)).toBe("{ lambda ; a:f32[]. let _:f32[] = log a; b:f32[] = div 1.0:f32[] a in (b,) }");
  });

  test("integer_pow: mul(g, mul(_const(x, y), integer_pow(x, y - 1)))", () => {
    expect(text(grad((x: Array) => lax.integerPow(x, 3)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    _:f32[] = integer_pow[y=3] a",
        "    b:f32[] = integer_pow[y=2] a",
        "    c:f32[] = mul 3.0:f32[] b",
        "    d:f32[] = mul 1.0:f32[] c",
        "  in (d,) }",
      ),
    );
  });

  test("exp2: log of a constant is staged on the primal side", () => {
    // mul(log(_const(x, 2)), mul(g, ans)): c = log 2.0; linear t1 = mul g b, t2 = mul c t1;
    // backward: t2's rhs rule d = mul c 1.0, then t1's lhs rule e = mul d b.
    expect(text(grad((x: Array) => lax.exp2(x)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = exp2 a",
        "    c:f32[] = log 2.0:f32[]",
        "    d:f32[] = mul c 1.0:f32[]",
        "    e:f32[] = mul d b",
        "  in (e,) }",
      ),
    );
  });

  test("erf: mul(_const(x, 2/sqrt(pi)), mul(g, exp(neg(square(x)))))", () => {
    const c = String(2 / Math.sqrt(Math.PI)); // Python's repr of the same double: 1.1283791670955126
    expect(c).toBe("1.1283791670955126");
    expect(text(grad((x: Array) => lax.erf(x)), 0.5)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    _:f32[] = erf a",
        "    b:f32[] = square a",
        "    c:f32[] = neg b",
        "    d:f32[] = exp c",
        `    e:f32[] = mul ${c}:f32[] 1.0:f32[]`,
        "    f:f32[] = mul e d",
        "  in (f,) }",
      ),
    );
  });

  test("abs: select(ge(x, 0), g, neg(g)) and select_n's transpose", () => {
    // linear: t1 = neg g; t2 = select_n b t1 g. select_n's transpose: zeros = full_like(ct, 0)
    // (a literal for a scalar); case 0 gets select(b, zeros, ct), case 1 select(b, ct, zeros).
    // Then neg's transpose; g accumulates case 1's cotangent first.
    expect(text(grad((x: Array) => lax.abs(x)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    _:f32[] = abs a",
        "    b:bool[] = ge a 0.0:f32[]",
        "    c:f32[] = select_n b 1.0:f32[] 0.0:f32[]",
        "    d:f32[] = select_n b 0.0:f32[] 1.0:f32[]",
        "    e:f32[] = neg c",
        "    f:f32[] = add_any d e",
        "  in (f,) }",
      ),
    );
  });

  test("pow in both arguments (strong float32 scalars)", () => {
    // lhs: converts are no-ops (same dtype, not weak); jac = mul(y, pow(x, sub(y, 1))).
    // rhs: mul(g, mul(log(_replace_zero(x)), ans)) with _replace_zero(x) =
    // select(eq(x, 0), 1, x); the final convert to y's dtype is a no-op. The tangents are summed
    // by add_any, whose transpose hands 1.0 to both; rhs's mul is transposed first.
    const x = jnp.array(3.0);
    const y = jnp.array(2.5);
    expect(text(grad((a: Array, b: Array) => lax.pow(a, b), { argnums: [0, 1] }), x, y)).toBe(
      lines(
        "{ lambda ; a:f32[] b:f32[]. let",
        "    c:f32[] = pow a b",
        "    d:f32[] = sub b 1.0:f32[]",
        "    e:f32[] = pow a d",
        "    f:f32[] = mul b e",
        "    g:bool[] = eq a 0.0:f32[]",
        "    h:f32[] = select_n g a 1.0:f32[]",
        "    i:f32[] = log h",
        "    j:f32[] = mul i c",
        "    k:f32[] = mul 1.0:f32[] j",
        "    l:f32[] = mul 1.0:f32[] f",
        "  in (l, k) }",
      ),
    );
  });

  test("pow in its exponent, weak scalars: the final convert stages, its transpose folds", () => {
    // All weak, so mul(g, mul(log(..), ans)) is weak and convert_element_type(.., float32) binds
    // (a linear equation). Its transpose converts the weak literal cotangent 1.0 back to a weak
    // float32: a constant, which JAX's const-folding rule turns into a literal.
    expect(text(grad((a: Array, b: Array) => lax.pow(a, b), { argnums: 1 }), 3.0, 2.0)).toBe(
      lines(
        "{ lambda ; a:f32[] b:f32[]. let",
        "    c:f32[] = pow a b",
        "    d:bool[] = eq a 0.0:f32[]",
        "    e:f32[] = select_n d a 1.0:f32[]",
        "    f:f32[] = log e",
        "    g:f32[] = mul f c",
        "    h:f32[] = mul 1.0:f32[] g",
        "  in (h,) }",
      ),
    );
  });

  test("pow with a weak base: lax.convert_element_type makes it strong first", () => {
    // _pow_jvp_lhs converts x (weak) to float32, an equation; y = 2.0 is a constant and folds.
    expect(text(grad((x: Array) => lax.pow(x, 2.0)), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    _:f32[] = pow a 2.0:f32[]",
        "    b:f32[] = convert_element_type[new_dtype=float32 weak_type=False] a",
        "    c:f32[] = sub 2.0:f32[] 1.0:f32[]",
        "    d:f32[] = pow b c",
        "    e:f32[] = mul 2.0:f32[] d",
        "    f:f32[] = mul 1.0:f32[] e",
        "  in (f,) }",
      ),
    );
  });

  test("convert_element_type: the transpose restores the operand's weak type", () => {
    // x = 3.0 is weak; astype-like conversion to strong float32 is an equation, and so is its
    // jvp on the (weak) tangent. The transpose converts back with weak_type=True.
    expect(text(grad((x: Array) => lax.sin(lax.convertElementType(x, "float32"))), 3.0)).toBe(
      lines(
        "{ lambda ; a:f32[]. let",
        "    b:f32[] = convert_element_type[new_dtype=float32 weak_type=False] a",
        "    _:f32[] = sin b",
        "    c:f32[] = cos b",
        "    d:f32[] = mul 1.0:f32[] c",
        "    e:f32[] = convert_element_type[new_dtype=float32 weak_type=True] d",
        "  in (e,) }",
      ),
    );
  });
});

describe("vjp jaxprs: unbroadcasting and linear transposes", () => {
  test("mul with a size-1 axis: the cotangent is summed and reshaped back", () => {
    // linear: t1 = mul xdot b; t2 = mul a ydot; t3 = add_any t1 t2. Backward: t2 (rhs rule)
    // mul a c; t1 (lhs rule) mul c b, then _unbroadcast to (1, 3): reduce_sum, reshape.
    const f = (x: Array, y: Array, ct: Array) => (vjp((u: Array, v: Array) => lax.mul(u, v), x, y)[1] as (c: Array) => Array[])(ct);
    expect(text(f, jnp.zeros([1, 3]), jnp.zeros([2, 3]), jnp.zeros([2, 3]))).toBe(
      lines(
        "{ lambda ; a:f32[1,3] b:f32[2,3] c:f32[2,3]. let",
        "    _:f32[2,3] = mul a b",
        "    d:f32[2,3] = mul a c",
        "    e:f32[2,3] = mul c b",
        "    f:f32[3] = reduce_sum[axes=(0,) out_sharding=None] e",
        "    g:f32[1,3] = reshape[dimensions=None new_sizes=(1, 3) sharding=None] f",
        "  in (g, d) }",
      ),
    );
  });

  test("div by a scalar: numerator transpose, and the denominator's nonlinear jvp", () => {
    // y's part: mul(mul(neg(ydot), x), integer_pow(y, -2)) -> primal d = integer_pow b.
    // Backward: t4 = mul t3 d -> mul c d; t3 = mul t2 a -> mul e a, summed to the scalar;
    // t2 = neg ydot -> neg; t1 = div xdot b -> div c b.
    const f = (x: Array, y: Array, ct: Array) => (vjp((u: Array, v: Array) => lax.div(u, v), x, y)[1] as (c: Array) => Array[])(ct);
    expect(text(f, jnp.zeros([3]), jnp.array(2.0), jnp.zeros([3]))).toBe(
      lines(
        "{ lambda ; a:f32[3] b:f32[] c:f32[3]. let",
        "    _:f32[3] = div a b",
        "    d:f32[] = integer_pow[y=-2] b",
        "    e:f32[3] = mul c d",
        "    f:f32[3] = mul e a",
        "    g:f32[] = reduce_sum[axes=(0,) out_sharding=None] f",
        "    h:f32[] = neg g",
        "    i:f32[3] = div c b",
        "  in (i, h) }",
      ),
    );
  });

  test("select: _zeros of the tangent is staged even when unused; both cases transposed", () => {
    const f = (p: Array, x: Array, y: Array, ct: Array) =>
      (vjp((u: Array, v: Array) => lax.select(p, u, v), x, y)[1] as (c: Array) => Array[])(ct);
    const bcast = "broadcast_in_dim 0.0:f32[]"; // its pp rule hides shape, sharding and empty dims
    expect(text(f, jnp.array([true, false, true]), jnp.zeros([3]), jnp.zeros([3]), jnp.zeros([3]))).toBe(
      lines(
        "{ lambda ; a:bool[3] b:f32[3] c:f32[3] d:f32[3]. let",
        "    _:f32[3] = select_n a c b",
        `    _:f32[3] = ${bcast}`,
        `    e:f32[3] = ${bcast}`,
        "    f:f32[3] = select_n a d e",
        "    g:f32[3] = select_n a e d",
        "  in (g, f) }",
      ),
    );
  });
});

describe("vmap jaxprs (JAX's batching rules)", () => {
  test("select_n: a scalar `which` with cases batched on different axes", () => {
    // which unbatched and scalar, case bdims (1, 0) differ and the cases' shapes differ: both
    // cases go batch-first (a transpose for y), which stays scalar.
    const f = vmap((p: Array, x: Array, y: Array) => lax.select(p, x, y), { inAxes: [null, 0, 1] });
    expect(text(f, jnp.array(true), jnp.zeros([4, 3]), jnp.zeros([3, 4]))).toBe(
      lines(
        "{ lambda ; a:bool[] b:f32[4,3] c:f32[3,4]. let",
        "    d:f32[4,3] = transpose[permutation=(1, 0)] c",
        "    e:f32[4,3] = select_n a d b",
        "  in (e,) }",
      ),
    );
  });

  test("select_n: a per-example scalar `which` is broadcast to the cases", () => {
    const f = vmap((p: Array, x: Array, y: Array) => lax.select(p, x, y));
    expect(text(f, jnp.array([true, false, true, true]), jnp.zeros([4, 3]), jnp.zeros([4, 3]))).toBe(
      lines(
        "{ lambda ; a:bool[4] b:f32[4,3] c:f32[4,3]. let",
        "    d:bool[4,3] = broadcast_in_dim[broadcast_dimensions=(0,)] a",
        "    e:f32[4,3] = select_n d c b",
        "  in (e,) }",
      ),
    );
  });

  test("add: an unbatched operand gets a size-1 batch axis", () => {
    const f = vmap((x: Array, y: Array) => lax.add(x, y), { inAxes: [0, null] });
    expect(text(f, jnp.zeros([4, 3]), jnp.zeros([3]))).toBe(
      lines(
        "{ lambda ; a:f32[4,3] b:f32[3]. let",
        "    c:f32[1,3] = broadcast_in_dim[broadcast_dimensions=(1,)] b",
        "    d:f32[4,3] = add a c",
        "  in (d,) }",
      ),
    );
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
      const got = vmap(f, { inAxes: axes })(...args) as Array;
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
      const got = vmap(sel, { inAxes: axes })(...args) as Array;
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
