// erf_inv over a block of float32 values, for the JS loop kernels: erfInv32 is ~28 dependent
// multiply-adds per element, each rounded by Math.fround, so a per-element loop is latency-bound
// (~200 ns/element). The wasm SIMD kernel is bit-identical to it (all 2^23 inputs random.normal
// gives it are tested) and ~8x faster; it runs on a private memory where the engine compiles it.
import type { FusedProgram } from "./ir.js";
import { compileWasmKernel } from "../wasm/codegen.js";
import { erfInv32 } from "../../lax/special.js";

/** Elements per block: a JS loop kernel fills `x`, calls `run(n)` and reads `y`. */
export const ERF_INV_BLOCK = 4096;

export interface ErfInvBatch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  run(n: number): void;
}

let batch: ErfInvBatch | undefined;

export function erfInvBatch(): ErfInvBatch {
  if (batch) return batch;
  const B = ERF_INV_BLOCK;
  const p: FusedProgram = {
    shape: [B],
    inputs: [{ shape: [B], strides: [1], type: "f32" }],
    nodes: [{ op: "input", index: 0, type: "f32" }, { op: "unary", fn: "erf_inv", a: 0, type: "f32" }],
    outputs: [1],
  };
  const k = typeof WebAssembly === "object" ? compileWasmKernel(p) : null;
  if (k) {
    const memory = new WebAssembly.Memory({ initial: 1 }); // 64 KiB: x, then y
    const [x, y] = [0, 4 * B].map((at) => new Float32Array(memory.buffer, at, B));
    batch = { x, y, run: (n) => k.run(memory, [0], [4 * B], n) };
  } else {
    const [x, y] = [new Float32Array(B), new Float32Array(B)];
    batch = { x, y, run: (n) => { for (let i = 0; i < n; i++) y[i] = erfInv32(x[i]); } };
  }
  return batch;
}
