// erf_inv, exp, log, log1p, tan and pow over a block of float32 values, for the JS loop kernels.
// Their scalar versions (lax/special.ts, lax/libm32.ts) round every step with Math.fround, so a
// per-element loop is latency-bound: erfInv32 is ~28 dependent multiply-adds (~200 ns/element),
// exp32/log32/log1p32 (XLA CPU's exact float32 results) ~80-100 ns/element, glibc's tanf and powf
// ~100 ns. The wasm SIMD kernels are bit-identical to them and several times faster; they run on
// a private memory where the engine compiles them.
import type { FusedProgram, Node } from "./ir.js";
import { compileWasmKernel } from "../wasm/codegen.js";
import { erfInv32, exp32, log1p32, log32 } from "../../lax/special.js";
import { powf32, tanf32 } from "../../lax/libm32.js";

/** Elements per block: a JS loop kernel fills `x`, calls `run(n)` and reads `y`. */
export const UNARY_BLOCK = 4096;

/** The float32 functions a JS loop kernel computes a block at a time (pow of two operands). */
const SCALAR = { erf_inv: erfInv32, exp: exp32, log: log32, log1p: log1p32, tan: tanf32, pow: powf32 } as const;
export type BatchedUnary = keyof typeof SCALAR;
/** Whether node n is computed a block at a time. */
export const isBatched = (n: Node): boolean => n.type === "f32" && ((n.op === "unary" && n.fn in SCALAR) || (n.op === "binary" && n.fn === "pow"));

export interface UnaryBatch {
  /** The operand; pow's exponent in x2. */
  readonly x: Float32Array;
  readonly x2: Float32Array;
  readonly y: Float32Array;
  run(n: number): void;
}

const batches = new Map<BatchedUnary, UnaryBatch>();

export function unaryBatch(fn: BatchedUnary): UnaryBatch {
  let batch = batches.get(fn);
  if (batch) return batch;
  const B = UNARY_BLOCK;
  const input = { shape: [B], strides: [1], type: "f32" as const };
  const p: FusedProgram =
    fn === "pow"
      ? { shape: [B], inputs: [input, input], nodes: [{ op: "input", index: 0, type: "f32" }, { op: "input", index: 1, type: "f32" }, { op: "binary", fn, a: 0, b: 1, type: "f32" }], outputs: [2] }
      : { shape: [B], inputs: [input], nodes: [{ op: "input", index: 0, type: "f32" }, { op: "unary", fn, a: 0, type: "f32" }], outputs: [1] };
  const k = typeof WebAssembly === "object" ? compileWasmKernel(p) : null;
  if (k) {
    const memory = new WebAssembly.Memory({ initial: 1 }); // 64 KiB: x, x2, then y
    const [x, x2, y] = [0, 4 * B, 8 * B].map((at) => new Float32Array(memory.buffer, at, B));
    const ins = fn === "pow" ? [0, 4 * B] : [0];
    batch = { x, x2, y, run: (n) => k.run(memory, ins, [8 * B], n) };
  } else {
    const [x, x2, y] = [new Float32Array(B), new Float32Array(B), new Float32Array(B)];
    const f = SCALAR[fn] as (a: number, b?: number) => number;
    batch = { x, x2, y, run: (n) => { for (let i = 0; i < n; i++) y[i] = f(x[i], x2[i]); } };
  }
  batches.set(fn, batch);
  return batch;
}
