// makeJaxpr's text against what JAX prints: each expected text is JAX's own, printed by JAX for
// the same program written in Python (scripts/jax_reference/jaxpr_texts.py, keys "print/*").
import { describe, expect, test } from "vitest";
import { jit, jnp, lax, makeJaxpr, type Array } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

const f32 = (shape: number[]) => jnp.zeros(shape);
const i32 = (shape: number[]) => jnp.zeros(shape, { dtype: "int32" });
const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));

describe("JAX's own texts (the examples of api.py, api_test.py, aot.md and pjit_test.py)", () => {
  test("api.py make_jaxpr doctest: sin(cos(x))", () => {
    expect(text((x: Array) => jnp.sin(jnp.cos(x)), 3.0)).toBe(jaxText("print/sin_cos"));
  });

  test("api_test.py test_const: a constvar, a literal output, several outputs", () => {
    const zeros = jnp.zeros([1]); // a concrete array closed over: hoisted to a constvar
    expect(text((x: Array) => [x, 1, zeros], jnp.array(0))).toBe(jaxText("print/const"));
  });

  test("aot.md: 2 * x + y on int32 scalars", () => {
    const x = jnp.array(3, { dtype: "int32" });
    expect(text((x: Array, y: Array) => jnp.add(jnp.multiply(2, x), y), x, x)).toBe(jaxText("print/aot_int32"));
  });

  test("pjit_test.py:1098 nested jit shared as `let lambda`", () => {
    const f = jit((x: Array) => jnp.power(x, 2));
    const g = jit((x: Array) => jnp.add(f(x), f(x)));
    expect(text(g, f32([1]))).toBe(jaxText("print/pjit_nested_shared"));
  });

  test("pjit_test.py:1143 a jaxpr of more than 10 equations is hoisted even when used once", () => {
    const small = jit(function inner_jit_small(y: Array) {
      return jnp.add(y, 1);
    });
    const large = jit(function inner_jit_large(y: Array) {
      let z = y;
      for (let i = 0; i < 11; i++) z = jnp.add(z, 1);
      return z;
    });
    expect(text((x: Array) => large(small(x)), i32([2]))).toBe(jaxText("print/pjit_hoist_large"));
  });

  test("pjit_test.py:1173 shared jaxprs are named after their functions, in breadth-first order", () => {
    const inner_fn = jit(function inner_fn(x: Array) {
      return jnp.add(x, 1.0);
    });
    const outer_fn = jit(function outer_fn(x: Array) {
      return jnp.add(inner_fn(x), inner_fn(x));
    });
    expect(text((x: Array) => jnp.add(outer_fn(x), outer_fn(x)), f32([1]))).toBe(jaxText("print/pjit_bfs_names"));
  });

  test("pjit_test.py:1203 an inner jaxpr that returns its input", () => {
    const f = jit((x: Array, _y: Array) => x);
    expect(text((y: Array) => jnp.add(y, f(y, y)), f32([1]))).toBe(jaxText("print/pjit_returns_input"));
  });

  test("pjit_test.py:1220 a scalar constant argument is a strong literal", () => {
    const f = jit((x: Array, y: Array) => jnp.multiply(x, y));
    expect(text((x: Array) => f(x, jnp.array(1.0)), f32([1]))).toBe(jaxText("print/pjit_strong_literal"));
  });

  test("pjit_test.py:1236 one outer variable passed three times", () => {
    const f = jit((x: Array, y: Array, z: Array) => jnp.multiply(jnp.multiply(x, y), z));
    expect(text((x: Array) => f(x, x, x), f32([1]))).toBe(jaxText("print/pjit_three_times"));
  });

  test("pjit_test.py:1255 a literal output of an inner jaxpr", () => {
    const f = jit((x: Array) => [jnp.array(2, { dtype: "int32" }), x]);
    expect(text(f, f32([1]))).toBe(jaxText("print/pjit_literal_output"));
  });

  test("pjit_test.py:1271 closed-over tracers become leading arguments", () => {
    const g = jit(function g_closure(x: Array, y: Array) {
      const f = jit(function f(x: Array) {
        return jnp.multiply(x, y);
      });
      return jnp.add(f(x), f(y));
    });
    expect(text(g, f32([1]), f32([1]))).toBe(jaxText("print/pjit_closed_over"));
  });

  test("pjit_test.py:1298 two shared jaxprs of one name: f and f1", () => {
    const f = jit(function f(x: Array) {
      return x;
    });
    const g = jit(function g(x: Array, y: Array) {
      return jnp.add(jnp.multiply(f(x), f(x)), jnp.multiply(f(y), f(y)));
    });
    expect(text(g, f32([1]), f32([2]))).toBe(jaxText("print/pjit_f_and_f1"));
  });
});

describe("jnp lowerings", () => {
  test("matmul of 2-D arrays", () => {
    expect(text(jnp.matmul, f32([2, 3]), f32([3, 4]))).toBe(jaxText("print/matmul"));
  });

  // JS cannot tell 0.0 from 0: an integer-valued number beside an array is a Python int, so
  // these use non-integer bounds to get JAX's Python-float texts.
  test("where with a scalar branch is a nested _where jit", () => {
    expect(text((x: Array) => jnp.where(jnp.greater(x, 0), x, 0.5), f32([3]))).toBe(jaxText("print/where_scalar"));
  });

  test("clip uses max and min inside a clip jit", () => {
    expect(text((x: Array) => jnp.clip(x, 0.5, 1.5), f32([3]))).toBe(jaxText("print/clip"));
  });

  test("mean of int32 converts, sums, then divides by a literal count", () => {
    expect(text((x: Array) => jnp.mean(x), i32([3]))).toBe(jaxText("print/mean_int32"));
  });

  // The bounds are JS numbers on their own, so floats: JAX's linspace(0.0, 1.0, 5).
  test("linspace is a hoisted _linspace jit of 14 equations", () => {
    expect(text(() => jnp.linspace(0, 1, 5))).toBe(jaxText("print/linspace"));
  });

  test.each([
    ["sum", (x: Array) => jnp.sum(x), [f32([2, 3])]],
    ["prod", (x: Array) => jnp.prod(x), [f32([3])]],
    ["argmax", (x: Array) => jnp.argmax(x), [f32([3])]],
    ["T_2d", (x: Array) => x.T, [f32([2, 3])]],
    ["T_1d", (x: Array) => x.T, [f32([3])]],
    ["squeeze", (x: Array) => jnp.squeeze(x), [f32([1, 3])]],
    ["expand_dims", (x: Array) => jnp.expandDims(x, 0), [f32([3])]],
    ["stack", (x: Array, y: Array) => jnp.stack([x, y]), [f32([3]), f32([3])]],
    ["zeros", () => jnp.zeros([3]), []],
    ["arange_int32", () => jnp.arange(3, undefined, undefined, { dtype: "int32" }), []],
    ["add_int", (x: Array) => jnp.add(x, 1), [i32([3])]],
    ["mul_2x", (x: Array) => jnp.multiply(2, x), [f32([3])]],
    ["mul_0.1_array", (x: Array) => jnp.multiply(x, 0.1), [f32([3])]],
    ["mul_0.1_weak", (x: Array) => jnp.multiply(x, 0.1), [1.0]],
    ["add_1e-5", (x: Array) => jnp.add(x, 1e-5), [f32([3])]],
    ["power_2", (x: Array) => jnp.power(x, 2), [f32([3])]],
    ["square", (x: Array) => jnp.square(x), [f32([3])]],
    ["reciprocal", (x: Array) => jnp.reciprocal(x), [f32([3])]],
    ["one_over_sqrt", (x: Array) => jnp.divide(1, jnp.sqrt(x)), [f32([3])]],
    ["logistic", (x: Array) => lax.logistic(x), [f32([3])]],
    ["neg", (x: Array) => x.neg(), [f32([3])]],
    ["maximum_0", (x: Array) => jnp.maximum(x, 0), [f32([3])]],
    ["sin", (x: Array) => jnp.sin(x), [f32([3])]],
    ["divide_int32", (x: Array) => jnp.divide(x, 2), [i32([3])]],
    ["add_broadcast", (x: Array, y: Array) => jnp.add(x, y), [f32([2, 3]), f32([3])]],
    ["sum_keepdims", (x: Array) => jnp.sum(x, 1, { keepdims: true }), [f32([2, 3])]],
  ] as [string, (...a: any[]) => unknown, unknown[]][])("jnp %s", (name, f, args) => {
    expect(text(f, ...args)).toBe(jaxText(`print/jnp_${name}`));
  });
});
describe("errors in JAX's words", () => {
  test("shape and dtype errors", () => {
    expect(() => jnp.add(jnp.zeros([3]), jnp.zeros([4]))).toThrow("add got incompatible shapes for broadcasting: (3,), (4,).");
    expect(() => jnp.add(jnp.zeros([2, 3]), jnp.zeros([4]))).toThrow("Incompatible shapes for broadcasting: shapes=[(2, 3), (4,)]");
    expect(() => lax.add(jnp.zeros([3]), jnp.zeros([2, 3]))).toThrow("add: arrays must have the same number of dimensions, got {1, 2}");
    expect(() => lax.add(jnp.zeros([3]), i32([3]))).toThrow(
      "lax.add requires arguments to have the same dtypes, got float32, int32. (Tip: jnp.add is a similar function that does automatic type promotion on inputs).",
    );
    expect(() => lax.sin(i32([3]))).toThrow("sin does not accept dtype int32. Accepted dtypes are subtypes of floating, complexfloating.");
    expect(() => lax.add(jnp.array([true]), jnp.array([true]))).toThrow(
      "add does not accept dtype bool at position 0. Accepted dtypes at position 0 are subtypes of integer, floating, complexfloating.",
    );
    expect(() => lax.reduceSum(jnp.array([true]), [0])).toThrow("reduce_sum does not accept dtype bool. Accepted dtypes are subtypes of number.");
  });
});
