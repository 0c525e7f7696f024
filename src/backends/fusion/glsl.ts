// The WebGL fused kernel: one generated fragment shader per kernel output, run through the
// WebGL backend's compileAndRun. The shader text is a pure function of the program, so tfjs
// caches its compilation.
import * as tf from "@tensorflow/tfjs-core";
import type { FusedProgram, Node } from "./ir.js";

/** WebGL computes in float32 textures: only float and bool programs are generated. */
export const glslSupports = (p: FusedProgram): boolean =>
  p.nodes.every((n) => n.type === "f32" || n.type === "bool") && p.inputs.every((i) => i.type === "f32" || i.type === "bool") && p.shape.length <= 6;

const lit = (v: number): string => {
  if (Number.isNaN(v)) return "(0.0/0.0)";
  if (v === Infinity) return "(1.0/0.0)";
  if (v === -Infinity) return "(-1.0/0.0)";
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
};

const UNARY: Record<string, (x: string) => string> = {
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round_even: (x) => `roundEven(${x})`,
  round_away: (x) => `(sign(${x}) * floor(abs(${x}) + 0.5))`,
  exp: (x) => `exp(${x})`,
  exp2: (x) => `exp2(${x})`,
  log: (x) => `log(${x})`,
  log1p: (x) => `log(1.0 + ${x})`,
  expm1: (x) => `(exp(${x}) - 1.0)`,
  sin: (x) => `sin(${x})`,
  cos: (x) => `cos(${x})`,
  tan: (x) => `tan(${x})`,
  tanh: (x) => `tanh(${x})`,
  logistic: (x) => `(1.0 / (1.0 + exp(-${x})))`,
  sqrt: (x) => `sqrt(${x})`,
  rsqrt: (x) => `inversesqrt(${x})`,
  square: (x) => `(${x} * ${x})`,
  not: (x) => `(1.0 - ${x})`,
  is_finite: (x) => `((isnan(${x}) || isinf(${x})) ? 0.0 : 1.0)`,
};
const BINARY: Record<string, (a: string, b: string) => string> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  max: (a, b) => `((isnan(${a}) || isnan(${b})) ? (0.0/0.0) : max(${a}, ${b}))`,
  min: (a, b) => `((isnan(${a}) || isnan(${b})) ? (0.0/0.0) : min(${a}, ${b}))`,
  pow: (a, b) => `tfjax_pow(${a}, ${b})`,
  atan2: (a, b) => `atan(${a}, ${b})`,
};
const CMP: Record<string, string> = { eq: "==", ne: "!=", lt: "<", le: "<=", gt: ">", ge: ">=" };

function expr(n: Node, v: (i: number) => string): string {
  switch (n.op) {
    case "input":
      return `in${n.index}`;
    case "const":
      return lit(n.value);
    case "unary":
      return UNARY[n.fn](v(n.a));
    case "binary":
      return BINARY[n.fn](v(n.a), v(n.b));
    case "compare":
      return `((${v(n.a)} ${CMP[n.fn]} ${v(n.b)}) ? 1.0 : 0.0)`;
    case "select":
      return `(${v(n.c)} != 0.0 ? ${v(n.t)} : ${v(n.f)})`;
    case "convert":
      return n.type === "bool" ? `(${v(n.a)} != 0.0 ? 1.0 : 0.0)` : v(n.a);
    case "integer_pow": {
      if (n.y === 0) return "1.0";
      let acc = "";
      let base = v(n.a);
      let y = Math.abs(n.y);
      while (y > 0) {
        if (y & 1) acc = acc ? `(${acc} * ${base})` : base;
        y >>= 1;
        if (y > 0) base = `(${base} * ${base})`;
      }
      return n.y < 0 ? `(1.0 / ${acc})` : acc;
    }
  }
}

/** The shape each input is viewed with: the output's rank, 1 where the input is broadcast. */
export const expandedShape = (p: FusedProgram, i: number): number[] => p.shape.map((d, k) => (p.inputs[i].strides[k] === 0 ? 1 : d));

/** Shader source computing output `out` of the program. */
export function glslSource(p: FusedProgram, out: number): string {
  const rank = p.shape.length;
  const coordType = rank === 0 ? "int" : rank === 1 ? "int" : rank <= 4 ? `ivec${rank}` : `ivec${rank}`;
  const c = (k: number) => (rank === 1 ? "coords" : rank <= 4 ? `coords.${"xyzw"[k]}` : `coords.${"xyzw"[k]}`);
  const lines: string[] = [];
  lines.push("float tfjax_pow(float a, float b) { return (a == 1.0 || b == 0.0) ? 1.0 : (a < 0.0 && floor(b) == b) ? (mod(b, 2.0) == 0.0 ? pow(-a, b) : -pow(-a, b)) : pow(a, b); }");
  lines.push("void main() {");
  if (rank > 0) lines.push(`  ${coordType} coords = getOutputCoords();`);
  p.inputs.forEach((inp, i) => {
    const exp = expandedShape(p, i);
    const idx = exp.map((d, k) => (d === 1 ? "0" : c(k)));
    const read = rank === 0 || inp.strides.every((s) => s === 0) ? `getIn${i}(${rank === 0 ? "" : exp.map(() => "0").join(", ")})` : `getIn${i}(${idx.join(", ")})`;
    lines.push(`  float in${i} = ${read};`);
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
    if (need.has(i)) lines.push(`  float v${i} = ${expr(n, v)};`);
  });
  lines.push(`  setOutput(v${p.outputs[out]});`, "}");
  return lines.join("\n");
}

interface WebGLBackendLike {
  compileAndRun(program: object, inputs: tf.TensorInfo[]): tf.TensorInfo;
}

/** Runs every output's shader; inputs are viewed at the output's rank (reshapes are free). */
export function runGlsl(p: FusedProgram, sources: string[], inputs: tf.Tensor[]): tf.Tensor[] {
  const backend = tf.backend() as unknown as WebGLBackendLike;
  const views = inputs.map((t, i) => (p.shape.length === 0 ? t : tf.reshape(t, expandedShape(p, i))));
  try {
    return sources.map((userCode, o) => {
      const program = {
        variableNames: p.inputs.map((_, i) => `in${i}`),
        outputShape: p.shape,
        userCode,
        outputDtype: p.nodes[p.outputs[o]].type === "bool" ? "bool" : "float32",
      };
      const info = backend.compileAndRun(program, views);
      return tf.engine().makeTensorFromTensorInfo(info);
    });
  } finally {
    views.forEach((t, i) => t !== inputs[i] && t.dispose());
  }
}
