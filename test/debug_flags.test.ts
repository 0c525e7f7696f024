// jax_debug_nans / jax_debug_infs and jax_debug_key_reuse: the same programs as in JAX 0.10.2,
// raising where JAX raises, with JAX's error texts (scripts/jax_reference/debug_flags.py prints
// what JAX does with each program).
import * as tf from "@tensorflow/tfjs-core";
import { afterEach, describe, expect, test, vi } from "vitest";
import { FloatingPointError, KeyReuseError, checkpoint, config, grad, jit, jnp, lax, random, scope, vmap, type Array } from "../src/index.js";
import { currentTrace, evalTrace } from "../src/tracer/core.js";

afterEach(() => {
  for (const flag of ["jax_debug_nans", "jax_debug_infs", "jax_debug_key_reuse"]) config.update(flag, false);
  vi.restoreAllMocks();
  expect(currentTrace()).toBe(evalTrace);
});

const DEOPT = "Invalid nan value encountered in the output of a jax.jit function. Calling the de-optimized version.";

/** The error `f` raises, and the lines it printed (JAX prints one line per de-optimized jit). */
function raised(f: () => unknown): { err: Error; printed: string[] } {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    f();
  } catch (e) {
    return { err: e as Error, printed: log.mock.calls.map((c) => String(c[0])) };
  } finally {
    log.mockRestore();
  }
  throw new Error("no error raised");
}

const sinLog = (x: Array) => jnp.log(jnp.subtract(jnp.sin(x), 2)); // log of a negative: NaN

describe("jax_debug_nans", () => {
  test("an eager primitive producing a NaN raises, naming the primitive", () => {
    config.update("jax_debug_nans", true);
    for (const [f, name] of [
      [() => jnp.log(jnp.array([-1])), "log"],
      [() => jnp.divide(jnp.array(0), jnp.array(0)), "div"],
      [() => jnp.sqrt(-1), "sqrt"],
    ] as const) {
      const { err } = raised(f);
      expect(err).toBeInstanceOf(FloatingPointError);
      expect(err.name).toBe("FloatingPointError");
      expect(err.message).toBe(`invalid value (nan) encountered in ${name}`);
    }
  });

  test("a jit call re-runs its jaxpr op by op to name the primitive, printing JAX's line", () => {
    config.update("jax_debug_nans", true);
    const { err, printed } = raised(() => jit(sinLog)(1));
    expect(err).toBeInstanceOf(FloatingPointError);
    expect(err.message).toBe("invalid value (nan) encountered in log");
    expect(printed).toEqual([DEOPT]);
    // Nested jits are de-optimized in turn: JAX prints the line once per level.
    const nested = raised(() => jit((x: Array) => jnp.multiply(jit(sinLog)(x), 2))(1));
    expect(nested.err.message).toBe("invalid value (nan) encountered in log");
    expect(nested.printed).toEqual([DEOPT, DEOPT]);
    expect(raised(() => vmap(jit(sinLog))(jnp.ones([2]))).err.message).toBe("invalid value (nan) encountered in log");
  });

  test("a NaN no primitive made (a jit returning its input) gets JAX's explanation", () => {
    const x = jnp.array([NaN]); // made before the flag: array creation is not a primitive here
    config.update("jax_debug_nans", true);
    const { err, printed } = raised(() => jit((x: Array) => x)(x));
    expect(err).toBeInstanceOf(FloatingPointError);
    expect(err.message).toMatch(/^\('jit\(<lambda>\)', 'nan'\)\. Because jax_config\.debug_nans\.value and\/or config\.jax_debug_infs is set, the de-optimized function \(i\.e\., the function as if the `jit` decorator were removed\) was called/);
    expect(err.message).toMatch(/If you see this error, consider opening a bug report at https:\/\/github\.com\/jax-ml\/jax\.$/);
    expect(printed).toEqual([DEOPT]);
  });

  test("no NaN, no error: Inf, integers and the gradient of sqrt at 0 pass", () => {
    config.update("jax_debug_nans", true);
    expect(jnp.log(0).item()).toBe(-Infinity);
    expect(jit((x: Array) => jnp.multiply(x, 0))(1).item()).toBe(0);
    expect(grad((x: Array) => jnp.sqrt(x))(0).item()).toBe(Infinity);
    expect(globalThis.Array.from(jnp.floorDivide(jnp.array([1], { dtype: "int32" }), jnp.array([0], { dtype: "int32" })).shape)).toEqual([1]);
  });

  test("jax_debug_infs raises at Inf, and not at NaN", () => {
    config.update("jax_debug_infs", true);
    expect(raised(() => jnp.log(jnp.array(0))).err.message).toBe("invalid value (inf) encountered in log");
    const { err, printed } = raised(() => jit((x: Array) => jnp.add(jnp.log(x), 1))(0));
    expect(err.message).toBe("invalid value (inf) encountered in log");
    expect(printed).toEqual([DEOPT]);
    expect(jnp.log(jnp.array(-1)).item()).toBeNaN();
  });

  test("off again, NaNs compute; a raising check leaks no tensors and leaves tfjax usable", () => {
    config.update("jax_debug_nans", true);
    const x = jnp.array([-1, 1]);
    const f = jit(sinLog);
    scope(() => raised(() => f(x))); // compiles
    const before = tf.memory().numTensors;
    scope(() => raised(() => f(x)));
    scope(() => raised(() => jnp.log(x)));
    expect(tf.memory().numTensors).toBe(before);
    config.update("jax_debug_nans", false);
    expect(jnp.log(jnp.array(-1)).item()).toBeNaN();
    expect(jit(sinLog)(1).item()).toBeNaN();
  });
});

describe("jax_debug_key_reuse", () => {
  const k0 = () => random.key(0);
  const normal2 = (k: Array) => jnp.add(random.normal(k), random.normal(k));
  const reuses = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(KeyReuseError);
      expect((e as Error).name).toBe("KeyReuseError");
      return (e as Error).message.split("\n")[0];
    }
    return "no error";
  };

  // Each program and what JAX 0.10.2 says with jax_debug_key_reuse=True.
  const programs: [string, () => unknown, string][] = [
    ["normal twice", () => (random.normal(k0()), 0) && 0, "no error"],
    ["normal twice on one key", () => { const k = k0(); random.normal(k); return random.normal(k); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["normal after split", () => { const k = k0(); random.split(k); return random.normal(k); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["split twice", () => { const k = k0(); random.split(k); return random.split(k); }, "Previously-consumed key passed to random_split at index 0"],
    ["bits twice", () => { const k = k0(); random.bits(k); return random.bits(k); }, "Previously-consumed key passed to random_bits at index 0"],
    ["uniform twice", () => { const k = k0(); random.uniform(k); return random.uniform(k); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["the two halves of a split", () => { const [a, b] = random.split(k0()) as unknown as Array[]; return jnp.add(random.normal(a), random.normal(b)); }, "no error"],
    ["foldIn twice (foldIn does not consume)", () => { const k = k0(); random.foldIn(k, 1); return random.foldIn(k, 2); }, "no error"],
    ["normal after foldIn", () => { const k = k0(); random.foldIn(k, 1); return random.normal(k); }, "no error"],
    ["keyData of a consumed key", () => { const k = k0(); random.normal(k); return random.keyData(k); }, "no error"],
    ["a raw uint32[2] key twice (not tracked, as in JAX)", () => { const k = random.PRNGKey(0); random.normal(k); return random.normal(k); }, "no error"],
    ["two keys indexed out of a split", () => { const ks = random.split(k0(), 3); random.normal(ks.index(0)); return random.normal(ks.index(1)); }, "no error"],
    // Indexing a key array consumes the keys it takes (JAX's slice signature, per element).
    ["one key indexed twice", () => { const ks = random.split(k0(), 3); ks.index(0); return ks.index(0); }, "Previously-consumed key passed to slice at index 0"],
    ["index -1, then 2, of three keys", () => { const ks = random.split(k0(), 3); ks.index(-1); return ks.index(2); }, "Previously-consumed key passed to slice at index 0"],
    ["a row of a 2x2 key array, then a key in it", () => { const ks = random.split(k0(), [2, 2]); ks.index(0); ks.index(1).index(0); return ks.index(0).index(1); }, "Previously-consumed key passed to slice at index 0"],
    ["all keys after one was indexed", () => { const ks = random.split(k0(), 3); ks.index(0); return vmap((k: Array) => random.normal(k))(ks); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["iterating, then indexing (iteration unwraps, as JAX's)", () => { const ks = random.split(k0(), 3); [...(ks as unknown as Iterable<Array>)]; return ks.index(0); }, "no error"],
    ["one key indexed twice inside jit", () => jit((ks: Array) => jnp.add(random.normal(ks.index(0)), random.normal(ks.index(0))))(random.split(k0(), 3)), "In slice, argument 0 is already consumed."],
    ["two keys indexed inside jit", () => jit((ks: Array) => jnp.add(random.normal(ks.index(0)), random.normal(ks.index(1))))(random.split(k0(), 3)), "no error"],
    ["a key used twice inside jit", () => jit(normal2)(k0()), "In jit, argument 0 is already consumed."],
    ["a raw key used twice inside jit", () => jit(normal2)(random.PRNGKey(0)), "no error"],
    ["a split key and its parent inside jit", () => jit((k: Array) => { const [a] = random.split(k) as unknown as Array[]; return jnp.add(random.normal(a), random.normal(k)); })(k0()), "In jit, argument 0 is already consumed."],
    ["the halves of a split inside jit", () => jit((k: Array) => { const [a, b] = random.split(k) as unknown as Array[]; return jnp.add(random.normal(a), random.normal(b)); })(k0()), "no error"],
    // A jit's constants come after its arguments in JAX's count.
    ["a consumed key closed over by jit", () => { const k = k0(); return jit((x: Array) => jnp.add(random.normal(k), x))(random.normal(k)); }, "Previously-consumed key passed to jit-compiled function at index 1"],
    ["a consumed key closed over by jit, with a key argument", () => { const [k, k2] = [k0(), random.key(1)]; random.normal(k); return jit((x: Array, y: Array) => jnp.add(jnp.add(random.normal(k), x), random.normal(y)))(1, k2); }, "Previously-consumed key passed to jit-compiled function at index 2"],
    ["a closed-over key twice in one jit", () => { const k = k0(); return jit((x: Array) => jnp.add(random.normal(k), random.normal(k)))(1); }, "In jit, argument 0 is already consumed."],
    ["an inner jit called twice on one key", () => jit((k: Array) => { const g = jit((k: Array) => random.normal(k)); return jnp.add(g(k), g(k)); })(k0()), "In jit, argument 0 is already consumed."],
    ["a jitted sampler called twice on one key", () => { const k = k0(); const g = jit((k: Array) => random.normal(k)); g(k); return g(k); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["a jitted call, then an eager one", () => { const k = k0(); jit((k: Array) => random.normal(k))(k); return random.normal(k); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    ["a key forwarded by jit keeps its state", () => { const k = k0(); const k2 = jit((k: Array) => k)(k); random.normal(k); return random.normal(k2); }, "no error"],
    ["vmap over the same keys twice", () => { const ks = random.split(k0(), 3); vmap((k: Array) => random.normal(k))(ks); return vmap((k: Array) => random.normal(k))(ks); }, "Previously-consumed key passed to jit-compiled function at index 0"],
    // Control flow, by JAX's cond / scan / while rules.
    ["a scan body consuming a closed-over key", () => jit((k: Array) => lax.scan((c: Array) => [c, random.normal(k)], 0, null, { length: 3 }))(k0()), "scan body function leads to key reuse when repeatedly executed, because key constants are repeatedly consumed:"],
    ["a scan splitting its carried key", () => jit((k: Array) => lax.scan((k: Array) => { const [k2, s] = random.split(k) as unknown as Array[]; return [k2, random.normal(s)]; }, k, null, { length: 3 }))(k0()), "no error"],
    ["a scan consuming its carried key", () => jit((k: Array) => lax.scan((k: Array) => [k, random.normal(k)], k, null, { length: 3 }))(k0()), "scan body function leads to key reuse when repeatedly executed, because key constants are repeatedly consumed:"],
    ["a scan over keys", () => jit((ks: Array) => lax.scan((c: Array, k: Array) => [c, random.normal(k)], 0, ks))(random.split(k0(), 3)), "no error"],
    ["a fori loop consuming a closed-over key", () => jit((k: Array) => lax.foriLoop(0, 3, (i: Array, c: Array) => jnp.add(c, random.normal(k)), 0))(k0()), "scan body function leads to key reuse when repeatedly executed, because key constants are repeatedly consumed:"],
    ["a cond branch consuming a key used after", () => jit((k: Array) => jnp.add(lax.cond(true, (k: Array) => random.normal(k), () => 0, k), random.normal(k)))(k0()), "In jit, argument 0 is already consumed."],
    ["a key forwarded by both cond branches", () => jit((k: Array) => jnp.add(random.normal(lax.cond(true, (k: Array) => k, (k: Array) => k, k)), random.normal(k)))(k0()), "In jit, argument 0 is already consumed."],
    ["cond branches not consuming their key", () => jit((k: Array) => jnp.add(lax.cond(true, () => 1, () => 0, k), random.normal(k)))(k0()), "no error"],
    ["a while body consuming a closed-over key", () => jit((k: Array) => lax.whileLoop((c: Array) => jnp.less(c, 3), (c: Array) => jnp.add(c, random.normal(k)), 0))(k0()), "while_loop body function leads to key reuse when repeatedly executed:   body_signature=KeyReuseSignature(Sink(0),)"],
    ["a while body splitting its carried key", () => jit((k: Array) => lax.whileLoop((c: Array[]) => jnp.less(c[0], 3), (c: Array[]) => { const [k2, s] = random.split(c[1]) as unknown as Array[]; return [jnp.add(c[0], random.normal(s)), k2]; }, [0, k]))(k0()), "no error"],
    ["grad of a checkpointed sampler", () => jit(grad(checkpoint((x: Array, k: Array) => jnp.multiply(x, random.normal(k)))))(1, k0()), "no error"],
    ["grad of a function using a key twice", () => { const k = k0(); return grad((x: Array) => jnp.add(jnp.multiply(x, random.normal(k)), random.normal(k)))(1); }, "Previously-consumed key passed to jit-compiled function at index 0"],
  ];

  for (const [name, f, want] of programs)
    test(name, () => {
      config.update("jax_debug_key_reuse", true);
      expect(reuses(f)).toBe(want);
    });

  test("a raising check keeps no tensors alive and leaves tfjax usable", () => {
    config.update("jax_debug_key_reuse", true);
    const k = k0();
    const f = jit(normal2);
    const g = jit((k: Array) => random.normal(k));
    const misuse = () => {
      scope(() => reuses(() => f(k)));
      scope(() => reuses(() => (g(k), g(k))));
      scope(() => reuses(() => (random.split(k), random.split(k))));
    };
    misuse(); // traces and compiles
    const before = tf.memory().numTensors;
    misuse();
    expect(tf.memory().numTensors).toBe(before);
    expect(random.normal(random.key(3)).shape).toEqual([]);
  });

  test("off, nothing is tracked: the same key gives the same numbers", () => {
    const k = k0();
    expect(random.normal(k).item()).toBe(random.normal(k).item());
    expect(reuses(() => jit(normal2)(k))).toBe("no error");
  });
});

test("jax_debug_nans names scan, as JAX does, when a scan's output holds a NaN", () => {
  config.update("jax_debug_nans", true);
  const { err, printed } = raised(() => lax.scan((c: Array, x: Array) => [jnp.log(jnp.subtract(c, x)), c], 0, jnp.arange(3)));
  expect(err).toBeInstanceOf(FloatingPointError);
  expect(err.message).toBe("invalid value (nan) encountered in scan");
  expect(printed).toEqual([]);
});
