// The portable fused kernel: one generated JavaScript loop over typed arrays. Every float32 op
// is rounded with Math.fround, so results equal tfjs-cpu's op-by-op kernels bit for bit.
import type { FusedProgram, Node, ScalarType } from "./ir.js";
import { hasRandomBits, programKey, rowMajorStrides } from "./ir.js";
import { erfInv32, exp32, fma32, log1p32, log32 } from "../../lax/special.js";
import { powf32, tanf32 } from "../../lax/libm32.js";
import { KS_PARITY, THREEFRY_STEPS, legacyHalf } from "./threefry_steps.js";
import { CACHE_SIZES, LRU } from "../../cache.js";
import { orderedReduction, sumSource } from "./sum_order.js";
import { type BatchedUnary, UNARY_BLOCK, type UnaryBatch, isBatched, unaryBatch } from "./unary_batch.js";

export type HostArray = Float32Array | Int32Array | Uint8Array;
export interface JsKernel {
  run(inputs: HostArray[], outputs: HostArray[]): void;
  source: string;
}

const cache = new LRU<string, JsKernel>("jsloop.kernels", CACHE_SIZES.kernels);

export function compileJsKernel(p: FusedProgram): JsKernel {
  const key = programKey(p);
  let k = cache.get(key);
  if (!k) {
    const source = generate(p);
    type Fn = (m: Math, f: typeof Math.fround, e: typeof erfInv32, fma: typeof fma32, eb: UnaryBatch | null, x: XlaMath, ins: HostArray[], outs: HostArray[]) => void;
    const fn = new Function("M", "F", "E", "FMA", "EB", "X", "ins", "outs", source) as Fn;
    const b = source.includes("EB.") ? batched(p) : -1;
    const eb = b >= 0 ? unaryBatch((p.nodes[b] as Extract<Node, { op: "unary" | "binary" }>).fn as BatchedUnary) : null;
    k = { run: (ins, outs) => fn(Math, Math.fround, erfInv32, fma32, eb, XLA_MATH, ins, outs), source };
    cache.set(key, k);
  }
  return k;
}

/**
 * XLA CPU's float32 exp, log and log1p (lax/special.ts) and the glibc tanf and powf it calls
 * (lax/libm32.ts), as JAX computes them.
 */
const XLA_MATH = { exp: exp32, log: log32, log1p: log1p32, tan: tanf32, pow: powf32 };
type XlaMath = typeof XLA_MATH;

const UNARY: Record<string, (x: string, t: ScalarType) => string> = {
  neg: (x) => `-${x}`,
  abs: (x) => `M.abs(${x})`,
  sign: (x) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : ${x})`,
  floor: (x) => `M.floor(${x})`,
  ceil: (x) => `M.ceil(${x})`,
  round_away: (x) => `(M.sign(${x}) * M.floor(M.abs(${x}) + 0.5) || ${x} * 0)`,
  round_even: (x) => `rne(${x})`,
  exp: (x) => `X.exp(${x})`,
  exp2: (x) => `M.pow(2, ${x})`,
  log: (x) => `X.log(${x})`,
  log1p: (x) => `X.log1p(${x})`,
  expm1: (x) => `M.expm1(${x})`,
  sin: (x) => `M.sin(${x})`,
  cos: (x) => `M.cos(${x})`,
  tan: (x) => `X.tan(${x})`,
  tanh: (x) => `M.tanh(${x})`,
  logistic: (x) => `1 / (1 + M.exp(-${x}))`,
  sqrt: (x) => `M.sqrt(${x})`,
  rsqrt: (x) => `1 / M.sqrt(${x})`,
  square: (x) => `${x} * ${x}`,
  not: (x, t) => (t === "bool" ? `(${x} ? 0 : 1)` : `~${x}`),
  is_finite: (x) => `(Number.isFinite(${x}) ? 1 : 0)`,
  erf_inv: (x) => `E(${x})`,
};
const BINARY: Record<string, (a: string, b: string) => string> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  // XLA's max/min propagate NaN.
  max: (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : M.max(${a}, ${b}))`,
  min: (a, b) => `(${a} !== ${a} || ${b} !== ${b} ? NaN : M.min(${a}, ${b}))`,
  pow: (a, b) => `X.pow(${a}, ${b})`,
  atan2: (a, b) => `M.atan2(${a}, ${b})`,
  // Bit operations on the 32-bit patterns (uint32 values are held as non-negative numbers);
  // shifts by 32 or more give 0 (or the sign, arithmetic), as XLA defines them.
  and: (a, b) => `(${a} & ${b})`,
  or: (a, b) => `(${a} | ${b})`,
  xor: (a, b) => `(${a} ^ ${b})`,
  shift_left: (a, b) => `(${b} >>> 0 >= 32 ? 0 : ${a} << ${b})`,
  shift_right_logical: (a, b) => `(${b} >>> 0 >= 32 ? 0 : ${a} >>> ${b})`,
  shift_right_arithmetic: (a, b) => `(${a} >> M.min(${b} >>> 0, 31))`,
};
const CMP: Record<string, string> = { eq: "===", ne: "!==", lt: "<", le: "<=", gt: ">", ge: ">=" };

function expr(n: Node, v: (i: number) => string): string {
  switch (n.op) {
    case "input":
      return `in${n.index}[o${n.index}]`;
    case "const":
      return Number.isNaN(n.value) ? "NaN" : n.value === Infinity ? "Infinity" : n.value === -Infinity ? "-Infinity" : Object.is(n.value, -0) ? "-0" : String(n.value);
    case "unary":
      return round(UNARY[n.fn](v(n.a), n.type), n.type);
    case "binary":
      return round(BINARY[n.fn](v(n.a), v(n.b)), n.type);
    case "compare":
      return `(${v(n.a)} ${CMP[n.fn]} ${v(n.b)} ? 1 : 0)`;
    case "select":
      return `(${v(n.c)} ? ${v(n.t)} : ${v(n.f)})`;
    case "fma":
      return `FMA(${v(n.a)}, ${v(n.b)}, ${v(n.c)})`;
    case "convert":
      return convert(v(n.a), n.from, n.type);
    case "bitcast":
      return bitcast(v(n.a), n.from, n.type);
    case "random_bits":
      throw new Error("jsloop: random_bits is a statement (see randomBits)");
    case "integer_pow":
      throw new Error("jsloop: integer_pow is statements (see integerPow)");
  }
}

/**
 * The statements computing integer_pow node `i`: binary exponentiation with a rounding per
 * multiply, as XLA lowers integer_pow; each square and partial product is bound once (as one
 * expression its operand would appear ~|y| times).
 */
function integerPow(n: Extract<Node, { op: "integer_pow" }>, i: number): string[] {
  if (n.y === 0) return [`const v${i} = 1;`];
  const lines: string[] = [];
  let acc = "";
  let base = `v${n.a}`;
  for (let y = Math.abs(n.y), k = 0; y > 0; k++) {
    if (y & 1) acc = acc ? (lines.push(`const p${i}_${k} = ${round(`${acc} * ${base}`, n.type)};`), `p${i}_${k}`) : base;
    y >>= 1;
    if (y > 0) base = (lines.push(`const s${i}_${k} = ${round(`${base} * ${base}`, n.type)};`), `s${i}_${k}`);
  }
  lines.push(`const v${i} = ${n.y < 0 ? round(`1 / ${acc}`, n.type) : acc};`);
  return lines;
}

const round = (e: string, t: ScalarType) => (t === "f32" ? `F(${e})` : t === "i32" ? `((${e}) | 0)` : t === "u32" ? `((${e}) >>> 0)` : e);

/**
 * Reinterprets 32 bits through one scratch word (BF/BI/BU share a buffer). Exact except for
 * signaling NaN patterns, which a JS number cannot hold: they come out quiet (bit 22 set).
 */
function bitcast(x: string, from: ScalarType, to: ScalarType): string {
  if (from === to) return x;
  if (from !== "f32" && to !== "f32") return round(x, to);
  if (to === "f32") return `(${from === "u32" ? "BU" : "BI"}[0] = ${x}, BF[0])`;
  return `(BF[0] = ${x}, ${to === "u32" ? "BU" : "BI"}[0])`;
}

/**
 * The statements computing random_bits node `i` for the element with row-major index `idx`:
 * threefry2x32 of its counter pair under the key words kA/kB/kC of input `key` (see
 * threefry_steps.ts for the stream layouts).
 */
function randomBits(n: Extract<Node, { op: "random_bits" }>, i: number, idx: string): string[] {
  const ks = [`kA${n.key}`, `kB${n.key}`, `kC${n.key}`];
  const [a, b] = [`a${i}`, `b${i}`];
  const lines: string[] = [];
  if (n.partitionable) lines.push(`let ${a} = ${ks[0]}, ${b} = (${idx} + ${ks[1]}) | 0;`);
  else {
    const half = legacyHalf(n.size);
    lines.push(`const j${i} = ${idx} < ${half} ? ${idx} : ${idx} - ${half};`);
    lines.push(`let ${a} = (j${i} + ${ks[0]}) | 0, ${b} = ((j${i} + ${half} < ${n.size} ? j${i} + ${half} : 0) + ${ks[1]}) | 0;`);
  }
  for (const s of THREEFRY_STEPS) {
    if (s.kind === "mix") lines.push(`${a} = (${a} + ${b}) | 0; ${b} = ((${b} << ${s.rot}) | (${b} >>> ${32 - s.rot})) ^ ${a};`);
    else lines.push(`${a} = (${a} + ${ks[s.a]}) | 0; ${b} = (${b} + ${ks[s.b]} + ${s.add}) | 0;`);
  }
  lines.push(`const v${i} = ${n.partitionable ? `(${a} ^ ${b}) >>> 0` : `(${idx} < ${legacyHalf(n.size)} ? ${a} : ${b}) >>> 0`};`);
  return lines;
}

function convert(x: string, from: ScalarType, to: ScalarType): string {
  if (from === to) return x;
  // Between int32 and uint32: the same bits, as the other type's number.
  if (to === "u32" && from === "i32") return `(${x} >>> 0)`;
  if (to === "i32" && from === "u32") return `(${x} | 0)`;
  if (to === "bool") return `(${x} !== 0 ? 1 : 0)`;
  if (to === "f32") return `F(${x})`;
  // float -> int: truncate toward zero, saturate, NaN -> 0 (XLA's semantics). uint32 results are
  // stored into int32 storage, which keeps their bits.
  if (from === "f32" && to === "u32") return `(${x} !== ${x} ? 0 : ${x} >= 4294967295 ? 4294967295 : ${x} <= 0 ? 0 : M.trunc(${x}))`;
  if (from === "f32") return `(${x} !== ${x} ? 0 : ${x} >= 2147483647 ? 2147483647 : ${x} <= -2147483648 ? -2147483648 : M.trunc(${x}))`;
  return x;
}

function generate(p: FusedProgram): string {
  const lines: string[] = [];
  lines.push(`const rne = (x) => { const r = M.round(x); return (r - x === 0.5 && r % 2 !== 0) ? r - 1 : r; };`);
  if (p.nodes.some((n) => n.op === "bitcast")) lines.push(`const BF = new Float32Array(1), BI = new Int32Array(BF.buffer), BU = new Uint32Array(BF.buffer);`);
  p.inputs.forEach((inp, i) => {
    lines.push(`const in${i} = ins[${i}];`);
    // A key's two words, and the third word of threefry's key schedule.
    if (inp.key) lines.push(`const kA${i} = in${i}[0] | 0, kB${i} = in${i}[1] | 0, kC${i} = (kA${i} ^ kB${i} ^ ${KS_PARITY}) | 0;`);
  });
  p.outputs.forEach((_, i) => lines.push(`const out${i} = outs[${i}];`));
  // Each node is a `const` in the loop body, so V8 keeps them in registers. `idx` is the
  // element's row-major index (random_bits counts with it).
  const v = (i: number) => `v${i}`;
  const lineOf = (n: Node, i: number, idx: string) =>
    n.op === "random_bits" ? randomBits(n, i, idx) : n.op === "integer_pow" ? integerPow(n, i) : n.op === "input" && p.inputs[n.index].key ? [] : [`const v${i} = ${expr(n, v)};`];
  const nodeLines = (idx: string) => p.nodes.flatMap((n, i) => lineOf(n, i, idx));
  const body: string[] = nodeLines("k");
  p.outputs.forEach((node, i) => body.push(`out${i}[k] = v${node};`));

  const rank = p.shape.length;
  const simple = p.inputs.every((inp) => inp.strides.every((s) => s === 0) || isContiguous(inp.strides, p.shape));
  if (p.reduceSum) {
    // Kept dimensions outside, reduced ones inside, summed in float64 in row-major order: the
    // order and precision of tfjs-cpu's Sum kernel, so the result is the same float32.
    const axes = p.reduceSum.axes;
    const kept = p.shape.map((_, d) => d).filter((d) => !axes.includes(d));
    // Here k counts outputs: the row-major index of an element comes from the loop counters.
    const dims = [...kept, ...axes];
    const strides = rowMajorStrides(p.shape);
    const idx = hasRandomBits(p) ? `(${dims.map((d, level) => `i${level} * ${strides[d]}`).join(" + ") || "0"})` : "k";
    const ordered = orderedReduction(p);
    if (ordered) {
      // XLA CPU's order (sum_order.ts): the row's summands are kept, then added in that order,
      // a product summand contracted into its add (FMA) in a fold.
      const { k, order, product } = ordered;
      lines.push(`const T = new Float64Array(${k}), TA = new Float64Array(${k}), TB = new Float64Array(${k});`);
      const keep = product ? [`T[j] = v${p.outputs[0]}; TA[j] = v${product.a}; TB[j] = v${product.b}; j++;`] : [`T[j++] = v${p.outputs[0]};`];
      const total = sumSource(k, order, (j) => `T[${j}]`, product ? (j, c) => `FMA(TA[${j}], TB[${j}], ${c})` : undefined);
      nest(lines, p, dims, kept.length, nodeLines(idx), [`let j = 0;`], keep, [`out0[k++] = ${total};`]);
    } else nest(lines, p, dims, kept.length, nodeLines(idx), [`let acc = 0;`], [`acc += v${p.outputs[0]};`], [`out0[k++] = acc;`]);
  } else if (simple || rank === 0) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    p.inputs.forEach((inp, i) => lines.push(`let o${i} = 0;`, `const s${i} = ${inp.strides.some((s) => s !== 0) ? 1 : 0};`));
    const e = batched(p);
    if (e >= 0 && n >= 64) {
      // Blocks of UNARY_BLOCK: a loop up to the operands of the first erf_inv/exp/log/log1p/tan/pow,
      // that function of the block at once (unary_batch.ts), then a loop from its result to the
      // outputs. Any other such node stays per element (the same bits).
      const fnode = p.nodes[e] as Extract<Node, { op: "unary" | "binary" }>;
      const operands = fnode.op === "binary" ? [fnode.a, fnode.b] : [fnode.a];
      const feed = operands.map((o, q) => `EB.${q ? "x2" : "x"}[j] = v${o};`);
      const offsets = p.inputs.map((_, i) => `o${i} = k * s${i};`);
      const pass = (live: boolean[]) => p.nodes.flatMap((x, i) => (!live[i] ? [] : i === e ? [`const v${e} = EB.y[j];`] : lineOf(x, i, "k")));
      lines.push(`for (let k0 = 0; k0 < ${n}; k0 += ${UNARY_BLOCK}) {`, `  const m = M.min(${UNARY_BLOCK}, ${n} - k0);`);
      lines.push(`  for (let j = 0; j < m; j++) {`, `    const k = k0 + j;`, ...[...offsets, ...pass(reach(p, operands, -1)), ...feed].map((l) => "    " + l), "  }");
      lines.push(`  EB.run(m);`);
      const stores = p.outputs.map((node, i) => `out${i}[k] = v${node};`);
      lines.push(`  for (let j = 0; j < m; j++) {`, `    const k = k0 + j;`, ...[...offsets, ...pass(reach(p, p.outputs, e)), ...stores].map((l) => "    " + l), "  }", "}");
      return lines.join("\n");
    }
    lines.push(`for (let k = 0; k < ${n}; k++) {`);
    p.inputs.forEach((_, i) => body.unshift(`o${i} = k * s${i};`));
    lines.push(...body.map((l) => "  " + l), "}");
  } else {
    nest(lines, p, p.shape.map((_, d) => d), rank, [...body, "k++;"], [], [], []);
  }
  return lines.join("\n");
}

/**
 * Nested loops over `dims` (in that order), one offset per input advanced by its stride.
 * `before`/`after` run around the innermost `split` loops (the reduction), `inner` in the body.
 */
function nest(lines: string[], p: FusedProgram, dims: number[], split: number, body: string[], before: string[], inner: string[], after: string[]): void {
  p.inputs.forEach((_, i) => lines.push(`let o${i} = 0;`));
  lines.push(`let k = 0;`);
  const pad = (d: number) => "  ".repeat(d);
  dims.forEach((dim, level) => {
    if (level === split) lines.push(...before.map((l) => pad(level) + l));
    p.inputs.forEach((_, i) => lines.push(`${pad(level)}const b${i}_${level} = o${i};`));
    lines.push(`${pad(level)}for (let i${level} = 0; i${level} < ${p.shape[dim]}; i${level}++) {`);
    p.inputs.forEach((inp, i) => lines.push(`${pad(level + 1)}o${i} = b${i}_${level} + i${level} * ${inp.strides[dim]};`));
  });
  if (split === dims.length) lines.push(...before.map((l) => pad(dims.length) + l));
  lines.push(...[...body, ...inner].map((l) => pad(dims.length) + l));
  if (split === dims.length) lines.push(...after.map((l) => pad(dims.length) + l));
  for (let level = dims.length - 1; level >= 0; level--) {
    lines.push(`${pad(level)}}`);
    if (level === split) lines.push(...after.map((l) => pad(level) + l));
  }
}

/** The first float32 erf_inv/exp/log/log1p/tan/pow node a kernel computes a block at a time, or -1. */
function batched(p: FusedProgram): number {
  return p.nodes.findIndex(isBatched);
}

/** Nodes the roots depend on, not looking past node `stop` (-1: none). */
function reach(p: FusedProgram, roots: readonly number[], stop: number): boolean[] {
  const live = p.nodes.map(() => false);
  const stack = [...roots];
  while (stack.length) {
    const i = stack.pop()!;
    if (live[i]) continue;
    live[i] = true;
    const x = p.nodes[i];
    if (i === stop) continue;
    if ("a" in x) stack.push(x.a);
    if ("b" in x) stack.push(x.b);
    if (x.op === "select") stack.push(x.c, x.t, x.f);
    if (x.op === "fma") stack.push(x.c);
  }
  return live;
}

function isContiguous(strides: number[], shape: number[]): boolean {
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== s) return false;
    s *= shape[d];
  }
  return true;
}
