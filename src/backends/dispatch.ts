// Running one primitive on the active backend. On wasm, elementwise primitives run as generated
// SIMD kernels (within 1 ulp, and free of tfjs-wasm's gaps for bool operands); on cpu, a few
// whose tfjs kernels miss JAX's semantics run as generated loops; float32 dot_general runs our
// own matmuls on both (matmul.ts); everything else runs its own tfjs lowering.
import * as tf from "@tensorflow/tfjs-core";
import { JaxprEqn, type LowerCtx, type Params, type Primitive, Var } from "../jaxpr/jaxpr.js";
import { ELEMENTWISE, singleEqnProgram } from "./fusion/plan.js";
import { type FusedKernel, fusedKernel } from "./fusion/kernel.js";
import { dotGeneral, reduceSum } from "./matmul.js";

const kernels = new Map<string, FusedKernel | null>();

function generatedKernelFor(prim: Primitive, params: Params, ctx: LowerCtx): FusedKernel | null {
  const key = `${prim.name}|${JSON.stringify(params)}|${ctx.inAvals.map((a) => a.key()).join(",")}`;
  let k = kernels.get(key);
  if (k === undefined) {
    const eqn = new JaxprEqn(prim, ctx.inAvals.map((a) => new Var(a)), params, ctx.outAvals.map((a) => new Var(a)));
    const p = singleEqnProgram(eqn);
    // A program the SIMD generator declines still runs as a JS loop: never a tfjs-wasm kernel
    // for an elementwise op, whose bool and uint32 handling is unreliable.
    k = p ? fusedKernel(p) : null;
    if (kernels.size > 4096) kernels.clear();
    kernels.set(key, k);
  }
  return k;
}

// On cpu and WebGL, float max/min need NaN propagation that tfjs's kernels lack; a generated
// loop or shader does it in one pass instead of the five kernels of the portable lowering.
const GENERATED_ELSEWHERE = new Set(["max", "min"]);

/** `prim.impl`, or a generated kernel where the backend's own is worse. */
export function runPrimitive(prim: Primitive, args: tf.Tensor[], params: Params, ctx: LowerCtx): tf.Tensor[] {
  const backend = tf.getBackend();
  // The name test comes first: it keeps non-elementwise primitives (jit calls with whole jaxprs in
  // their params, matmuls, reductions) off the key building below.
  if (ELEMENTWISE.has(prim.name) && (backend === "wasm" || GENERATED_ELSEWHERE.has(prim.name))) {
    const k = generatedKernelFor(prim, params, ctx);
    if (k) return k.run(args);
  }
  const native = prim.name === "dot_general" ? dotGeneral : prim.name === "reduce_sum" ? reduceSum : null;
  if (native) {
    const out = native(args, params, ctx, backend);
    if (out) return out;
  }
  return prim.impl(args, params, ctx);
}
