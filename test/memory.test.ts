// Memory needs no bookkeeping: tfjax frees its intermediates, and arrays the user drops are
// collected. 10,000 calls of a jitted step whose outputs are never disposed stay bounded.
import * as tf from "@tensorflow/tfjs-core";
import { expect, test } from "vitest";
import { jit, jnp, scope, type Array } from "../src/index.js";

const step = jit((w: Array, x: Array) => {
  const y = jnp.tanh(jnp.add(jnp.multiply(w, x), 1));
  return [jnp.subtract(w, jnp.multiply(0.01, y)), jnp.sum(y)];
});

const gc = (globalThis as { gc?: () => void }).gc;

test("a jitted call leaves tf.memory() where it found it, outputs aside", () => {
  const w = jnp.ones([16]);
  const x = jnp.ones([16]);
  step(w, x).forEach((a) => a.dispose()); // trace + compile
  const before = tf.memory().numTensors;
  const [w2, loss] = step(w, x);
  expect(tf.memory().numTensors).toBe(before + 2);
  w2.dispose();
  loss.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test("10,000 jitted steps that the user never disposes keep numTensors bounded", async () => {
  let w = jnp.ones([16]);
  const x = jnp.ones([16]);
  const start = tf.memory().numTensors;
  let peak = 0;
  for (let i = 0; i < 10_000; i++) {
    const [next] = step(w, x);
    w = next; // the previous w and the loss are dropped, never disposed
    if (i % 500 === 0) {
      // Let the FinalizationRegistry run: it needs a macrotask turn (and a GC).
      gc?.();
      await new Promise((r) => setTimeout(r, 0));
      peak = Math.max(peak, tf.memory().numTensors - start);
    }
  }
  for (let i = 0; i < 20 && tf.memory().numTensors - start > 100; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20));
  }
  const after = tf.memory().numTensors - start;
  // Without collection this would be 20,000 live tensors.
  expect(peak).toBeLessThan(20_000);
  expect(gc, "run with --expose-gc (vitest.config.ts sets it)").toBeTypeOf("function");
  expect(after).toBeLessThan(100);
});

test("scope() disposes everything made inside except its result", () => {
  const before = tf.memory().numTensors;
  const out = scope(() => {
    const a = jnp.ones([4]);
    const b = jnp.exp(a);
    return jnp.sum(b);
  });
  expect(tf.memory().numTensors).toBe(before + 1);
  expect(Number(out)).toBeCloseTo(4 * Math.E, 4);
  out.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test("dispose() and `using` free at once; a disposed array says so", () => {
  const before = tf.memory().numTensors;
  {
    using a = jnp.ones([3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    void a;
  }
  expect(tf.memory().numTensors).toBe(before);
  const b = jnp.ones([2]);
  b.dispose();
  b.dispose(); // idempotent
  expect(() => b.dataSync()).toThrow(/deleted/);
});

test("donateArgnums: donated inputs are consumed, freed early, and deleted for the caller", () => {
  const update = jit((w: Array, g: Array) => jnp.subtract(w, jnp.multiply(0.5, g)), { donateArgnums: 0 });
  let w = jnp.ones([4]);
  const g = jnp.ones([4]);
  w = update(w, g); // compiles (the plan keeps its literal 0.5 as a tensor)
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) w = update(w, g);
  // One live weight array and g: each donated w was freed by the call that consumed it.
  expect(tf.memory().numTensors).toBe(before);
  expect(String(w)).toBe("[-0.5 -0.5 -0.5 -0.5]");
  const old = w;
  update(old, g).dispose();
  expect(() => old.dataSync()).toThrow(/deleted/);
  // The same buffer passed twice is not donated (its other use needs it).
  const h = jit((a: Array, b: Array) => jnp.add(a, b), { donateArgnums: [0, 1] });
  const x = jnp.ones([2]);
  expect(String(h(x, x))).toBe("[2. 2.]");
  expect(String(x)).toBe("[1. 1.]");
  expect(() => jit((a: Array) => a, { staticArgnums: 0, donateArgnums: 0 })).toThrow(/both static and donated/);
});
