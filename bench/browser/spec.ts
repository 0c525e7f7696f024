// What the WebGL suite measures, as plain data shared by the Node side (bench/suites/webgl.ts,
// which names the rows and their baselines) and the page (bench/browser/page.ts, which times
// them). No imports: the page bundle and every bench process load this file.

/** How every WebGL number is labelled: this machine has no GPU. */
export const LABEL = "software WebGL (SwiftShader in headless Chromium, no GPU)";

export type GroupId = "chain" | "dispatch";

export interface CaseSpec {
  name: string;
  baseline?: boolean;
  /** Calls per sample, followed by one fence; the sample is the time per call. */
  batch: number;
  /** Measured time budget per case in ms, split over the rounds (as TimedCase.time). */
  time: number;
  /** Minimum samples over all rounds (at least one per round). */
  iterations: number;
  /** Warm-up before the first round, in ms and in samples (at least). */
  warmupTime: number;
  warmupIterations: number;
  /** Tolerance against the baseline's output (relative to its largest magnitude). */
  rtol?: number;
}

export interface GroupSpec {
  id: GroupId;
  /** The group's name in the results table. */
  name: string;
  description: string;
  /** Interleaved rounds (used if below --rounds). */
  rounds: number;
  cases: CaseSpec[];
}

export const CHAIN_N = 1 << 20;
export const DISPATCH_N = 16;

// SwiftShader's sin/cos are off by up to 2e-4 absolute (test/browser/webgl.test.ts), and tfjs's
// WebGL tanh is its own formula, not GLSL's: the rows agree only to about that.
const chainCommon = { batch: 1, time: 2500, iterations: 8, warmupTime: 300, warmupIterations: 2, rtol: 1e-3 };
// The eager rows take ~1 ms per call here: fewer calls per sample give them more samples.
const dispatchCommon = { time: 2000, iterations: 12, warmupTime: 800, warmupIterations: 3 };
const EAGER_BATCH = 25;
const JIT_BATCH = 100;

export const GROUPS: Record<GroupId, GroupSpec> = {
  chain: {
    id: "chain",
    name: `chain-11 f32[${CHAIN_N}] webgl (SwiftShader, no GPU)`,
    description:
      `**${LABEL}.** examples/fusion.ts's chain (sin mul exp add tanh mul add sqrt div cos sub max) on f32[${CHAIN_N}] in [-4, 4): ` +
      "time per call from issuing the ops to a GPU fence (`backend.gpgpu.createAndWaitForFence()`, polled with tfjs's `USE_SETTIMEOUTCUSTOM` so the browser's 4 ms timer clamp stays out), then the output is disposed; no readback. " +
      "tfjax jit runs one generated fused shader; eager tfjs and tfjax eager run tfjs's programs, one or more per op (counted in the notes). Timed inside the page (same rounds and budgets as the other suites); outputs downloaded once, outside the timing. " +
      "Absolute times measure a CPU rasterizer on 2 cores, not a GPU: only the ratios say something about real hardware, and even they only roughly.",
    rounds: 4,
    cases: [
      { name: "eager tfjs-webgl (tf.tidy)", baseline: true, ...chainCommon },
      { name: "tfjax jit (fused shader)", ...chainCommon },
      { name: "tfjax eager (jnp in scope)", ...chainCommon },
    ],
  },
  dispatch: {
    id: "dispatch",
    name: `dispatch 10 ops f32[${DISPATCH_N}] webgl (SwiftShader, no GPU)`,
    description:
      `**${LABEL}.** The 10-op chain of the dispatch suite (sin mul add exp sqrt tanh mul sub cos add) on f32[${DISPATCH_N}]: ` +
      `each sample issues ${EAGER_BATCH} (eager rows) or ${JIT_BATCH} (jit) calls, outputs disposed, then waits for one GPU fence; the time is per call. ` +
      "`WEBGL_CPU_FORWARD` is off, so tfjs runs these tiny ops on the GPU instead of handing them to its CPU backend. The jit row is a cache hit (one fused shader per call).",
    rounds: 4,
    cases: [
      { name: "eager tfjs-webgl (tf.tidy)", baseline: true, batch: EAGER_BATCH, ...dispatchCommon },
      { name: "tfjax jit (cache hit)", batch: JIT_BATCH, ...dispatchCommon },
      { name: "tfjax eager (jnp in scope)", batch: EAGER_BATCH, ...dispatchCommon },
    ],
  },
};

/** What Node asks the page to run. */
export interface PageRequest {
  group: GroupId;
  /** The names of the cases to run (a filtered selection keeps the baseline). */
  cases: string[];
  rounds: number;
  quick: boolean;
}

export interface PageRow {
  name: string;
  /** Per round, the samples in ms per call. */
  roundSamplesMs: number[][];
  /** Live tfjs tensors added over all rounds (should be 0). */
  tensorsLeaked: number;
  /** The output, downloaded once outside the timing: float32 bytes, base64. */
  valueBase64?: string;
  error?: string;
}

export interface PageResult {
  /** tfjs's active backend in the page (must be "webgl"). */
  backend: string;
  /** The WebGL renderer string (UNMASKED_RENDERER_WEBGL). */
  renderer: string;
  webglVersion: number;
  /** performance.now() is 5 µs only in a cross-origin isolated page (100 µs otherwise). */
  crossOriginIsolated: boolean;
  timerResolutionMs: number;
  rows: PageRow[];
  /** One-off measurements (first-call compile times, fence cost), shown under the table. */
  notes: Record<string, string | number>;
}
