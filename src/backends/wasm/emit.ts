// A tiny WebAssembly binary encoder: just what the fused-kernel code generator needs (one module
// with an imported memory, a few imported JS functions and exported functions using SIMD). No
// dependency: the opcode tables below follow the WebAssembly 2.0 core spec (binary format,
// section 5.4) and its fixed-width SIMD instruction set (opcodes after the 0xFD prefix).
//
// Every instruction is recorded twice: as bytes for the module and as one line of a wat-like
// listing (flat, not folded; blocks indented), which TFJAX_DEBUG=2 prints.

import { CACHE_SIZES, LRU } from "../../cache.js";

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Immediate kinds: u32 index/depth, signed ints, floats, memory arguments, lane indices, ... */
type Imm = "" | "u32" | "s32" | "s64" | "f32" | "f64" | "mem" | "memlane" | "lane" | "bt" | "v128" | "lanes16";

// ---- opcode tables ----------------------------------------------------------------------------

/** Single-byte core opcodes: name -> [opcode, immediate kind]. */
const CORE: Record<string, [number, Imm]> = {};
/** SIMD opcodes (encoded as 0xFD followed by the LEB128 of the number). */
const SIMD: Record<string, [number, Imm]> = {};

/** Registers `names` (space separated, "_" = reserved slot) at consecutive opcodes from `start`. */
function run(table: Record<string, [number, Imm]>, start: number, names: string, imm: Imm = "", prefix = ""): void {
  names.split(/\s+/).filter(Boolean).forEach((n, i) => {
    if (n !== "_") table[prefix + n] = [start + i, imm];
  });
}

run(CORE, 0x00, "unreachable nop");
run(CORE, 0x02, "block loop if", "bt");
run(CORE, 0x05, "else");
run(CORE, 0x0b, "end");
run(CORE, 0x0c, "br br_if", "u32");
run(CORE, 0x0f, "return");
run(CORE, 0x10, "call", "u32");
run(CORE, 0x1a, "drop select");
run(CORE, 0x20, "local.get local.set local.tee", "u32");
run(CORE, 0x28, "i32.load i64.load f32.load f64.load", "mem");
run(CORE, 0x2d, "i32.load8_u", "mem");
run(CORE, 0x36, "i32.store i64.store f32.store f64.store", "mem");
run(CORE, 0x3a, "i32.store8", "mem");
CORE["i32.const"] = [0x41, "s32"];
CORE["i64.const"] = [0x42, "s64"];
CORE["f32.const"] = [0x43, "f32"];
CORE["f64.const"] = [0x44, "f64"];
run(CORE, 0x45, "i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u");
run(CORE, 0x5b, "f32.eq f32.ne f32.lt f32.gt f32.le f32.ge");
run(CORE, 0x6a, "i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u");
run(CORE, 0x8b, "f32.abs f32.neg");
CORE["f32.demote_f64"] = [0xb6, ""];
CORE["f64.promote_f32"] = [0xbb, ""];

run(SIMD, 0x00, "v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s v128.load32x2_u", "mem");
run(SIMD, 0x07, "v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat v128.store", "mem");
SIMD["v128.const"] = [0x0c, "v128"];
SIMD["i8x16.shuffle"] = [0x0d, "lanes16"];
run(SIMD, 0x0e, "i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat");
run(SIMD, 0x15, `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u
  i16x8.replace_lane i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane f32x4.extract_lane
  f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`, "lane");
const ICMP = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u";
run(SIMD, 0x23, ICMP, "", "i8x16.");
run(SIMD, 0x2d, ICMP, "", "i16x8.");
run(SIMD, 0x37, ICMP, "", "i32x4.");
run(SIMD, 0x41, "eq ne lt gt le ge", "", "f32x4.");
run(SIMD, 0x47, "eq ne lt gt le ge", "", "f64x2.");
run(SIMD, 0x4d, "v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true");
run(SIMD, 0x54, `v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane
  v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane`, "memlane");
run(SIMD, 0x5c, "v128.load32_zero v128.load64_zero", "mem");
run(SIMD, 0x5e, "f32x4.demote_f64x2_zero f64x2.promote_low_f32x4");
run(SIMD, 0x60, `i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
  f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s
  i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil f64x2.floor i8x16.min_s i8x16.min_u i8x16.max_s
  i8x16.max_u f64x2.trunc i8x16.avgr_u`);
run(SIMD, 0x80, `abs neg q15mulr_sat_s all_true bitmask narrow_i32x4_s narrow_i32x4_u extend_low_i8x16_s
  extend_high_i8x16_s extend_low_i8x16_u extend_high_i8x16_u shl shr_s shr_u add add_sat_s add_sat_u sub sub_sat_s
  sub_sat_u`, "", "i16x8.");
SIMD["f64x2.nearest"] = [0x94, ""];
run(SIMD, 0x95, "mul min_s min_u max_s max_u", "", "i16x8.");
run(SIMD, 0xa0, `abs neg _ all_true bitmask _ _ extend_low_i16x8_s extend_high_i16x8_s extend_low_i16x8_u
  extend_high_i16x8_u shl shr_s shr_u add _ _ sub _ _ _ mul min_s min_u max_s max_u`, "", "i32x4.");
run(SIMD, 0xc0, `abs neg _ all_true bitmask _ _ extend_low_i32x4_s extend_high_i32x4_s extend_low_i32x4_u
  extend_high_i32x4_u shl shr_s shr_u add _ _ sub _ _ _ mul eq ne lt_s gt_s le_s ge_s`, "", "i64x2.");
run(SIMD, 0xe0, "abs neg _ sqrt add sub mul div min max pmin pmax", "", "f32x4.");
run(SIMD, 0xec, "abs neg _ sqrt add sub mul div min max pmin pmax", "", "f64x2.");
run(SIMD, 0xf8, `i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
  i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u`);

// Relaxed SIMD (Chrome 114, Node 22, Firefox 120): a*b + c, fused or not as the CPU has it (probed before use).
SIMD["f32x4.relaxed_madd"] = [0x105, ""];

export const isOpcode = (name: string): boolean => name in CORE || name in SIMD;

// ---- LEB128 and scalar encodings --------------------------------------------------------------

export function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
}

export function sleb(out: number[], v: number | bigint): void {
  let x = BigInt(v);
  for (;;) {
    const b = Number(x & 0x7fn);
    x >>= 7n; // arithmetic shift on BigInt
    if ((x === 0n && !(b & 0x40)) || (x === -1n && b & 0x40)) return void out.push(b);
    out.push(b | 0x80);
  }
}

const scratch = new DataView(new ArrayBuffer(16));
function f32Bytes(out: number[], v: number): void {
  scratch.setFloat32(0, v, true);
  for (let i = 0; i < 4; i++) out.push(scratch.getUint8(i));
}
function f64Bytes(out: number[], v: number): void {
  scratch.setFloat64(0, v, true);
  for (let i = 0; i < 8; i++) out.push(scratch.getUint8(i));
}
function name(out: number[], s: string): void {
  const b = new TextEncoder().encode(s);
  uleb(out, b.length);
  append(out, Array.from(b));
}

/** A number as wat prints it (nan/inf spelled out, -0 kept). */
export const fmtNum = (v: number): string =>
  Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : Object.is(v, -0) ? "-0" : String(v);

/** A v128 constant: its 16 bytes and its wat text (e.g. `f32x4 0.5 0.5 0.5 0.5`). */
export interface V128Const {
  readonly bytes: readonly number[];
  readonly text: string;
}
export type V128Shape = "f32x4" | "i32x4" | "f64x2" | "i64x2";
const constCache = new LRU<string, V128Const>("wasm.v128_consts", CACHE_SIZES.small);
/** Encodes (once per distinct value) a v128 constant given as lanes of `shape`. */
export function v128Const(shape: V128Shape, lanes: readonly (number | bigint)[]): V128Const {
  const key = shape + lanes.map((x) => (Object.is(x, -0) ? "-0" : String(x))).join(",");
  let k = constCache.get(key);
  if (!k) {
    const dv = new DataView(new ArrayBuffer(16));
    lanes.forEach((x, i) => {
      if (shape === "f32x4") dv.setFloat32(i * 4, Number(x), true);
      else if (shape === "i32x4") dv.setInt32(i * 4, Number(x) | 0, true);
      else if (shape === "f64x2") dv.setFloat64(i * 8, Number(x), true);
      else dv.setBigInt64(i * 8, BigInt(x), true);
    });
    const shown = lanes.map((x) =>
      shape === "f32x4" ? fmtNum(Math.fround(Number(x))) : shape === "f64x2" ? fmtNum(Number(x)) : shape === "i32x4" ? String(Number(x) | 0) : String(x),
    );
    k = { bytes: Array.from(new Uint8Array(dv.buffer)), text: `${shape} ${shown.join(" ")}` };
    constCache.set(key, k);
  }
  return k;
}

// ---- function bodies --------------------------------------------------------------------------

/** Thrown by Code when the body grows past its maxBytes. */
export class CodeTooLarge extends Error {}

/**
 * The code of one function: bytes plus a listing line per instruction. Locals are allocated
 * on demand (`local(type)`) after the parameters.
 */
export class Code {
  readonly bytes: number[] = [];
  readonly lines: string[] = [];
  readonly locals: ValType[] = [];
  private depth = 1;
  /** The body's size limit: an instruction that ends past it throws CodeTooLarge. */
  maxBytes = Infinity;

  constructor(readonly params: readonly ValType[], readonly localNames: string[] = []) {}

  /** A new local of this type; returns its index. */
  local(t: ValType, label?: string): number {
    const i = this.params.length + this.locals.length;
    this.locals.push(t);
    if (label) this.localNames[i] = label;
    return i;
  }

  /**
   * Emits one instruction. Immediates by kind: u32/s32/s64/f32/f64: one number; mem: [align
   * log2, offset]; memlane: [align log2, offset, lane]; lane: lane; bt: a result ValType or
   * nothing; v128: 16 bytes; lanes16: 16 lane indices.
   */
  op(op: string, ...imm: (number | bigint | ValType)[]): this {
    const simd = SIMD[op];
    const spec = simd ?? CORE[op];
    if (!spec) throw new Error(`wasm emit: unknown opcode ${op}`);
    const [code, kind] = spec;
    const b = this.bytes;
    if (simd) {
      b.push(0xfd);
      uleb(b, code);
    } else b.push(code);
    let text = "";
    switch (kind) {
      case "u32":
        uleb(b, imm[0] as number);
        text = op.startsWith("local.") ? this.localName(imm[0] as number) : String(imm[0]);
        break;
      case "s32":
      case "s64":
        sleb(b, imm[0] as number | bigint);
        text = String(imm[0]);
        break;
      case "f32":
        f32Bytes(b, imm[0] as number);
        text = fmtNum(Math.fround(imm[0] as number));
        break;
      case "f64":
        f64Bytes(b, imm[0] as number);
        text = fmtNum(imm[0] as number);
        break;
      case "mem":
      case "memlane": {
        const [align, offset] = imm as number[];
        uleb(b, align);
        uleb(b, offset ?? 0);
        text = (offset ? `offset=${offset} ` : "") + `align=${1 << align}`;
        if (kind === "memlane") {
          b.push(imm[2] as number);
          text += ` ${imm[2]}`;
        }
        break;
      }
      case "lane":
        b.push(imm[0] as number);
        text = String(imm[0]);
        break;
      case "bt":
        b.push(imm.length ? VALTYPE[imm[0] as ValType] : 0x40);
        text = imm.length ? `(result ${imm[0]})` : "";
        break;
      case "v128":
      case "lanes16":
        if (imm.length !== 16) throw new Error(`wasm emit: ${op} needs 16 bytes`);
        for (const x of imm) b.push(Number(x) & 0xff);
        text = kind === "v128" ? "i8x16 " + imm.join(" ") : imm.join(" ");
        break;
    }
    if (b.length > this.maxBytes) throw new CodeTooLarge(`function body over ${this.maxBytes} bytes`);
    if (op === "end" || op === "else") this.depth--;
    this.lines.push("  ".repeat(Math.max(this.depth, 0)) + op + (text ? " " + text : ""));
    if (kind === "bt" || op === "else") this.depth++;
    return this;
  }

  i32Const(v: number): this {
    return this.op("i32.const", v | 0);
  }

  /** v128.const from four float32 lanes (listed as such). */
  f32x4(v: readonly number[]): this {
    return this.v128(v128Const("f32x4", v));
  }
  i32x4(v: readonly number[]): this {
    return this.v128(v128Const("i32x4", v));
  }
  f64x2(v: readonly number[]): this {
    return this.v128(v128Const("f64x2", v));
  }
  i64x2(v: readonly bigint[]): this {
    return this.v128(v128Const("i64x2", v));
  }
  v128(k: V128Const): this {
    this.bytes.push(0xfd, 0x0c, ...k.bytes); // v128.const = 0xfd 12
    if (this.bytes.length > this.maxBytes) throw new CodeTooLarge(`function body over ${this.maxBytes} bytes`);
    this.lines.push("  ".repeat(this.depth) + "v128.const " + k.text);
    return this;
  }

  /** A comment line in the listing only. */
  comment(s: string): this {
    this.lines.push("  ".repeat(this.depth) + ";; " + s);
    return this;
  }

  localName(i: number): string {
    return "$" + (this.localNames[i] ?? `t${i}`);
  }
}

// ---- modules ----------------------------------------------------------------------------------

export interface FuncType {
  params: readonly ValType[];
  results: readonly ValType[];
}
export interface FuncImport extends FuncType {
  module: string;
  name: string;
}
export interface FuncDef extends FuncType {
  code: Code;
  /** Export name, if exported. */
  export?: string;
}
export interface ModuleDef {
  /** An imported linear memory (index 0). `shared` must match the memory actually passed. */
  memory?: { module: string; name: string; shared?: boolean };
  /** Imported functions take the first function indices, in this order. */
  imports: FuncImport[];
  funcs: FuncDef[];
}

function section(out: number[], id: number, content: readonly number[]): void {
  out.push(id);
  uleb(out, content.length);
  append(out, content);
}
/** out.push(...xs) without the argument-count limit and cost of a spread. */
function append(out: number[], xs: readonly number[]): void {
  for (let i = 0; i < xs.length; i++) out.push(xs[i]);
}

/** Encodes a module: header, then type, import, function, export and code sections. */
export function encodeModule(m: ModuleDef): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Types: deduplicated by signature.
  const types: FuncType[] = [];
  const typeIndex = (t: FuncType): number => {
    const key = (u: FuncType) => u.params.join(",") + ">" + u.results.join(",");
    let i = types.findIndex((u) => key(u) === key(t));
    if (i < 0) i = types.push(t) - 1;
    return i;
  };
  const importTypes = m.imports.map(typeIndex);
  const funcTypes = m.funcs.map(typeIndex);

  const ty: number[] = [];
  uleb(ty, types.length);
  for (const t of types) {
    ty.push(0x60);
    uleb(ty, t.params.length);
    for (const p of t.params) ty.push(VALTYPE[p]);
    uleb(ty, t.results.length);
    for (const r of t.results) ty.push(VALTYPE[r]);
  }
  section(out, 1, ty);

  const im: number[] = [];
  uleb(im, m.imports.length + (m.memory ? 1 : 0));
  m.imports.forEach((f, i) => {
    name(im, f.module);
    name(im, f.name);
    im.push(0x00);
    uleb(im, importTypes[i]);
  });
  if (m.memory) {
    name(im, m.memory.module);
    name(im, m.memory.name);
    im.push(0x02);
    // Limits: min 0 pages; a shared memory must declare a maximum (65536 pages = 4 GiB).
    if (m.memory.shared) im.push(0x03, 0x00, ...uleb4(65536));
    else im.push(0x00, 0x00);
  }
  section(out, 2, im);

  const fn: number[] = [];
  uleb(fn, m.funcs.length);
  for (const t of funcTypes) uleb(fn, t);
  section(out, 3, fn);

  const ex: number[] = [];
  const exported = m.funcs.map((f, i) => [f, i + m.imports.length] as const).filter(([f]) => f.export);
  uleb(ex, exported.length);
  for (const [f, i] of exported) {
    name(ex, f.export!);
    ex.push(0x00);
    uleb(ex, i);
  }
  section(out, 7, ex);

  const co: number[] = [];
  uleb(co, m.funcs.length);
  for (const f of m.funcs) {
    const body: number[] = [];
    // Locals are declared as runs of equal types.
    const runs: [number, ValType][] = [];
    for (const t of f.code.locals) {
      if (runs.length && runs[runs.length - 1][1] === t) runs[runs.length - 1][0]++;
      else runs.push([1, t]);
    }
    uleb(body, runs.length);
    for (const [n, t] of runs) {
      uleb(body, n);
      body.push(VALTYPE[t]);
    }
    append(body, f.code.bytes);
    body.push(0x0b); // the function's final `end`
    uleb(co, body.length);
    append(co, body);
  }
  section(out, 10, co);
  return new Uint8Array(out);
}

function uleb4(v: number): number[] {
  const o: number[] = [];
  uleb(o, v);
  return o;
}

/** A wat-like listing of the module. */
export function listModule(m: ModuleDef): string {
  const lines = ["(module"];
  if (m.memory) lines.push(`  (import "${m.memory.module}" "${m.memory.name}" (memory 0${m.memory.shared ? " 65536 shared" : ""}))`);
  m.imports.forEach((f, i) =>
    lines.push(`  (import "${f.module}" "${f.name}" (func $${f.name} (;${i};) (param ${f.params.join(" ")}) (result ${f.results.join(" ")})))`),
  );
  m.funcs.forEach((f, i) => {
    const c = f.code;
    const params = f.params.map((t, j) => `(param ${c.localName(j)} ${t})`).join(" ");
    const results = f.results.length ? ` (result ${f.results.join(" ")})` : "";
    lines.push(`  (func (;${i + m.imports.length};)${f.export ? ` (export "${f.export}")` : ""} ${params}${results}`);
    // Locals, several to a line.
    for (let j = 0; j < c.locals.length; j += 6)
      lines.push("    " + c.locals.slice(j, j + 6).map((t, k) => `(local ${c.localName(j + k + f.params.length)} ${t})`).join(" "));
    for (const l of c.lines) lines.push("  " + l);
    lines.push("  )");
  });
  lines.push(")");
  return lines.join("\n");
}
