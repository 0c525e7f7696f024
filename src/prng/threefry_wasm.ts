// Threefry-2x32 (20 rounds) as generated WebAssembly SIMD, for partitionable random_bits on
// tfjs-wasm: the output words are computed in place on tfjs-wasm's heap, so nothing is hashed
// or copied on the JS side. Bit-identical to threefry.ts (the JS fallback used everywhere else).
//
// The module imports its memory ("env" "memory") and exports
//   bits(k0, k1, out, hi, lo, n, mask)   (all i32)
// which writes, for j in [0, n) (n a multiple of 4), word j at byte offset out + 4j:
//   (y0 ^ y1) & mask   where (y0, y1) = threefry2x32((k0, k1), (hi', lo + j)),
// hi' = hi + carry of the 32-bit add lo + j: the 64-bit counter base + j, split in-kernel.
// i32x4 lanes, UNROLL vectors per loop iteration interleaved round by round (the rounds are one
// long dependency chain per vector; independent copies let the CPU overlap them).
import * as tf from "@tensorflow/tfjs-core";
import { Code, type ModuleDef, encodeModule } from "../backends/wasm/emit.js";
import { simdSupported } from "../backends/wasm/codegen.js";
import { partitionable } from "./impl.js";
import { threefry2x32 } from "./threefry.js";

interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

const UNROLL = 4;
/** Elements per call: V8 tiers a function up to optimized code only at its next call. */
const CHUNK = 1 << 16;
const ROT = [13, 15, 26, 6, 17, 29, 16, 24];

type BitsFn = (k0: number, k1: number, out: number, hi: number, lo: number, n: number, mask: number) => void;

function buildCode(): Code {
  const names = ["k0", "k1", "out", "hi", "lo", "n", "mask"];
  const c = new Code(names.map(() => "i32" as const), names);
  const [K0, K1, OUT, HI, LO, N, MASK] = [0, 1, 2, 3, 4, 5, 6];
  const i = c.local("i32", "i");
  const v = (label: string) => c.local("v128", label);
  const ks = [v("ks0"), v("ks1"), v("ks2")];
  const inj = [1, 2, 3, 4, 5].map((r) => v(`inj${r}`)); // ks[(r+1)%3] + r for the b word
  const loV = v("lo"), hiV = v("hi"), cnt = v("cnt"), maskV = v("mask");
  const a = Array.from({ length: UNROLL }, (_, u) => v(`a${u}`));
  const b = Array.from({ length: UNROLL }, (_, u) => v(`b${u}`));

  // Key schedule, splat.
  c.op("local.get", K0).op("i32x4.splat").op("local.set", ks[0]);
  c.op("local.get", K1).op("i32x4.splat").op("local.set", ks[1]);
  c.op("local.get", K0).op("local.get", K1).op("i32.xor").i32Const(0x1bd11bda).op("i32.xor").op("i32x4.splat").op("local.set", ks[2]);
  for (let r = 1; r <= 5; r++) c.op("local.get", ks[(r + 1) % 3]).i32x4([r, r, r, r]).op("i32x4.add").op("local.set", inj[r - 1]);
  c.op("local.get", LO).op("i32x4.splat").op("local.tee", loV).i32x4([0, 1, 2, 3]).op("i32x4.add").op("local.set", cnt);
  c.op("local.get", HI).op("i32x4.splat").op("local.set", hiV);
  c.op("local.get", MASK).op("i32x4.splat").op("local.set", maskV);

  const vectorLoop = (copies: number) => {
    c.comment(`${copies * 4} lanes per iteration`);
    c.op("block").op("loop");
    c.op("local.get", i).i32Const(4 * copies).op("i32.add").op("local.get", N).op("i32.gt_u").op("br_if", 1);
    const us = Array.from({ length: copies }, (_, u) => u);
    for (const u of us) {
      // lo word = cnt + 4u; hi word = hi + (lo word < lo ? 1 : 0) (a lane mask is -1).
      c.op("local.get", cnt);
      if (u) c.i32x4([4 * u, 4 * u, 4 * u, 4 * u]).op("i32x4.add");
      c.op("local.tee", b[u]);
      c.op("local.get", ks[1]).op("i32x4.add").op("local.get", hiV).op("local.get", b[u]).op("local.get", loV).op("i32x4.lt_u").op("i32x4.sub");
      c.op("local.get", ks[0]).op("i32x4.add").op("local.set", a[u]).op("local.set", b[u]);
    }
    for (let g = 0; g < 5; g++) {
      for (let r = 0; r < 4; r++) {
        const rot = ROT[(g % 2) * 4 + r];
        for (const u of us) c.op("local.get", a[u]).op("local.get", b[u]).op("i32x4.add").op("local.set", a[u]);
        for (const u of us)
          c.op("local.get", b[u]).i32Const(rot).op("i32x4.shl").op("local.get", b[u]).i32Const(32 - rot).op("i32x4.shr_u").op("v128.or")
            .op("local.get", a[u]).op("v128.xor").op("local.set", b[u]);
      }
      for (const u of us) {
        c.op("local.get", a[u]).op("local.get", ks[(g + 1) % 3]).op("i32x4.add").op("local.set", a[u]);
        c.op("local.get", b[u]).op("local.get", inj[g]).op("i32x4.add").op("local.set", b[u]);
      }
    }
    for (const u of us)
      c.op("local.get", OUT).op("local.get", i).i32Const(2).op("i32.shl").op("i32.add")
        .op("local.get", a[u]).op("local.get", b[u]).op("v128.xor").op("local.get", maskV).op("v128.and").op("v128.store", 2, 16 * u);
    c.op("local.get", i).i32Const(4 * copies).op("i32.add").op("local.set", i);
    c.op("local.get", cnt).i32x4([4 * copies, 4 * copies, 4 * copies, 4 * copies]).op("i32x4.add").op("local.set", cnt);
    c.op("br", 0).op("end").op("end");
  };
  vectorLoop(UNROLL);
  vectorLoop(1);
  return c;
}

const modules: Partial<Record<"shared" | "plain", WebAssembly.Module>> = {};
const instances = new WeakMap<WebAssembly.Memory, BitsFn>();
let code: Code | undefined;
let failed = false;

function kernelFor(memory: WebAssembly.Memory): BitsFn | null {
  const f = instances.get(memory);
  if (f || failed) return f ?? null;
  try {
    const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    code ??= buildCode();
    const def: ModuleDef = {
      memory: { module: "env", name: "memory", shared },
      imports: [],
      funcs: [{ params: code.params, results: [], code, export: "bits" }],
    };
    const mod = (modules[shared ? "shared" : "plain"] ??= new WebAssembly.Module(encodeModule(def) as BufferSource));
    const g = new WebAssembly.Instance(mod, { env: { memory } }).exports.bits as BitsFn;
    instances.set(memory, g);
    return g;
  } catch {
    failed = true; // e.g. a main-thread synchronous-compile refusal: the JS path stays
    return null;
  }
}

/**
 * Partitionable `threefry_random_bits` for 8, 16 or 32-bit words, for every key of `ws` (pairs
 * of words) with `size` elements each, written straight into a new int32 tensor of `shape` on
 * tfjs-wasm's heap. Returns null (and the caller runs the JS path) off the wasm backend, in
 * legacy stream mode, without wasm SIMD, or for sizes the 32-bit kernel does not address.
 */
export function randomBitsWasm(ws: Uint32Array, bitWidth: number, size: number, shape: readonly number[]): tf.Tensor | null {
  const total = (ws.length / 2) * size;
  if (tf.getBackend() !== "wasm" || !partitionable() || total === 0 || size >= 2 ** 31 || !simdSupported()) return null;
  const be = tf.backend() as unknown as WasmBackend;
  if (!be.wasm?.asm?.memory || !be.dataIdMap || !be.makeOutput) return null;
  const f = kernelFor(be.wasm.asm.memory);
  if (!f) return null;
  const mask = bitWidth === 32 ? -1 : (1 << bitWidth) - 1;
  const info = be.makeOutput(shape as number[], "int32"); // may grow the heap: read memory after
  const ptr = be.dataIdMap.get(info.dataId).memoryOffset;
  const memory = be.wasm.asm.memory;
  const f2 = kernelFor(memory)!;
  const vec = size - (size % 4);
  for (let k = 0; 2 * k < ws.length; k++) {
    const k0 = ws[2 * k] | 0, k1 = ws[2 * k + 1] | 0;
    const base = ptr + 4 * size * k;
    for (let s = 0; s < vec; s += CHUNK) f2(k0, k1, base + 4 * s, 0, s, Math.min(CHUNK, vec - s), mask);
    if (vec < size) {
      // 1-3 leftover elements: the JS hash (counters < 2^31, so the high words are 0).
      const m = size - vec;
      const lo = new Uint32Array(m);
      for (let j = 0; j < m; j++) lo[j] = vec + j;
      const [y0, y1] = threefry2x32(k0, k1, new Uint32Array(m), lo);
      const out = new Int32Array(memory.buffer, base + 4 * vec, m);
      for (let j = 0; j < m; j++) out[j] = (y0[j] ^ y1[j]) & mask;
    }
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** The kernel alone on a memory of our own (for benchmarks and tests): `size` words of one key. */
export function randomBitsStandalone(k0: number, k1: number, size: number): Uint32Array | null {
  const bytes = 4 * size + 16;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const f = kernelFor(memory);
  if (!f) return null;
  const vec = size - (size % 4);
  for (let s = 0; s < vec; s += CHUNK) f(k0 | 0, k1 | 0, 4 * s, 0, s, Math.min(CHUNK, vec - s), -1);
  const out = new Uint32Array(memory.buffer, 0, size);
  if (vec < size) {
    const m = size - vec;
    const lo = new Uint32Array(m);
    for (let j = 0; j < m; j++) lo[j] = vec + j;
    const [y0, y1] = threefry2x32(k0, k1, new Uint32Array(m), lo);
    for (let j = 0; j < m; j++) out[vec + j] = y0[j] ^ y1[j];
  }
  return out;
}
