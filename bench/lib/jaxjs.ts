// @jax-js/jax, the nearest peer library, on its wasm device: a bench-only devDependency.
//
// Its ownership rules (README "Reference counting"): every array starts with one reference, every
// function and operation CONSUMES its array arguments, `a.ref` adds a reference (returns `a`) and
// `a.dispose()` drops one. So a case keeps its inputs alive by passing `x.ref`, never `x`.
//
// Its arrays are lazy: a jitted call returns at once with the kernels only queued, and nothing
// runs until the result is read or awaited. Disposing an unread result simply drops the queued
// work, so a timed call must force it. `await y.blockUntilReady()` runs the kernels without
// copying anything out (then `y.dispose()`); `y.dataSync()` runs them synchronously but also
// copies the whole result out of wasm memory (and consumes `y`), which costs ~1-4 ms per 4 MiB.
// In Node there is no global `Worker`, so its wasm backend runs kernels on the calling thread,
// as tfjs-wasm does here (one thread each).
import { createRequire } from "node:module";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { defaultDevice, init, numpy as np } from "@jax-js/jax";

export type JxArray = np.Array;
/** A jitted jax-js function (consumes its arguments). */
export type JxFn = (...xs: JxArray[]) => JxArray;

let started: Promise<void> | null = null;

/** Starts jax-js's wasm backend and makes it the default device (arrays and jit land there). */
export function initJaxJs(): Promise<void> {
  return (started ??= (async () => {
    const devices = await init("wasm");
    if (!devices.includes("wasm")) throw new Error(`@jax-js/jax: no wasm device (got ${devices.join(", ")})`);
    defaultDevice("wasm");
    await countRefs();
  })());
}

// ---- leak accounting ------------------------------------------------------------------------
// jax-js's buffers are invisible to tf.memory(), and it exposes no live-buffer count. Its wasm
// backend object has public malloc/incRef/decRef methods (the Backend interface of its .d.ts),
// and every buffer is freed when its count reaches 0, so the sum over live buffers of their
// counts is mallocs + incRefs - decRefs: a leak-free call leaves it unchanged. The backend
// object is reached through the package's internal chunk (same module instance as the entry,
// since ESM instances are keyed by file URL); if that fails, the count is simply unavailable.

let liveRefs = 0;
let counting = false;

async function countRefs(): Promise<void> {
  try {
    const dist = dirname(createRequire(import.meta.url).resolve("@jax-js/jax"));
    for (const file of readdirSync(dist).filter((f) => /^backend-.*\.js$/.test(f))) {
      const mod = (await import(pathToFileURL(join(dist, file)).href)) as Record<string, unknown>;
      const getBackend = Object.values(mod).find((v): v is (d: string) => Record<string, unknown> => typeof v === "function" && v.name === "getBackend");
      if (!getBackend) continue;
      const be = getBackend("wasm");
      for (const [method, delta] of [["malloc", 1], ["incRef", 1], ["decRef", -1]] as const) {
        const orig = be[method] as (...a: unknown[]) => unknown;
        if (typeof orig !== "function") throw new Error(`no ${method}`);
        be[method] = function (this: unknown, ...a: unknown[]) {
          liveRefs += delta;
          return orig.apply(this, a);
        };
      }
      counting = true;
      return;
    }
    throw new Error("no getBackend export in dist/backend-*.js");
  } catch (e) {
    counting = false;
    process.stderr.write(`  ! @jax-js/jax buffers cannot be counted (leak column shows 0 for its rows): ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** Sum of reference counts over jax-js's live wasm buffers (0 when nothing is held). */
export const jaxJsLiveRefs = (): number => (counting ? liveRefs : 0);

// ---- inputs and calls -----------------------------------------------------------------------

export interface JxInputs {
  /** The inputs; valid between setup and teardown. Pass `x.ref` to anything that consumes. */
  v: JxArray[];
  setup(): Promise<void>;
  teardown(): void;
}

/** jax-js arrays on the wasm device made from the given host arrays (optionally reshaped). */
export function jxInputs(shape: number[] | undefined, ...data: Float32Array[]): JxInputs {
  const h = {
    v: [] as JxArray[],
    async setup() {
      await initJaxJs();
      h.v = data.map((d) => np.array(d, shape ? { shape } : {}));
    },
    teardown() {
      h.v.forEach((a) => a.dispose());
      h.v = [];
    },
  };
  return h;
}

/** Calls `f` on new references to `inputs` (which stay alive), runs the kernels, frees the result. */
export async function callAndWait(f: JxFn, inputs: JxArray[]): Promise<void> {
  const y = f(...inputs.map((a) => a.ref));
  await y.blockUntilReady();
  y.dispose();
}

/** The same, synchronously: dataSync() runs the kernels, copies the result out and consumes it. */
export function callAndRead(f: JxFn, inputs: JxArray[]): ArrayLike<number> {
  return f(...inputs.map((a) => a.ref)).dataSync();
}

// ---- the benchmark programs in jax-js's API -------------------------------------------------

/** examples/fusion.ts's chain, op for op: sin mul exp add tanh mul add sqrt div cos sub max. */
export function chain11Jx(x: JxArray): JxArray {
  let y = np.sin(x.ref);
  y = np.exp(y.mul(0.5));
  y = np.tanh(y.add(1.5));
  y = np.sqrt(y.ref.mul(y).add(2));
  y = y.div(3).sub(np.cos(x));
  return np.maximum(y, -0.25);
}

/** bench/lib/chain.ts's 10-op chain: sin mul add exp sqrt tanh mul sub cos add. */
export function chain10Jx(x: JxArray, y: JxArray): JxArray {
  let a = np.sin(x.ref);
  a = a.mul(x.ref);
  a = a.add(y.ref);
  a = np.exp(a);
  a = np.sqrt(a);
  a = np.tanh(a);
  a = a.mul(y);
  a = a.sub(x.ref);
  a = np.cos(a);
  return a.add(x);
}
