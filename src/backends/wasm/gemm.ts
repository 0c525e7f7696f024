// float32 matrix products as generated WebAssembly SIMD, run in place on tfjs-wasm's heap.
//
// C[M,N] = A[M,K] · B[K,N], one module per shape and layout (the dimensions and strides are
// constants in the code, so every address is a base pointer plus an immediate offset). A is read
// one element at a time (v128.load32_splat) through any strides, so a transposed A costs
// nothing; B must have unit stride along n (rows of B are read as vectors); C is row-major.
// Register tiles of MR rows x NV vectors accumulate over the whole of k, each lane summing its
// products in k order from 0: the same float32 operations, in the same order, as XNNPACK's
// wasm SIMD kernels that tfjs-wasm's matMul calls, but without packing B first (XNNPACK packs
// the weights at every call whose rhs is a new buffer, as every training step's is) and for
// either layout of A. A B stored [N,K] is transposed into scratch memory first (`transposeB`).
import { Code, encodeModule, type ModuleDef } from "./emit.js";

export interface GemmShape {
  M: number;
  N: number;
  K: number;
  /** Element strides of A along m and k. */
  sAm: number;
  sAk: number;
  /**
   * Element stride of B along k, its stride along n being 1; or, with `bT`, B's stride along n,
   * its stride along k being 1 (B stored [N,K]): it is transposed into scratch memory first.
   */
  sBk: number;
  bT?: boolean;
}

export interface GemmKernel {
  /**
   * C = A·B with byte offsets into `memory`; C must not overlap A or B. `scratch` (bT only)
   * holds K*N floats.
   */
  run(memory: WebAssembly.Memory, a: number, b: number, c: number, scratch?: number): void;
  /** How far past the end of B (in bytes) the kernel may read: lanes it then discards. */
  readonly overreadB: number;
  readonly source: string;
}

/**
 * Rows x 4-lane vectors of one register tile: 8 accumulators, 2 B vectors, 1 splat. Measured
 * on the MLP's shapes (2-core EPYC, Node 20): 4x2 beat 6x2, 5x2, 3x3, 2x4, 8x1 and 4x3 by
 * 10-40%, and unrolling k by 2 or 4 made it slower (V8 keeps fewer values in registers).
 */
const MR = 4;
const NV = 2;

const cache = new Map<string, GemmKernel>();

/** The kernel for one shape and layout (cached). */
export function gemmKernel(s: GemmShape): GemmKernel {
  const key = `${s.M},${s.N},${s.K},${s.sAm},${s.sAk},${s.sBk},${s.bT ?? false}`;
  let k = cache.get(key);
  if (!k) {
    if (cache.size > 256) cache.clear();
    cache.set(key, (k = build(s)));
  }
  return k;
}

function build(spec: GemmShape): GemmKernel {
  const { M, N, K } = spec;
  // With bT, the panels read the [K,N] copy in scratch.
  const s = spec.bT ? { ...spec, sBk: N } : spec;
  const nr = NV * 4;
  const fullPanels = Math.floor(N / nr);
  const restCols = N % nr;
  // panel(a, b, c) computes C[:, j..j+cols) for one column panel; gemm calls it per panel, so
  // V8 tiers the panel function up after a few calls instead of running one long call in its
  // baseline compiler.
  const funcs: ModuleDef["funcs"] = [];
  const panelIndex = (cols: number) => {
    funcs.push({ params: ["i32", "i32", "i32"], results: [], code: panelCode(s, cols) });
    return funcs.length - 1;
  };
  const full = fullPanels > 0 ? panelIndex(nr) : -1;
  const rest = restCols > 0 ? panelIndex(restCols) : -1;
  const g = new Code(["i32", "i32", "i32", "i32"], ["a", "b", "c", "scratch"]);
  if (spec.bT) {
    emitTranspose(g, 1, 3, N, K, spec.sBk);
    g.op("local.get", 3).op("local.set", 1);
  }
  if (fullPanels > 0) {
    const j = g.local("i32", "j");
    g.op("loop");
    g.op("local.get", 0).op("local.get", 1).op("local.get", j).op("i32.add").op("local.get", 2).op("local.get", j).op("i32.add").op("call", full);
    g.op("local.get", j).i32Const(nr * 4).op("i32.add").op("local.tee", j).i32Const(fullPanels * nr * 4).op("i32.lt_u").op("br_if", 0);
    g.op("end");
  }
  if (rest >= 0) {
    const off = fullPanels * nr * 4;
    g.op("local.get", 0).op("local.get", 1).i32Const(off).op("i32.add").op("local.get", 2).i32Const(off).op("i32.add").op("call", rest);
  }
  funcs.push({ params: ["i32", "i32", "i32", "i32"], results: [], code: g, export: "gemm" });
  const def = (shared: boolean): ModuleDef => ({ memory: { module: "env", name: "memory", shared }, imports: [], funcs });
  const modules: Partial<Record<"shared" | "plain", WebAssembly.Module>> = {};
  const instances = new WeakMap<WebAssembly.Memory, (a: number, b: number, c: number, scratch: number) => void>();
  let source: string | undefined;
  return {
    overreadB: restCols > 0 && !spec.bT ? (Math.ceil(restCols / 4) * 4 - restCols) * 4 : 0,
    run(memory, a, b, c, scratch = 0) {
      let f = instances.get(memory);
      if (!f) {
        const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
        const kind = shared ? "shared" : "plain";
        const mod = (modules[kind] ??= new WebAssembly.Module(encodeModule(def(shared)) as BufferSource));
        f = new WebAssembly.Instance(mod, { env: { memory } }).exports.gemm as (a: number, b: number, c: number, scratch: number) => void;
        instances.set(memory, f);
      }
      if (M > 0 && N > 0) f(a, b, c, scratch);
    },
    get source() {
      const b = spec.bT ? `B^T row stride ${spec.sBk}` : `B row stride ${spec.sBk}`;
      return (source ??= `;; gemm M=${M} N=${N} K=${K} A strides (${s.sAm}, ${s.sAk}) ${b}, tiles ${MR}x${nr}\n` + funcs.map((f) => f.code.lines.join("\n")).join("\n;; ----\n"));
    },
  };
}

/** One column panel of `cols` columns (<= NV*4): every row tile, then the leftover rows. */
function panelCode(s: GemmShape, cols: number): Code {
  const c = new Code(["i32", "i32", "i32"], ["a", "b", "c"]);
  const [A, B, C] = [0, 1, 2];
  const nv = Math.ceil(cols / 4);
  const acc = Array.from({ length: MR * nv }, (_, i) => c.local("v128", `acc${i}`));
  const bv = Array.from({ length: nv }, (_, i) => c.local("v128", `b${i}`));
  const sv = c.local("v128", "s");
  const pa = c.local("i32", "pa");
  const pb = c.local("i32", "pb");
  const end = c.local("i32", "end");
  const tiles = Math.floor(s.M / MR);
  const tile = (rows: number) => {
    for (let i = 0; i < rows * nv; i++) c.f32x4([0, 0, 0, 0]).op("local.set", acc[i]);
    c.op("local.get", A).op("local.set", pa).op("local.get", B).op("local.tee", pb).i32Const(s.K * s.sBk * 4).op("i32.add").op("local.set", end);
    c.op("block").op("local.get", pb).op("local.get", end).op("i32.eq").op("br_if", 0); // K = 0
    c.op("loop");
    for (let v = 0; v < nv; v++) c.op("local.get", pb).op("v128.load", 2, v * 16).op("local.set", bv[v]);
    for (let r = 0; r < rows; r++) {
      c.op("local.get", pa).op("v128.load32_splat", 2, r * s.sAm * 4).op("local.set", sv);
      for (let v = 0; v < nv; v++) {
        const x = acc[r * nv + v];
        c.op("local.get", x).op("local.get", sv).op("local.get", bv[v]).op("f32x4.mul").op("f32x4.add").op("local.set", x);
      }
    }
    c.op("local.get", pa).i32Const(s.sAk * 4).op("i32.add").op("local.set", pa);
    c.op("local.get", pb).i32Const(s.sBk * 4).op("i32.add").op("local.tee", pb).op("local.get", end).op("i32.ne").op("br_if", 0);
    c.op("end").op("end");
    // Stores: whole vectors, then the 1-3 columns of a partial one lane by lane.
    for (let r = 0; r < rows; r++)
      for (let v = 0; v < nv; v++) {
        const x = acc[r * nv + v];
        const lanes = Math.min(4, cols - v * 4);
        const off = (r * s.N + v * 4) * 4;
        if (lanes === 4) c.op("local.get", C).op("local.get", x).op("v128.store", 2, off);
        else for (let l = 0; l < lanes; l++) c.op("local.get", C).op("local.get", x).op("v128.store32_lane", 2, off + l * 4, l);
      }
  };
  if (tiles > 0) {
    const t = c.local("i32", "t");
    c.op("loop");
    tile(MR);
    c.op("local.get", A).i32Const(MR * s.sAm * 4).op("i32.add").op("local.set", A);
    c.op("local.get", C).i32Const(MR * s.N * 4).op("i32.add").op("local.set", C);
    c.op("local.get", t).i32Const(1).op("i32.add").op("local.tee", t).i32Const(tiles).op("i32.lt_u").op("br_if", 0);
    c.op("end");
  }
  if (s.M % MR) tile(s.M % MR);
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
 * dst[q, r] = src[r, q] for src R x Q (row stride `stride` elements), dst Q x R row-major:
 * 4x4 blocks through registers, then the leftover rows and columns one element at a time.
 */
function emitTranspose(c: Code, src: number, dst: number, R: number, Q: number, stride: number): void {
  const r = c.local("i32", "tr");
  const q = c.local("i32", "tq");
  const ps = c.local("i32", "ps");
  const pd = c.local("i32", "pd");
  const row = Array.from({ length: 4 }, (_, i) => c.local("v128", `row${i}`));
  const t = Array.from({ length: 4 }, (_, i) => c.local("v128", `t${i}`));
  const R4 = R - (R % 4);
  const Q4 = Q - (Q % 4);
  // for (r = 0; r < bound; r += step) { body }
  const loop = (v: number, from: number, bound: number, step: number, body: () => void) => {
    if (from >= bound) return;
    c.i32Const(from).op("local.set", v).op("loop");
    body();
    c.op("local.get", v).i32Const(step).op("i32.add").op("local.tee", v).i32Const(bound).op("i32.lt_u").op("br_if", 0).op("end");
  };
  // ps = src + (r*stride + q)*4, pd = dst + (q*R + r)*4
  const addrs = () => {
    c.op("local.get", src).op("local.get", r).i32Const(stride * 4).op("i32.mul").op("i32.add").op("local.get", q).i32Const(4).op("i32.mul").op("i32.add").op("local.set", ps);
    c.op("local.get", dst).op("local.get", q).i32Const(R * 4).op("i32.mul").op("i32.add").op("local.get", r).i32Const(4).op("i32.mul").op("i32.add").op("local.set", pd);
  };
  const shuffle = (x: number, y: number, idx: number[], out: number) => c.op("local.get", x).op("local.get", y).op("i8x16.shuffle", ...idx).op("local.set", out);
  loop(r, 0, R4, 4, () =>
    loop(q, 0, Q4, 4, () => {
      addrs();
      for (let i = 0; i < 4; i++) c.op("local.get", ps).op("v128.load", 2, i * stride * 4).op("local.set", row[i]);
      shuffle(row[0], row[1], LO, t[0]);
      shuffle(row[0], row[1], HI, t[1]);
      shuffle(row[2], row[3], LO, t[2]);
      shuffle(row[2], row[3], HI, t[3]);
      [[t[0], FIRST], [t[0], SECOND], [t[1], FIRST], [t[1], SECOND]].forEach(([x, idx], j) => {
        const y = x === t[0] ? t[2] : t[3];
        c.op("local.get", pd).op("local.get", x as number).op("local.get", y).op("i8x16.shuffle", ...(idx as number[])).op("v128.store", 2, j * R * 4);
      });
    }),
  );
  const one = () => {
    addrs();
    c.op("local.get", pd).op("local.get", ps).op("f32.load", 2, 0).op("f32.store", 2, 0);
  };
  loop(r, 0, R4, 1, () => loop(q, Q4, Q, 1, one)); // the last Q % 4 columns of the blocked rows
  loop(r, R4, R, 1, () => loop(q, 0, Q, 1, one)); // the last R % 4 rows
}
