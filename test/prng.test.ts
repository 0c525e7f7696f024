// jax.random in tfjax against JAX's own numbers, bit for bit, in both stream modes
// (jax_threefry_partitionable true, JAX's default since 0.5.0, and the legacy false).
// Every table row names where JAX printed its answer. Samplers with no public JAX answer
// (permutation, choice, bernoulli in the partitionable stream) are checked against a reference
// built here from the Random123-checked hash and JAX's source, independently of src/prng/impl.ts.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Array, config, jit, jnp, makeJaxpr, random } from "../src/index.js";
import { type K, f32bits, range, ref } from "./prng_reference.js";

type Kind = "uint32" | "int32" | "float32" | "bool" | "uint8" | "uint16";
type Mode = "partitionable" | "legacy" | "both";

interface Row {
  what: string;
  source: string;
  mode: Mode;
  run: () => Array;
  want: (number | boolean)[];
  kind: Kind;
  /** JAX printed 6 decimals only: compare as its assertAllClose does (atol = rtol = 1e-6). */
  approx?: boolean;
  /** What JAX printed, when its digits do not pin the float32 down (numpy's repr keeps 8 decimals). */
  repr?: string;
}

const repr = (x: Array): string => (x as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")]();
const flat = (x: Array): number[] => globalThis.Array.from(x.dataSync(), Number);

/**
 * Bit-exact comparison: uint32 words, float32 bits (via Uint32Array views), ints, bools. This file
 * also runs in the browser on WebGL (test/browser/prng.test.ts), exact there too.
 */
function expectExact(x: Array, want: (number | boolean)[], kind: Kind): void {
  expect(x.dtype).toBe(kind);
  const got = flat(x);
  if (kind === "float32") expect(f32bits(got)).toEqual(f32bits(want as number[]));
  else if (kind === "bool") expect(got.map(Boolean)).toEqual(want);
  else expect(got).toEqual(want);
}

const withFlag = (part: boolean) => {
  beforeAll(() => config.update("jax_threefry_partitionable", part));
  afterAll(() => config.update("jax_threefry_partitionable", true));
};

const { key, PRNGKey, keyData, split, foldIn, bits, uniform, normal, randint } = random;
const KEY_CTORS = [
  ["key", key],
  ["PRNGKey", PRNGKey],
] as const;

// ---- the known-answer table ----------------------------------------------------------------

const adler32 = (s: string): number => {
  let a = 1;
  let b = 0;
  for (const c of new TextEncoder().encode(s)) {
    a = (a + c) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
};

const ROWS: Row[] = [];
const row = (r: Row) => ROWS.push(r);

// Seeds: JAX's test_prng_seeds_and_keys (tests/random_test.py), x32 expectations; flag-independent.
const SEEDS: [number, [number, number]][] = [
  [0, [0, 0]], [1, [0, 1]], [2, [0, 2]], [3, [0, 3]], [-1, [0, 4294967295]], [-2, [0, 4294967294]], [-3, [0, 4294967293]],
  [2147483647 + 100, [0, 2147483747]], [2147483647 + 101, [0, 2147483748]], [-2147483648 - 100, [0, 2147483548]], [-2147483648 - 101, [0, 2147483547]],
];
for (const [name, ctor] of KEY_CTORS)
  for (const [s, k] of SEEDS)
    row({ what: `keyData(${name}(${s}))`, source: "random_test.py test_prng_seeds_and_keys", mode: "both", run: () => keyData(ctor(s)), want: k, kind: "uint32" });

// fold_in is the same in both streams.
const FOLD: [number, number, [number, number], string][] = [
  [0, 0, [1797259609, 2579123966], "jax/_src/random/stateful_rng.py StatefulPRNG.key docstring"],
  [0, 1, [928981903, 3453687069], "jax/_src/random/stateful_rng.py StatefulPRNG.key docstring"],
  [0, 4, [2285895361, 433833334], "random_test.py testPRNGValues"],
  [42, 4, [2954079971, 3276725750], "jax/_src/random/stateful_rng.py stateful_rng docstring"],
  [42, 5, [2765691542, 824333390], "jax/_src/random/stateful_rng.py stateful_rng docstring"],
];
for (const [name, ctor] of KEY_CTORS)
  for (const [s, d, want, source] of FOLD) row({ what: `foldIn(${name}(${s}), ${d})`, source, mode: "both", run: () => keyData(foldIn(ctor(s), d)), want, kind: "uint32" });

// The partitionable stream (JAX >= 0.5.0 default).
const P = "partitionable";
row({ what: "split(key(1), 3)", source: "prng.md section 14", mode: P, run: () => keyData(split(key(1), 3)), want: [507451445, 1853169794, 1948878966, 4237131848, 2441914641, 3819641963], kind: "uint32" });
row({ what: "split(PRNGKey(0))", source: "= [fold_in(k, 0), fold_in(k, 1)] (stateful_rng docstring; test_threefry_split_fold_in_symmetry)", mode: P, run: () => split(PRNGKey(0)), want: [1797259609, 2579123966, 928981903, 3453687069], kind: "uint32" });
row({ what: "bits(key(0))", source: "prng.md section 14", mode: P, run: () => bits(key(0)), want: [4070199207], kind: "uint32" });
row({ what: "bits(key(10), [4])", source: "prng.md section 14", mode: P, run: () => bits(key(10), [4]), want: [169096361, 1572511259, 2689743692, 2228103506], kind: "uint32" });
row({ what: "uniform(key(51), [4])", source: "prng.md section 14", mode: P, run: () => uniform(key(51), [4]), want: [0.471269, 0.12344253, 0.17550635, 0.5663593], kind: "float32" });
row({ what: "uniform(key(0))", source: "jax/random.py module docstring", mode: P, run: () => uniform(key(0)), want: [0.947667], kind: "float32" });
row({ what: "uniform(split(key(0))[1])", source: "jax/random.py module docstring", mode: P, run: () => uniform([...split(key(0))][1]), want: [], kind: "float32", repr: "Array(0.00729382, dtype=float32)" });
row({ what: "uniform(key(0), [3])", source: "docs/jep/9263-typed-keys.md", mode: P, run: () => uniform(key(0), [3]), want: [0.947667, 0.9785799, 0.33229148], kind: "float32" });
[0.5302608, 0.72766423, 0.6672406, 0.3890121].forEach((want, i) =>
  row({ what: `uniform(foldIn(key(42), ${i}))`, source: "stateful_rng docstring (rng.uniform(), jit_uniform())", mode: P, run: () => uniform(foldIn(key(42), i)), want: [want], kind: "float32" }),
);
[[4, 5], [2, 1]].forEach((want, i) =>
  row({ what: `randint(spawn(123)[${i}]) `, source: "stateful_rng.py StatefulPRNG.spawn docstring", mode: P, run: () => randint(foldIn([...split(foldIn(key(123), 0), 2)][i], 0), [2], 0, 10), want, kind: "int32" }),
);
row({
  what: "vmap(uniform) over split(fold_in(key(123), 0), 3)",
  source: "stateful_rng.py StatefulPRNG.split docstring",
  mode: P,
  run: () => jnp.stack([...split(foldIn(key(123), 0), 3)].map((k) => uniform(foldIn(k, 0)))),
  want: [0.35525954, 0.21937883, 0.5336956],
  kind: "float32",
});
row({ what: "floor(uniform(key(42), [3, 3], -5, 5))", source: "jax/_src/numpy/ufuncs.py floor docstring", mode: P, run: () => jnp.floor(uniform(key(42), [3, 3], "float32", -5, 5)), want: [-1, 1, 1, 0, -1, 0, -5, 2, 1], kind: "float32" });
row({ what: "randint(key(72), [], 0, 10)", source: "jax-ml/jax issue #21061", mode: P, run: () => randint(key(72), [], 0, 10), want: [7], kind: "int32" });

// The legacy stream (jax_threefry_partitionable=False).
const L = "legacy";
row({ what: "split(PRNGKey(0))", source: "prng.md section 14", mode: L, run: () => split(PRNGKey(0)), want: [4146024105, 967050713, 2718843009, 1272950319], kind: "uint32" });
row({ what: "randint(key(72), [], 0, 10)", source: "jax-ml/jax issue #21061", mode: L, run: () => randint(key(72), [], 0, 10), want: [3], kind: "int32" });
for (const [name, ctor] of KEY_CTORS) {
  row({ what: `split(${name}(0), 4)`, source: "random_test.py testPRNGValues", mode: L, run: () => keyData(split(ctor(0), 4)), want: [2285895361, 1501764800, 1518642379, 4090693311, 433833334, 4221794875, 839183663, 3740430601], kind: "uint32" });
  row({ what: `randint(${name}(0), [3, 3], 0, 8)`, source: "random_test.py testPRNGValues", mode: L, run: () => randint(ctor(0), [3, 3], 0, 8), want: [2, 1, 3, 6, 1, 5, 6, 3, 4], kind: "int32" });
  row({ what: `bits(${name}(1701), [3], uint8)`, source: "random_test.py testRngRandomBits", mode: L, run: () => bits(ctor(1701), [3], "uint8"), want: [216, 115, 43], kind: "uint8" });
  row({ what: `bits(${name}(1701), [3], uint16)`, source: "random_test.py testRngRandomBits", mode: L, run: () => bits(ctor(1701), [3], "uint16"), want: [41682, 1300, 55017], kind: "uint16" });
  row({ what: `bits(${name}(1701), [3])`, source: "random_test.py testRngRandomBits", mode: L, run: () => bits(ctor(1701), [3]), want: [56197195, 4200222568, 961309823], kind: "uint32" });

  // random_test.py _RANDOM_VALUES_CASES (threefry rows; seed = adler32(name + "threefry2x32")). The
  // test that reads them is skipped in JAX's CI today, so they are old answers; they still hold.
  const vc = (name2: string, run: (k: Array) => Array, want: (number | boolean)[], kind: Kind, approx = false) =>
    row({ what: `${name2} (${name}(adler32))`, source: "random_test.py _RANDOM_VALUES_CASES", mode: L, run: () => run(ctor(adler32(`${name2}threefry2x32`))), want, kind, approx });
  vc("bernoulli", (k) => random.bernoulli(k, 0.5, [5]), [false, true, true, true, false], "bool");
  vc("bits", (k) => bits(k, [5], "uint8"), [10, 158, 82, 54, 158], "uint8");
  vc("bits", (k) => bits(k, [5], "uint16"), [6738, 38161, 50695, 57337, 61600], "uint16");
  vc("bits", (k) => bits(k, [5]), [1978747883, 4134381225, 3628107870, 689687174, 2788938207], "uint32");
  vc("rademacher", (k) => random.rademacher(k, [5]), [-1, -1, -1, -1, 1], "int32");
  vc("randint", (k) => randint(k, [5], 0, 10), [0, 5, 7, 7, 5], "int32");
  vc("uniform", (k) => uniform(k, [5]), [0.298671, 0.073213, 0.873356, 0.260549, 0.412797], "float32", true);
  vc("normal", (k) => normal(k, [5]), [-1.173234, -1.511662, 0.070593, -0.099764, 1.052845], "float32", true);
  vc("exponential", (k) => random.exponential(k, [5]), [0.526067, 0.043046, 0.039932, 0.46427, 0.123886], "float32", true);
  vc("gumbel", (k) => random.gumbel(k, [5]), [2.06701, 0.911726, 0.145736, 0.185427, -0.00711], "float32", true);
  vc("laplace", (k) => random.laplace(k, [5]), [0.578939, -0.204902, 0.555733, 0.911053, -0.96456], "float32", true);
  vc("logistic", (k) => random.logistic(k, [5]), [0.19611, -1.709053, -0.274093, -0.208322, -1.675489], "float32", true);
  vc("truncated_normal", (k) => random.truncatedNormal(k, 0, 2, [5]), [0.582807, 1.709771, 0.159513, 0.861376, 0.36148], "float32", true);
}
// The docs' "Pseudorandom numbers" loop with PRNGKey(12), as run under an older JAX (legacy stream)
// in a public notebook (github.com/GALVINLAI/lai_PSR_RCBCD); printed as float64 reprs of float32.
row({
  what: "normal draws of split(PRNGKey(12)) chain",
  source: "docs/random-numbers.md loop, output in a third-party notebook",
  mode: L,
  run: () => {
    let k = PRNGKey(12);
    const out: Array[] = [];
    for (let i = 0; i < 3; i++) {
      const [next, sub] = split(k);
      out.push(normal(sub));
      k = next;
    }
    return jnp.stack(out);
  },
  want: [0.735927939414978, 1.810187578201294, 0.11553369462490082],
  kind: "float32",
});

for (const [part, modes] of [
  [true, ["partitionable", "both"]],
  [false, ["legacy", "both"]],
] as const) {
  describe(`known answers, jax_threefry_partitionable=${part}`, () => {
    withFlag(part);
    test.each(ROWS.filter((r) => (modes as readonly string[]).includes(r.mode)).map((r) => [r.what, r] as const))("%s", (_, r) => {
      const x = r.run();
      if (r.repr) return expect(repr(x)).toBe(r.repr);
      if (!r.approx) return expectExact(x, r.want, r.kind);
      expect(x.dtype).toBe(r.kind);
      flat(x).forEach((g, i) => expect(Math.abs(g - (r.want[i] as number)), `${r.source} [${i}]`).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(r.want[i] as number)));
    });
  });
}

test("uniform(key, [3, 3], minval, maxval) prints JAX's docstring digits", () => {
  // ufuncs.py floor/ceil and lax_numpy.py trunc docstrings (printed with precision=2).
  const cases: [number, number, number, number[]][] = [
    [42, -5, 5, [-0.11, 1.8, 1.16, 0.61, -0.49, 0.86, -4.25, 2.75, 1.99]],
    [1, -5, 5, [-0.61, 0.34, -0.54, -0.62, 3.97, 0.59, 4.84, 3.42, -1.14]],
    [42, -10, 10, [-0.23, 3.6, 2.33, 1.22, -0.99, 1.72, -8.5, 5.5, 3.98]],
  ];
  for (const [s, lo, hi, want] of cases) flat(uniform(key(s), [3, 3], "float32", lo, hi)).forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(0.005 + 1e-6));
});

// ---- the samplers against a reference built from the hash and JAX's source (prng_reference.ts)

const kd = (k: Array): K => flat(keyData(k)) as K;

for (const part of [true, false]) {
  describe(`samplers vs a reference from the hash, jax_threefry_partitionable=${part}`, () => {
    withFlag(part);
    const k = key(2024);
    test("split, bits and uniform", () => {
      expect(flat(keyData(split(k, 5)))).toEqual(ref.split(kd(k), 5, part).flat());
      expectExact(bits(k, [7]), ref.bits(kd(k), 7, part), "uint32");
      expectExact(uniform(k, [2, 3]), ref.uniform(kd(k), 6, part), "float32");
    });
    test("uniform with bounds and normal, over odd sizes and ranks", () => {
      expectExact(uniform(k, [3, 5, 7], "float32", -2, 3), ref.uniform(kd(k), 105, part, -2, 3), "float32");
      expectExact(normal(k, [3, 5, 7]), ref.normal(kd(k), 105, part), "float32");
      expectExact(normal(k, [1001]), ref.normal(kd(k), 1001, part), "float32");
    });
    test("randint, including spans that are not powers of 2", () => {
      expectExact(randint(k, [9], -3, 1000), ref.randint(kd(k), 9, -3, 1000, part), "int32");
      expectExact(randint(k, [4], 0, 7), ref.randint(kd(k), 4, 0, 7, part), "int32");
    });
    test("bernoulli is uniform < p", () => {
      expectExact(random.bernoulli(k, 0.3, [8]), ref.uniform(kd(k), 8, part).map((u) => u < Math.fround(0.3)), "bool");
    });
    test("permutation: stable sorts by fresh 32-bit keys", () => {
      expectExact(random.permutation(k, 10), ref.permutation(kd(k), 10, part), "int32");
      // An array permutes as arange does; rows move together along axis 0.
      const x = jnp.arange(12, undefined, 1, { dtype: "int32" }).reshape([6, 2]);
      const perm = ref.permutation(kd(k), 6, part);
      expectExact(random.permutation(k, x), perm.flatMap((i) => [2 * i, 2 * i + 1]), "int32");
    });
    test("choice: randint with replacement, a permutation prefix without", () => {
      expectExact(random.choice(k, 7, [5]), ref.randint(kd(k), 5, 0, 7, part), "int32");
      expectExact(random.choice(k, 9, [4], false), ref.permutation(kd(k), 9, part).slice(0, 4), "int32");
      const a = jnp.array([10, 20, 30, 40, 50, 60, 70], { dtype: "int32" });
      expectExact(random.choice(k, a, [5]), ref.randint(kd(k), 5, 0, 7, part).map((i) => 10 * (i + 1)), "int32");
    });
  });
}

// ---- keys: printing, dtypes, errors -----------------------------------------------------------

describe("keys", () => {
  test("print as JAX prints them", () => {
    // docs/jep/9263-typed-keys.md and the stateful_rng docstring.
    expect(repr(key(0))).toBe("Array((), dtype=key<fry>) overlaying:\n[0 0]");
    expect(String(key(42))).toBe("Array((), dtype=key<fry>) overlaying:\n[ 0 42]");
    expect(repr(PRNGKey(0))).toBe("Array([0, 0], dtype=uint32)");
    expect(repr(keyData(key(0)))).toBe("Array([0, 0], dtype=uint32)");
    // split(key(0)) = [fold_in(key(0), 0), fold_in(key(0), 1)] (stateful_rng docstring).
    expect(repr(split(key(0)))).toBe("Array((2,), dtype=key<fry>) overlaying:\n[[1797259609 2579123966]\n [ 928981903 3453687069]]");
  });
  test("avals: key<fry> of the key shape, uint32[..., 2] data", () => {
    const k = split(key(0), [2, 3]);
    expect([k.dtype, k.shape]).toEqual(["key<fry>", [2, 3]]);
    expect(keyData(k).shape).toEqual([2, 3, 2]);
    expect(random.wrapKeyData(keyData(k)).shape).toEqual([2, 3]);
    expect(PRNGKey(0).shape).toEqual([2]);
    expect(split(PRNGKey(0), 3).shape).toEqual([3, 2]);
  });
  test("iterating split keys gives keys; keyData of raw keys is the identity", () => {
    const [a, b] = split(key(0));
    expect([a.dtype, a.shape]).toEqual(["key<fry>", []]);
    expect(flat(keyData(b))).toEqual([928981903, 3453687069]);
    expect(flat(keyData(PRNGKey(7)))).toEqual([0, 7]);
  });
  test("JAX's errors", () => {
    expect(() => split(split(key(0)))).toThrow("split accepts a single key, but was given a key array of shape (2,) != (). Use jax.vmap for batching.");
    expect(() => key(key(0))).toThrow("key accepts a scalar seed, but was given a PRNG key.");
    expect(() => key(jnp.zeros([2], { dtype: "int32" }))).toThrow("key accepts a scalar seed, but was given an array of shape (2,) != ()");
    expect(() => bits(key(0), [3], "int32")).toThrow("dtype argument to `bits` must be an unsigned int dtype, got int32");
    expect(() => random.wrapKeyData(jnp.zeros([3], { dtype: "uint32" }))).toThrow("expected key_data.shape to end with (2,)");
    expect(() => random.choice(key(0), 3, [4], false)).toThrow("Cannot take a larger sample (size 4) than population (size 3) when 'replace=False'");
  });
});

// ---- jit, jaxprs and the flag ------------------------------------------------------------------

describe("under jit", () => {
  test("jit(f)(key) draws what f(key) draws", () => {
    const f = (k: Array) => {
      const [a, b] = split(k);
      return [uniform(a, [3]), normal(b, [2]), randint(foldIn(k, 3), [4], 0, 100), random.permutation(b, 5), keyData(split(k, 2))];
    };
    const eager = f(key(5)).map(flat);
    const jitted = (jit(f)(key(5)) as Array[]).map(flat);
    expect(f32bits(jitted[0])).toEqual(f32bits(eager[0]));
    expect(f32bits(jitted[1])).toEqual(f32bits(eager[1]));
    expect(jitted.slice(2)).toEqual(eager.slice(2));
  });
  test("keys go in and out of jit; key(seed) traced from a seed", () => {
    expect(flat(keyData(jit((s: Array) => key(s))(jnp.array(42, { dtype: "int32" }))))).toEqual([0, 42]);
    expect(flat(keyData(jit((k: Array) => split(k, 3))(key(1))))).toEqual([507451445, 1853169794, 1948878966, 4237131848, 2441914641, 3819641963]);
    expect(flat(jit(() => uniform(key(0)))())).toEqual([Math.fround(0.947667)]);
  });
  test("the stream follows the flag", () => {
    const f = jit((k: Array) => split(k));
    expect(flat(f(PRNGKey(0)))).toEqual([1797259609, 2579123966, 928981903, 3453687069]);
    config.update("jax_threefry_partitionable", false);
    try {
      expect(flat(f(PRNGKey(0)))).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
    } finally {
      config.update("jax_threefry_partitionable", true);
    }
  });
});

// The texts come from a fixture read with node:fs: Node only (the browser suite runs the rest).
describe.runIf(typeof window === "undefined")("jaxprs, as JAX prints them (scripts/jax_reference/jaxpr_texts.py, \"prng/*\")", () => {
  let jaxText: (name: string) => string;
  beforeAll(async () => void ({ jaxText } = await import("./jax_texts.js")));
  test("split of a typed key, and of a raw key (wrapped, then unwrapped)", () => {
    expect(String(makeJaxpr(split)(key(0)))).toBe(jaxText("prng/split_typed"));
    expect(String(makeJaxpr(split)(PRNGKey(0)))).toBe(jaxText("prng/split_raw"));
  });
  test("key, PRNGKey, foldIn, bits", () => {
    const seed = jnp.array(0, { dtype: "int32" });
    expect(String(makeJaxpr(key)(seed))).toBe(jaxText("prng/key"));
    expect(String(makeJaxpr(PRNGKey)(seed))).toBe(jaxText("prng/PRNGKey"));
    expect(String(makeJaxpr((k: Array) => foldIn(k, 4))(key(0)))).toBe(jaxText("prng/fold_in"));
    expect(String(makeJaxpr((k: Array) => bits(k, [3]))(key(0)))).toBe(jaxText("prng/bits"));
  });
  test("uniform: a nested jit[name=_uniform] (more than 10 equations, so hoisted as JAX's printer does)", () => {
    expect(String(makeJaxpr((k: Array) => uniform(k))(key(0)))).toBe(jaxText("prng/uniform"));
    expect(String(makeJaxpr((k: Array) => uniform(k, [3]))(key(0)))).toBe(jaxText("prng/uniform_3"));
  });
  test("normal nests _normal, _normal_real and _uniform", () => {
    expect(String(makeJaxpr((k: Array) => normal(k))(key(0)))).toBe(jaxText("prng/normal"));
  });
});

describe("samplers: shapes, dtypes, ranges", () => {
  const k = key(3);
  test("continuous samplers", () => {
    for (const [f, lo, hi] of [
      [() => uniform(k, [1000], "float32", -2, 3), -2, 3],
      [() => random.truncatedNormal(k, -1, 0.5, [1000]), -1, 0.5],
      [() => random.exponential(k, [1000]), 0, Infinity],
    ] as const) {
      const x = flat(f());
      expect(x.every((v) => v >= lo && v < hi)).toBe(true);
    }
    for (const f of [normal, random.gumbel, random.laplace, random.logistic]) {
      const x = f(k, [2, 3]);
      expect([x.dtype, x.shape]).toEqual(["float32", [2, 3]]);
      expect(flat(x).every(Number.isFinite)).toBe(true);
    }
    expect(random.gumbel(k, [4], "float32", "high").shape).toEqual([4]);
    expect(random.truncatedNormal(k, jnp.array([0, 1]), 2).shape).toEqual([2]);
  });
  test("discrete samplers", () => {
    expect(new Set(flat(random.rademacher(k, [100])))).toEqual(new Set([-1, 1]));
    expect(random.bernoulli(k, jnp.array([0.2, 0.9]), [3, 2]).shape).toEqual([3, 2]);
    expect(random.bernoulli(k, 0.5, [4], "high").dtype).toBe("bool");
    expect(flat(random.permutation(k, 20)).sort((a, b) => a - b)).toEqual(range(20));
    const x = jnp.arange(12, undefined, 1, { dtype: "int32" }).reshape([3, 4]);
    const cols = random.permutation(k, x, 1, true);
    expect(flat(cols.T).length).toBe(12);
    expect(random.randint(k, [5], 0, 256, "uint8").dtype).toBe("uint8");
    // Without replacement and with p: distinct draws, only where p > 0.
    const p = jnp.array([0.1, 0, 0.4, 0.5]);
    const noRep = flat(random.choice(k, 4, [3], false, p));
    expect(new Set(noRep).size).toBe(3);
    expect(noRep).not.toContain(1);
    expect(flat(random.choice(k, 4, [50], true, p))).not.toContain(1);
    const logits = jnp.log(jnp.array([[0.5, 0.5, 0], [0, 0, 1]]));
    const c = random.categorical(k, logits, -1, [6, 2]);
    expect(c.shape).toEqual([6, 2]);
    expect(flat(c).filter((_, i) => i % 2 === 1).every((v) => v === 2)).toBe(true);
    expect(random.categorical(k, jnp.zeros([5]), -1, [3], false).shape).toEqual([3]);
  });
});
