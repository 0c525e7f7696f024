// Switching backends at run time (setBackend) with tfjax's caches warm: a generated kernel is made
// for one backend (a JS loop, a wasm module, a shader) and must never run on another.
import { afterAll, expect, test } from "vitest";
import { getBackend, jit, jnp, setBackend } from "../src/index.js";

const start = getBackend() as "cpu" | "wasm";
afterAll(() => setBackend(start));

// Found by the differential fuzzer: the dispatch cache of generated kernels was keyed on the
// primitive, params and avals but not the backend, so maximum's cpu loop ran on wasm and threw.
test("eager and jitted kernels made on one backend are not reused on another", async () => {
  const a = jnp.array([1.65625, -2, NaN]);
  const f = jit((x: typeof a) => jnp.maximum(x, x.mul(0.5)).add(1));
  const expected = ["2.65625,0,NaN", "2.65625,0,NaN"];
  for (const name of ["cpu", "wasm", "cpu", "wasm"] as const) {
    await setBackend(name);
    expect(getBackend()).toBe(name);
    const got = [jnp.maximum(a, a.mul(0.5)).add(1), f(a)].map((y) => Array.from(y.dataSync()).join(","));
    expect(got).toEqual(expected);
  }
});
