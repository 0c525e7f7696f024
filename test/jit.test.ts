// jit's contract: when it traces, what it caches, what it prints, and the errors it raises.
import { afterEach, expect, test, vi } from "vitest";
import { ConcretizationTypeError, UnexpectedTracerError, config, evalJaxpr, checkJaxpr, jit, jnp, makeJaxpr, tree, type Array } from "../src/index.js";
import { jaxText } from "./jax_texts.js";

afterEach(() => {
  config.update("jax_log_compiles", false);
  config.update("jax_explain_cache_misses", false);
});

function countingTraces<F extends (...a: any[]) => any>(f: F) {
  const calls = { n: 0 };
  const g = ((...args: any[]) => {
    calls.n++;
    return f(...args);
  }) as F;
  return { g, calls };
}

test("the trace cache is keyed on the function, not the jit wrapper", () => {
  const { g, calls } = countingTraces((x: Array) => jnp.multiply(x, 2));
  expect(String(jit(g)(4))).toBe("8.0");
  expect(String(jit(g)(5))).toBe("10.0");
  expect(calls.n).toBe(1);
});

test("jit retraces on a new shape, dtype, weak type, pytree structure or static value", () => {
  const { g, calls } = countingTraces((x: any, k: number) => jnp.multiply(globalThis.Array.isArray(x) ? x[0] : x, k));
  const f = jit(g, { staticArgnums: 1 });
  f(jnp.ones([3]), 2);
  f(jnp.ones([3]), 2);
  expect(calls.n).toBe(1);
  f(jnp.ones([4]), 2);
  f(jnp.ones([4], { dtype: "int32" }), 2);
  f(1, 2); // weak float32 scalar
  f(jnp.array(1), 2); // strong float32 scalar
  f([jnp.ones([4])], 2);
  f(jnp.ones([3]), 3);
  expect(calls.n).toBe(7);
});

test("static args reach the function as values and key the cache", () => {
  const f = jit((x: Array, n: number) => jnp.multiply(x, n), { staticArgnums: [1] });
  expect(String(f(jnp.array([1, 2]), 3))).toBe("[3. 6.]");
  expect(() => f(jnp.array([1, 2]), jnp.array(3) as never)).toThrow(/Non-hashable static arguments are not supported/);
  expect(() => jit((...xs: Array[]) => xs[0], { staticArgnums: 1 })(jnp.ones([1]))).toThrow(/staticArgnums=\(1,\) but was called with only 1 positional argument/);
});

test("nested jit stays a jit equation with JAX's name= first", () => {
  const inner = jit(function g(x: Array) {
    return jnp.sin(x);
  });
  const outer = (x: Array) => jnp.cos(inner(x));
  expect(String(makeJaxpr(outer)(1))).toBe(jaxText("jit/nested_named"));
  expect(String(jit(outer)(0))).toBe("1.0");
});

test("a jaxpr used twice is printed once, as a shared let", () => {
  const inner = jit(function g(x: Array) {
    return jnp.sin(x);
  });
  const text = String(makeJaxpr((x: Array) => jnp.add(inner(x), inner(jnp.cos(x))))(1));
  expect(text).toBe(jaxText("jit/shared_let"));
});

test("closed-over arrays become constvars; JS numbers become literals", () => {
  const c = jnp.array([1, 2, 3]);
  const text = String(makeJaxpr((x: Array) => jnp.add(jnp.multiply(x, c), 0.5))(jnp.ones([3])));
  expect(text).toBe(jaxText("jit/constvar_and_literal"));
  expect(String(jit((x: Array) => jnp.multiply(x, c))(jnp.ones([3])))).toBe("[1. 2. 3.]");
});

test("a traced value used as a JS value raises ConcretizationTypeError naming the function", () => {
  const cases: [string, (x: Array) => unknown][] = [
    ["Number", (x) => Number(x)],
    ["template", (x) => `${x}`],
    ["comparison", (x) => (Number(x) > 0 ? x : x)],
    // The methods of a concrete array (the public Array type has them all), as JAX's Tracer raises.
    ["`item()`", (x) => x.item()],
    ["`tolist()`", (x) => x.tolist()],
    ["`dataSync()`", (x) => x.dataSync()],
    ["`data()`", (x) => x.data()],
    ["`toTensor()`", (x) => x.toTensor()],
    ["`dispose()`", (x) => x.dispose()],
    ["`dispose()` (the end of a `using` block)", (x) => {
      using y = x;
      return y;
    }],
    ["`isDisposed`", (x) => x.isDisposed],
  ];
  for (const [what, body] of cases) {
    const f = function myfun(x: Array) {
      return body(x) as Array;
    };
    expect(() => jit(f)(1)).toThrow(ConcretizationTypeError);
    expect(() => jit(f)(1)).toThrow(/Abstract tracer value encountered where concrete value is expected[\s\S]*myfun for jit/);
    if (what.startsWith("`")) expect(() => jit(f)(1)).toThrow(`The problem arose with ${what}.`);
  }
});

test("a tracer that escapes its trace raises UnexpectedTracerError when used", () => {
  let leaked: Array | undefined;
  jit(function leaky(x: Array) {
    leaked = jnp.sin(x);
    return x;
  })(1);
  expect(() => jnp.add(leaked!, 1)).toThrow(UnexpectedTracerError);
  expect(() => jnp.add(leaked!, 1)).toThrow(/The function being traced when the value leaked was leaky for jit/);
  expect(() => jit((y: Array) => jnp.add(y, leaked!))(1)).toThrow(UnexpectedTracerError);
});

test("non-array arguments and outputs get clear errors", () => {
  expect(() => jit((x: unknown) => x)("hello")).toThrow(/Error interpreting argument to <lambda> as an abstract array. The problematic value is of type string and was passed to the function at path args\[0\]/);
  expect(() => jit(() => "x")()).toThrow(/returned a value of type string/);
  expect(() => jit(42 as never)).toThrow(/jit: expected a function/);
  expect(() => (jit((x: Array, y: Array) => jnp.add(x, y)) as any)(1)).toThrow("<lambda>() missing 1 required positional argument");
});

test("pytrees in and out: arrays, dicts with sorted keys, null, registered classes", () => {
  class Point {
    constructor(
      readonly x: Array,
      readonly y: Array,
    ) {}
  }
  tree.registerNode(
    Point,
    (p) => [[p.x, p.y], null],
    (_, [x, y]) => new Point(x, y),
  );
  const f = jit((s: { b: Array; a: Array; p: Point; n: null }) => ({ sum: jnp.add(s.a, s.b), p: new Point(s.p.y, s.p.x), n: s.n }));
  const out = f({ b: jnp.array(2), a: jnp.array(1), p: new Point(jnp.array(3), jnp.array(4)), n: null });
  expect(String(out.sum)).toBe("3.0");
  expect(out.p).toBeInstanceOf(Point);
  expect(String(out.p.x)).toBe("4.0");
  expect(out.n).toBeNull();
  const [leaves, def] = tree.flatten({ z: 1, a: [2, { q: 3 }], m: null });
  expect(leaves).toEqual([2, 3, 1]);
  expect(tree.unflatten(def, [7, 8, 9])).toEqual({ a: [7, { q: 8 }], m: null, z: 9 });
  expect(tree.map((x: number, y: number) => x + y, [1, { a: 2 }], [10, { a: 20 }])).toEqual([11, { a: 22 }]);
  expect(() => tree.map((x: number) => x, [1], [1, 2])).toThrow(/structure/);
});

test("evalJaxpr runs a jaxpr; checkJaxpr accepts what tracing builds", () => {
  const f = (x: Array, y: Array) => jnp.sum(jnp.tanh(jnp.add(jnp.matmul(x, y), 1)), 0);
  const x = jnp.ones([2, 3]);
  const y = jnp.ones([3, 4]);
  const closed = makeJaxpr(f)(x, y);
  checkJaxpr(closed.jaxpr);
  const [out] = evalJaxpr(closed, x, y);
  expect(out.tolist()).toEqual((f(x, y) as any).tolist());
  // evalJaxpr is itself traceable.
  expect(String(makeJaxpr((a: Array, b: Array) => evalJaxpr(closed, a, b)[0])(x, y))).toBe(String(closed));
});

test("TFJAX_LOG_COMPILES explains each cache miss", () => {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  config.update("jax_log_compiles", true);
  config.update("jax_explain_cache_misses", true);
  const f = jit(function logged(x: Array) {
    return jnp.sin(x);
  });
  f(jnp.ones([3]));
  f(jnp.ones([3]));
  f(jnp.ones([4]));
  const text = warn.mock.calls.map((c) => String(c[0])).join("\n");
  warn.mockRestore();
  expect(text).toContain("TRACING CACHE MISS at logged because:\n  never seen function");
  expect(text).toContain("Compiling logged with global shapes and types [ShapedArray(float32[3])]");
  expect(text).toContain("* at args[0], now f32[4] and before f32[3]");
  expect(text.match(/Compiling logged/g)).toHaveLength(2);
});
