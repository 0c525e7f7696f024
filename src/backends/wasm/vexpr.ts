// Vector expressions: a DAG of pure wasm instructions (mostly on v128 values) that is emitted
// as stack code. A value used once is emitted inline where it is consumed; a value used more
// than once is computed at its first use and kept with `local.tee`, later uses read the local.
// That keeps the code close to what a human would write for the stack machine, which matters
// for V8's baseline compiler (Liftoff: it runs every kernel until the optimizing tier takes
// over, and spills every local it cannot keep in a register); TurboFan does not care.
//
// Constants are re-emitted at every use (no local): V8 materialises or hoists them itself.
import { Code, type V128Const, type V128Shape, type ValType, encodeModule, v128Const } from "./emit.js";
import { fma32 } from "../../lax/special.js";

export interface VNode {
  /** An opcode name (see emit.ts), or "custom" with `emit`. */
  readonly op: string;
  readonly args: readonly VNode[];
  /** Immediates passed to Code.op after the opcode. */
  readonly imm: readonly (number | bigint | ValType)[];
  readonly type: ValType;
  /** Emits this node's instructions itself (after its args have been materialised in locals). */
  readonly emit?: (e: Emitter, argLocals: number[]) => void;
  /** For v128 constants: their encoding and text. */
  readonly konst?: V128Const;
}

const LEAF = new Set(["local.get", "i32.const", "f32.const", "f64.const", "v128.const"]);

/**
 * Emits DAGs into a Code body; `count` every root of one straight-line region first (every node
 * later passed to `emit` or `materialize`). An uncounted node would have no use counts below it,
 * so none of its shared subexpressions would get a local: each use would recompute them, which
 * is exponential in the depth of a DAG like erf_inv's (a 57 MB function once). Emitting one
 * throws instead.
 */
export class Emitter {
  private uses = new Map<VNode, number>();
  private locals = new Map<VNode, number>();

  constructor(readonly code: Code) {}

  private counted(n: VNode): void {
    if (!this.uses.has(n) && !LEAF.has(n.op) && !n.konst) throw new Error(`vexpr: ${n.op} emitted but not counted (Emitter.count its root first)`);
  }

  /** Counts uses of every node reachable from these roots (call once per region). */
  count(roots: readonly VNode[]): void {
    const visit = (n: VNode) => {
      const u = (this.uses.get(n) ?? 0) + 1;
      this.uses.set(n, u);
      if (u === 1) n.args.forEach(visit);
    };
    roots.forEach(visit);
  }

  /** Pushes the node's value on the stack. */
  emit(n: VNode): void {
    const have = this.locals.get(n);
    if (have !== undefined) return void this.code.op("local.get", have);
    this.counted(n);
    this.compute(n);
    if ((this.uses.get(n) ?? 0) > 1 && !LEAF.has(n.op) && !n.konst) {
      const l = this.code.local(n.type);
      this.locals.set(n, l);
      this.code.op("local.tee", l);
    }
  }

  /** Makes sure the node's value is in a local (computing it now if needed); returns the local. */
  materialize(n: VNode): number {
    const have = this.locals.get(n);
    if (have !== undefined) return have;
    if (n.op === "local.get") return n.imm[0] as number;
    this.counted(n);
    this.compute(n);
    const l = this.code.local(n.type);
    this.code.op("local.set", l);
    this.locals.set(n, l);
    return l;
  }

  private compute(n: VNode): void {
    if (n.emit) n.emit(this, n.args.map((a) => this.materialize(a)));
    else if (n.konst) this.code.v128(n.konst);
    else {
      n.args.forEach((a) => this.emit(a));
      this.code.op(n.op, ...n.imm);
    }
  }
}

/**
 * Builder of vector expressions. Method names follow the wasm opcodes; `f`/`i`/`d` prefixes
 * are f32x4, i32x4 and f64x2. Bool lanes are masks (all ones or all zeros).
 */
export class VB {
  private consts = new Map<V128Const, VNode>();
  private memos = new Map<string, Map<VNode, unknown>>();

  /** Computes `f()` once per (kind, x): shares e.g. the trig reduction of sin(x) and cos(x). */
  memo<T>(kind: string, x: VNode, f: () => T): T {
    let m = this.memos.get(kind);
    if (!m) this.memos.set(kind, (m = new Map()));
    if (!m.has(x)) m.set(x, f());
    return m.get(x) as T;
  }

  node(op: string, type: ValType, args: VNode[], ...imm: (number | bigint | ValType)[]): VNode {
    return { op, args, imm, type };
  }
  v(op: string, ...args: VNode[]): VNode {
    return { op, args, imm: [], type: "v128" };
  }
  custom(type: ValType, args: VNode[], emit: (e: Emitter, argLocals: number[]) => void): VNode {
    return { op: "custom", args, imm: [], type, emit };
  }
  get(local: number, type: ValType = "v128"): VNode {
    return { op: "local.get", args: [], imm: [local], type };
  }
  i32c(v: number): VNode {
    return { op: "i32.const", args: [], imm: [v | 0], type: "i32" };
  }

  private k(shape: V128Shape, lanes: (number | bigint)[]): VNode {
    const konst = v128Const(shape, lanes);
    let n = this.consts.get(konst);
    if (!n) {
      n = { op: "v128.const", args: [], imm: [], type: "v128", konst };
      this.consts.set(konst, n);
    }
    return n;
  }
  private splats = new Map<string | number, VNode>();
  private splat(tag: string, x: number, make: () => VNode): VNode {
    const key = Object.is(x, -0) ? tag + "-0" : tag === "f" ? x : tag + x; // f32 keys stay numbers
    let n = this.splats.get(key);
    if (!n) this.splats.set(key, (n = make()));
    return n;
  }
  /** f32x4 splat constant (rounded to float32). */
  f(x: number): VNode {
    const v = Math.fround(x);
    return this.splat("f", v, () => this.k("f32x4", [v, v, v, v]));
  }
  /** i32x4 constant with distinct lanes. */
  ilanes(lanes: readonly number[]): VNode {
    return this.k("i32x4", lanes.map((x) => x | 0));
  }
  /** i32x4 splat constant. */
  i(x: number): VNode {
    return this.splat("i", x | 0, () => this.k("i32x4", [x | 0, x | 0, x | 0, x | 0]));
  }
  /** f64x2 splat constant. */
  d(x: number): VNode {
    return this.splat("d", x, () => this.k("f64x2", [x, x]));
  }
  i64(x: bigint): VNode {
    return this.k("i64x2", [x, x]);
  }

  // f32x4
  fadd = (a: VNode, b: VNode) => this.v("f32x4.add", a, b);
  fsub = (a: VNode, b: VNode) => this.v("f32x4.sub", a, b);
  fmul = (a: VNode, b: VNode) => this.v("f32x4.mul", a, b);
  fdiv = (a: VNode, b: VNode) => this.v("f32x4.div", a, b);
  fmin = (a: VNode, b: VNode) => this.v("f32x4.min", a, b);
  fmax = (a: VNode, b: VNode) => this.v("f32x4.max", a, b);
  fabs = (a: VNode) => this.v("f32x4.abs", a);
  fneg = (a: VNode) => this.v("f32x4.neg", a);
  fsqrt = (a: VNode) => this.v("f32x4.sqrt", a);
  ffloor = (a: VNode) => this.v("f32x4.floor", a);
  fceil = (a: VNode) => this.v("f32x4.ceil", a);
  ftrunc = (a: VNode) => this.v("f32x4.trunc", a);
  fnearest = (a: VNode) => this.v("f32x4.nearest", a);
  feq = (a: VNode, b: VNode) => this.v("f32x4.eq", a, b);
  fne = (a: VNode, b: VNode) => this.v("f32x4.ne", a, b);
  flt = (a: VNode, b: VNode) => this.v("f32x4.lt", a, b);
  fle = (a: VNode, b: VNode) => this.v("f32x4.le", a, b);
  fgt = (a: VNode, b: VNode) => this.v("f32x4.gt", a, b);
  fge = (a: VNode, b: VNode) => this.v("f32x4.ge", a, b);
  /** Horner evaluation c[0] + x*(c[1] + x*(c[2] + ...)) with float32 coefficients. */
  fpoly = (x: VNode, c: readonly number[]): VNode => {
    let acc = this.f(c[c.length - 1]);
    for (let j = c.length - 2; j >= 0; j--) acc = this.fadd(this.f(c[j]), this.fmul(x, acc));
    return acc;
  };
  // i32x4
  iadd = (a: VNode, b: VNode) => this.v("i32x4.add", a, b);
  isub = (a: VNode, b: VNode) => this.v("i32x4.sub", a, b);
  imul = (a: VNode, b: VNode) => this.v("i32x4.mul", a, b);
  ishl = (a: VNode, s: number) => this.node("i32x4.shl", "v128", [a, this.i32c(s)]);
  ishr = (a: VNode, s: number) => this.node("i32x4.shr_s", "v128", [a, this.i32c(s)]);
  ishru = (a: VNode, s: number) => this.node("i32x4.shr_u", "v128", [a, this.i32c(s)]);
  /** An i32 scalar in every lane. */
  isplat = (a: VNode) => this.node("i32x4.splat", "v128", [a]);
  ieq = (a: VNode, b: VNode) => this.v("i32x4.eq", a, b);
  igt = (a: VNode, b: VNode) => this.v("i32x4.gt_s", a, b);
  /** float32 lanes -> int32 (truncating, saturating, NaN -> 0). */
  f2i = (a: VNode) => this.v("i32x4.trunc_sat_f32x4_s", a);
  i2f = (a: VNode) => this.v("f32x4.convert_i32x4_s", a);
  // bitwise (any lane shape)
  and = (a: VNode, b: VNode) => this.v("v128.and", a, b);
  or = (a: VNode, b: VNode) => this.v("v128.or", a, b);
  xor = (a: VNode, b: VNode) => this.v("v128.xor", a, b);
  /** a & ~b */
  andnot = (a: VNode, b: VNode) => this.v("v128.andnot", a, b);
  not = (a: VNode) => this.v("v128.not", a);
  /** mask ? t : f, lane-wise (bitwise). */
  sel = (t: VNode, f: VNode, mask: VNode) => this.v("v128.bitselect", t, f, mask);
  // f64x2
  dadd = (a: VNode, b: VNode) => this.v("f64x2.add", a, b);
  dsub = (a: VNode, b: VNode) => this.v("f64x2.sub", a, b);
  dmul = (a: VNode, b: VNode) => this.v("f64x2.mul", a, b);
  ddiv = (a: VNode, b: VNode) => this.v("f64x2.div", a, b);
  dmin = (a: VNode, b: VNode) => this.v("f64x2.min", a, b);
  dmax = (a: VNode, b: VNode) => this.v("f64x2.max", a, b);
  dnearest = (a: VNode) => this.v("f64x2.nearest", a);
  dpoly = (x: VNode, c: readonly number[]): VNode => {
    let acc = this.d(c[c.length - 1]);
    for (let j = c.length - 2; j >= 0; j--) acc = this.dadd(this.d(c[j]), this.dmul(x, acc));
    return acc;
  };
  /**
   * a*b + c rounded once to float32, lane-wise (lax/special.ts fma32). One relaxed_madd where
   * the engine has it fused (see fusedMadd); otherwise in float64 a*b is exact, and
   * rounding the float64 sum s to float32 is the single rounding unless s lies exactly halfway
   * between two float32s (low 29 bits 1 << 28) or below float32's normal range; only when some
   * lane does (rarely) are the four recomputed by ffmaExact.
   */
  ffma = (a: VNode, b: VNode, c: VNode): VNode => {
    if (fusedMadd()) return this.v("f32x4.relaxed_madd", a, b, c);
    const sums = [0, 1].map((h) => {
      const pick = (v: VNode) => (h ? this.promoteHi(v) : this.promoteLo(v));
      return this.dadd(this.dmul(pick(a), pick(b)), pick(c));
    });
    const doubt = (s: VNode) =>
      this.or(this.v("i64x2.eq", this.and(s, this.i64(0x1fffffffn)), this.i64(0x10000000n)), this.v("f64x2.lt", this.v("f64x2.abs", s), this.d(2 ** -126)));
    const any = this.or(doubt(sums[0]), doubt(sums[1]));
    return this.custom("v128", [this.demote2(sums[0], sums[1]), any, a, b, c], (e, [r, anyL, aL, bL, cL]) => {
      const code = e.code;
      code.op("local.get", anyL).op("v128.any_true").op("if");
      const exact = this.ffmaExact(this.get(aL), this.get(bL), this.get(cL));
      const sub = new Emitter(code);
      sub.count([exact]);
      sub.emit(exact);
      code.op("local.set", r).op("end").op("local.get", r);
    });
  };
  /**
   * ffma for every lane: the float64 sum s is rounded to odd (an inexact s with an even last bit
   * steps one float64 ulp toward the exact sum, whose error e comes from two-sum). A float64 with
   * an odd last bit is never a float32 nor halfway between two, so demoting it rounds as the exact
   * sum would (53 >= 24 + 2). Infinite or NaN sums have no finite e and are left alone.
   */
  private ffmaExact = (a: VNode, b: VNode, c: VNode): VNode => {
    const half = (h: 0 | 1) => {
      const pick = (v: VNode) => (h ? this.promoteHi(v) : this.promoteLo(v));
      const p = this.dmul(pick(a), pick(b));
      const cd = pick(c);
      const s = this.dadd(p, cd);
      const bb = this.dsub(s, p);
      const e = this.dadd(this.dsub(p, this.dsub(s, bb)), this.dsub(cd, bb));
      const inexact = this.v("f64x2.gt", this.v("f64x2.abs", e), this.d(0));
      const even = this.v("i64x2.eq", this.and(s, this.i64(1n)), this.i64(0n));
      const toward = this.or(this.xor(this.v("f64x2.gt", e, this.d(0)), this.v("f64x2.gt", s, this.d(0))), this.i64(1n)); // -1 where e and s differ in sign
      return this.v("i64x2.add", s, this.and(toward, this.and(inexact, even)));
    };
    return this.demote2(half(0), half(1));
  };
  /** Lanes 0,1 of a f32x4 as f64x2. */
  promoteLo = (a: VNode) => this.v("f64x2.promote_low_f32x4", a);
  /** Lanes 2,3 of a f32x4 as f64x2. */
  promoteHi = (a: VNode) => this.v("f64x2.promote_low_f32x4", this.shuffle(a, a, HI_TO_LO));
  /** Two f64x2 (lanes 0,1 and 2,3) back to one f32x4, rounding. */
  demote2 = (lo: VNode, hi: VNode) => this.join(this.v("f32x4.demote_f64x2_zero", lo), this.v("f32x4.demote_f64x2_zero", hi));
  /** Lanes 0,1 (32-bit) of a and lanes 0,1 of b as one vector. */
  join = (a: VNode, b: VNode) => this.shuffle(a, b, JOIN_LO);
  shuffle = (a: VNode, b: VNode, lanes: readonly number[]) => this.node("i8x16.shuffle", "v128", [a, b], ...lanes);
}

/** Byte lanes for i8x16.shuffle: 32-bit lanes 2,3 of a into lanes 0,1. */
const HI_TO_LO = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];
/** 32-bit lanes 0,1 of a then lanes 0,1 of b. */
const JOIN_LO = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];

let fused: boolean | undefined;
/**
 * Whether f32x4.relaxed_madd validates here and rounds once (the CPU's FMA: x64 with FMA3,
 * arm64), as XLA's contracted multiply-adds do. Relaxed SIMD lets an engine compute it unfused
 * instead (x64 without FMA3), so it is probed on sums that a second rounding would change;
 * an engine answers one way consistently, so fused kernels may rely on the answer.
 */
export function fusedMadd(): boolean {
  if (fused !== undefined) return fused;
  fused = false;
  // (func (param f32 f32 f32) (result f32)): the three splat, relaxed_madd, lane 0.
  const code = new Code(["f32", "f32", "f32"]);
  for (let k = 0; k < 3; k++) code.op("local.get", k).op("f32x4.splat");
  code.op("f32x4.relaxed_madd").op("f32x4.extract_lane", 0);
  const bytes = encodeModule({ imports: [], funcs: [{ params: code.params, results: ["f32"], code, export: "madd" }] }) as BufferSource;
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(bytes)) return fused;
  try {
    const madd = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.madd as (a: number, b: number, c: number) => number;
    // 1 + 2^-24 (1 + 2^-30): 1 + 2^-23 rounded once, 1 if the product is rounded first or the sum
    // goes through float64; a subnormal result; signs.
    const cases = [[1047553 * 2 ** -44, 1025 * 2 ** -10, 1], [-1047553 * 2 ** -44, 1025 * 2 ** -10, -1], [3 * 2 ** -75, 2 ** -75, 2 ** -149], [0.1, 10, -1]];
    fused = cases.every(([a, b, c]) => Object.is(madd(a, b, c), fma32(Math.fround(a), Math.fround(b), Math.fround(c))));
  } catch {
    fused = false;
  }
  return fused;
}
