// The caches are bounded LRUs (src/cache.ts): thousands of shapes of one jitted function, or
// thousands of jitted closures, leave each cache at its bound and tf.memory() where it was; an
// evicted entry is retraced and recompiled when it is needed again.
import * as tf from "@tensorflow/tfjs-core";
import { expect, test } from "vitest";
import { jit, jnp, type Array } from "../src/index.js";
import { CACHE_SIZES, LRU, WeakLRU, cacheInfo, clearCaches } from "../src/cache.js";

const gc = (globalThis as { gc?: () => void }).gc!;

/** Collects until `done()` (the FinalizationRegistry runs its callbacks on a later macrotask). */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 40 && !done(); i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("LRU: the least recently used entry leaves first, through onEvict", () => {
  const gone: string[] = [];
  const c = new LRU<string, number>("test.lru", 2, (_v, k) => gone.push(k));
  c.set("a", 1).set("b", 2);
  c.get("a"); // b is now the oldest
  c.set("c", 3);
  expect([...["a", "b", "c"].map((k) => c.has(k))]).toEqual([true, false, true]);
  expect(gone).toEqual(["b"]);
  c.clear();
  expect(c.size).toBe(0);
  expect(gone).toEqual(["b", "a", "c"]);
});

test("WeakLRU: bounded over all objects; a collected object's entries leave", async () => {
  const c = new WeakLRU<object, number>("test.weak_lru", 3);
  const keep = [{}, {}];
  c.set(keep[0], "x", 1);
  c.set(keep[0], "y", 2);
  c.set(keep[1], "x", 3);
  c.set(keep[1], "y", 4); // evicts (keep[0], "x")
  expect([c.get(keep[0], "x"), c.get(keep[0], "y"), c.get(keep[1], "x")]).toEqual([undefined, 2, 3]);
  (() => {
    for (let i = 0; i < 3; i++) c.set({}, "z", i); // garbage at once
  })();
  expect(c.size).toBe(3);
  await collectUntil(() => c.size === 0);
  expect(c.size).toBe(0);
});

test("3000 shapes of one jitted function: caches at their bound, no tensor left, evicted shapes recompile", async () => {
  let traces = 0;
  const f = jit((x: Array) => {
    traces++;
    return jnp.add(jnp.multiply(x, 2), 1);
  });
  const call = (n: number) => {
    const x = jnp.ones([n]);
    const y = f(x);
    const v = y.dataSync()[n - 1];
    x.dispose();
    y.dispose();
    return v;
  };
  const empty = tf.memory().numTensors;
  call(1);
  const before = tf.memory().numTensors; // the literals 2 and 1 now live in the pool
  expect(before).toBe(empty + 2);
  for (let n = 2; n <= 3000; n++) call(n);
  expect(traces).toBe(3000);
  const info = cacheInfo();
  expect(info["jit.traces"]).toEqual({ size: CACHE_SIZES.traces, maxSize: CACHE_SIZES.traces });
  expect(info["jit.executables"]).toEqual({ size: CACHE_SIZES.executables, maxSize: CACHE_SIZES.executables });
  // Every plan shares the two literal tensors: nothing grew.
  expect(tf.memory().numTensors).toBe(before);
  // Shape [1] was evicted long ago: it is traced and compiled again, and right.
  expect(call(1)).toBe(3);
  expect(traces).toBe(3001);
  expect(call(3000)).toBe(3); // still cached
  expect(traces).toBe(3001);
  // Once no plan is left, the pool's literals are freed too.
  clearCaches();
  await collectUntil(() => tf.memory().numTensors === empty);
  expect(tf.memory().numTensors).toBe(empty);
});

/** 3000 jitted closures, each over its own array, each called once. */
function closures(x: Array): ((x: Array) => Array)[] {
  const fs: ((x: Array) => Array)[] = [];
  for (let i = 0; i < 3000; i++) {
    const w = jnp.array([i, i, i, i]);
    const g = jit((a: Array) => jnp.add(a, w));
    const y = g(x);
    if (y.dataSync()[0] !== i + 1) throw new Error(`closure ${i}: ${y}`);
    y.dispose();
    fs.push(g);
  }
  return fs;
}

test("3000 jitted closures over their own arrays: bounded while held, all freed once dropped", async () => {
  clearCaches();
  await collectUntil(() => false); // settle what earlier tests dropped
  const x = jnp.ones([4]);
  const before = tf.memory().numTensors;
  let fs = closures(x);
  expect(cacheInfo()["jit.traces"].size).toBe(CACHE_SIZES.traces);
  // The oldest closure was evicted: it is traced again (its array is still the closure's).
  const y = fs[0](x);
  expect(y.dataSync()[0]).toBe(1);
  y.dispose();
  fs = [];
  // Every closure is garbage now: their trace entries leave and their arrays are freed.
  await collectUntil(() => cacheInfo()["jit.traces"].size === 0 && tf.memory().numTensors === before);
  expect(cacheInfo()["jit.traces"].size).toBe(0);
  expect(tf.memory().numTensors).toBe(before);
  x.dispose();
});

test("10,000 distinct JS scalars: the intern table stays at its bound and evicted scalars are freed", async () => {
  const x = jnp.ones([3]);
  await collectUntil(() => false);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 10_000; i++) jnp.multiply(x, i + 0.5).dispose();
  expect(cacheInfo().scalars.size).toBeLessThanOrEqual(CACHE_SIZES.scalars);
  await collectUntil(() => tf.memory().numTensors <= before + CACHE_SIZES.scalars);
  expect(tf.memory().numTensors - before).toBeLessThanOrEqual(CACHE_SIZES.scalars);
  expect(jnp.add(1.5, x).dataSync()[0]).toBe(2.5);
});

test("clearCaches() empties every cache, and jit works after it", () => {
  const f = jit((x: Array) => jnp.sin(x));
  expect(f(jnp.zeros([2])).dataSync()[0]).toBe(0);
  clearCaches();
  for (const [name, { size }] of Object.entries(cacheInfo())) expect(size, name).toBe(0);
  expect(f(jnp.zeros([2])).dataSync()[0]).toBe(0);
});
