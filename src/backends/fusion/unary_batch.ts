// erf_inv, exp, log and log1p over a block of float32 values, for the JS loop kernels. Their
// scalar versions (lax/special.ts) round every step with Math.fround, so a per-element loop is
// latency-bound: erfInv32 is ~28 dependent multiply-adds (~200 ns/element), exp32/log32/log1p32
// (XLA CPU's exact float32 results) ~80-100 ns/element. The wasm SIMD kernels are bit-identical to
// them and several times faster; they run on a private memory where the engine compiles them.
import type { FusedProgram } from "./ir.js";
import { compileWasmKernel } from "../wasm/codegen.js";
import { erfInv32, exp32, log1p32, log32 } from "../../lax/special.js";

/** Elements per block: a JS loop kernel fills `x`, calls `run(n)` and reads `y`. */
export const UNARY_BLOCK = 4096;

/** The float32 unary functions a JS loop kernel computes a block at a time. */
const SCALAR = { erf_inv: erfInv32, exp: exp32, log: log32, log1p: log1p32 } as const;
export type BatchedUnary = keyof typeof SCALAR;
export const isBatchedUnary = (fn: string): fn is BatchedUnary => fn in SCALAR;

export interface UnaryBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  run(n: number): void;
}

const batches = new Map<BatchedUnary, UnaryBatch>();

export function unaryBatch(fn: BatchedUnary): UnaryBatch {
  let batch = batches.get(fn);
  if (batch) return batch;
  const B = UNARY_BLOCK;
  const p: FusedProgram = {
    shape: [B],
    inputs: [{ shape: [B], strides: [1], type: "f32" }],
    nodes: [{ op: "input", index: 0, type: "f32" }, { op: "unary", fn, a: 0, type: "f32" }],
    outputs: [1],
  };
  const k = typeof WebAssembly === "object" ? compileWasmKernel(p) : null;
  if (k) {
    const memory = new WebAssembly.Memory({ initial: 1 }); // 64 KiB: x, then y
    const [x, y] = [0, 4 * B].map((at) => new Float32Array(memory.buffer, at, B));
    batch = { x, y, run: (n) => k.run(memory, [0], [4 * B], n) };
  } else {
    const [x, y] = [new Float32Array(B), new Float32Array(B)];
    const f = SCALAR[fn];
    batch = { x, y, run: (n) => { for (let i = 0; i < n; i++) y[i] = f(x[i]); } };
  }
  batches.set(fn, batch);
  return batch;
}
