// Generated WebAssembly SIMD kernels (src/backends/wasm): accuracy of the vector math against a
// float64 JS reference rounded with Math.fround, measured in float32 ulps; semantics of every
// supported op; tails, scalars, n = 0, aliasing; and the same kernels on tfjs-wasm's own heap.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import type { BinaryFn, CompareFn, FusedProgram, Node, ScalarType, UnaryFn } from "../src/backends/fusion/ir.js";
import { compileJsKernel } from "../src/backends/fusion/jsloop.js";
import { encodeModule, Code, sleb, uleb } from "../src/backends/wasm/emit.js";
import { MAX_KERNEL_BYTES, compileWasmKernel, simdSupported } from "../src/backends/wasm/codegen.js";
import { MAX_ULP, TRIG_VECTOR_LIMIT } from "../src/backends/wasm/math.js";
import { powf32, tanf32 } from "../src/lax/libm32.js";
import { Emitter, VB, fusedMadd } from "../src/backends/wasm/vexpr.js";
import { erfInv32, exp32, log1p32, log32 } from "../src/lax/special.js";
import { type K, exactFma32, fmaCases, ref } from "./prng_reference.js";

// ---- helpers ----------------------------------------------------------------------------------

type Arr = Float32Array | Int32Array | Uint8Array;

/** Builds a FusedProgram by hand: inputs are full-size (contiguous) or scalars (stride 0). */
class Prog {
  readonly nodes: Node[] = [];
  readonly inputs: FusedProgram["inputs"] = [];
  constructor(readonly n: number) {}
  private add(node: Node): number {
    return this.nodes.push(node) - 1;
  }
  input(type: ScalarType = "f32", scalar = false): number {
    const index = this.inputs.push(scalar ? { shape: [], strides: [0], type } : { shape: [this.n], strides: [1], type }) - 1;
    return this.add({ op: "input", index, type });
  }
  const(value: number, type: ScalarType = "f32"): number {
    return this.add({ op: "const", value, type });
  }
  unary(fn: UnaryFn, a: number, type: ScalarType = this.nodes[a].type): number {
    return this.add({ op: "unary", fn, a, type });
  }
  binary(fn: BinaryFn, a: number, b: number): number {
    return this.add({ op: "binary", fn, a, b, type: this.nodes[a].type });
  }
  compare(fn: CompareFn, a: number, b: number): number {
    return this.add({ op: "compare", fn, a, b, type: "bool", operandType: this.nodes[a].type });
  }
  select(c: number, t: number, f: number): number {
    return this.add({ op: "select", c, t, f, type: this.nodes[t].type });
  }
  convert(a: number, type: ScalarType): number {
    return this.add({ op: "convert", a, type, from: this.nodes[a].type });
  }
  ipow(a: number, y: number): number {
    return this.add({ op: "integer_pow", a, y, type: this.nodes[a].type });
  }
  fma(a: number, b: number, c: number): number {
    return this.add({ op: "fma", a, b, c, type: "f32" });
  }
  bitcast(a: number, type: ScalarType): number {
    return this.add({ op: "bitcast", a, type, from: this.nodes[a].type });
  }
  /** A PRNG key input (two words, read once); returns its input index. */
  key(): number {
    return this.inputs.push({ shape: [], strides: [0], type: "u32", key: true }) - 1;
  }
  randomBits(key: number, partitionable: boolean): number {
    return this.add({ op: "random_bits", key, partitionable, size: partitionable ? 0 : this.n, type: "u32" });
  }
  build(outputs: number[]): FusedProgram {
    return { shape: [this.n], inputs: this.inputs, nodes: this.nodes, outputs };
  }
}

const memory = new WebAssembly.Memory({ initial: 64 }); // 4 MiB, standalone
const align16 = (x: number) => (x + 15) & ~15;
const typed = (t: ScalarType, buf: ArrayBuffer, off: number, n: number): Arr =>
  t === "f32" ? new Float32Array(buf, off, n) : t === "bool" ? new Uint8Array(buf, off, n) : new Int32Array(buf, off, n);

/**
 * Runs `p` on the standalone memory: copies inputs in (at `skew` bytes past 16-byte alignment,
 * to exercise unaligned v128 loads), runs n elements, returns copies of the outputs. Output
 * memory is pre-filled with a sentinel byte 0x5a, so untouched elements are visible.
 */
function runWasm(p: FusedProgram, ins: Arr[], n: number, skew = 0): Arr[] {
  const k = compileWasmKernel(p);
  if (!k) throw new Error("not compiled");
  let off = 0;
  const inPtrs = ins.map((a) => {
    const ptr = align16(off) + skew;
    new Uint8Array(memory.buffer, ptr, a.byteLength).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    off = ptr + a.byteLength;
    return ptr;
  });
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  const outPtrs = outTypes.map((t) => {
    const ptr = align16(off) + skew;
    const bytes = (t === "bool" ? 1 : 4) * (n + 4);
    new Uint8Array(memory.buffer, ptr, bytes).fill(0x5a);
    off = ptr + bytes;
    return ptr;
  });
  if (off > memory.buffer.byteLength) throw new Error("test arrays too large");
  k.run(memory, inPtrs, outPtrs, n);
  return outTypes.map((t, j) => typed(t, memory.buffer, outPtrs[j], n + 4).slice());
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bits = (x: number) => ((f32[0] = x), u32[0]);
const fromBits = (b: number) => ((u32[0] = b), f32[0]);
/** Float32 bits as an integer line where adjacent floats differ by 1 (-0 and +0 both 0). */
const ordinal = (x: number) => {
  const b = bits(x);
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
};
/** Distance in ulps from y to the float32 rounding of r; Infinity for NaN or zero-sign mismatches. */
function ulps(y: number, r: number): number {
  const rr = Math.fround(r);
  if (Number.isNaN(rr) || Number.isNaN(y)) return Number.isNaN(rr) && Number.isNaN(y) ? 0 : Infinity;
  if (rr === y) return Object.is(rr, y) ? 0 : Infinity; // same value: only a zero's sign can differ
  if (!Number.isFinite(rr) || !Number.isFinite(y)) return Infinity;
  return Math.abs(ordinal(y) - ordinal(rr));
}

/** Float32 inputs: every `stride`-th bit pattern over all 2^32, plus a dense range, plus specials. */
function sweepInputs(stride: number, lo: number, hi: number, dense: number, specials: number[]): Float32Array {
  const xs: number[] = [];
  for (let b = 0; b < 2 ** 32; b += stride) xs.push(fromBits(b));
  for (let i = 0; i < dense; i++) xs.push(lo + ((hi - lo) * i) / dense);
  xs.push(...specials);
  return Float32Array.from(xs);
}

const SPECIALS = [
  0, -0, NaN, -NaN, Infinity, -Infinity, 1, -1, 0.5, -0.5, 2, -2, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 1.1754944e-38,
  5.877472e-39, -5.877472e-39, 3.4028235e38, -3.4028235e38, 1e-30, -1e-30, 1e-10, -1e-10, 1e-7, 5.9604645e-8, -5.9604645e-8,
  88.72283, 88.72284, 88.7, 89, -87.33654, -87.34, -103.97207, -103.98, -104, 127.99, 128, -149, -150, -151,
  Math.PI, -Math.PI, Math.PI / 2, Math.PI / 4, 252.89820861816406, 1e5, -1e5, 1048575.9, 1048576, -1048576, 1e6, 1e7, 1e20, 1e30,
  0.55, -0.55, 0.5499999, 9, 9.1, 44, -44, 0.34657359, -0.34657359, 0.41421356, -0.29289322, -0.99999994, 0.99999994, 1.0000001,
];

const MATH: Record<string, { ref: (x: number) => number; lo: number; hi: number }> = {
  exp2: { ref: (x) => 2 ** x, lo: -152, hi: 130 },
  expm1: { ref: Math.expm1, lo: -20, hi: 90 },
  sin: { ref: Math.sin, lo: -30, hi: 30 },
  cos: { ref: Math.cos, lo: -30, hi: 30 },
  tanh: { ref: Math.tanh, lo: -10, hi: 10 },
  logistic: { ref: (x) => 1 / (1 + Math.exp(-x)), lo: -105, hi: 30 },
};

const unaryProgram = (fn: UnaryFn, n: number) => {
  const P = new Prog(n);
  return P.build([P.unary(fn, P.input())]);
};

/** Runs `p` as the portable JS loop (uint32 inputs as Uint32Array, as kernel.ts passes them). */
function runJs(p: FusedProgram, ins: Arr[], n: number): Arr[] {
  const views = ins.map((a, i) => (p.inputs[i].type === "u32" ? (new Uint32Array(a.buffer, a.byteOffset, a.length) as unknown as Arr) : a));
  const outs = p.outputs.map((o) => typed(p.nodes[o].type, new ArrayBuffer(4 * n + 16), 0, n));
  compileJsKernel(p).run(views as never, outs as never);
  return outs;
}

// ---- the encoder ------------------------------------------------------------------------------

describe("wasm encoder", () => {
  it("encodes LEB128", () => {
    const enc = (f: (o: number[], v: number) => void, v: number) => {
      const o: number[] = [];
      f(o, v);
      return o;
    };
    expect(enc(uleb, 0)).toEqual([0]);
    expect(enc(uleb, 127)).toEqual([127]);
    expect(enc(uleb, 128)).toEqual([0x80, 1]);
    expect(enc(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc(sleb, -1)).toEqual([0x7f]);
    expect(enc(sleb, 63)).toEqual([63]);
    expect(enc(sleb, 64)).toEqual([0xc0, 0]);
    expect(enc(sleb, -64)).toEqual([0x40]);
    expect(enc(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it("builds a valid module that runs (i32 add)", () => {
    const c = new Code(["i32", "i32"]);
    c.op("local.get", 0).op("local.get", 1).op("i32.add");
    const bytes = encodeModule({ imports: [], funcs: [{ params: ["i32", "i32"], results: ["i32"], code: c, export: "add" }] });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
    expect((inst.exports.add as (a: number, b: number) => number)(40, 2)).toBe(42);
  });

  it("has SIMD in this Node", () => {
    expect(simdSupported()).toBe(true);
  });
});

// ---- accuracy ---------------------------------------------------------------------------------

describe("vector math accuracy (ulps vs fround(float64 reference))", () => {
  for (const [fn, { ref, lo, hi }] of Object.entries(MATH)) {
    it(`${fn} within ${MAX_ULP[fn]} ulp`, () => {
      const xs = sweepInputs(4099, lo, hi, 1 << 17, SPECIALS);
      let worst = 0;
      let worstX = 0;
      const hist = [0, 0, 0];
      const chunk = 1 << 18; // keeps each run within the 4 MiB memory
      for (let start = 0; start < xs.length; start += chunk) {
        const part = xs.subarray(start, start + chunk);
        const [y] = runWasm(unaryProgram(fn as UnaryFn, part.length), [part], part.length) as Float32Array[];
        for (let i = 0; i < part.length; i++) {
          const e = ulps(y[i], ref(part[i]));
          if (e === Infinity) throw new Error(`${fn}(${part[i]}) = ${y[i]}, expected ${Math.fround(ref(part[i]))}`);
          hist[Math.min(e, 2)]++;
          if (e > worst) [worst, worstX] = [e, part[i]];
        }
      }
      console.log(`${fn}: ${xs.length} inputs, max ${worst} ulp (x = ${worstX}); exact ${hist[0]}, 1 ulp ${hist[1]}, more ${hist[2]}`);
      expect(worst).toBeLessThanOrEqual(MAX_ULP[fn]);
    });
  }

  // exp, log and log1p are XLA CPU's float32 functions (lax/special.ts's exp32, log32, log1p32;
  // those match JAX 0.10.2 on 2^24 random bit patterns and 2^25 points of exp's range): bit for
  // bit in the wasm kernel and the JS loop, incl. subnormals flushed to zero as XLA's CPU code
  // does. XLA's own accuracy, on normal inputs and results: exp 5 ulp (x near 88.7, where XLA
  // clamps n to 127), log 1, log1p 2.
  const XLA: Record<string, { fn: (x: number) => number; ref: (x: number) => number; lo: number; hi: number; ulp: number }> = {
    exp: { fn: exp32, ref: Math.exp, lo: -105, hi: 90, ulp: 5 },
    log: { fn: log32, ref: Math.log, lo: 0, hi: 10, ulp: 1 },
    log1p: { fn: log1p32, ref: Math.log1p, lo: -1, hi: 3, ulp: 2 },
  };
  for (const [fn, { fn: xla, ref, lo, hi, ulp }] of Object.entries(XLA)) {
    it(`${fn}: XLA's float32 ${fn} bit for bit (wasm and JS loop), within ${ulp} ulp on normal floats`, () => {
      const sweep = sweepInputs(4099, lo, hi, 1 << 17, SPECIALS);
      const xs = new Float32Array(sweep.length + (1 << 16));
      xs.set(sweep);
      let seed = 11;
      for (let i = sweep.length; i < xs.length; i++) xs[i] = fromBits((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0));
      const chunk = 1 << 18;
      let worst = 0;
      for (let start = 0; start < xs.length; start += chunk) {
        const part = xs.subarray(start, start + chunk);
        const p = unaryProgram(fn as UnaryFn, part.length);
        const [y] = runWasm(p, [part], part.length) as Float32Array[];
        const [z] = runJs(p, [part], part.length) as Float32Array[];
        for (let i = 0; i < part.length; i++) {
          const want = Math.fround(xla(part[i]));
          if (ulps(y[i], want) !== 0 || ulps(z[i], want) !== 0) throw new Error(`${fn}(${part[i]}): wasm ${y[i]}, JS ${z[i]}, XLA ${want}`);
          const r = Math.fround(ref(part[i]));
          if (Math.abs(part[i]) >= 2 ** -126 && Number.isFinite(r) && Math.abs(r) >= 2 ** -126) worst = Math.max(worst, ulps(want, r));
        }
      }
      expect(worst).toBeLessThanOrEqual(ulp);
    });
  }

  it("sin/cos: vector path up to 2^20, Math.* fallback beyond, exact there", () => {
    const xs = new Float32Array(4000);
    for (let i = 0; i < xs.length; i++) xs[i] = (i % 2 ? -1 : 1) * TRIG_VECTOR_LIMIT * 2 ** ((i / xs.length) * 100);
    xs[0] = TRIG_VECTOR_LIMIT;
    xs[1] = Math.fround(TRIG_VECTOR_LIMIT - 0.0625);
    for (const fn of ["sin", "cos"] as const) {
      const [y] = runWasm(unaryProgram(fn, xs.length), [xs], xs.length) as Float32Array[];
      for (let i = 0; i < xs.length; i++) expect(ulps(y[i], Math[fn](xs[i])), `${fn}(${xs[i]})`).toBeLessThanOrEqual(i === 1 ? MAX_ULP[fn] : 0);
    }
  });

  // XLA calls glibc's tanf and powf; the kernels call lax/libm32.ts's ports lane by lane, and the
  // JS loop per element: the same bits as the ports on every input (their agreement with JAX is
  // test/xla_math.test.ts's).
  it("tan: glibc's tanf, bit for bit, wasm and JS loop", () => {
    const xs = sweepInputs(16411, -300, 300, 1 << 17, SPECIALS);
    const want = Float32Array.from(xs, tanf32);
    const p = unaryProgram("tan", xs.length);
    for (const [y] of [runWasm(p, [xs], xs.length), runJs(p, [xs], xs.length)] as Float32Array[][]) {
      for (let i = 0; i < xs.length; i++) if (ulps(y[i], want[i]) !== 0) throw new Error(`tan(${xs[i]}) = ${y[i]}, expected ${want[i]}`);
    }
  });

  it("pow: glibc's powf, bit for bit, wasm and JS loop, special cases included", () => {
    const n = 1 << 17;
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    let seed = 7;
    const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    for (let i = 0; i < n; i++) {
      switch (i % 4) {
        case 0: // moderate bases (some negative), integer and fractional exponents
          a[i] = Math.exp((rnd() - 0.5) * 40) * (rnd() < 0.2 ? -1 : 1);
          b[i] = rnd() < 0.3 ? Math.round((rnd() - 0.5) * 40) : (rnd() - 0.5) * 40;
          break;
        case 1: // results spanning the whole range, subnormals and overflow included
          a[i] = rnd() * 4;
          b[i] = (rnd() - 0.5) * 200;
          break;
        case 2: // arbitrary bit patterns
          a[i] = fromBits((rnd() * 2 ** 32) >>> 0);
          b[i] = fromBits((rnd() * 2 ** 32) >>> 0) * (rnd() < 0.5 ? 1e-36 : 1);
          break;
        default: // bases near 1 with large exponents: needs b*log(a) to much more than float32
          a[i] = 1 + (rnd() - 0.5) * 1e-3;
          b[i] = (rnd() - 0.5) * 2e5;
      }
    }
    const P = new Prog(n);
    const p = P.build([P.binary("pow", P.input(), P.input())]);
    const check = (p: FusedProgram, a: Float32Array, b: Float32Array) => {
      const want = Float32Array.from(a, (x, i) => powf32(x, b[i]));
      for (const [y] of [runWasm(p, [a, b], a.length), runJs(p, [a, b], a.length)] as Float32Array[][]) {
        for (let i = 0; i < a.length; i++) if (ulps(y[i], want[i]) !== 0) throw new Error(`pow(${a[i]}, ${b[i]}) = ${y[i]}, expected ${want[i]}`);
      }
    };
    check(p, a, b);
    // Special cases, every pair of these.
    const sp = [0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3e38, 0.3, -7.5];
    const A = Float32Array.from(sp.flatMap((x) => sp.map(() => x)));
    const B = Float32Array.from(sp.flatMap(() => sp));
    const Q = new Prog(A.length);
    check(Q.build([Q.binary("pow", Q.input(), Q.input())]), A, B);
  });
});

// ---- whole programs ---------------------------------------------------------------------------

/** examples/fusion.ts's chain: sin, *0.5, exp, +1.5, tanh, y*y, +2, sqrt, /3, -cos(x), max -0.25. */
function chainProgram(n: number): FusedProgram {
  const P = new Prog(n);
  const x = P.input();
  let y = P.unary("exp", P.binary("mul", P.unary("sin", x), P.const(0.5)));
  y = P.unary("tanh", P.binary("add", y, P.const(1.5)));
  y = P.unary("sqrt", P.binary("add", P.binary("mul", y, y), P.const(2)));
  y = P.binary("sub", P.binary("div", y, P.const(3)), P.unary("cos", x));
  return P.build([P.binary("max", y, P.const(-0.25))]);
}
/** The same chain in float64 with Math.fround after each op (what a float32 machine computes exactly rounded). */
function chainRef(x: number): number {
  const F = Math.fround;
  let y = F(Math.exp(F(F(Math.sin(x)) * 0.5)));
  y = F(Math.tanh(F(y + 1.5)));
  y = F(Math.sqrt(F(F(y * y) + 2)));
  return Math.max(F(F(y / 3) - F(Math.cos(x))), -0.25);
}

describe("fused programs", () => {
  it("the 11-op chain (sin/exp/tanh/sqrt/...) agrees with the per-op rounded reference", () => {
    const n = 300_001;
    const xs = new Float32Array(n);
    for (let i = 0; i < n; i++) xs[i] = -50 + (100 * i) / n;
    const [y] = runWasm(chainProgram(n), [xs], n) as Float32Array[];
    // y/3 - cos(x) cancels, so compare absolutely: values are O(1), one ulp of cos is <= 2^-24, and the
    // reference rounds after every op too (so either side can be an ulp off at each of ~6 steps).
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - chainRef(xs[i])));
    console.log(`chain: max abs error ${worst.toExponential(2)} = ${(worst * 2 ** 24).toFixed(2)} * 2^-24 over ${n} inputs in [-50, 50]`);
    expect(worst).toBeLessThanOrEqual(8 * 2 ** -24);
    expect(Array.from(y.subarray(n, n + 4))).toEqual(Array.from(new Float32Array(new Uint8Array(16).fill(0x5a).buffer)));
  });

  it("odd lengths and n = 0: the tail writes exactly n elements", () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 1027]) {
      const xs = Float32Array.from({ length: n }, (_, i) => i * 0.37 - 3);
      for (const skew of [0, 4]) {
        const [y] = runWasm(chainProgram(n), [xs], n, skew) as Float32Array[];
        for (let i = 0; i < n; i++) expect(Math.abs(y[i] - chainRef(xs[i]))).toBeLessThanOrEqual(8 * 2 ** -24);
        const sentinel = new Uint8Array(y.buffer, n * 4, 16);
        expect(Array.from(sentinel)).toEqual(new Array(16).fill(0x5a));
      }
    }
    // More than one chunk of 2^16 and not a multiple of 4.
    const n = (1 << 17) + 3;
    const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 20);
    const [y] = runWasm(chainProgram(n), [xs], n) as Float32Array[];
    for (let i = 0; i < n; i++) if (Math.abs(y[i] - chainRef(xs[i])) > 8 * 2 ** -24) throw new Error(`element ${i}`);
    expect(Array.from(new Uint8Array(y.buffer, n * 4, 16))).toEqual(new Array(16).fill(0x5a));
  });

  it("compares, selects, bool inputs and outputs (1 byte per element)", () => {
    const n = 1003;
    const a = Float32Array.from({ length: n }, (_, i) => (i % 17 === 0 ? NaN : ((i * 7919) % 23) - 11));
    const b = Float32Array.from({ length: n }, (_, i) => ((i * 104729) % 19) - 9);
    const m = Uint8Array.from({ length: n }, (_, i) => (i * 31) % 3 === 0 ? 1 : 0);
    const P = new Prog(n);
    const [x, y, mask] = [P.input(), P.input(), P.input("bool")];
    const cmps = (["eq", "ne", "lt", "le", "gt", "ge"] as const).map((fn) => P.compare(fn, x, y));
    const sel = P.select(P.binary("max", cmps[2], mask), x, P.binary("mul", y, P.const(10))); // (x < y || m) ? x : 10y
    const notM = P.unary("not", mask);
    const finite = P.unary("is_finite", x, "bool");
    const eqb = P.compare("eq", cmps[2], mask);
    const [ceq, cne, clt, cle, cgt, cge, s, nm, fin, eb] = runWasm(P.build([...cmps, sel, notM, finite, eqb]), [a, b, m], n);
    const F = (v: boolean) => (v ? 1 : 0);
    for (let i = 0; i < n; i++) {
      expect([ceq[i], cne[i], clt[i], cle[i], cgt[i], cge[i]]).toEqual([
        F(a[i] === b[i]), F(a[i] !== b[i]), F(a[i] < b[i]), F(a[i] <= b[i]), F(a[i] > b[i]), F(a[i] >= b[i]),
      ]);
      expect(Object.is(s[i], a[i] < b[i] || m[i] ? a[i] : Math.fround(b[i] * 10))).toBe(true);
      expect(nm[i]).toBe(1 - m[i]);
      expect(fin[i]).toBe(F(Number.isFinite(a[i])));
      expect(eb[i]).toBe(F(F(a[i] < b[i]) === m[i]));
    }
    expect(ceq[n]).toBe(0x5a); // bool outputs: exactly n bytes written
  });

  it("scalar inputs (stride 0): f32, int32 and bool", () => {
    const n = 37;
    const P = new Prog(n);
    const x = P.input();
    const s = P.input("f32", true);
    const k = P.input("i32", true);
    const bs = P.input("bool", true);
    const y = P.select(bs, P.binary("mul", x, s), P.binary("add", P.convert(k, "f32"), x));
    const p = P.build([y, P.binary("add", P.convert(x, "i32"), k)]);
    const xs = Float32Array.from({ length: n }, (_, i) => i - 18.5);
    for (const flag of [0, 1]) {
      const [out, outI] = runWasm(p, [xs, Float32Array.of(2.5), Int32Array.of(-7), Uint8Array.of(flag)], n);
      for (let i = 0; i < n; i++) {
        expect(out[i]).toBe(flag ? Math.fround(xs[i] * 2.5) : Math.fround(-7 + xs[i]));
        expect(outI[i]).toBe(Math.trunc(xs[i]) - 7);
      }
    }
  });

  it("float32 elementwise ops match the JS loop kernel bit for bit", () => {
    const xs = Float32Array.from([
      ...SPECIALS, ...Array.from({ length: 400 }, (_, i) => (i - 200) / 16), 0.49999997, -0.49999997, 1.5, 2.5, -2.5, 8388609, -8388609, 1e9,
    ]);
    const n = xs.length;
    for (const fn of ["neg", "abs", "sign", "floor", "ceil", "round_even", "round_away", "sqrt", "rsqrt", "square"] as UnaryFn[]) {
      const p = unaryProgram(fn, n);
      const want = new Float32Array(n);
      compileJsKernel(p).run([xs], [want]);
      const [got] = runWasm(p, [xs], n);
      // rsqrt is 1/sqrt(x) rounded twice in float32 (the JS loop rounds once, from float64).
      const tol = fn === "rsqrt" ? 1 : 0;
      for (let i = 0; i < n; i++) expect(ulps(got[i], want[i]), `${fn}(${xs[i]}) = ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol);
    }
    const ys = xs.slice().reverse();
    for (const fn of ["add", "sub", "mul", "div", "max", "min"] as BinaryFn[]) {
      const P = new Prog(n);
      const p = P.build([P.binary(fn, P.input(), P.input())]);
      const want = new Float32Array(n);
      compileJsKernel(p).run([xs, ys], [want]);
      const [got] = runWasm(p, [xs, ys], n);
      for (let i = 0; i < n; i++) expect(ulps(got[i], want[i]), `${fn}(${xs[i]}, ${ys[i]})`).toBe(0);
    }
    for (const y of [0, 1, 2, 3, 5, 8, -1, -3]) {
      const P = new Prog(n);
      const p = P.build([P.ipow(P.input(), y)]);
      const want = new Float32Array(n);
      compileJsKernel(p).run([xs], [want]);
      const [got] = runWasm(p, [xs], n);
      for (let i = 0; i < n; i++) expect(ulps(got[i], want[i]), `${xs[i]}^${y}`).toBe(0);
    }
  });

  it("int32 and uint32 ops and conversions", () => {
    const vals = [0, 1, -1, 2, -2, 7, -7, 1000, 65536, 2 ** 31 - 1, -(2 ** 31), 123456789, -987654321, 46341, -46341];
    const a = Int32Array.from(vals.flatMap((x) => vals.map(() => x)));
    const b = Int32Array.from(vals.flatMap(() => vals));
    const n = a.length;
    const P = new Prog(n);
    const [x, y] = [P.input("i32"), P.input("i32")];
    const outs = [
      P.binary("add", x, y), P.binary("sub", x, y), P.binary("mul", x, y), P.binary("max", x, y), P.binary("min", x, y),
      P.unary("neg", x), P.unary("abs", x), P.unary("sign", x), P.unary("not", x), P.ipow(x, 3),
      P.compare("lt", x, y), P.compare("ge", x, y), P.compare("eq", x, y),
      P.convert(x, "f32"), P.convert(x, "bool"),
    ];
    const ux = P.convert(x, "u32");
    const uy = P.convert(y, "u32");
    outs.push(P.compare("lt", ux, uy), P.binary("max", ux, uy), P.binary("min", ux, uy), P.convert(ux, "f32"));
    const got = runWasm(P.build(outs), [a, b], n);
    const u = (v: number) => v >>> 0;
    const want = (i: number) => {
      const [p, q] = [a[i], b[i]];
      return [
        (p + q) | 0, (p - q) | 0, Math.imul(p, q), Math.max(p, q), Math.min(p, q), -p | 0, Math.abs(p) | 0, Math.sign(p), ~p,
        Math.imul(Math.imul(p, p), p), +(p < q), +(p >= q), +(p === q), Math.fround(p), +(p !== 0),
        +(u(p) < u(q)), u(p) > u(q) ? p : q, u(p) < u(q) ? p : q, Math.fround(u(p)),
      ];
    };
    for (let i = 0; i < n; i++) expect(got.map((o) => o[i]), `${a[i]}, ${b[i]}`).toEqual(want(i));
    // float -> int: truncation toward zero, saturation, NaN -> 0; bool -> f32/i32.
    const fs = Float32Array.from([0, -0.9, 0.9, 2.5, -2.5, 3e9, -3e9, Infinity, -Infinity, NaN, 2147483520, -2147483648]);
    const Q = new Prog(fs.length);
    const fx = Q.input();
    const bz = Q.compare("gt", fx, Q.const(0));
    const [ti, bf, bi] = runWasm(Q.build([Q.convert(fx, "i32"), Q.convert(bz, "f32"), Q.convert(bz, "i32")]), [fs], fs.length);
    expect(Array.from(ti.subarray(0, fs.length))).toEqual([0, 0, 0, 2, -2, 2147483647, -2147483648, 2147483647, -2147483648, 0, 2147483520, -2147483648]);
    expect(Array.from(bf.subarray(0, fs.length))).toEqual(Array.from(fs, (v) => +(v > 0)));
    expect(Array.from(bi.subarray(0, fs.length))).toEqual(Array.from(fs, (v) => +(v > 0)));
  });

  it("several outputs, computed in place over an input", () => {
    const n = 103;
    const P = new Prog(n);
    const x = P.input();
    const p = P.build([P.unary("exp", x), P.unary("neg", x)]);
    const k = compileWasmKernel(p)!;
    const xs = Float32Array.from({ length: n }, (_, i) => i / 10 - 5);
    const view = new Float32Array(memory.buffer, 64, n);
    view.set(xs);
    const other = 64 + align16(n * 4);
    k.run(memory, [64], [64, other], n); // output 0 overwrites the input
    const neg = new Float32Array(memory.buffer, other, n);
    for (let i = 0; i < n; i++) {
      expect(ulps(view[i], Math.exp(xs[i]))).toBeLessThanOrEqual(1);
      expect(neg[i]).toBe(-xs[i]);
    }
  });

  it("degenerate programs: a constant fill, a copy, a broadcast scalar, one node output twice", () => {
    const n = 11;
    const P = new Prog(n);
    const x = P.input();
    const s = P.input("f32", true);
    const c = P.const(-0);
    const [fill, copy, bcast, twiceA, twiceB] = runWasm(P.build([c, x, s, x, x]), [Float32Array.from({ length: n }, (_, i) => i), Float32Array.of(7)], n);
    for (let i = 0; i < n; i++) {
      expect(Object.is(fill[i], -0)).toBe(true);
      expect([copy[i], bcast[i], twiceA[i], twiceB[i]]).toEqual([i, 7, i, i]);
    }
  });

  it("runs on a shared memory too (threaded tfjs-wasm builds use one)", () => {
    const shared = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const k = compileWasmKernel(chainProgram(10))!;
    const x = new Float32Array(shared.buffer, 0, 10);
    x.set(Array.from({ length: 10 }, (_, i) => i - 4.5));
    k.run(shared, [0], [64], 10);
    const y = new Float32Array(shared.buffer, 64, 10);
    for (let i = 0; i < 10; i++) expect(Math.abs(y[i] - chainRef(x[i]))).toBeLessThanOrEqual(8 * 2 ** -24);
    // ... and the same kernel still runs on a plain memory (one instance per memory).
    expect(runWasm(chainProgram(10), [x.slice()], 10)[0].slice(0, 10)).toEqual(y.slice());
  });

  it("returns null for what it does not handle", () => {
    const P = new Prog(8);
    expect(compileWasmKernel(P.build([P.binary("atan2", P.input(), P.input())]))).toBeNull();
    const Q = new Prog(8);
    expect(compileWasmKernel(Q.build([Q.binary("div", Q.input("i32"), Q.input("i32"))]))).toBeNull();
    const R = new Prog(8);
    expect(compileWasmKernel({ ...R.build([R.unary("exp", R.input())]), reduceSum: { axes: [0] } })).toBeNull();
    // A row broadcast (neither full-size nor scalar).
    const bcast: FusedProgram = {
      shape: [4, 8],
      inputs: [{ shape: [8], strides: [0, 1], type: "f32" }],
      nodes: [{ op: "input", index: 0, type: "f32" }, { op: "unary", fn: "exp", a: 0, type: "f32" }],
      outputs: [1],
    };
    expect(compileWasmKernel(bcast)).toBeNull();
  });

  it("caches by program and lists readable code", () => {
    const p = chainProgram(1000);
    const k = compileWasmKernel(p)!;
    expect(compileWasmKernel(chainProgram(1000))).toBe(k);
    expect(k.source).toMatch(/\(import "env" "memory" \(memory 0\)\)/);
    expect(k.source).toMatch(/f32x4\.nearest/);
    expect(k.source).toMatch(/f64x2\.promote_low_f32x4/);
    expect(k.source).toMatch(/call 0/); // sin/cos fallback to Math.*
  });

  it("timing (console only): 11-op chain on 1M float32, SIMD kernel vs a plain JS loop", () => {
    const n = 1 << 20;
    const big = new WebAssembly.Memory({ initial: 130 });
    const xin = new Float32Array(big.buffer, 0, n);
    for (let i = 0; i < n; i++) xin[i] = Math.sin(i) * 10;
    const k = compileWasmKernel(chainProgram(n))!;
    const time = (f: () => void, reps: number) => {
      const ts: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t = performance.now();
        f();
        ts.push(performance.now() - t);
      }
      return ts.sort((a, b) => a - b)[reps >> 1];
    };
    const t0 = performance.now();
    k.run(big, [0], [n * 4], n);
    const first = performance.now() - t0;
    const wasmMs = time(() => k.run(big, [0], [n * 4], n), 15);
    const xs = xin.slice();
    const out = new Float32Array(n);
    const plain = () => {
      for (let i = 0; i < n; i++) {
        const x = xs[i];
        let y = Math.exp(Math.sin(x) * 0.5);
        y = Math.tanh(y + 1.5);
        y = Math.sqrt(y * y + 2);
        out[i] = Math.max(y / 3 - Math.cos(x), -0.25);
      }
    };
    const jsMs = time(plain, 5);
    console.log(`11-op chain, 1M f32: wasm SIMD ${wasmMs.toFixed(1)} ms (first call ${first.toFixed(1)} ms), plain JS loop ${jsMs.toFixed(1)} ms`);
  });
});

// ---- on tfjs-backend-wasm's heap --------------------------------------------------------------

describe("integer bit operations, random bits and erf_inv", () => {
  it("and/or/xor/not, shifts by constant and per-lane amounts, and bitcasts: the same bits as the JS loop", () => {
    const n = 1031;
    const words = [0, 1, 5, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff, 123456789, 2 ** 24 + 1, 0x3f800000];
    const amounts = [0, 1, 9, 31, 32, 33, -1, 7, 16, 24, 63, -32];
    const a = Int32Array.from({ length: n }, (_, i) => words[i % words.length] ^ Math.imul(i, 0x9e3779b9));
    const s = Int32Array.from({ length: n }, (_, i) => amounts[(i * 7) % amounts.length]);
    const f = Float32Array.from({ length: n }, (_, i) => (i % 13 === 0 ? NaN : (i - 500) * 1.37e-3));
    for (const t of ["i32", "u32"] as const) {
      const P = new Prog(n);
      const [x, y, z] = [P.input(t), P.input(t), P.input("f32")];
      const shifts = (["shift_left", "shift_right_logical", "shift_right_arithmetic"] as const).flatMap((fn) => [
        P.binary(fn, x, y),
        ...[0, 9, 31, 32, -1].map((c) => P.binary(fn, x, P.const(c, t))),
      ]);
      const bits = [P.binary("and", x, y), P.binary("or", x, P.const(0x3f800000, t)), P.binary("xor", x, y), P.unary("not", x)];
      const casts = [P.bitcast(x, "f32"), P.bitcast(z, t), P.bitcast(P.bitcast(z, t), "f32"), P.bitcast(x, t === "i32" ? "u32" : "i32")];
      const p = P.build([...shifts, ...bits, ...casts]);
      const wasm = runWasm(p, [a, s, f], n);
      const js = runJs(p, [a, s, f], n);
      // Compared as bits (float outputs through Int32Array views: NaN payloads included).
      const asBits = (x: Arr) => Array.from(new Int32Array(x.buffer, x.byteOffset, n));
      // The one difference: JS numbers cannot hold a signaling NaN, so the JS loop quiets one that
      // a bitcast makes (sets bit 22); the wasm kernel (and the eager kernel) keep every bit.
      const quiet = (w: number) => ((w & 0x7f800000) === 0x7f800000 && w & 0x7fffff ? w | 0x400000 : w);
      p.outputs.forEach((o, j) => {
        const w = asBits(wasm[j]);
        expect(p.nodes[o].type === "f32" ? w.map(quiet) : w, `${t} output ${j}`).toEqual(asBits(js[j]));
      });
    }
  });

  for (const part of [true, false])
    it(`random_bits draws JAX's ${part ? "partitionable" : "legacy"} stream from the element index, over tails and chunks`, () => {
      const key: K = [0x9e3779b9, 0x7f4a7c15]; // words >= 2^31: sign handling of the key schedule
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 17, 63, 65, (1 << 16) + 5, (1 << 17) + 3]) {
        const P = new Prog(n);
        const k = P.key();
        const p = P.build([P.randomBits(k, part)]);
        const words = Int32Array.from(key, (w) => w | 0);
        const want = Int32Array.from(ref.bits(key, n, part), (w) => w | 0);
        const [wasm] = runWasm(p, [words], n);
        expect(Array.from(wasm.subarray(0, n)), `n = ${n}`).toEqual(Array.from(want));
        if (n < 1000) expect(Array.from(runJs(p, [words], n)[0].subarray(0, n))).toEqual(Array.from(want));
      }
    });

  /** Runs erf_inv over `xs` in chunks the standalone memory holds. */
  const erfInvWasm = (xs: Float32Array): Float32Array => {
    const out = new Float32Array(xs.length);
    const chunk = 1 << 18;
    for (let at = 0; at < xs.length; at += chunk) {
      const part = xs.subarray(at, at + chunk);
      const P = new Prog(part.length);
      const y = P.unary("erf_inv", P.input());
      out.set((runWasm(P.build([y]), [part], part.length)[0] as Float32Array).subarray(0, part.length), at);
    }
    return out;
  };
  const expectSameBits = (xs: Float32Array, got: Float32Array) => {
    const g = new Uint32Array(got.buffer);
    for (let i = 0; i < xs.length; i++) {
      const want = Math.fround(erfInv32(xs[i]));
      if (g[i] !== bits(want) && !(Number.isNaN(want) && Number.isNaN(got[i]))) throw new Error(`erf_inv(${xs[i]}) = ${got[i]}, want ${want}`);
    }
  };

  it("erf_inv is bit-identical to the eager kernel for every input random.normal can give it", () => {
    // u = max(lo, (f - 1) (1 - lo) + lo) over all 2^23 mantissas f (samplers.ts), lo = -1 + 2^-24.
    const lo = Math.fround(-1 + 2 ** -24);
    const span = Math.fround(1 - lo);
    const xs = Float32Array.from({ length: 2 ** 23 }, (_, m) => Math.max(lo, Math.fround(Math.fround(Math.fround(1 + m * 2 ** -23) - 1) * span) + lo));
    expectSameBits(xs, erfInvWasm(xs));
  });

  it("erf_inv is bit-identical to the eager kernel across float32 (every 4099th pattern) and special values", () => {
    const xs = sweepInputs(4099, -1, 1, 100_000, [...SPECIALS, 2 ** -149, -(2 ** -149), 2 ** -75, 2 ** -64, 0.9999999, -0.99999994]);
    expectSameBits(xs, erfInvWasm(xs));
  });

  it("multiply-adds are relaxed_madd exactly where the engine's is fused (else float64 lanes)", () => {
    const P = new Prog(8);
    const k = compileWasmKernel(P.build([P.unary("erf_inv", P.input())]))!;
    expect(k.source.includes("f32x4.relaxed_madd")).toBe(fusedMadd());
    expect(k.source.includes("f64x2.mul")).toBe(!fusedMadd());
  });

  it("fma lanes round once, also where a float64 sum would round twice", () => {
    const cases = fmaCases(20_000, 7);
    const P = new Prog(cases.length);
    const [a, b, c] = [P.input(), P.input(), P.input()];
    const y = P.fma(a, b, c);
    const ins = [0, 1, 2].map((j) => Float32Array.from(cases, (t) => t[j]));
    const got = runWasm(P.build([y]), ins, cases.length)[0] as Float32Array;
    expect(Array.from(got.subarray(0, cases.length), bits)).toEqual(cases.map(([x, z, w]) => bits(exactFma32(x, z, w))));
  });
});

describe("code size: shared subexpressions are computed once", () => {
  // Found by the differential fuzzer: erf_inv then integer_pow y=0 of an f32[] built a 57 MB
  // function (~45 s, then "size 57498747 > maximum function size"). erf_inv's vector expression
  // was materialized without being counted (its value reaches no output), so none of its shared
  // subexpressions got a local and every use recomputed them.
  const xs = Float32Array.from([0, -0, 0.5, -0.5, 0.9999, -0.99999994, 1, -1, 1.5, NaN, Infinity, 1e-30, 0.25, -0.75, 0.1, 0.3, 0.7]);
  const sameAsJs = (p: FusedProgram) => {
    const n = xs.length;
    const got = runWasm(p, [xs], n);
    const want = runJs(p, [xs], n);
    got.forEach((g, j) => expect(Array.from((g as Float32Array).subarray(0, n), bits)).toEqual(Array.from(want[j] as Float32Array, bits)));
  };
  const erfBytes = () => {
    const P = new Prog(8);
    return compileWasmKernel(P.build([P.unary("erf_inv", P.input())]))!.bytes;
  };

  it("erf_inv then integer_pow (y = 0, 1, 2, 3, -2): about erf_inv's size, and the JS loop's bits", () => {
    const erf = erfBytes();
    expect(erf).toBeLessThan(100_000);
    for (const y of [0, 1, 2, 3, -2]) {
      const P = new Prog(xs.length);
      const p = P.build([P.ipow(P.unary("erf_inv", P.input()), y)]);
      const t0 = performance.now();
      const k = compileWasmKernel(p)!;
      expect(performance.now() - t0).toBeLessThan(5000);
      // y = 0 is 1 everywhere (NaN too): erf_inv is dead and left out.
      if (y === 0) expect(k.bytes).toBeLessThan(1000);
      else expect(k.bytes).toBeLessThan(erf + 1000);
      sameAsJs(p);
    }
  });

  it("erf_inv twice in a chain, one result also through integer_pow y = 0: about twice erf_inv's size", () => {
    const erf = erfBytes();
    const P = new Prog(xs.length);
    const e1 = P.unary("erf_inv", P.input());
    const e2 = P.unary("erf_inv", P.binary("mul", e1, P.const(0.5)));
    const p = P.build([P.ipow(e1, 0), P.ipow(e2, 3), P.ipow(e1, -2)]);
    const k = compileWasmKernel(p)!;
    expect(k.bytes).toBeLessThan(2 * erf + 2000);
    sameAsJs(p);
  });

  it("Emitter: a value used twice is computed once; a root it was not told of throws", () => {
    const b = new VB();
    let x = b.get(0);
    for (let i = 0; i < 60; i++) x = b.fadd(x, x); // 2^60 adds as a tree
    const code = new Code([]);
    code.local("v128");
    const em = new Emitter(code);
    em.count([x]);
    em.materialize(x);
    expect(code.bytes.length).toBeLessThan(60 * 10);
    expect(() => new Emitter(new Code([])).materialize(b.fneg(x))).toThrow(/not counted/);
  });

  it("integer_pow of a large y: squares bound once in the JS loop too, the same bits as wasm", () => {
    for (const y of [1000, 2 ** 20 + 3, -(2 ** 20)]) {
      const P = new Prog(xs.length);
      const p = P.build([P.ipow(P.binary("add", P.binary("mul", P.input(), P.const(1e-6)), P.const(1)), y)]);
      expect(compileJsKernel(p).source.length).toBeLessThan(5000);
      sameAsJs(p);
    }
  });

  it("a program too large for one function is declined quickly (the JS loop runs it)", () => {
    const P = new Prog(xs.length);
    let v = P.input();
    for (let i = 0; i < 300; i++) v = P.unary("erf_inv", P.binary("mul", v, P.const(0.5)));
    const p = P.build([v]);
    const t0 = performance.now();
    expect(compileWasmKernel(p)?.bytes).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(MAX_KERNEL_BYTES).toBeLessThan(7654321); // V8's largest function
    expect(runJs(p, [xs], xs.length)[0].length).toBe(xs.length);
  });
});

describe("kernels on tfjs-backend-wasm's memory", () => {
  beforeAll(async () => {
    await tf.setBackend("wasm");
  });

  it("reads tfjs tensors and writes a tfjs output in place on the heap", () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const backend = tf.backend() as any;
    const heap = backend.wasm.asm.memory as WebAssembly.Memory;
    expect(heap).toBeInstanceOf(WebAssembly.Memory);
    const n = 10_001;
    const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i - 5000) / 250));
    const flag = tf.tensor1d(Uint8Array.from({ length: n }, (_, i) => i % 3), "bool");
    const P = new Prog(n);
    const [xi, fi] = [P.input(), P.input("bool")];
    const p = P.build([P.select(fi, P.unary("sin", xi), P.unary("tanh", xi)), P.compare("gt", xi, P.const(0))]);
    const k = compileWasmKernel(p)!;
    const ptr = (t: { dataId: object }) => backend.dataIdMap.get(t.dataId).memoryOffset as number;
    const before = tf.memory().numTensors;
    const outs = [backend.makeOutput([n], "float32"), backend.makeOutput([n], "bool")];
    k.run(heap, [ptr(x), ptr(flag)], outs.map(ptr), n);
    const [y, pos] = outs.map((o) => tf.engine().makeTensorFromTensorInfo(o));
    const ys = y.dataSync();
    const xs = x.dataSync();
    const fs = flag.dataSync();
    for (let i = 0; i < n; i++) expect(ulps(ys[i], fs[i] ? Math.sin(xs[i]) : Math.tanh(xs[i]))).toBeLessThanOrEqual(1);
    expect(Array.from(pos.dataSync())).toEqual(Array.from(xs, (v) => +(v > 0)));
    expect(pos.dtype).toBe("bool");
    tf.dispose([x, flag, y, pos]);
    expect(tf.memory().numTensors).toBe(before - 2);
  });
});
