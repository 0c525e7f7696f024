// The WebGL suite's page: bundled by bench/browser/chromium.ts with esbuild and run in headless
// Chromium, where tfjs's WebGL backend runs on SwiftShader (a CPU rasterizer; this machine has no
// GPU). Importing tfjax selects WebGL. Node calls `window.tfjaxBench.run(request)`; the timing
// loop runs here, in the page (a round trip to Node per call would dwarf the µs-scale rows), with
// the runner's rules: interleaved rounds, a time budget and a minimum of samples per round,
// warm-up before the first. Each sample issues `batch` calls and then waits for a GPU fence.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgl";
import { ArrayImpl, jit, scope, type Array as JaxArray } from "../../src/index.js";
import { chain } from "../../examples/fusion.js";
import { chain11Tf, chainJnp, chainTf, uniform, uniformIn } from "../lib/chain.js";
import { jnp } from "../../src/index.js";
import { CHAIN_N, DISPATCH_N, GROUPS, type CaseSpec, type PageRequest, type PageResult, type PageRow } from "./spec.js";

// ---- the WebGL backend's internals used here ---------------------------------------------------

interface ProgramLike {
  userCode: string;
}
interface WebGLBackendLike {
  gpgpu: { gl: WebGL2RenderingContext; createAndWaitForFence(): Promise<void> };
  runWebGLProgram(program: ProgramLike, ...rest: unknown[]): tf.TensorInfo;
  compileAndRun(program: ProgramLike, ...rest: unknown[]): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
}
const backend = () => tf.backend() as unknown as WebGLBackendLike;

/** Resolves once the GPU has run everything issued so far (tfjs's fence, polled). */
const fence = () => backend().gpgpu.createAndWaitForFence();

/** Calls `fn` with every WebGL program run meanwhile recorded (runWebGLProgram is what every tfjs kernel and compileAndRun go through). */
function recordPrograms<T>(fn: () => T): { result: T; programs: string[] } {
  const b = backend();
  const programs: string[] = [];
  const own = Object.prototype.hasOwnProperty.call(b, "runWebGLProgram");
  const original = b.runWebGLProgram;
  b.runWebGLProgram = function (this: WebGLBackendLike, p: ProgramLike, ...rest: unknown[]) {
    programs.push(p.constructor?.name && p.constructor.name !== "Object" ? p.constructor.name : "generated");
    return original.call(this, p, ...rest);
  };
  try {
    return { result: fn(), programs };
  } finally {
    if (own) b.runWebGLProgram = original;
    else delete (b as Partial<WebGLBackendLike>).runWebGLProgram;
  }
}

const log = (s: string) => console.log(s);
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = (s.length - 1) / 2;
  return (s[Math.floor(m)] + s[Math.ceil(m)]) / 2;
};
const fmtMs = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(1)} µs`);

function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Smallest step of performance.now() seen (5 µs when cross-origin isolated, else 100 µs). */
function timerResolution(): number {
  let best = Infinity;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    let t1 = t0;
    while (t1 === t0) t1 = performance.now();
    best = Math.min(best, t1 - t0);
  }
  return best;
}

// ---- cases --------------------------------------------------------------------------------------

interface PageCase {
  name: string;
  setup(): void;
  /** One call; disposes what it creates. */
  call(): void;
  /** The output's values (downloaded; outside the timing). */
  value(): Float32Array;
  teardown(): void;
}

const jaxValue = (f: () => JaxArray): Float32Array => {
  const o = f() as ArrayImpl;
  const v = (o.dataSync() as Float32Array).slice();
  o.dispose();
  return v;
};
const tfValue = (f: () => tf.Tensor): Float32Array => {
  const o = f();
  const v = (o.dataSync() as Float32Array).slice();
  o.dispose();
  return v;
};

/** Three cases over the same math: eager tfjs, tfjax jit, tfjax eager (names from spec.ts). */
function threeCases(
  names: string[],
  data: Float32Array[],
  tfFn: (...xs: tf.Tensor[]) => tf.Tensor,
  jaxFn: (...xs: JaxArray[]) => JaxArray,
): { cases: PageCase[]; jitted: (...xs: JaxArray[]) => JaxArray; jitInputs: () => JaxArray[] } {
  let t: tf.Tensor[] = [];
  let j: JaxArray[] = [];
  let e: JaxArray[] = [];
  const jitted = jit(jaxFn);
  const tfRun = () => tf.tidy(() => tfFn(...t));
  const jitRun = () => jitted(...j);
  const eagerRun = () => scope(() => jaxFn(...e));
  const cases: PageCase[] = [
    {
      name: names[0],
      setup: () => (t = data.map((d) => tf.tensor1d(d))),
      call: () => tfRun().dispose(),
      value: () => tfValue(tfRun),
      teardown: () => t.forEach((x) => x.dispose()),
    },
    {
      name: names[1],
      setup: () => (j = data.map((d) => jnp.array(d))),
      call: () => (jitRun() as ArrayImpl).dispose(),
      value: () => jaxValue(jitRun),
      teardown: () => j.forEach((x) => (x as ArrayImpl).dispose()),
    },
    {
      name: names[2],
      setup: () => (e = data.map((d) => jnp.array(d))),
      call: () => (eagerRun() as ArrayImpl).dispose(),
      value: () => jaxValue(eagerRun),
      teardown: () => e.forEach((x) => (x as ArrayImpl).dispose()),
    },
  ];
  return { cases, jitted, jitInputs: () => j };
}

// ---- timing -------------------------------------------------------------------------------------

/** One sample: `batch` calls, then a fence; the time per call in ms. */
async function sample(c: PageCase, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let k = 0; k < batch; k++) c.call();
  await fence();
  return (performance.now() - t0) / batch;
}

async function timeRound(c: PageCase, s: CaseSpec, round: number, rounds: number, quick: boolean): Promise<number[]> {
  const scale = quick ? 0.1 : 1;
  if (round === 0) {
    const t0 = performance.now();
    for (let k = 0; k < s.warmupIterations || performance.now() - t0 < s.warmupTime * scale; k++) await sample(c, s.batch);
  }
  const time = (s.time * scale) / rounds;
  const iterations = Math.max(1, Math.ceil((s.iterations * (quick ? 0.3 : 1)) / rounds));
  const out: number[] = [];
  const t0 = performance.now();
  while (out.length < iterations || performance.now() - t0 < time) out.push(await sample(c, s.batch));
  return out;
}

/** Median of `n` fences with nothing queued: the floor under every fenced sample. */
async function emptyFence(n: number): Promise<number> {
  await fence();
  const xs: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    await fence();
    xs.push(performance.now() - t0);
  }
  return median(xs);
}

async function run(req: PageRequest): Promise<PageResult> {
  const spec = GROUPS[req.group];
  const gl = backend().gpgpu.gl;
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  const notes: Record<string, string | number> = {};
  // tfjs polls fences with setTimeout(0), which browsers clamp to 4 ms once nested: this flag makes
  // it hop through postMessage instead, so a fence resolves within a task or two of the GPU.
  tf.env().set("USE_SETTIMEOUTCUSTOM", true);
  // Inputs of < 128 elements that are still on the CPU would make tfjs run its ops on its CPU
  // backend: off, so the dispatch rows measure WebGL programs (tfjax's shader never forwards).
  tf.env().set("WEBGL_CPU_FORWARD", req.group !== "dispatch");

  let built: ReturnType<typeof threeCases>;
  if (req.group === "chain") {
    const xs = uniformIn(CHAIN_N, 1, -4, 4);
    built = threeCases(spec.cases.map((c) => c.name), [xs], chain11Tf, chain);
  } else {
    built = threeCases(spec.cases.map((c) => c.name), [uniform(DISPATCH_N, 1), uniform(DISPATCH_N, 2)], chainTf, chainJnp);
  }
  const cases = built.cases.filter((c) => req.cases.includes(c.name));
  const rows: PageRow[] = cases.map((c) => ({ name: c.name, roundSamplesMs: [], tensorsLeaked: 0 }));
  const ok = cases.map(() => false);

  for (const [i, c] of cases.entries()) {
    try {
      c.setup();
      ok[i] = true;
    } catch (e) {
      rows[i].error = `setup: ${errText(e)}`;
    }
  }
  notes["empty fence (nothing queued)"] = fmtMs(await emptyFence(30));

  // First calls, fenced, before anything else of the case ran: trace + lowering + the shader's
  // compile and link (tfjs compiles synchronously inside compileAndRun) + the run itself.
  for (const [i, c] of cases.entries()) {
    if (!ok[i]) continue;
    try {
      if (c.name === spec.cases[1].name) {
        for (const x of built.jitInputs()) backend().uploadToGPU((x as ArrayImpl).tensor.dataId); // not the upload
        await fence();
        const b = backend();
        const original = b.compileAndRun;
        let inCompileAndRun = 0;
        b.compileAndRun = function (this: WebGLBackendLike, ...args: Parameters<WebGLBackendLike["compileAndRun"]>) {
          const t = performance.now();
          try {
            return original.apply(this, args);
          } finally {
            inCompileAndRun += performance.now() - t;
          }
        };
        const t0 = performance.now();
        try {
          c.call();
        } finally {
          b.compileAndRun = original;
        }
        const issued = performance.now() - t0;
        await fence();
        const total = performance.now() - t0;
        const later = median([await sample(c, 1), await sample(c, 1), await sample(c, 1)]);
        notes["tfjax jit first call (trace + lowering + fused shader compile + run), to a fence"] =
          `${fmtMs(total)}, vs ${fmtMs(later)} for a later call (median of 3): the call returned after ${fmtMs(issued)}, ` +
          `${fmtMs(inCompileAndRun)} of it in compileAndRun (GLSL compile and link, checked synchronously by tfjs); ` +
          `the rest of the first-call overhead is spent waiting for the fence (presumably SwiftShader building its pipeline at the first draw)`;
      } else if (c.name === spec.cases[0].name && req.group === "chain") {
        const t0 = performance.now();
        c.call();
        await fence();
        notes["eager tfjs-webgl first call, to a fence"] = `${fmtMs(performance.now() - t0)} (compiles its shaders; includes uploading the input)`;
      }
    } catch (e) {
      rows[i].error = `first call: ${errText(e)}`;
    }
  }

  // How many WebGL programs one call runs (after warm-up, so no upload or packing is counted).
  const perCall: string[] = [];
  for (const [i, c] of cases.entries()) {
    if (!ok[i] || rows[i].error) continue;
    try {
      c.call();
      await fence();
      const { programs } = recordPrograms(() => c.call());
      await fence();
      const kinds = [...new Set(programs)];
      perCall.push(`${c.name}: ${programs.length} (${kinds.map((k) => `${k}${programs.filter((p) => p === k).length > 1 ? ` x${programs.filter((p) => p === k).length}` : ""}`).join(", ")})`);
      rows[i].valueBase64 = toBase64(c.value());
    } catch (e) {
      rows[i].error = `value: ${errText(e)}`;
    }
  }
  notes["WebGL programs per call"] = perCall.join("; ");

  for (let round = 0; round < req.rounds; round++) {
    for (const [i, c] of cases.entries()) {
      if (!ok[i] || rows[i].error) continue;
      const s = spec.cases.find((x) => x.name === c.name)!;
      try {
        const before = tf.memory().numTensors;
        const xs = await timeRound(c, s, round, req.rounds, req.quick);
        rows[i].tensorsLeaked += tf.memory().numTensors - before;
        rows[i].roundSamplesMs.push(xs);
        log(`  ${spec.name} | ${c.name.padEnd(28)} round ${round + 1}/${req.rounds}: median ${fmtMs(median(xs)).padStart(9)}  (${xs.length} samples${s.batch > 1 ? ` x${s.batch} calls` : ""})`);
      } catch (e) {
        rows[i].error = errText(e);
        log(`  ! ${spec.name} | ${c.name}: ${rows[i].error}`);
      }
    }
  }
  for (const [i, c] of cases.entries()) if (ok[i]) c.teardown();

  return {
    backend: tf.getBackend(),
    renderer: info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "unknown",
    webglVersion: tf.env().getNumber("WEBGL_VERSION"),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    timerResolutionMs: timerResolution(),
    rows,
    notes,
  };
}

declare global {
  interface Window {
    tfjaxBench?: { backend: string; run(req: PageRequest): Promise<PageResult> };
  }
}
window.tfjaxBench = { backend: tf.getBackend(), run };
