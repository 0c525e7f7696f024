// The WebGL fused kernel: one generated fragment shader per kernel output, run through the
// WebGL backend's compileAndRun. The shader text is a pure function of the program, so tfjs
// caches its compilation.
//
// Values are typed in the shader: float32 and bool (0.0 / 1.0) as float, int32 as int, uint32 as
// uint, so bit operations and the threefry hash are exact integer arithmetic (WebGL 2). Only
// float and bool values cross textures: tfjs keeps integers in float textures, exact below 2^24
// only, so integer inputs and outputs are left to the other paths. PRNG keys are read on the host
// (where tfjax keeps them) and passed as ivec2 uniforms, so random bits are computed and turned
// into floats in one shader without their words ever being stored as floats.
import * as tf from "@tensorflow/tfjs-core";
import type { FusedProgram, Node, ScalarType } from "./ir.js";
import { hasRandomBits, rowMajorStrides } from "./ir.js";
import { GLSL_ERF_INV, GLSL_FMA, GLSL_ONE, GLSL_POW, GLSL_TAN, GLSL_XLA_MATH, glslFloat } from "./glsl_math.js";
import { KS_PARITY, THREEFRY_STEPS, legacyHalf } from "./threefry_steps.js";
import { orderedReduction, sumSource } from "./sum_order.js";

const stored = (t: ScalarType) => t === "f32" || t === "bool";

/** Float and bool inputs (or keys) and outputs, integers only inside; WebGL 2 for integer code. */
export const glslSupports = (p: FusedProgram): boolean =>
  p.outputs.every((o) => stored(p.nodes[o].type)) &&
  p.inputs.every((i) => i.key || stored(i.type)) &&
  p.shape.length <= 6 &&
  (p.nodes.every((n) => stored(n.type)) || tf.env().getNumber("WEBGL_VERSION") === 2) &&
  p.nodes.every((n) => n.op !== "integer_pow" || n.type === "f32");

const GLSL_TYPE: Record<ScalarType, string> = { f32: "float", bool: "float", i32: "int", u32: "uint" };

function lit(v: number, t: ScalarType): string {
  if (t === "u32") return `${v >>> 0}u`;
  if (t === "i32") return (v | 0) === -2147483648 ? "(-2147483647 - 1)" : String(v | 0);
  if (t === "bool") return v ? "1.0" : "0.0";
  return glslFloat(v);
}

const UNARY: Record<string, (x: string) => string> = {
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round_even: (x) => `roundEven(${x})`,
  round_away: (x) => `(sign(${x}) * floor(abs(${x}) + 0.5))`,
  exp: (x) => `tfjax_exp(${x})`,
  exp2: (x) => `exp2(${x})`,
  log: (x) => `tfjax_log(${x})`,
  log1p: (x) => `tfjax_log1p(${x})`,
  expm1: (x) => `(exp(${x}) - 1.0)`,
  sin: (x) => `sin(${x})`,
  cos: (x) => `cos(${x})`,
  tan: (x) => `tfjax_tan(${x})`,
  tanh: (x) => `tanh(${x})`,
  logistic: (x) => `(1.0 / (1.0 + exp(-${x})))`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `inversesqrt(${x})`,
  square: (x) => `(${x} * ${x})`,
  is_finite: (x) => `((isnan(${x}) || isinf(${x})) ? 0.0 : 1.0)`,
  erf_inv: (x) => `tfjax_erf_inv(${x})`,
};
const BINARY: Record<string, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `((isnan(${a}) || isnan(${b})) ? (0.0/0.0) : max(${a}, ${b}))`,
  min: (a, b) => `((isnan(${a}) || isnan(${b})) ? (0.0/0.0) : min(${a}, ${b}))`,
  pow: (a, b) => `tfjax_powf(${a}, ${b})`,
  atan2: (a, b) => `atan(${a}, ${b})`,
};
/** Bit operations on bools held as 0.0 / 1.0. */
const BOOL_BINARY: Record<string, (a: string, b: string) => string> = {
  and: (a, b) => `(${a} * ${b})`,
  or: (a, b) => `max(${a}, ${b})`,
  xor: (a, b) => `abs(${a} - ${b})`,
};
const CMP: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

/** XLA's shifts on int/uint: amounts of 32 or more (as unsigned) give 0, or the sign (arithmetic). */
function shift(fn: string, x: string, y: string, t: ScalarType): string {
  const amount = t === "u32" ? y : `uint(${y})`;
  const zero = t === "u32" ? "0u" : "0";
  if (fn === "shift_left") return `(${amount} >= 32u ? ${zero} : ${x} << ${amount})`;
  if (fn === "shift_right_logical") return t === "u32" ? `(${amount} >= 32u ? 0u : ${x} >> ${amount})` : `(${amount} >= 32u ? 0 : int(uint(${x}) >> ${amount}))`;
  return t === "u32" ? `uint(int(${x}) >> min(${amount}, 31u))` : `(${x} >> min(${amount}, 31u))`;
}

/** convert_element_type with XLA's semantics (float -> int truncates, saturates, NaN -> 0). */
function convert(x: string, from: ScalarType, to: ScalarType): string {
  if (from === to || (stored(from) && to === "f32")) return x;
  if (to === "bool") return `(${x} != ${lit(0, from)} ? 1.0 : 0.0)`;
  if (to === "f32") return `float(${x})`;
  if (from === "bool") return `${GLSL_TYPE[to]}(${x})`;
  if (from === "f32" && to === "i32") return `(isnan(${x}) ? 0 : ${x} >= 2147483647.0 ? 2147483647 : ${x} <= -2147483648.0 ? (-2147483647 - 1) : int(${x}))`;
  if (from === "f32") return `((isnan(${x}) || ${x} <= 0.0) ? 0u : ${x} >= 4294967295.0 ? 4294967295u : uint(${x}))`;
  return `${GLSL_TYPE[to]}(${x})`; // int <-> uint: the same bits
}

function bitcast(x: string, from: ScalarType, to: ScalarType): string {
  if (from === to) return x;
  if (to === "f32") return from === "u32" ? `uintBitsToFloat(${x})` : `intBitsToFloat(${x})`;
  if (from === "f32") return to === "u32" ? `floatBitsToUint(${x})` : `floatBitsToInt(${x})`;
  return `${GLSL_TYPE[to]}(${x})`;
}

function expr(n: Node, v: (i: number) => string, ty: (i: number) => ScalarType): string {
  switch (n.op) {
    case "input":
      return `in${n.index}`;
    case "const":
      return lit(n.value, n.type);
    case "unary":
      if (n.fn === "not") return n.type === "bool" ? `(1.0 - ${v(n.a)})` : `(~${v(n.a)})`;
      if (n.type !== "f32" && n.type !== "bool") throw new Error(`glsl: ${n.fn} on ${n.type}`);
      return UNARY[n.fn](v(n.a));
    case "binary":
      if (n.fn.startsWith("shift_")) return shift(n.fn, v(n.a), v(n.b), n.type);
      if (n.type === "bool" && n.fn in BOOL_BINARY) return BOOL_BINARY[n.fn](v(n.a), v(n.b));
      if (n.fn === "and" || n.fn === "or" || n.fn === "xor") return `(${v(n.a)} ${{ and: "&", or: "|", xor: "^" }[n.fn]} ${v(n.b)})`;
      return BINARY[n.fn](v(n.a), v(n.b));
    case "compare":
      return `((${v(n.a)} ${CMP[n.fn]} ${v(n.b)}) ? 1.0 : 0.0)`;
    case "select":
      return `(${v(n.c)} != 0.0 ? ${v(n.t)} : ${v(n.f)})`;
    case "fma":
      return `tfjax_fma(${v(n.a)}, ${v(n.b)}, ${v(n.c)})`;
    case "convert":
      return convert(v(n.a), ty(n.a), n.type);
    case "bitcast":
      return bitcast(v(n.a), n.from, n.type);
    case "random_bits":
      throw new Error("glsl: random_bits is a statement (see randomBits)");
    case "integer_pow":
      throw new Error("glsl: integer_pow is a statement (see integerPow)");
  }
}

/**
 * Statements computing integer_pow node `i` (float32 only, see glslSupports): binary
 * exponentiation, each square and partial product bound once (as one expression its operand
 * would appear ~|y| times).
 */
function integerPow(n: Extract<Node, { op: "integer_pow" }>, i: number): string[] {
  if (n.y === 0) return [`float v${i} = 1.0;`];
  const lines: string[] = [];
  let acc = "";
  let base = `v${n.a}`;
  for (let y = Math.abs(n.y), k = 0; y > 0; k++) {
    if (y & 1) acc = acc ? (lines.push(`float p${i}_${k} = ${acc} * ${base};`), `p${i}_${k}`) : base;
    y >>= 1;
    if (y > 0) base = (lines.push(`float s${i}_${k} = ${base} * ${base};`), `s${i}_${k}`);
  }
  lines.push(`float v${i} = ${n.y < 0 ? `1.0 / ${acc}` : acc};`);
  return lines;
}

/** Statements computing random_bits node `i` (threefry_steps.ts) for the element at `idx`. */
function randomBits(n: Extract<Node, { op: "random_bits" }>, i: number): string[] {
  const ks = [0, 1, 2].map((w) => `k${n.key}_${w}`);
  const [a, b] = [`a${i}`, `b${i}`];
  const lines: string[] = [];
  if (n.partitionable) lines.push(`uint ${a} = ${ks[0]}, ${b} = idx + ${ks[1]};`);
  else {
    const half = legacyHalf(n.size);
    lines.push(`uint j${i} = idx < ${half}u ? idx : idx - ${half}u;`);
    lines.push(`uint ${a} = j${i} + ${ks[0]}, ${b} = (j${i} + ${half}u < ${n.size}u ? j${i} + ${half}u : 0u) + ${ks[1]};`);
  }
  for (const s of THREEFRY_STEPS) {
    if (s.kind === "mix") lines.push(`${a} += ${b}; ${b} = ((${b} << ${s.rot}u) | (${b} >> ${32 - s.rot}u)) ^ ${a};`);
    else lines.push(`${a} += ${ks[s.a]}; ${b} += ${ks[s.b]} + ${s.add}u;`);
  }
  lines.push(`uint v${i} = ${n.partitionable ? `${a} ^ ${b}` : `idx < ${legacyHalf(n.size)}u ? ${a} : ${b}`};`);
  return lines;
}

/** The shape each input is viewed with: the output's rank, 1 where the input is broadcast. */
export const expandedShape = (p: FusedProgram, i: number): number[] => p.shape.map((d, k) => (p.inputs[i].strides[k] === 0 ? 1 : d));

const usesErfInv = (p: FusedProgram) => p.nodes.some((n) => n.op === "unary" && n.fn === "erf_inv");
/** erf_inv, exp, log and log1p are XLA's float32 functions (glsl_math.ts GLSL_XLA_MATH). */
const usesXlaMath = (p: FusedProgram) => p.nodes.some((n) => n.op === "unary" && n.type === "f32" && ["exp", "log", "log1p", "erf_inv"].includes(n.fn));
/** tan is glibc's tanf (glsl_math.ts GLSL_TAN). */
const usesTan = (p: FusedProgram) => p.nodes.some((n) => n.op === "unary" && n.fn === "tan");
/** pow is glibc's powf (glsl_math.ts GLSL_POW). */
const usesPow = (p: FusedProgram) => p.nodes.some((n) => n.op === "binary" && n.fn === "pow");
const usesFma = (p: FusedProgram) => usesXlaMath(p) || usesTan(p) || usesPow(p) || p.nodes.some((n) => n.op === "fma") || orderedGlslReduction(p)?.product != null;

/**
 * The program's uniforms and their values: an ivec2 of key words (two's complement) per key
 * input, and for fma (erf_inv's too) a 1.0 the shader compiler cannot fold (glsl_math.ts).
 */
function uniforms(p: FusedProgram, inputs: tf.Tensor[]): { decls: { name: string; type: "ivec2" | "float" }[]; values: number[][] } {
  const decls: { name: string; type: "ivec2" | "float" }[] = [];
  const values: number[][] = [];
  p.inputs.forEach((inp, i) => {
    if (!inp.key) return;
    decls.push({ name: `key${i}`, type: "ivec2" });
    values.push(Array.from(inputs[i].dataSync() as Int32Array, (w) => w | 0));
  });
  if (usesFma(p)) {
    decls.push({ name: GLSL_ONE, type: "float" });
    values.push([1]);
  }
  return { decls, values };
}

/** Shader source computing output `out` of the program (its reduction, if `ordered`). */
export function glslSource(p: FusedProgram, out: number): string {
  const rank = p.shape.length;
  const ordered = orderedGlslReduction(p);
  const lines = helpers(p);
  if (!ordered) {
    lines.push("void main() {");
    if (rank > 0) lines.push(`  ${coordType(rank)} coords = getOutputCoords();`);
    lines.push(...body(p, out).map((l) => "  " + l), `  setOutput(v${p.outputs[out]});`, "}");
    return lines.join("\n");
  }
  // A row sum in XLA's order (sum_order.ts): the summand of element (coords..., j) as a function,
  // called for each j of the row, then added up in that order (a product contracted into a fold).
  const { k, order, product } = ordered;
  const v = `v${p.outputs[0]}`;
  lines.push(`vec3 tfjax_summand(${coordType(rank)} coords) {`);
  lines.push(...body(p, 0).map((l) => "  " + l));
  lines.push(`  return vec3(${v}, ${product ? `v${product.a}, v${product.b}` : "0.0, 0.0"});`, "}");
  lines.push("void main() {");
  if (rank > 1) lines.push(`  ${coordType(rank - 1)} oc = getOutputCoords();`);
  const full = (j: number) => (rank === 1 ? String(j) : rank === 2 ? `ivec2(oc, ${j})` : `ivec${rank}(oc, ${j})`);
  for (let j = 0; j < k; j++) lines.push(`  vec3 t${j} = tfjax_summand(${full(j)});`);
  const total = sumSource(k, order, (j) => `t${j}.x`, product ? (j, c) => `tfjax_fma(t${j}.y, t${j}.z, ${c})` : undefined, (s) => `(${s})`);
  lines.push(`  setOutput(${total});`, "}");
  return lines.join("\n");
}

/** The reduction a shader computes itself (rank up to 4, its last axis), or null (tf.sum's). */
export function orderedGlslReduction(p: FusedProgram): ReturnType<typeof orderedReduction> {
  return p.shape.length <= 4 ? orderedReduction(p) : null;
}

/** tfjs's type of output coordinates of a rank (ivec5 and ivec6 are structs with x y z w u v). */
const coordType = (rank: number) => (rank <= 1 ? "int" : `ivec${rank}`);

/** The helper functions a program's shader needs. */
function helpers(p: FusedProgram): string[] {
  const lines: string[] = ["// tfjax fused kernel"];
  if (usesFma(p)) lines.push(GLSL_FMA);
  if (usesXlaMath(p)) lines.push(GLSL_XLA_MATH);
  if (usesErfInv(p)) lines.push(GLSL_ERF_INV);
  if (usesTan(p)) lines.push(GLSL_TAN);
  if (usesPow(p)) lines.push(GLSL_POW);
  return lines;
}

/** Statements computing the values output `out` needs, for the element at `coords`. */
function body(p: FusedProgram, out: number): string[] {
  const rank = p.shape.length;
  const c = (k: number) => (rank === 1 ? "coords" : `coords.${"xyzwuv"[k]}`);
  const ty = (i: number) => p.nodes[i].type;
  const lines: string[] = [];
  if (hasRandomBits(p)) {
    // The element's row-major index: the counter of random_bits.
    const strides = rowMajorStrides(p.shape);
    lines.push(`uint idx = uint(${p.shape.map((_, k) => `${c(k)} * ${strides[k]}`).join(" + ") || "0"});`);
  }
  p.inputs.forEach((inp, i) => {
    if (inp.key) {
      lines.push(`uint k${i}_0 = uint(key${i}.x), k${i}_1 = uint(key${i}.y), k${i}_2 = k${i}_0 ^ k${i}_1 ^ ${KS_PARITY}u;`);
      return;
    }
    const exp = expandedShape(p, i);
    const idx = exp.map((d, k) => (d === 1 ? "0" : c(k)));
    const read = rank === 0 || inp.strides.every((s) => s === 0) ? `getIn${i}(${rank === 0 ? "" : exp.map(() => "0").join(", ")})` : `getIn${i}(${idx.join(", ")})`;
    lines.push(`float in${i} = ${read};`);
  });
  const v = (i: number) => `v${i}`;
  // Only the nodes this output needs.
  const need = new Set<number>();
  const visit = (i: number) => {
    if (need.has(i)) return;
    need.add(i);
    const n = p.nodes[i];
    for (const k of ["a", "b", "c", "t", "f"] as const) if (k in n) visit((n as unknown as Record<string, number>)[k]);
  };
  visit(p.outputs[out]);
  p.nodes.forEach((n, i) => {
    if (!need.has(i)) return;
    if (n.op === "random_bits") lines.push(...randomBits(n, i));
    else if (n.op === "integer_pow") lines.push(...integerPow(n, i));
    else lines.push(`${GLSL_TYPE[n.type]} v${i} = ${expr(n, v, ty)};`);
  });
  return lines;
}

interface WebGLBackendLike {
  compileAndRun(program: object, inputs: tf.TensorInfo[], outputDtype?: tf.DataType, customUniformValues?: number[][]): tf.TensorInfo;
}

/**
 * Runs every output's shader; inputs are viewed at the output's rank (reshapes are free). Key
 * inputs are read on the host (dataSync of a key tensor that never left the CPU is exact) and
 * passed as uniforms.
 */
export function runGlsl(p: FusedProgram, sources: string[], inputs: tf.Tensor[], outputShape: number[] = p.shape): tf.Tensor[] {
  const backend = tf.backend() as unknown as WebGLBackendLike;
  const textures = p.inputs.map((inp, i) => (inp.key ? -1 : i)).filter((i) => i >= 0);
  const views = textures.map((i) => (p.shape.length === 0 ? inputs[i] : tf.reshape(inputs[i], expandedShape(p, i))));
  const { decls: customUniforms, values: uniformValues } = uniforms(p, inputs);
  try {
    return sources.map((userCode, o) => {
      const outputDtype = p.nodes[p.outputs[o]].type === "bool" ? "bool" : "float32";
      const program = {
        variableNames: textures.map((i) => `in${i}`),
        outputShape,
        userCode,
        outputDtype,
        ...(customUniforms.length ? { customUniforms } : {}),
      };
      // The output dtype is explicit: a kernel of random bits may have no texture inputs at all.
      const info = backend.compileAndRun(program, views, outputDtype, customUniforms.length ? uniformValues : undefined);
      return tf.engine().makeTensorFromTensorInfo(info);
    });
  } finally {
    views.forEach((t, k) => t !== inputs[textures[k]] && t.dispose());
  }
}
