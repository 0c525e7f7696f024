// makeJaxpr's text against what JAX 0.11 prints. Each expected string is JAX's own (its
// tests, doctests and docs; file:line in JAX's tree noted), or derived line by line from
// JAX's source where marked "derived" (docs/notes/jax-primitives.md explains each).
import { describe, expect, test } from "vitest";
import { jit, jnp, lax, makeJaxpr, type Array } from "../src/index.js";

const f32 = (shape: number[]) => jnp.zeros(shape);
const i32 = (shape: number[]) => jnp.zeros(shape, { dtype: "int32" });
const lines = (...ls: string[]) => ls.join("\n");
const text = (f: (...a: any[]) => unknown, ...args: unknown[]) => String(makeJaxpr(f)(...args));

describe("JAX's own texts", () => {
  test("api.py make_jaxpr doctest: sin(cos(x))", () => {
    expect(text((x: Array) => jnp.sin(jnp.cos(x)), 3.0)).toBe("{ lambda ; a:f32[]. let b:f32[] = cos a; c:f32[] = sin b in (c,) }");
  });

  test("api_test.py test_const: a constvar, a literal output, several outputs", () => {
    const zeros = jnp.zeros([1]); // a concrete array closed over: hoisted to a constvar
    expect(text((x: Array) => [x, 1, zeros], jnp.array(0))).toBe("{ lambda a:f32[1]; b:f32[]. let  in (b, 1.0:f32[], a) }");
  });

  test("aot.md: 2 * x + y on int32 scalars", () => {
    const x = jnp.array(3, { dtype: "int32" });
    expect(text((x: Array, y: Array) => jnp.add(jnp.multiply(2, x), y), x, x)).toBe(
      lines("{ lambda ; a:i32[] b:i32[]. let", "    c:i32[] = mul 2:i32[] a", "    d:i32[] = add c b", "  in (d,) }"),
    );
  });

  test("pjit_test.py:1098 nested jit shared as `let lambda`", () => {
    const f = jit((x: Array) => jnp.power(x, 2));
    const g = jit((x: Array) => jnp.add(f(x), f(x)));
    expect(text(g, f32([1]))).toBe(
      lines(
        "let lambda = { lambda ; a:f32[1]. let b:f32[1] = integer_pow[y=2] a in (b,) } in",
        "{ lambda ; c:f32[1]. let",
        "    d:f32[1] = jit[",
        "      name=<lambda>",
        "      jaxpr={ lambda ; c:f32[1]. let",
        "          e:f32[1] = jit[name=<lambda> jaxpr=lambda] c",
        "          f:f32[1] = jit[name=<lambda> jaxpr=lambda] c",
        "          d:f32[1] = add e f",
        "        in (d,) }",
        "    ] c",
        "  in (d,) }",
      ),
    );
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
    const out = text((x: Array) => large(small(x)), i32([2]));
    const body = Array.from({ length: 11 }, (_, i) => {
      const v = "bcdefghijkl"[i];
      const prev = "abcdefghijk"[i];
      return `    ${v}:i32[2] = add ${prev} 1:i32[]`;
    });
    expect(out).toBe(
      lines(
        "let inner_jit_large = { lambda ; a:i32[2]. let",
        ...body,
        "  in (l,) } in",
        "{ lambda ; m:i32[2]. let",
        "    n:i32[2] = jit[",
        "      name=inner_jit_small",
        "      jaxpr={ lambda ; m:i32[2]. let n:i32[2] = add m 1:i32[] in (n,) }",
        "    ] m",
        "    o:i32[2] = jit[name=inner_jit_large jaxpr=inner_jit_large] n",
        "  in (o,) }",
      ),
    );
  });

  test("pjit_test.py:1173 shared jaxprs are named after their functions, in breadth-first order", () => {
    const inner_fn = jit(function inner_fn(x: Array) {
      return jnp.add(x, 1.0);
    });
    const outer_fn = jit(function outer_fn(x: Array) {
      return jnp.add(inner_fn(x), inner_fn(x));
    });
    expect(text((x: Array) => jnp.add(outer_fn(x), outer_fn(x)), f32([1]))).toBe(
      lines(
        "let outer_fn = { lambda ; a:f32[1]. let",
        "    b:f32[1] = jit[name=inner_fn jaxpr=inner_fn] a",
        "    c:f32[1] = jit[name=inner_fn jaxpr=inner_fn] a",
        "    d:f32[1] = add b c",
        "  in (d,) } in",
        "let inner_fn = { lambda ; e:f32[1]. let f:f32[1] = add e 1.0:f32[] in (f,) } in",
        "{ lambda ; g:f32[1]. let",
        "    h:f32[1] = jit[name=outer_fn jaxpr=outer_fn] g",
        "    i:f32[1] = jit[name=outer_fn jaxpr=outer_fn] g",
        "    j:f32[1] = add h i",
        "  in (j,) }",
      ),
    );
  });

  test("pjit_test.py:1203 an inner jaxpr that returns its input", () => {
    const f = jit((x: Array, _y: Array) => x);
    expect(text((y: Array) => jnp.add(y, f(y, y)), f32([1]))).toBe(
      lines(
        "{ lambda ; a:f32[1]. let",
        "    b:f32[1] = jit[",
        "      name=<lambda>",
        "      jaxpr={ lambda ; a:f32[1] c:f32[1]. let  in (a,) }",
        "    ] a a",
        "    d:f32[1] = add a b",
        "  in (d,) }",
      ),
    );
  });

  test("pjit_test.py:1220 a scalar constant argument is a strong literal", () => {
    const f = jit((x: Array, y: Array) => jnp.multiply(x, y));
    expect(text((x: Array) => f(x, jnp.array(1.0)), f32([1]))).toBe(
      lines(
        "{ lambda ; a:f32[1]. let",
        "    b:f32[1] = jit[",
        "      name=<lambda>",
        "      jaxpr={ lambda ; a:f32[1] c:f32[]. let b:f32[1] = mul a c in (b,) }",
        "    ] a 1.0:f32[]",
        "  in (b,) }",
      ),
    );
  });

  test("pjit_test.py:1236 one outer variable passed three times", () => {
    const f = jit((x: Array, y: Array, z: Array) => jnp.multiply(jnp.multiply(x, y), z));
    expect(text((x: Array) => f(x, x, x), f32([1]))).toBe(
      lines(
        "{ lambda ; a:f32[1]. let",
        "    b:f32[1] = jit[",
        "      name=<lambda>",
        "      jaxpr={ lambda ; a:f32[1] c:f32[1] d:f32[1]. let",
        "          e:f32[1] = mul a c",
        "          b:f32[1] = mul e d",
        "        in (b,) }",
        "    ] a a a",
        "  in (b,) }",
      ),
    );
  });

  test("pjit_test.py:1255 a literal output of an inner jaxpr", () => {
    const f = jit((x: Array) => [jnp.array(2, { dtype: "int32" }), x]);
    expect(text(f, f32([1]))).toBe(
      lines(
        "{ lambda ; a:f32[1]. let",
        "    b:i32[] c:f32[1] = jit[",
        "      name=<lambda>",
        "      jaxpr={ lambda ; a:f32[1]. let  in (2:i32[], a) }",
        "    ] a",
        "  in (b, c) }",
      ),
    );
  });

  test("pjit_test.py:1271 closed-over tracers become leading arguments", () => {
    const g = jit(function g(x: Array, y: Array) {
      const f = jit(function f(x: Array) {
        return jnp.multiply(x, y);
      });
      return jnp.add(f(x), f(y));
    });
    expect(text(g, f32([1]), f32([1]))).toBe(
      lines(
        "let f = { lambda ; a:f32[1] b:f32[1]. let c:f32[1] = mul b a in (c,) } in",
        "{ lambda ; d:f32[1] e:f32[1]. let",
        "    g:f32[1] = jit[",
        "      name=g",
        "      jaxpr={ lambda ; d:f32[1] e:f32[1]. let",
        "          h:f32[1] = jit[name=f jaxpr=f] e d",
        "          i:f32[1] = jit[name=f jaxpr=f] e e",
        "          g:f32[1] = add h i",
        "        in (g,) }",
        "    ] d e",
        "  in (g,) }",
      ),
    );
  });

  test("pjit_test.py:1298 two shared jaxprs of one name: f and f1", () => {
    const f = jit(function f(x: Array) {
      return x;
    });
    const g = jit(function g(x: Array, y: Array) {
      return jnp.add(jnp.multiply(f(x), f(x)), jnp.multiply(f(y), f(y)));
    });
    expect(text(g, f32([1]), f32([2]))).toBe(
      lines(
        "let f = { lambda ; a:f32[1]. let  in (a,) } in",
        "let f1 = { lambda ; b:f32[2]. let  in (b,) } in",
        "{ lambda ; c:f32[1] d:f32[2]. let",
        "    e:f32[2] = jit[",
        "      name=g",
        "      jaxpr={ lambda ; c:f32[1] d:f32[2]. let",
        "          g:f32[1] = jit[name=f jaxpr=f] c",
        "          h:f32[1] = jit[name=f jaxpr=f] c",
        "          i:f32[1] = mul g h",
        "          j:f32[2] = jit[name=f jaxpr=f1] d",
        "          k:f32[2] = jit[name=f jaxpr=f1] d",
        "          l:f32[2] = mul j k",
        "          e:f32[2] = add i l",
        "        in (e,) }",
        "    ] c d",
        "  in (e,) }",
      ),
    );
  });
});

describe("jnp lowerings (derived from JAX's source)", () => {
  test("matmul of 2-D arrays", () => {
    expect(text(jnp.matmul, f32([2, 3]), f32([3, 4]))).toBe(
      lines(
        "{ lambda ; a:f32[2,3] b:f32[3,4]. let",
        "    c:f32[2,4] = dot_general[",
        "      dimension_numbers=(([1], [0]), ([], []))",
        "      preferred_element_type=float32",
        "    ] a b",
        "  in (c,) }",
      ),
    );
  });

  // JS cannot tell 0.0 from 0: an integer-valued number beside an array is a Python int, so
  // these use non-integer bounds to get JAX's Python-float texts.
  test("where with a scalar branch is a nested _where jit", () => {
    expect(text((x: Array) => jnp.where(jnp.greater(x, 0), x, 0.5), f32([3]))).toBe(
      lines(
        "{ lambda ; a:f32[3]. let",
        "    b:bool[3] = gt a 0.0:f32[]",
        "    c:f32[3] = jit[",
        "      name=_where",
        "      jaxpr={ lambda ; b:bool[3] a:f32[3] d:f32[]. let",
        "          e:f32[] = convert_element_type[new_dtype=float32 weak_type=False] d",
        "          f:f32[3] = broadcast_in_dim e",
        "          c:f32[3] = select_n b f a",
        "        in (c,) }",
        "    ] b a 0.5:f32[]",
        "  in (c,) }",
      ),
    );
  });

  test("clip uses max and min inside a clip jit", () => {
    expect(text((x: Array) => jnp.clip(x, 0.5, 1.5), f32([3]))).toBe(
      lines(
        "{ lambda ; a:f32[3]. let",
        "    b:f32[3] = jit[",
        "      name=clip",
        "      jaxpr={ lambda ; a:f32[3] c:f32[] d:f32[]. let",
        "          e:f32[] = convert_element_type[new_dtype=float32 weak_type=False] c",
        "          f:f32[3] = max e a",
        "          g:f32[] = convert_element_type[new_dtype=float32 weak_type=False] d",
        "          b:f32[3] = min g f",
        "        in (b,) }",
        "    ] a 0.5:f32[] 1.5:f32[]",
        "  in (b,) }",
      ),
    );
  });

  test("mean of int32 converts, sums, then divides by a literal count", () => {
    expect(text((x: Array) => jnp.mean(x), i32([3]))).toBe(
      lines(
        "{ lambda ; a:i32[3]. let",
        "    b:f32[3] = convert_element_type[new_dtype=float32 weak_type=False] a",
        "    c:f32[] = reduce_sum[axes=(0,) out_sharding=None] b",
        "    d:f32[] = div c 3.0:f32[]",
        "  in (d,) }",
      ),
    );
  });

  test("linspace is a hoisted _linspace jit of 14 equations", () => {
    expect(text(() => jnp.linspace(0, 1, 5))).toBe(
      lines(
        "let _linspace = { lambda ; a:f32[] b:f32[]. let",
        "    c:f32[] = convert_element_type[new_dtype=float32 weak_type=False] a",
        "    d:f32[] = convert_element_type[new_dtype=float32 weak_type=False] b",
        "    e:f32[] = sub d c",
        "    f:f32[] = div e 4.0:f32[]",
        "    g:f32[4] = iota[dimension=0 dtype=float32 shape=(4,) sharding=None] ",
        "    h:f32[4] = div g 4.0:f32[]",
        "    i:f32[1] = reshape[dimensions=None new_sizes=(1,) sharding=None] c",
        "    j:f32[4] = sub 1.0:f32[] h",
        "    k:f32[4] = mul i j",
        "    l:f32[1] = reshape[dimensions=None new_sizes=(1,) sharding=None] d",
        "    m:f32[4] = mul l h",
        "    n:f32[4] = add k m",
        "    o:f32[1] = broadcast_in_dim d",
        "    p:f32[5] = concatenate[dimension=0] n o",
        "  in (p,) } in",
        "{ lambda ; . let",
        "    q:f32[5] = jit[name=_linspace jaxpr=_linspace] 0.0:f32[] 1.0:f32[]",
        "  in (q,) }",
      ),
    );
  });

  test("one-line forms of common jnp functions", () => {
    const cases: [string, () => string][] = [
      ["{ lambda ; a:f32[2,3]. let\n    b:f32[] = reduce_sum[axes=(0, 1) out_sharding=None] a\n  in (b,) }", () => text((x: Array) => jnp.sum(x), f32([2, 3]))],
      ["{ lambda ; a:f32[3]. let b:f32[] = reduce_prod[axes=(0,)] a in (b,) }", () => text((x: Array) => jnp.prod(x), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:i32[] = argmax[axes=(0,) index_dtype=int32] a in (b,) }", () => text((x: Array) => jnp.argmax(x), f32([3]))],
      ["{ lambda ; a:f32[2,3]. let b:f32[3,2] = transpose[permutation=(1, 0)] a in (b,) }", () => text((x: Array) => x.T, f32([2, 3]))],
      ["{ lambda ; a:f32[3]. let  in (a,) }", () => text((x: Array) => x.T, f32([3]))],
      ["{ lambda ; a:f32[1,3]. let b:f32[3] = squeeze[dimensions=(0,)] a in (b,) }", () => text((x: Array) => jnp.squeeze(x), f32([1, 3]))],
      ["{ lambda ; a:f32[3]. let\n    b:f32[1,3] = broadcast_in_dim[broadcast_dimensions=(1,)] a\n  in (b,) }", () => text((x: Array) => jnp.expandDims(x, 0), f32([3]))],
      ["{ lambda ; a:f32[3] b:f32[3]. let c:f32[2,3] = stack[axis=0] a b in (c,) }", () => text((x: Array, y: Array) => jnp.stack([x, y]), f32([3]), f32([3]))],
      ["{ lambda ; . let a:f32[3] = broadcast_in_dim 0.0:f32[] in (a,) }", () => text(() => jnp.zeros([3]))],
      ["{ lambda ; . let\n    a:i32[3] = iota[dimension=0 dtype=int32 shape=(3,) sharding=None] \n  in (a,) }", () => text(() => jnp.arange(3, undefined, 1, { dtype: "int32" }))],
      ["{ lambda ; a:i32[3]. let b:i32[3] = add a 1:i32[] in (b,) }", () => text((x: Array) => jnp.add(x, 1), i32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = mul 2.0:f32[] a in (b,) }", () => text((x: Array) => jnp.multiply(2, x), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = mul a 0.10000000149011612:f32[] in (b,) }", () => text((x: Array) => jnp.multiply(x, 0.1), f32([3]))],
      ["{ lambda ; a:f32[]. let b:f32[] = mul a 0.1:f32[] in (b,) }", () => text((x: Array) => jnp.multiply(x, 0.1), 1.0)],
      ["{ lambda ; a:f32[3]. let b:f32[3] = add a 9.999999747378752e-06:f32[] in (b,) }", () => text((x: Array) => jnp.add(x, 1e-5), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = integer_pow[y=2] a in (b,) }", () => text((x: Array) => jnp.power(x, 2), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = square a in (b,) }", () => text((x: Array) => jnp.square(x), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = integer_pow[y=-1] a in (b,) }", () => text((x: Array) => jnp.reciprocal(x), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = sqrt a; c:f32[3] = div 1.0:f32[] b in (c,) }", () => text((x: Array) => jnp.divide(1, jnp.sqrt(x)), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = logistic a in (b,) }", () => text((x: Array) => lax.logistic(x), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = neg a in (b,) }", () => text((x: Array) => x.neg(), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = max a 0.0:f32[] in (b,) }", () => text((x: Array) => jnp.maximum(x, 0.0), f32([3]))],
      ["{ lambda ; a:f32[3]. let b:f32[3] = sin a in (b,) }", () => text((x: Array) => jnp.sin(x), f32([3]))],
      [
        "{ lambda ; a:i32[3]. let\n    b:f32[3] = convert_element_type[new_dtype=float32 weak_type=False] a\n    c:f32[3] = div b 2.0:f32[]\n  in (c,) }",
        () => text((x: Array) => jnp.divide(x, 2), i32([3])),
      ],
      [
        "{ lambda ; a:f32[2,3] b:f32[3]. let\n    c:f32[1,3] = broadcast_in_dim[broadcast_dimensions=(1,)] b\n    d:f32[2,3] = add a c\n  in (d,) }",
        () => text((x: Array, y: Array) => jnp.add(x, y), f32([2, 3]), f32([3])),
      ],
      [
        "{ lambda ; a:f32[2,3]. let\n    b:f32[2] = reduce_sum[axes=(1,) out_sharding=None] a\n    c:f32[2,1] = broadcast_in_dim[broadcast_dimensions=(0,)] b\n  in (c,) }",
        () => text((x: Array) => jnp.sum(x, 1, { keepdims: true }), f32([2, 3])),
      ],
    ];
    for (const [want, got] of cases) expect(got()).toBe(want);
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
