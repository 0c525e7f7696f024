// float32 dot_general on the cpu and wasm backends without tfjs's matMul, reading both operands
// in the layout they are stored in. A contraction is a batch of C[M,N] = A[M,K]·B[K,N] whose
// operands are addressed through strides: no transposes and no reshapes are materialised.
// - wasm: generated SIMD kernels (wasm/gemm.ts), bit-identical to tfjs-wasm's XNNPACK matMul
//   and 1.3-2.5x faster on an MLP's shapes, since XNNPACK repacks every new rhs buffer whole
//   and needs both operands transposed to [M,K]·[K,N] first.
// - cpu: the same kernels in float64, summing exactly as tfjs-cpu's BatchMatMul does (float64
//   sums over blocks of its blockSize along k, each added to the float32 result in order), so
//   the results are bit-identical to tfjs-cpu's, ~20x faster (its k-innermost JS loop strides
//   across rows of B). Without wasm SIMD, tfjs's own kernel runs.
// Anything else (integers, groups of axes that do not flatten to one stride) takes the
// primitive's own lowering.
import * as tf from "@tensorflow/tfjs-core";
import type { LowerCtx, Params, PyList } from "../jaxpr/jaxpr.js";
import { gemmKernel } from "./wasm/gemm.js";
import { simdSupported } from "./wasm/codegen.js";

/** A contraction as a batch of matrix products over strided operands (element strides). */
export interface MatmulPlan {
  B: number;
  M: number;
  N: number;
  K: number;
  /** A's strides along batch, m and k; B's along batch, k and n. */
  a: [number, number, number];
  b: [number, number, number];
}

const rowMajor = (shape: readonly number[]) => {
  const s = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
};

/**
 * The size and stride of axes read as one index (the first axis outermost), or null when they
 * are not evenly spaced in memory. Size-1 axes do not count; no axes at all is size 1, stride 1.
 */
function group(shape: readonly number[], strides: number[], axes: number[]): [number, number] | null {
  const g = axes.filter((d) => shape[d] !== 1);
  for (let i = 0; i + 1 < g.length; i++) if (strides[g[i]] !== strides[g[i + 1]] * shape[g[i + 1]]) return null;
  return [g.reduce((n, d) => n * shape[d], 1), g.length ? strides[g[g.length - 1]] : 1];
}

/** dot_general's dimension numbers over row-major operands as a strided batched matmul. */
export function matmulPlan(aShape: readonly number[], bShape: readonly number[], params: Params): MatmulPlan | null {
  const [[lc, rc], [lb, rb]] = (params.dimension_numbers as PyList<number>[][]).map((x) => x.map((l) => [...l.items]));
  const free = (n: number, ...not: number[][]) => Array.from({ length: n }, (_, i) => i).filter((i) => !not.some((x) => x.includes(i)));
  const [sa, sb] = [rowMajor(aShape), rowMajor(bShape)];
  const ab = group(aShape, sa, lb);
  const am = group(aShape, sa, free(aShape.length, lc, lb));
  const ak = group(aShape, sa, lc);
  const bb = group(bShape, sb, rb);
  const bk = group(bShape, sb, rc);
  const bn = group(bShape, sb, free(bShape.length, rc, rb));
  if (!ab || !am || !ak || !bb || !bk || !bn) return null;
  return { B: ab[0], M: am[0], K: ak[0], N: bn[0], a: [ab[1], am[1], ak[1]], b: [bb[1], bk[1], bn[1]] };
}

// ---- running as a registered tfjs kernel (tracked by tf.memory like any other) ----------------

const KERNEL = "TfjaxDotGeneral";
type Body = (inputs: tf.TensorInfo[], backend: unknown) => tf.TensorInfo;
const registered = new Set<string>();
function runRegistered(a: tf.Tensor, b: tf.Tensor, body: Body): tf.Tensor {
  const name = tf.getBackend();
  if (!registered.has(name)) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: name,
      kernelFunc: ({ inputs, backend, attrs }) => (attrs as unknown as { body: Body }).body([inputs.a, inputs.b] as tf.TensorInfo[], backend),
    });
    registered.add(name);
  }
  return tf.engine().runKernel(KERNEL, { a, b }, { body } as never) as tf.Tensor;
}

interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory }; _malloc(n: number): number; _free(p: number): void };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
interface CpuBackend {
  blockSize?: number;
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/** float32 dot_general on the active backend, or null where the primitive's lowering should run. */
export function dotGeneral([a, b]: tf.Tensor[], params: Params, ctx: LowerCtx, backend: string): tf.Tensor[] | null {
  if (backend !== "wasm" && backend !== "cpu") return null;
  if (![...ctx.inAvals, ...ctx.outAvals].every((v) => v.dtype === "float32")) return null;
  const plan = matmulPlan(a.shape, b.shape, params);
  if (!plan) return null;
  const shape = [...ctx.outAvals[0].shape];
  if (backend === "wasm") return wasmMatmul(a, b, plan, shape);
  return simdSupported() ? [runRegistered(a, b, (ins, be) => cpuMatmul(ins, be as CpuBackend, plan, shape))] : null;
}

/** The plan's batch of products as kernel calls (byte offsets in, elements of `bytes` bytes). */
function runner(p: MatmulPlan, bytes: 4 | 8, kBlock?: number) {
  const { B, M, N, K } = p;
  const kernel = gemmKernel({ M, N, K, sAm: p.a[1], sAk: p.a[2], sBk: p.b[1], sBn: p.b[2], f64: kBlock ? { kBlock } : undefined });
  const run = (memory: WebAssembly.Memory, a: number, b: number, c: number, scratch: number) => {
    for (let i = 0; i < B; i++) kernel.run(memory, a + i * p.a[0] * bytes, b + i * p.b[0] * bytes, c + i * M * N * bytes, scratch);
  };
  return Object.assign(run, { scratchBytes: kernel.scratchBytes });
}

function wasmMatmul(a: tf.Tensor, b: tf.Tensor, p: MatmulPlan, shape: number[]): tf.Tensor[] {
  const run = runner(p, 4);
  const body: Body = ([x, y], backend) => {
    const be = backend as WasmBackend;
    const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
    const out = be.makeOutput(shape, "float32");
    const scratch = be.wasm._malloc(run.scratchBytes);
    run(be.wasm.asm.memory, ptr(x), ptr(y), ptr(out), scratch);
    be.wasm._free(scratch);
    return out;
  };
  return [runRegistered(a, b, body)];
}

/**
 * tfjs-cpu's arithmetic (float64 sums per block of its blockSize along k) as wasm SIMD on a
 * memory of our own: the operands are copied in as float64 (exact), C comes back as float32
 * (exact: every value in it is a float32 already).
 */
function cpuMatmul([x, y]: tf.TensorInfo[], be: CpuBackend, p: MatmulPlan, shape: number[]): tf.TensorInfo {
  const [A, B] = [be.data.get(x.dataId).values, be.data.get(y.dataId).values];
  const run = runner(p, 8, be.blockSize ?? 48);
  const n = p.B * p.M * p.N;
  const at = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const [a0, b0] = [0, at(A.length * 8)];
  const c0 = b0 + at(B.length * 8);
  const s0 = c0 + at(n * 8);
  const memory = cpuMemory(s0 + run.scratchBytes);
  new Float64Array(memory.buffer, a0, A.length).set(A);
  new Float64Array(memory.buffer, b0, B.length).set(B);
  new Float64Array(memory.buffer, c0, n).fill(0);
  run(memory, a0, b0, c0, s0);
  return be.makeTensorInfo(shape, "float32", Float32Array.from(new Float64Array(memory.buffer, c0, n)));
}

/** Kept between calls up to this size; a larger product gets a memory of its own. */
const KEEP_BYTES = 64 << 20;
let kept: WebAssembly.Memory | undefined;
function cpuMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / 65536);
  if (bytes > KEEP_BYTES) return new WebAssembly.Memory({ initial: pages });
  kept ??= new WebAssembly.Memory({ initial: pages });
  if (kept.buffer.byteLength < bytes) kept.grow(pages - kept.buffer.byteLength / 65536);
  return kept;
}
