// float32 matrix products as generated WebAssembly SIMD, run in place on tfjs-wasm's heap.
//
// C[M,N] = A[M,K] · B[K,N], one module per N, K and layout: those dimensions and strides are
// constants in the code, so most addresses are a base pointer plus an immediate offset; M and
// A's stride along k (which a transposed A takes from M) are arguments, so a new batch size
// compiles nothing new. A is read
// one element at a time (v128.load32_splat) through any strides, so a transposed A costs
// nothing. B is read in panels of 8 columns, each first copied into a contiguous K x 8 block of
// scratch memory (from any layout: rows of B as vectors, a B stored [N,K] through 4x4 register
// transposes, anything else element by element; a last partial panel padded with zeros), which
// then stays in L1 while every row tile streams over it. C is row-major.
// Register tiles of 4 rows x 8 columns accumulate over the whole of k, each lane summing its
// products in k order from 0: the same float32 operations in the same order as XNNPACK's wasm
// SIMD kernels behind tfjs-wasm's matMul (bit-identical results), but without XNNPACK's packing
// of the whole rhs at every call with a new rhs buffer, as every training step's is.
//
// The `f64` variant computes in tfjs-cpu's arithmetic instead (its BatchMatMul: for each block
// of `kBlock` along k, a float64 sum from 0 in k order, added to the float32 result): operands
// and C are float64 arrays holding float32 values, tiles are 4 rows x 4 columns of f64x2 lanes,
// and after each block C becomes float32(C + sum) again (demote, promote). Bit-identical to
// tfjs-cpu, at a few times the speed of JS loops.
import { Code, encodeModule, type ModuleDef } from "./emit.js";
import { config } from "../../config.js";
import { CACHE_SIZES, LRU } from "../../cache.js";

export interface GemmShape {
  M: number;
  N: number;
  K: number;
  /** Element strides of A along m and k, and of B along k and n. */
  sAm: number;
  sAk: number;
  sBk: number;
  sBn: number;
  /** float64 arithmetic summed per block of this many k (tfjs-cpu's); all arrays float64. */
  f64?: { kBlock: number };
}

export interface GemmKernel {
  /** C = A·B with byte offsets into `memory`; C must not overlap A or B. */
  run(memory: WebAssembly.Memory, a: number, b: number, c: number, scratch: number): void;
  /** Bytes of scratch memory `run` needs (one packed panel of B). */
  readonly scratchBytes: number;
  readonly source: string;
}

/**
 * Rows x 4-lane vectors of one register tile: 8 accumulators, 2 B vectors, 1 splat. Measured
 * on the MLP's shapes (2-core EPYC, Node 20): 4x2 beat 6x2, 5x2, 3x3, 2x4, 8x1 and 4x3 by
 * 10-40%, and unrolling k by 2 or 4 made it slower (V8 keeps fewer values in registers).
 * Packing B's panels made the 128x784x512 product ~30% faster than reading B's rows in place
 * (rows 2 KiB apart map to 2 of L1's 64 sets).
 */
const MR = 4;
const NV = 2;

/** The element type's constants: bytes, lanes per vector, columns per panel, vector ops. */
interface Elem {
  bytes: number;
  lanes: number;
  nr: number;
  vt: "f32x4" | "f64x2";
  splat: "v128.load32_splat" | "v128.load64_splat";
  load: "f32.load" | "f64.load";
  store: "f32.store" | "f64.store";
  storeLane: "v128.store32_lane" | "v128.store64_lane";
  align: number;
}
const F32: Elem = { bytes: 4, lanes: 4, nr: NV * 4, vt: "f32x4", splat: "v128.load32_splat", load: "f32.load", store: "f32.store", storeLane: "v128.store32_lane", align: 2 };
const F64: Elem = { bytes: 8, lanes: 2, nr: NV * 2, vt: "f64x2", splat: "v128.load64_splat", load: "f64.load", store: "f64.store", storeLane: "v128.store64_lane", align: 3 };

interface GemmModule {
  run(memory: WebAssembly.Memory, a: number, b: number, c: number, scratch: number, m: number, sAkBytes: number): void;
  readonly source: string;
}
const modules = new LRU<string, GemmModule>("wasm.gemm_modules", CACHE_SIZES.small);

/** The kernel for one shape and layout; its module is shared by every M and A stride along k. */
export function gemmKernel(s: GemmShape): GemmKernel {
  const key = `${s.N},${s.K},${s.sAm},${s.sBk},${s.sBn},${s.f64?.kBlock ?? ""}`;
  let m = modules.get(key);
  if (!m) {
    modules.set(key, (m = build(s)));
    if (config.read<number>("tfjax_debug") >= 2) console.error(`TFJAX_DEBUG: matmul kernel:\n${m.source}`);
  }
  const mod = m;
  const el = s.f64 ? F64 : F32;
  return {
    scratchBytes: s.K * el.nr * el.bytes,
    run(memory, a, b, c, scratch) {
      if (s.M > 0 && s.N > 0) mod.run(memory, a, b, c, scratch, s.M, s.sAk * el.bytes);
    },
    get source() {
      return mod.source;
    },
  };
}

function build(s: GemmShape): GemmModule {
  const { N, K } = s;
  const el = s.f64 ? F64 : F32;
  const NR = el.nr;
  const fullPanels = Math.floor(N / NR);
  const restCols = N % NR;
  // gemm(a, b, c, scratch, m, sak) packs and computes one panel at a time through internal
  // functions: V8 tiers a function up to optimized code between calls, so many short calls
  // reach it soon.
  const funcs: ModuleDef["funcs"] = [];
  const add = (code: Code) => funcs.push({ params: code.params, results: [], code }) - 1;
  const g = new Code(["i32", "i32", "i32", "i32", "i32", "i32"], ["a", "b", "c", "scratch", "m", "sak"]);
  const call = (pack: number, compute: number, j: number | null, col: number) => {
    // pack(b + col*sBn*E [+ j*sBn], scratch, 0); compute(a, scratch, c + col*E [+ j], m, sak)
    g.op("local.get", 1).i32Const(col * s.sBn * el.bytes).op("i32.add");
    if (j !== null) g.op("local.get", j).i32Const(s.sBn).op("i32.mul").op("i32.add");
    g.op("local.get", 3).i32Const(0).op("call", pack);
    g.op("local.get", 0).op("local.get", 3).op("local.get", 2).i32Const(col * el.bytes).op("i32.add");
    if (j !== null) g.op("local.get", j).op("i32.add");
    g.op("local.get", 4).op("local.get", 5).op("call", compute);
  };
  if (fullPanels > 0) {
    const [pack, compute] = [add(packCode(s, el, NR)), add(panelCode(s, el, NR))];
    const j = g.local("i32", "j"); // byte offset of the panel's first column in a row of C
    g.op("loop");
    call(pack, compute, j, 0);
    g.op("local.get", j).i32Const(NR * el.bytes).op("i32.add").op("local.tee", j).i32Const(fullPanels * NR * el.bytes).op("i32.lt_u").op("br_if", 0);
    g.op("end");
  }
  if (restCols > 0) call(add(packCode(s, el, restCols)), add(panelCode(s, el, restCols)), null, fullPanels * NR);
  funcs.push({ params: g.params, results: [], code: g, export: "gemm" });
  const def = (shared: boolean): ModuleDef => ({ memory: { module: "env", name: "memory", shared }, imports: [], funcs });
  const compiled: Partial<Record<"shared" | "plain", WebAssembly.Module>> = {};
  type Gemm = (a: number, b: number, c: number, scratch: number, m: number, sak: number) => void;
  const instances = new WeakMap<WebAssembly.Memory, Gemm>();
  let source: string | undefined;
  return {
    run(memory, a, b, c, scratch, m, sak) {
      let f = instances.get(memory);
      if (!f) {
        const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
        const kind = shared ? "shared" : "plain";
        const mod = (compiled[kind] ??= new WebAssembly.Module(encodeModule(def(shared)) as BufferSource));
        f = new WebAssembly.Instance(mod, { env: { memory } }).exports.gemm as Gemm;
        instances.set(memory, f);
      }
      f(a, b, c, scratch, m, sak);
    },
    get source() {
      const f64 = s.f64 ? `, float64 sums per ${s.f64.kBlock} k` : "";
      const head = `;; gemm N=${N} K=${K} A stride along m ${s.sAm}, B strides (${s.sBk}, ${s.sBn}), tiles ${MR}x${NR}${f64}\n`;
      return (source ??= head + funcs.map((f) => f.code.lines.join("\n")).join("\n;; ----\n"));
    },
  };
}

/**
 * compute(a, p, c, m, sak): C[:, panel] for one packed panel p (K rows of NR elements) of which
 * `cols` columns are real: every tile of MR rows, then the m % MR leftover rows. In float32,
 * each tile sums all of k and stores; in float64, it sums one block of k at a time and rounds
 * C + sum to float32 after each.
 */
function panelCode(s: GemmShape, el: Elem, cols: number): Code {
  const c = new Code(["i32", "i32", "i32", "i32", "i32"], ["a", "p", "c", "m", "sak"]);
  const [A, P, C, Mrows, SAK] = [0, 1, 2, 3, 4];
  const { bytes: E, vt, nr: NR } = el;
  const nv = Math.ceil(cols / el.lanes);
  const acc = Array.from({ length: MR * nv }, (_, i) => c.local("v128", `acc${i}`));
  const bv = Array.from({ length: nv }, (_, i) => c.local("v128", `b${i}`));
  const sv = c.local("v128", "s");
  const pa = c.local("i32", "pa");
  const pb = c.local("i32", "pb");
  const end = c.local("i32", "end");
  const kb = s.f64 ? Math.min(s.f64.kBlock, s.K) : s.K;
  const blocks = kb > 0 ? Math.floor(s.K / kb) : 0;
  const blk = blocks > 1 ? c.local("i32", "blk") : -1;
  /** Sums `n` k into the zeroed accumulators, then stores (f32) or rounds into C (f64). */
  const block = (rows: number, n: number) => {
    for (let i = 0; i < rows * nv; i++) (s.f64 ? c.f64x2([0, 0]) : c.f32x4([0, 0, 0, 0])).op("local.set", acc[i]);
    if (n > 0) {
      c.op("local.get", pb).i32Const(n * NR * E).op("i32.add").op("local.set", end);
      c.op("loop");
      for (let v = 0; v < nv; v++) c.op("local.get", pb).op("v128.load", 4, v * 16).op("local.set", bv[v]);
      for (let r = 0; r < rows; r++) {
        c.op("local.get", pa).op(el.splat, el.align, r * s.sAm * E).op("local.set", sv);
        for (let v = 0; v < nv; v++) {
          const x = acc[r * nv + v];
          c.op("local.get", x).op("local.get", sv).op("local.get", bv[v]).op(`${vt}.mul`).op(`${vt}.add`).op("local.set", x);
        }
      }
      c.op("local.get", pa).op("local.get", SAK).op("i32.add").op("local.set", pa);
      c.op("local.get", pb).i32Const(NR * E).op("i32.add").op("local.tee", pb).op("local.get", end).op("i32.ne").op("br_if", 0);
      c.op("end");
    }
    for (let r = 0; r < rows; r++)
      for (let v = 0; v < nv; v++) {
        const x = acc[r * nv + v];
        const lanes = Math.min(el.lanes, cols - v * el.lanes);
        const off = (r * s.N + v * el.lanes) * E;
        c.op("local.get", C);
        if (s.f64) {
          // C = float32(C + sum), kept as float64
          c.op("local.get", C).op(lanes === 2 ? "v128.load" : "v128.load64_zero", 3, off);
          c.op("local.get", x).op("f64x2.add").op("f32x4.demote_f64x2_zero").op("f64x2.promote_low_f32x4").op("local.set", x).op("local.get", x);
        } else c.op("local.get", x);
        if (lanes === el.lanes) c.op("v128.store", el.align, off);
        else {
          c.op(el.storeLane, el.align, off, 0);
          for (let l = 1; l < lanes; l++) c.op("local.get", C).op("local.get", x).op(el.storeLane, el.align, off + l * E, l);
        }
      }
  };
  const tile = (rows: number) => {
    c.op("local.get", A).op("local.set", pa).op("local.get", P).op("local.set", pb);
    if (blocks > 1) {
      c.i32Const(0).op("local.set", blk).op("loop");
      block(rows, kb);
      c.op("local.get", blk).i32Const(1).op("i32.add").op("local.tee", blk).i32Const(blocks).op("i32.lt_u").op("br_if", 0).op("end");
    } else block(rows, kb);
    if (kb > 0 && s.K % kb) block(rows, s.K % kb);
  };
  // while (m >= MR) { tile; a += MR rows; c += MR rows; m -= MR }
  c.op("block").op("loop");
  c.op("local.get", Mrows).i32Const(MR).op("i32.lt_u").op("br_if", 1);
  tile(MR);
  c.op("local.get", A).i32Const(MR * s.sAm * E).op("i32.add").op("local.set", A);
  c.op("local.get", C).i32Const(MR * s.N * E).op("i32.add").op("local.set", C);
  c.op("local.get", Mrows).i32Const(MR).op("i32.sub").op("local.set", Mrows);
  c.op("br", 0).op("end").op("end");
  // the 1 to MR-1 rows left, each count its own code
  for (let rows = 1; rows < MR; rows++) {
    c.op("local.get", Mrows).i32Const(rows).op("i32.eq").op("if");
    tile(rows);
    c.op("end");
  }
  return c;
}

// 4x4 transposes of 32-bit lanes as i8x16.shuffle byte indices: interleave rows 0/1 and 2/3,
// then take halves of the interleavings.
const lanes = (...ls: number[]) => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
const LO = lanes(0, 4, 1, 5);
const HI = lanes(2, 6, 3, 7);
const FIRST = lanes(0, 1, 4, 5);
const SECOND = lanes(2, 3, 6, 7);

/**
 * pack(b, p, _): p[k*NR + j] = B[k, j] for j < cols, 0 for cols <= j < NR. Rows of B as two
 * vectors when they are contiguous; a float32 B stored [N,K] four k at a time through 4x4
 * transposes; any other layout (and leftovers) one element at a time.
 */
function packCode(s: GemmShape, el: Elem, cols: number): Code {
  const { bytes: E, nr: NR } = el;
  const c = new Code(["i32", "i32", "i32"], ["b", "p", "k"]);
  const [B, P, k] = [0, 1, 2];
  const loop = (count: number, body: () => void) => {
    if (count <= 0) return;
    c.i32Const(0).op("local.set", k).op("loop");
    body();
    c.op("local.get", k).i32Const(1).op("i32.add").op("local.tee", k).i32Const(count).op("i32.lt_u").op("br_if", 0).op("end");
  };
  const bump = (local: number, bytes: number) => c.op("local.get", local).i32Const(bytes).op("i32.add").op("local.set", local);
  if (cols === NR && s.sBn === 1) {
    loop(s.K, () => {
      for (let v = 0; v < NV; v++) c.op("local.get", P).op("local.get", B).op("v128.load", el.align, v * 16).op("v128.store", 4, v * 16);
      bump(B, s.sBk * E);
      bump(P, NR * E);
    });
    return c;
  }
  let done = 0; // rows of k packed by the block loop
  if (!s.f64 && cols === NR && s.sBk === 1 && s.K >= 4) {
    const row = Array.from({ length: 4 }, (_, i) => c.local("v128", `row${i}`));
    const t = Array.from({ length: 4 }, (_, i) => c.local("v128", `t${i}`));
    const shuffle = (x: number, y: number, idx: number[]) => c.op("local.get", x).op("local.get", y).op("i8x16.shuffle", ...idx);
    done = s.K - (s.K % 4);
    loop(done / 4, () => {
      for (let h = 0; h < NV; h++) {
        // columns 4h..4h+3 (rows of the stored [N,K]) at k..k+3 -> 4 rows of the panel
        for (let i = 0; i < 4; i++) c.op("local.get", B).op("v128.load", 2, (4 * h + i) * s.sBn * 4).op("local.set", row[i]);
        shuffle(row[0], row[1], LO).op("local.set", t[0]);
        shuffle(row[0], row[1], HI).op("local.set", t[1]);
        shuffle(row[2], row[3], LO).op("local.set", t[2]);
        shuffle(row[2], row[3], HI).op("local.set", t[3]);
        [[t[0], t[2], FIRST], [t[0], t[2], SECOND], [t[1], t[3], FIRST], [t[1], t[3], SECOND]].forEach(([x, y, idx], u) => {
          c.op("local.get", P);
          shuffle(x as number, y as number, idx as number[]).op("v128.store", 2, u * NR * 4 + h * 16);
        });
      }
      bump(B, 16);
      bump(P, 4 * NR * 4);
    });
  }
  // Element by element: the rows the block loop left, or all of them.
  loop(s.K - done, () => {
    for (let j = 0; j < NR; j++) {
      c.op("local.get", P);
      if (j < cols) c.op("local.get", B).op(el.load, el.align, j * s.sBn * E);
      else c.op(s.f64 ? "f64.const" : "f32.const", 0);
      c.op(el.store, el.align, j * E);
    }
    bump(B, s.sBk * E);
    bump(P, NR * E);
  });
  return c;
}
