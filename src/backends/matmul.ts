// float32 dot_general (and reduce_sum, a product with ones) on the cpu and wasm backends without
// tfjs's matMul, reading both operands in the layout they are stored in. A contraction is a
// batch of C[M,N] = A[M,K]·B[K,N] whose operands are addressed through strides: no transposes
// and no reshapes are materialised.
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
import { sumRows, xlaSumOrder } from "./fusion/sum_order.js";

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

const KERNEL = "TfjaxMatmul";
type Body = (inputs: tf.TensorInfo[], backend: unknown) => tf.TensorInfo;
const registered = new Set<string>();
function runRegistered(inputs: tf.Tensor[], body: Body): tf.Tensor {
  const name = tf.getBackend();
  if (!registered.has(name)) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: name,
      kernelFunc: ({ inputs: named, backend, attrs }) => (attrs as unknown as { body: Body }).body(Object.values(named) as tf.TensorInfo[], backend),
    });
    registered.add(name);
  }
  const named: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => (named[`x${i}`] = t));
  return tf.engine().runKernel(KERNEL, named, { body } as never) as tf.Tensor;
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

const float32 = (ctx: LowerCtx) => [...ctx.inAvals, ...ctx.outAvals].every((v) => v.dtype === "float32");

/** float32 dot_general on the active backend, or null where the primitive's lowering should run. */
export function dotGeneral([a, b]: tf.Tensor[], params: Params, ctx: LowerCtx, backend: string): tf.Tensor[] | null {
  if ((backend !== "wasm" && backend !== "cpu") || !float32(ctx)) return null;
  const plan = matmulPlan(a.shape, b.shape, params);
  return plan && product(a, b, plan, [...ctx.outAvals[0].shape], backend);
}

/**
 * float32 reduce_sum in XLA CPU's order where tfjax knows it (fusion/sum_order.ts: short rows),
 * else as the product of a row of ones with its operand (1·x is exact), summing in each
 * backend's own order: float32 from 0 in order on wasm, as tfjs-wasm's Sum does; one float64 sum
 * rounded at the end on cpu, as tfjs-cpu's Sum does. Bit-identical to tf.sum there, and no
 * transpose of the operand when the reduced axes lead (the bias gradients of a batch).
 */
export function reduceSum([x]: tf.Tensor[], params: Params, ctx: LowerCtx, backend: string): tf.Tensor[] | null {
  const axes = params.axes as number[];
  if ((backend !== "wasm" && backend !== "cpu") || !float32(ctx) || !axes.length || x.size === 0) return null;
  const order = xlaSumOrder(x.shape, axes);
  if (order) return [tf.tensor(sumRows(x.dataSync() as Float32Array, x.shape[axes[0]], order), ctx.outAvals[0].shape as number[], "float32")];
  const strides = rowMajor(x.shape);
  const k = group(x.shape, strides, axes);
  const n = group(x.shape, strides, x.shape.map((_, i) => i).filter((i) => !axes.includes(i)));
  // Fewer than a panel's 8 columns would leave most lanes idle: tf.sum does as well.
  if (!k || !n || n[0] < 8) return null;
  const plan: MatmulPlan = { B: 1, M: 1, K: k[0], N: n[0], a: [0, 0, 0], b: [0, k[1], n[1]] };
  return product(null, x, plan, [...ctx.outAvals[0].shape], backend, k[0]);
}

/** Scratch memory (one packed panel of B, K x 32 bytes) beyond which tfjs's own kernel runs. */
const MAX_SCRATCH = 4 << 20;

/** C = A·B by the plan; A null is a row of ones (a single 1 read with zero strides). */
function product(a: tf.Tensor | null, b: tf.Tensor, p: MatmulPlan, shape: number[], backend: string, cpuBlock?: number): tf.Tensor[] | null {
  if (p.K * 32 > MAX_SCRATCH) return null;
  const inputs = a ? [a, b] : [b];
  if (backend === "wasm") return [runRegistered(inputs, (ins, be) => wasmProduct(ins, be as WasmBackend, a !== null, p, shape))];
  if (!simdSupported()) return null;
  return [runRegistered(inputs, (ins, be) => cpuProduct(ins, be as CpuBackend, a !== null, p, shape, cpuBlock))];
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

function wasmProduct(ins: tf.TensorInfo[], be: WasmBackend, hasA: boolean, p: MatmulPlan, shape: number[]): tf.TensorInfo {
  const run = runner(p, 4);
  const ptr = (t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
  const out = be.makeOutput(shape, "float32");
  const scratch = be.wasm._malloc(run.scratchBytes + 16);
  let a = scratch + run.scratchBytes; // the 1 of a row of ones
  if (hasA) a = ptr(ins[0]);
  else new Float32Array(be.wasm.asm.memory.buffer, a, 1)[0] = 1;
  run(be.wasm.asm.memory, a, ptr(ins[ins.length - 1]), ptr(out), scratch);
  be.wasm._free(scratch);
  return out;
}

/**
 * tfjs-cpu's arithmetic (float64 sums per block of its blockSize along k) as wasm SIMD on a
 * memory of our own: the operands are copied in as float64 (exact), C comes back as float32
 * (exact: every value in it is a float32 already).
 */
function cpuProduct(ins: tf.TensorInfo[], be: CpuBackend, hasA: boolean, p: MatmulPlan, shape: number[], kBlock?: number): tf.TensorInfo {
  const [A, B] = [hasA ? be.data.get(ins[0].dataId).values : Float32Array.of(1), be.data.get(ins[ins.length - 1].dataId).values];
  const run = runner(p, 8, Math.max(1, kBlock ?? be.blockSize ?? 48));
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
