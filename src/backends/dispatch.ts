// Running one primitive on the active backend. On wasm, elementwise primitives run as generated
// SIMD kernels (within 1 ulp, and free of tfjs-wasm's gaps for bool operands); on cpu, a few
// whose tfjs kernels miss JAX's semantics run as generated loops; float32 dot_general runs our
// own matmuls on both (matmul.ts); on WebGL, primitives on uint32 words (PRNG keys and bits) run on
// the CPU backend; everything else runs its own tfjs lowering.
import * as tf from "@tensorflow/tfjs-core";
import { JaxprEqn, type LowerCtx, type Params, type Primitive, Var } from "../jaxpr/jaxpr.js";
import { isKey } from "../dtypes.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { ELEMENTWISE, singleEqnProgram } from "./fusion/plan.js";
import { type FusedKernel, fusedKernel } from "./fusion/kernel.js";
import { dotGeneral, reduceSum } from "./matmul.js";
import { CACHE_SIZES, LRU } from "../cache.js";

const kernels = new LRU<string, FusedKernel | null>("dispatch.kernels", CACHE_SIZES.kernels);

// Keyed by backend too: a kernel is generated for the backend active when it was made (a JS loop
// on cpu, a wasm module on wasm, a shader on WebGL) and cannot run on another after setBackend.
function generatedKernelFor(prim: Primitive, params: Params, ctx: LowerCtx, backend: string): FusedKernel | null {
  const key = `${backend}|${prim.name}|${JSON.stringify(params)}|${ctx.inAvals.map((a) => a.key()).join(",")}`;
  let k = kernels.get(key);
  if (k === undefined) {
    const eqn = new JaxprEqn(prim, ctx.inAvals.map((a) => new Var(a)), params, ctx.outAvals.map((a) => new Var(a)));
    const p = singleEqnProgram(eqn);
    // A program the SIMD generator declines still runs as a JS loop: never a tfjs-wasm kernel
    // for an elementwise op, whose bool and uint32 handling is unreliable.
    k = p ? fusedKernel(p) : null;
    kernels.set(key, k);
  }
  return k;
}

// On cpu and WebGL, float max/min need NaN propagation that tfjs's kernels lack; a generated
// loop or shader does it in one pass instead of the five kernels of the portable lowering.
const GENERATED_ELSEWHERE = new Set(["max", "min"]);
// On cpu, float32 exp, log and log1p compute XLA CPU's own float32 functions (lax/special.ts's
// exp32, log32, log1p32), tan and pow glibc's tanf and powf (lax/libm32.ts), in a generated loop,
// as fused kernels do: JAX's results bit for bit (Math.exp rounded to float32, tfjs-cpu's kernel,
// is an ulp off on ~10% of inputs; Math.tan on ~4%).
const GENERATED_ON_CPU = new Set(["exp", "log", "log1p", "tan", "pow"]);
// On WebGL, the same functions as generated GLSL (fusion/glsl_math.ts), where tfjs's shaders use
// GLSL's exp and log (hundreds of ulps off near their zeros).
const GENERATED_ON_WEBGL = new Set(["exp", "log", "log1p", "tan", "pow"]);

/**
 * WebGL keeps integers in float32 textures, exact below 2^24 only: a GPU kernel moving uint32
 * words (slicing the keys of split(key, 1000), whose words are anything up to 2^32) rounds them.
 * So primitives on PRNG keys or uint32 run on the CPU backend: the words move over exactly (they
 * are made on the host, never on the GPU) and to the GPU lazily, if a GPU kernel ever needs them.
 * Fused kernels and jit calls see to their own operands.
 */
const words = (a: ShapedArray) => isKey(a.dtype) || a.dtype === "uint32";
const movesWords = (prim: Primitive, ctx: LowerCtx) => prim.name !== "fused" && prim.name !== "jit" && (ctx.inAvals.some(words) || ctx.outAvals.some(words));

/**
 * Runs `f` with tfjs's CPU backend as the engine's backend. The engine's fields are swapped
 * directly: tf.setBackend would also walk the kernel registry and reset the profiler, ~0.2 ms a
 * switch, more than the key operations themselves.
 */
function onCpu<T>(f: () => T): T {
  const engine = tf.engine() as unknown as { backendName: string; backendInstance: unknown };
  let cpu = tf.findBackend("cpu");
  if (!cpu) {
    // First use: let tfjs create the CPU backend (synchronous), then return to the current one.
    const name = tf.getBackend();
    void tf.setBackend("cpu");
    void tf.setBackend(name);
    cpu = tf.findBackend("cpu")!;
  }
  const [name, instance] = [engine.backendName, engine.backendInstance];
  engine.backendName = "cpu";
  engine.backendInstance = cpu;
  try {
    return f();
  } finally {
    engine.backendName = name;
    engine.backendInstance = instance;
  }
}

/** `prim.impl`, or a generated kernel where the backend's own is worse. */
export function runPrimitive(prim: Primitive, args: tf.Tensor[], params: Params, ctx: LowerCtx): tf.Tensor[] {
  const backend = tf.getBackend();
  // The name test comes first: it keeps non-elementwise primitives (jit calls with whole jaxprs in
  // their params, matmuls, reductions) off the key building below.
  if (
    ELEMENTWISE.has(prim.name) &&
    (backend === "wasm" || GENERATED_ELSEWHERE.has(prim.name) || (backend === "cpu" && GENERATED_ON_CPU.has(prim.name)) || (backend === "webgl" && GENERATED_ON_WEBGL.has(prim.name)))
  ) {
    const k = generatedKernelFor(prim, params, ctx, backend);
    if (k) return k.run(args);
  }
  const native = prim.name === "dot_general" ? dotGeneral : prim.name === "reduce_sum" ? reduceSum : null;
  if (native) {
    const out = native(args, params, ctx, backend);
    if (out) return out;
  }
  if (backend === "webgl" && movesWords(prim, ctx)) return onCpu(() => prim.impl(args, params, ctx));
  return prim.impl(args, params, ctx);
}
