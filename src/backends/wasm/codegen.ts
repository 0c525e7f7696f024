// WebAssembly SIMD code for fused elementwise kernels (FusedProgram, see fusion/ir.ts).
//
// One module per program body: it imports its linear memory ("env" "memory"), so it can run
// in place on another module's heap (tfjs-backend-wasm's), and exports
//   kernel(in0, ..., inK-1, out0, ..., outM-1, n, base)   (all i32: byte offsets, counts)
//   (base: the row-major index of element 0, for random_bits; run() passes each chunk's start)
// which processes UNROLL x 4 elements per iteration (f32x4 / i32x4 lanes; bool values are lane
// masks), then single vectors, then the 1-3 leftover elements through the same vector code
// with lane loads/stores (so there is no separate scalar code to keep in sync).
// Inputs are contiguous full-size arrays, scalars (read once, splat) or PRNG keys (two words read
// once, expanded into threefry's key schedule). float32, int32, uint32
// and bool (1 byte per element in memory, as tfjs stores it) inputs and outputs are supported.
// Anything else (broadcasts other than scalars, reductions, atan2, integer division, ...), or a
// body over MAX_KERNEL_BYTES, makes compileWasmKernel return null, and the caller runs its
// portable JS loop instead.
//
// Output i may alias input j exactly (in place): every element is read before it is written.
import type { FusedProgram, Node, ScalarType } from "../fusion/ir.js";
import { isSimpleIndexing, keyJson, programKey } from "../fusion/ir.js";
import { Code, CodeTooLarge, type FuncImport, type ModuleDef, encodeModule, listModule } from "./emit.js";
import { type MathEnv, exp2, expm1, logistic, tanh, trig } from "./math.js";
import { glibcPow, glibcTan, xlaExp, xlaLog, xlaLog1p } from "./xla_math.js";
import { erfInv } from "./erfinv.js";
import { erfInv32 } from "../../lax/special.js";
import { powf32, tanf32 } from "../../lax/libm32.js";
import { type KeySchedule, randomBits } from "./threefry.js";
import { KS_PARITY } from "../fusion/threefry_steps.js";
import { Emitter, VB, type VNode } from "./vexpr.js";
import { CACHE_SIZES, LRU } from "../../cache.js";

export interface WasmKernel {
  /**
   * Runs the kernel on `memory`: inPtrs/outPtrs are byte offsets into it (one per program input
   * and output, in order), n the number of elements of the iteration space.
   */
  run(memory: WebAssembly.Memory, inPtrs: readonly number[], outPtrs: readonly number[], n: number): void;
  /** A wat-like listing of the module, for TFJAX_DEBUG=2. */
  source: string;
  /** The module's size in bytes. */
  bytes: number;
}

class Unsupported extends Error {}
const unsupported = (what: string): never => {
  throw new Unsupported(what);
};

const byProgram = new LRU<string, WasmKernel | null>("wasm.kernels_by_program", CACHE_SIZES.kernels);
const byBody = new LRU<string, WasmKernel | null>("wasm.kernels_by_body", CACHE_SIZES.kernels);

/**
 * Compiles `p` to a wasm SIMD kernel, or returns null when the program is outside what this
 * generator handles (or the platform has no wasm SIMD, or refuses synchronous compilation).
 * Cached by programKey(p); programs that differ only in shape share one module.
 */
export function compileWasmKernel(p: FusedProgram): WasmKernel | null {
  const key = programKey(p);
  let k = byProgram.get(key);
  if (k === undefined) {
    k = null;
    if (!p.reduceSum && isSimpleIndexing(p) && simdSupported()) {
      const scalar = p.inputs.map((i) => i.key === true || (i.strides.every((s) => s === 0) && p.shape.some((d) => d !== 1)));
      const bodyKey = keyJson([p.inputs.map((i, j) => [i.type, scalar[j], i.key ?? false]), p.nodes, p.outputs]);
      k = byBody.get(bodyKey);
      if (k === undefined) {
        k = build(p, scalar);
        byBody.set(bodyKey, k);
      }
    }
    byProgram.set(key, k);
  }
  return k;
}

let simd: boolean | undefined;
/** Whether this engine validates a module using v128 (Node >= 16.4, all current browsers). */
export function simdSupported(): boolean {
  if (simd === undefined) {
    // (func (result v128) v128.const i32x4 0 0 0 0)
    const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, ...new Array(16).fill(0), 11]);
    simd = typeof WebAssembly === "object" && WebAssembly.validate(bytes);
  }
  return simd;
}

/** Elements per call of the exported function (see run). */
const CHUNK = 1 << 16;
const elemBytes = (t: ScalarType) => (t === "bool" ? 1 : 4);
const SIGN = 0x80000000 | 0;
const ONE_BITS = 0x3f800000;
/**
 * The largest kernel body generated; a program that needs more is left to the JS loop (and
 * generation stops there). Kernels are ~0.5-100 KB (erf_inv alone ~36 KB with float64
 * multiply-adds: ~6 KB for each of the 6 copies of the program; a chain of 8 transcendental
 * functions ~100 KB); V8 refuses functions over 7654321 bytes, and compiles big ones slowly.
 */
export const MAX_KERNEL_BYTES = 1 << 20;

/** The JS functions a kernel may import (MathEnv.scalar), each called per lane. */
const HOST_FUNCTIONS: Record<Parameters<MathEnv["scalar"]>[0], (...x: number[]) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  log1p: Math.log1p,
  erf_inv: erfInv32,
  tanf: tanf32,
  powf: powf32,
};

function build(p: FusedProgram, scalar: boolean[]): WasmKernel | null {
  const nin = p.inputs.length;
  const nout = p.outputs.length;
  const names = [...p.inputs.map((_, i) => `in${i}`), ...p.outputs.map((_, i) => `out${i}`), "n", "base"];
  const code = new Code(names.map(() => "i32" as const), names);
  const imports: FuncImport[] = [];
  const importFns: Record<string, (...x: number[]) => number> = {};
  const env: MathEnv = {
    scalar(name) {
      let i = imports.findIndex((f) => f.name === name);
      if (i < 0) {
        const fn = HOST_FUNCTIONS[name];
        i = imports.push({ module: "env", name, params: fn.length === 2 ? ["f64", "f64"] : ["f64"], results: ["f64"] }) - 1;
        importFns[name] = fn;
      }
      return i;
    },
  };
  code.maxBytes = MAX_KERNEL_BYTES;
  try {
    emitKernel(code, p, scalar, env);
  } catch (e) {
    if (e instanceof Unsupported || e instanceof CodeTooLarge) return null;
    throw e;
  }
  const def = (shared: boolean): ModuleDef => ({
    memory: { module: "env", name: "memory", shared },
    imports,
    funcs: [{ params: code.params, results: [], code, export: "kernel" }],
  });
  const modules: Partial<Record<"shared" | "plain", WebAssembly.Module>> = {};
  const instances = new WeakMap<WebAssembly.Memory, (...args: number[]) => void>();
  const instantiate = (memory: WebAssembly.Memory) => {
    const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
    const kind = shared ? "shared" : "plain";
    const mod = (modules[kind] ??= new WebAssembly.Module(encodeModule(def(shared)) as BufferSource));
    const inst = new WebAssembly.Instance(mod, { env: { memory, ...importFns } });
    const f = inst.exports.kernel as (...args: number[]) => void;
    instances.set(memory, f);
    return f;
  };
  // Compile now, so that a refusal (Chrome refuses synchronous compilation of modules over
  // 4 KB on the main thread; ours are ~5-20 KB) turns into null here rather than an exception
  // at run time. Workers and Node have no such limit.
  const encoded = encodeModule(def(false));
  try {
    modules.plain = new WebAssembly.Module(encoded as BufferSource);
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
  const inBytes = p.inputs.map((x) => elemBytes(x.type));
  const outBytes = p.outputs.map((o) => elemBytes(p.nodes[o].type));
  let source: string | undefined;
  return {
    bytes: encoded.length,
    get source() {
      return (source ??= `;; ${nin} input(s), ${nout} output(s), ${p.nodes.length} nodes, ${UNROLL}x4 lanes per iteration\n` + listModule(def(false)));
    },
    run(memory, inPtrs, outPtrs, n) {
      if (inPtrs.length !== nin || outPtrs.length !== nout) throw new Error(`wasm kernel: expected ${nin} inputs and ${nout} outputs`);
      const f = instances.get(memory) ?? instantiate(memory);
      if (n <= CHUNK) return f(...inPtrs, ...outPtrs, n, 0);
      // Long arrays go in chunks: V8 runs a new module in its baseline tier (Liftoff) and
      // switches a function to optimized code only at its next call, so one 1M-element call
      // would run entirely unoptimized (~3x slower). Chunk boundaries are multiples of 4 lanes.
      for (let start = 0; start < n; start += CHUNK) {
        const ins = inPtrs.map((ptr, k) => (scalar[k] ? ptr : ptr + start * inBytes[k]));
        const outs = outPtrs.map((ptr, j) => ptr + start * outBytes[j]);
        f(...ins, ...outs, Math.min(CHUNK, n - start), start);
      }
    },
  };
}

/**
 * How many vectors each iteration of the main loop computes. The copies are independent, and
 * their code is interleaved IR node by IR node, so the CPU overlaps one copy's long dependency
 * chains (sin -> exp -> tanh -> sqrt ...) with the others': a chain of transcendental functions
 * is latency-bound otherwise, and V8 does not reorder instructions itself. Measured on the
 * 11-op chain, 1M float32 (2-core EPYC, Node 20): 1 copy 16.6 ms, 2: 11.7 ms, 3: 9.5 ms,
 * 4: 8.6 ms. Each copy adds ~2-3 KB of code.
 */
export const UNROLL = 4;

/**
 * Emits the kernel body: prologue (scalar inputs), a loop of UNROLL vectors per iteration, a
 * loop of single vectors for what is left of the multiples of 4, then a 1-3 lane tail.
 */
function emitKernel(c: Code, p: FusedProgram, scalar: boolean[], env: MathEnv, unroll = UNROLL): void {
  const nin = p.inputs.length;
  const nout = p.outputs.length;
  const inPtr = (k: number) => k;
  const outPtr = (j: number) => nin + j;
  const N = nin + nout;
  const BASE = N + 1;
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  const b = new VB();
  const i = c.local("i32", "i");
  const o4 = c.local("i32", "o4"); // i * 4: byte offset of element i in 4-byte arrays

  for (const t of [...p.inputs.map((x) => x.type), ...outTypes]) if (!["f32", "i32", "u32", "bool"].includes(t)) unsupported(t);
  const live = liveNodes(p);

  c.op("block");
  c.op("local.get", N).op("i32.eqz").op("br_if", 0);

  // Keys: both words loaded once, and threefry's key schedule computed once (see threefry.ts).
  const keys: (KeySchedule | null)[] = p.inputs.map((inp, k) => {
    if (!inp.key) return null;
    c.comment(`input ${k}: key`);
    const ks = [0, 1, 2].map((w) => c.local("v128", `k${k}_${w}`));
    c.op("local.get", inPtr(k)).op("v128.load32_splat", 2, 0).op("local.set", ks[0]);
    c.op("local.get", inPtr(k)).op("v128.load32_splat", 2, 4).op("local.set", ks[1]);
    c.op("local.get", ks[0]).op("local.get", ks[1]).op("v128.xor").i32x4([KS_PARITY, KS_PARITY, KS_PARITY, KS_PARITY]).op("v128.xor").op("local.set", ks[2]);
    const inj = [1, 2, 3, 4, 5].map((r) => {
      const l = c.local("v128", `k${k}_inj${r}`);
      c.op("local.get", ks[(r + 1) % 3]).i32x4([r, r, r, r]).op("i32x4.add").op("local.set", l);
      return b.get(l);
    });
    return { ks: ks.map((l) => b.get(l)), inj };
  });

  // Scalar inputs: loaded once, splat to all lanes.
  const scalars: (VNode | null)[] = p.inputs.map((inp, k) => {
    if (!scalar[k] || inp.key) return null;
    const l = c.local("v128", `s${k}`);
    c.comment(`input ${k}: scalar`);
    if (inp.type === "bool") {
      c.op("local.get", inPtr(k)).op("v128.load8_splat", 0, 0).i32x4([0, 0, 0, 0]).op("i32x4.ne");
    } else c.op("local.get", inPtr(k)).op("v128.load32_splat", 2, 0);
    c.op("local.set", l);
    return b.get(l);
  });

  /** The row-major indices of the 4 lanes of copy u: base + i + 4u + [0, 1, 2, 3]. */
  const first = b.isplat(b.node("i32.add", "i32", [b.get(BASE, "i32"), b.get(i, "i32")]));
  const laneIndex = (u: number) => b.iadd(first, b.ilanes([4 * u, 4 * u + 1, 4 * u + 2, 4 * u + 3]));

  /** Emits `copies` vectors' worth of the program, interleaved node by node, then the stores. */
  const body = (ins: VNode[][], store: (j: number, u: number, value: number) => void) => {
    const vals = ins.map((x, u) => lowerProgram(b, p, { ins: x, index: laneIndex(u), keys }, env));
    const outs = vals.map((v) => p.outputs.map((o, j) => (outTypes[j] === "bool" ? maskToBytes(b, v[o]) : v[o])));
    const em = new Emitter(c);
    // Every input first (so an output may alias an input), then each live node of every copy.
    // All of them are roots, counted with the outputs: a live node need not be reachable from
    // an output's vector expression (integer_pow's operand where y = 0), and one counted only
    // through its consumers would not share its own subexpressions (see Emitter).
    const roots = (n: number) => (live[n] ? vals.map((v) => v[n]).filter((x) => !x.konst && x.op !== "local.get") : []);
    em.count([...p.nodes.flatMap((_, n) => roots(n)), ...outs.flat()]);
    for (let n = 0; n < p.nodes.length; n++) {
      const rs = roots(n);
      if (!rs.length) continue;
      c.comment(describe(p.nodes[n], n));
      for (const r of rs) em.materialize(r);
    }
    const locals = outs.map((o) => o.map((v) => em.materialize(v)));
    for (let j = 0; j < nout; j++) for (let u = 0; u < outs.length; u++) store(j, u, locals[u][j]);
  };
  const addr = (ptr: number, t: ScalarType) => b.node("i32.add", "i32", [b.get(ptr, "i32"), b.get(elemBytes(t) === 4 ? o4 : i, "i32")]);
  const fullLoads = (copies: number) =>
    Array.from({ length: copies }, (_, u) =>
      p.inputs.map((inp, k) => {
        if (scalars[k]) return scalars[k]!;
        if (inp.key) return b.i(0); // read by random_bits nodes through `keys`
        if (inp.type === "bool") return bytesToMask(b, b.node("v128.load32_zero", "v128", [addr(inPtr(k), "bool")], 0, 4 * u));
        return b.node("v128.load", "v128", [addr(inPtr(k), inp.type)], 2, 16 * u);
      }),
    );
  const fullStore = (j: number, u: number, value: number) => {
    const bool = outTypes[j] === "bool";
    c.op("local.get", outPtr(j)).op("local.get", bool ? i : o4).op("i32.add").op("local.get", value);
    if (bool) c.op("v128.store32_lane", 0, 4 * u, 0);
    else c.op("v128.store", 2, 16 * u);
  };
  const vectorLoop = (copies: number) => {
    c.comment(`${copies * 4} lanes per iteration`);
    c.op("block").op("loop");
    // while (i + 4*copies <= n)
    c.op("local.get", i).i32Const(4 * copies).op("i32.add").op("local.get", N).op("i32.gt_u").op("br_if", 1);
    body(fullLoads(copies), fullStore);
    c.op("local.get", i).i32Const(4 * copies).op("i32.add").op("local.set", i);
    c.op("local.get", o4).i32Const(16 * copies).op("i32.add").op("local.set", o4);
    c.op("br", 0).op("end").op("end");
  };
  if (unroll > 1) vectorLoop(unroll);
  vectorLoop(1);

  // Tail: n - i in 1..3 elements, through lane loads into zeroed vectors and lane stores.
  const rem = c.local("i32", "rem");
  c.op("local.get", N).op("local.get", i).op("i32.sub").op("local.tee", rem).op("i32.eqz").op("br_if", 0);
  c.comment("tail: 1-3 lanes");
  const guard = (lane: number, f: () => void) => {
    if (lane === 0) return f();
    c.op("local.get", rem).i32Const(lane).op("i32.gt_u").op("if");
    f();
    c.op("end");
  };
  const tailIns = p.inputs.map((inp, k) => {
    if (scalars[k]) return scalars[k]!;
    if (inp.key) return b.i(0);
    const v = c.local("v128", `x${k}`);
    const bool = inp.type === "bool";
    c.i32x4([0, 0, 0, 0]).op("local.set", v);
    for (let lane = 0; lane < 3; lane++)
      guard(lane, () => {
        c.op("local.get", inPtr(k)).op("local.get", bool ? i : o4).op("i32.add").op("local.get", v);
        if (bool) c.op("v128.load8_lane", 0, lane, lane);
        else c.op("v128.load32_lane", 2, 4 * lane, lane);
        c.op("local.set", v);
      });
    return bool ? bytesToMask(b, b.get(v)) : b.get(v);
  });
  const tailOut: number[] = [];
  body([tailIns], (j, _u, value) => (tailOut[j] = value));
  for (let lane = 0; lane < 3; lane++)
    guard(lane, () => {
      tailOut.forEach((l, j) => {
        const bool = outTypes[j] === "bool";
        c.op("local.get", outPtr(j)).op("local.get", bool ? i : o4).op("i32.add").op("local.get", l);
        if (bool) c.op("v128.store8_lane", 0, lane, lane);
        else c.op("v128.store32_lane", 2, 4 * lane, lane);
      });
    });
  c.op("end");
}

/** An IR node as a listing comment, e.g. `%3 = f32 sin %0`. */
function describe(n: Node, i: number): string {
  const args = (...xs: number[]) => xs.map((x) => `%${x}`).join(", ");
  const rhs =
    n.op === "input" ? `input ${n.index}` :
    n.op === "const" ? `const ${n.value}` :
    n.op === "unary" ? `${n.fn} ${args(n.a)}` :
    n.op === "binary" ? `${n.fn} ${args(n.a, n.b)}` :
    n.op === "compare" ? `${n.fn} ${args(n.a, n.b)}` :
    n.op === "select" ? `select ${args(n.c, n.t, n.f)}` :
    n.op === "fma" ? `fma ${args(n.a, n.b, n.c)}` :
    n.op === "convert" ? `convert ${args(n.a)} from ${n.from}` :
    n.op === "bitcast" ? `bitcast ${args(n.a)} from ${n.from}` :
    n.op === "random_bits" ? `random_bits key ${n.key}${n.partitionable ? "" : `, legacy stream of ${n.size}`}` :
    `integer_pow ${args(n.a)}, ${n.y}`;
  return `%${i} = ${n.type} ${rhs}`;
}

/** Nodes some output depends on. */
function liveNodes(p: FusedProgram): boolean[] {
  const live = p.nodes.map(() => false);
  const stack = [...p.outputs];
  while (stack.length) {
    const n = stack.pop()!;
    if (live[n]) continue;
    live[n] = true;
    const x = p.nodes[n];
    if ("a" in x && !(x.op === "integer_pow" && x.y === 0)) stack.push(x.a); // x^0 = 1, NaN too
    if ("b" in x) stack.push(x.b);
    if (x.op === "select") stack.push(x.c, x.t, x.f);
    if (x.op === "fma") stack.push(x.c);
  }
  return live;
}

/** Bytes 0/1 in byte lanes 0..3 -> i32 lane masks. */
function bytesToMask(b: VB, v: VNode): VNode {
  const w = b.v("i32x4.extend_low_i16x8_u", b.v("i16x8.extend_low_i8x16_u", v));
  return b.v("i32x4.ne", w, b.i(0));
}
/** i32 lane masks -> bytes 0/1 in byte lanes 0..3 (the low byte of each lane, & 1). */
function maskToBytes(b: VB, m: VNode): VNode {
  return b.and(b.shuffle(m, m, [0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12, 0, 4, 8, 12]), b.i(0x01010101));
}

/** What a copy of the program reads: its input vectors, its lanes' row-major indices, the keys. */
interface Lanes {
  ins: VNode[];
  index: VNode;
  keys: (KeySchedule | null)[];
}

/** The vector value of every node of `p`. */
function lowerProgram(b: VB, p: FusedProgram, lanes: Lanes, env: MathEnv): VNode[] {
  const vals: VNode[] = [];
  const ty = (i: number) => p.nodes[i].type;
  for (const n of p.nodes) vals.push(lowerNode(b, n, vals, ty, lanes, env, p.nodes));
  return vals;
}

function lowerNode(b: VB, n: Node, v: VNode[], ty: (i: number) => ScalarType, lanes: Lanes, env: MathEnv, nodes: readonly Node[]): VNode {
  switch (n.op) {
    case "input":
      return lanes.ins[n.index];
    case "random_bits":
      return randomBits(b, n, lanes.keys[n.key] ?? unsupported("random_bits of a non-key input"), lanes.index);
    case "bitcast":
      // Every type is 32 bits per lane (bool only ever to itself).
      if ((ty(n.a) === "bool") !== (n.type === "bool")) unsupported("bitcast of bool");
      return v[n.a];
    case "const":
      return n.type === "f32" ? b.f(n.value) : n.type === "bool" ? b.i(n.value ? -1 : 0) : b.i(n.type === "u32" ? n.value >>> 0 : n.value | 0);
    case "unary":
      return unary(b, n.fn, v[n.a], ty(n.a), n.type, env);
    case "binary": {
      if (ty(n.a) !== n.type || ty(n.b) !== n.type) unsupported("mixed binary types");
      if (n.fn.startsWith("shift_")) {
        const amount = nodes[n.b];
        return shift(b, n.fn, v[n.a], amount.op === "const" ? amount.value >>> 0 : v[n.b], n.type);
      }
      return binary(b, n.fn, v[n.a], v[n.b], n.type, env);
    }
    case "compare":
      return compare(b, n.fn, v[n.a], v[n.b], n.operandType);
    case "select":
      if (ty(n.c) !== "bool") unsupported("select on a non-bool");
      return b.sel(v[n.t], v[n.f], v[n.c]);
    case "fma":
      return b.ffma(v[n.a], v[n.b], v[n.c]);
    case "convert":
      return convert(b, v[n.a], n.from, n.type);
    case "integer_pow": {
      // Binary exponentiation, one rounding per multiply, in jsloop's order (XLA's rounding).
      const mul = n.type === "f32" ? b.fmul : n.type === "i32" || n.type === "u32" ? b.imul : unsupported("integer_pow type");
      if (n.y === 0) return n.type === "f32" ? b.f(1) : b.i(1);
      if (n.y < 0 && n.type !== "f32") unsupported("negative integer_pow on ints");
      let acc: VNode | null = null;
      let base = v[n.a];
      for (let y = Math.abs(n.y); y > 0; ) {
        if (y & 1) acc = acc ? mul(acc, base) : base;
        y >>= 1;
        if (y > 0) base = mul(base, base);
      }
      return n.y < 0 ? b.fdiv(b.f(1), acc!) : acc!;
    }
  }
}

/**
 * XLA's shifts: amounts of 32 or more (as unsigned) give 0, or the sign for arithmetic shifts.
 * wasm shifts all lanes by one scalar amount (mod 32): a constant amount is one instruction; a
 * per-lane amount is applied bit by bit (shift by 1, 2, 4, 8, 16 where that bit is set).
 */
function shift(b: VB, fn: string, x: VNode, amount: number | VNode, t: ScalarType): VNode {
  if (t !== "i32" && t !== "u32") return unsupported(`${fn} on ${t}`);
  const op = fn === "shift_left" ? "i32x4.shl" : fn === "shift_right_logical" ? "i32x4.shr_u" : "i32x4.shr_s";
  const by = (y: VNode, s: number) => b.node(op, "v128", [y, b.i32c(s)]);
  if (typeof amount === "number") {
    if (op === "i32x4.shr_s") return by(x, Math.min(amount, 31));
    return amount >= 32 ? b.i(0) : by(x, amount);
  }
  const y = op === "i32x4.shr_s" ? b.v("i32x4.min_u", amount, b.i(31)) : amount;
  let r = x;
  for (let bit = 1; bit < 32; bit <<= 1) r = b.sel(by(r, bit), r, b.v("i32x4.ne", b.and(y, b.i(bit)), b.i(0)));
  return op === "i32x4.shr_s" ? r : b.andnot(r, b.v("i32x4.gt_u", y, b.i(31)));
}

function unary(b: VB, fn: string, x: VNode, from: ScalarType, to: ScalarType, env: MathEnv): VNode {
  if (fn === "is_finite") {
    if (from !== "f32" || to !== "bool") unsupported("is_finite type");
    return b.flt(b.fabs(x), b.f(Infinity));
  }
  if (from !== to) unsupported(`${fn}: ${from} -> ${to}`);
  if (to === "bool") return fn === "not" ? b.not(x) : unsupported(`${fn} on bool`);
  if (to === "i32" || to === "u32") {
    const u = to === "u32";
    switch (fn) {
      case "neg":
        return b.v("i32x4.neg", x);
      case "abs":
        return u ? x : b.v("i32x4.abs", x);
      case "sign":
        return u ? b.and(b.v("i32x4.ne", x, b.i(0)), b.i(1)) : b.isub(b.v("i32x4.lt_s", x, b.i(0)), b.igt(x, b.i(0)));
      case "not":
        return b.not(x);
      case "square":
        return b.imul(x, x);
    }
    return unsupported(`${fn} on ints`);
  }
  if (to !== "f32") unsupported(to);
  const copysign1 = () => b.or(b.and(x, b.i(SIGN)), b.i(ONE_BITS));
  switch (fn) {
    case "neg":
      return b.fneg(x);
    case "abs":
      return b.fabs(x);
    case "sign": // ±1, and x itself for ±0 and NaN
      return b.sel(copysign1(), x, b.or(b.fgt(x, b.f(0)), b.flt(x, b.f(0))));
    case "floor":
      return b.ffloor(x);
    case "ceil":
      return b.fceil(x);
    case "round_even":
      return b.fnearest(x);
    case "round_away": {
      // trunc(x) + (|x - trunc(x)| >= 0.5 ? ±1 : 0), with the sign of x kept for zeros.
      const t = b.ftrunc(x);
      const r = b.fadd(t, b.sel(copysign1(), b.f(0), b.fge(b.fabs(b.fsub(x, t)), b.f(0.5))));
      return b.or(r, b.and(x, b.i(SIGN)));
    }
    case "exp":
      return xlaExp(b, x);
    case "exp2":
      return exp2(b, x);
    case "log":
      return xlaLog(b, x);
    case "log1p":
      return xlaLog1p(b, x);
    case "expm1":
      return expm1(b, x);
    case "sin":
    case "cos":
      return trig(b, env, fn, x);
    case "tan":
      return glibcTan(b, env, x);
    case "tanh":
      return tanh(b, x);
    case "logistic":
      return logistic(b, x);
    case "sqrt":
      return b.fsqrt(x);
    case "rsqrt": {
      // 1/sqrt in float64, then one rounding to float32, as the JS loop computes it (a float32
      // sqrt and division would round twice). XLA refines the CPU's own rsqrt estimate instead,
      // which agrees with this in ~81% of inputs on an AMD EPYC (it differs between CPUs).
      const half = (d: VNode) => b.ddiv(b.d(1), b.v("f64x2.sqrt", d));
      return b.demote2(half(b.promoteLo(x)), half(b.promoteHi(x)));
    }
    case "square":
      return b.fmul(x, x);
    case "erf_inv":
      return erfInv(b, env, x);
  }
  return unsupported(`${fn} on f32`);
}

function binary(b: VB, fn: string, x: VNode, y: VNode, t: ScalarType, env: MathEnv): VNode {
  if (t === "f32") {
    switch (fn) {
      case "add":
        return b.fadd(x, y);
      case "sub":
        return b.fsub(x, y);
      case "mul":
        return b.fmul(x, y);
      case "div":
        return b.fdiv(x, y);
      // wasm's f32x4.min/max propagate NaN and order -0 < +0, as XLA's do.
      case "max":
        return b.fmax(x, y);
      case "min":
        return b.fmin(x, y);
      case "pow":
        return glibcPow(b, env, x, y);
    }
  } else if (t === "i32" || t === "u32") {
    const u = t === "u32" ? "u" : "s";
    switch (fn) {
      case "add":
        return b.iadd(x, y);
      case "sub":
        return b.isub(x, y);
      case "mul":
        return b.imul(x, y); // wraps, like Math.imul
      case "max":
        return b.v(`i32x4.max_${u}`, x, y);
      case "min":
        return b.v(`i32x4.min_${u}`, x, y);
      case "and":
        return b.and(x, y);
      case "or":
        return b.or(x, y);
      case "xor":
        return b.xor(x, y);
    }
  } else if (t === "bool") {
    switch (fn) {
      case "xor":
        return b.xor(x, y);
      case "and":
        return b.and(x, y);
      case "or":
      case "add":
      case "max":
        return b.or(x, y);
      case "mul":
      case "min":
        return b.and(x, y);
    }
  }
  return unsupported(`${fn} on ${t}`);
}

function compare(b: VB, fn: string, x: VNode, y: VNode, t: ScalarType): VNode {
  if (t === "f32") return b.v(`f32x4.${fn}`, x, y);
  if (t === "i32" || t === "u32") return b.v(`i32x4.${fn === "eq" || fn === "ne" ? fn : `${fn}_${t === "u32" ? "u" : "s"}`}`, x, y);
  if (t === "bool") {
    // false < true on masks: x < y is ~x & y.
    switch (fn) {
      case "eq":
        return b.not(b.xor(x, y));
      case "ne":
        return b.xor(x, y);
      case "lt":
        return b.andnot(y, x);
      case "gt":
        return b.andnot(x, y);
      case "le":
        return b.not(b.andnot(x, y));
      case "ge":
        return b.not(b.andnot(y, x));
    }
  }
  return unsupported(`compare on ${t}`);
}

function convert(b: VB, x: VNode, from: ScalarType, to: ScalarType): VNode {
  const int = (t: ScalarType) => t === "i32" || t === "u32";
  if (from === to || (int(from) && int(to))) return x;
  if (to === "bool") return from === "f32" ? b.fne(x, b.f(0)) : b.v("i32x4.ne", x, b.i(0));
  if (from === "bool") return b.and(x, to === "f32" ? b.i(ONE_BITS) : b.i(1));
  if (to === "f32") return b.v(from === "u32" ? "f32x4.convert_i32x4_u" : "f32x4.convert_i32x4_s", x);
  // float -> int: truncate toward zero, saturate, NaN -> 0 (XLA's semantics, as in jsloop).
  if (from === "f32") return to === "u32" ? b.v("i32x4.trunc_sat_f32x4_u", x) : b.f2i(x);
  return unsupported(`convert ${from} -> ${to}`);
}
