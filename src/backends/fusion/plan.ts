// Fusion planning: partition a flat jaxpr into maximal groups of elementwise equations over one
// iteration space, each of which becomes one generated kernel. A group is emitted as a single
// step where its first outside consumer needs it, so grouping never creates a cycle.
import { type Atom, type Jaxpr, type JaxprEqn, Literal, Var } from "../../jaxpr/jaxpr.js";
import type { ShapedArray } from "../../jaxpr/aval.js";
import { type DType, isKey } from "../../dtypes.js";
import { config } from "../../config.js";
import { divByReciprocal } from "../../lax/special.js";
import { xlaSumOrder } from "./sum_order.js";
import { type FusedProgram, type Node, type ScalarType, type UnaryFn, type BinaryFn, type CompareFn, rowMajorStrides } from "./ir.js";

const UNARY: Record<string, UnaryFn> = {
  neg: "neg", abs: "abs", sign: "sign", floor: "floor", ceil: "ceil", exp: "exp", exp2: "exp2", log: "log",
  log1p: "log1p", expm1: "expm1", sin: "sin", cos: "cos", tan: "tan", tanh: "tanh", logistic: "logistic",
  sqrt: "sqrt", rsqrt: "rsqrt", square: "square", is_finite: "is_finite", not: "not", erf_inv: "erf_inv",
};
const BINARY: Record<string, BinaryFn> = {
  add: "add", sub: "sub", mul: "mul", div: "div", max: "max", min: "min", pow: "pow", atan2: "atan2",
  and: "and", or: "or", xor: "xor",
  shift_left: "shift_left", shift_right_logical: "shift_right_logical", shift_right_arithmetic: "shift_right_arithmetic",
};
/** Bit operations: exact on int32/uint32 (and bool for the logical ones) in every generator. */
const BITWISE = new Set(["and", "or", "xor", "not"]);
const SHIFTS = new Set(["shift_left", "shift_right_logical", "shift_right_arithmetic"]);
const COMPARE: Record<string, CompareFn> = { eq: "eq", ne: "ne", lt: "lt", le: "le", gt: "gt", ge: "ge" };

/** The most equations one fused kernel takes (compile time grows with kernel size). */
const MAX_GROUP = 64;

const scalarType = (d: DType): ScalarType | null =>
  d === "float32" ? "f32" : d === "int32" ? "i32" : d === "uint32" ? "u32" : d === "bool" ? "bool" : null;

/** Names of the primitives a kernel program can hold (a cheap first test before fusible()). */
export const ELEMENTWISE = new Set([
  ...Object.keys(UNARY), ...Object.keys(BINARY), ...Object.keys(COMPARE),
  "integer_pow", "round", "select_n", "convert_element_type", "stop_gradient", "copy", "bitcast_convert_type",
]);

/**
 * Float arithmetic, bit operations and random_bits: integer arithmetic keeps tfjax's exact host
 * kernels (wraparound, C division), while bit operations are exact everywhere.
 */
function fusible(e: JaxprEqn): boolean {
  const name = e.primitive.name;
  // A source node: the hash of one key over the element index (typed scalar keys, 32-bit words).
  if (name === "random_bits") return isKey(e.inputs[0].aval.dtype) && e.inputs[0].aval.ndim === 0 && e.params.bit_width === 32;
  const types = [...e.inputs.map((a) => a.aval.dtype), ...e.outBinders.map((v) => v.aval.dtype)];
  if (types.some((t) => scalarType(t) === null)) return false;
  const int = (a: Atom) => a.aval.dtype === "int32" || a.aval.dtype === "uint32";
  if (BITWISE.has(name)) return e.inputs.every((a) => int(a) || a.aval.dtype === "bool");
  if (SHIFTS.has(name)) return e.inputs.every(int);
  if (name === "bitcast_convert_type") return true;
  const allFloatOperands = e.inputs.every((a) => a.aval.dtype === "float32");
  if (name in UNARY || name in BINARY) return allFloatOperands && !(name === "pow" && e.inputs[1].aval.dtype !== "float32");
  if (name in COMPARE) return true;
  if (name === "integer_pow") return allFloatOperands;
  if (name === "round") return allFloatOperands;
  if (name === "select_n") return e.inputs.length === 3 && e.inputs[0].aval.dtype === "bool";
  if (name === "convert_element_type") return true;
  if (name === "broadcast_in_dim") return true;
  if (name === "stop_gradient" || name === "copy") return true;
  return false;
}

export interface FusionGroup {
  eqns: JaxprEqn[];
  /** Values the group reads from outside (vars, or literals of rank 0). */
  inputs: Atom[];
  /** Member values needed outside the group, in program order. */
  outputs: Var[];
  program: FusedProgram;
}

export type PlanItem = { kind: "eqn"; eqn: JaxprEqn } | { kind: "group"; group: FusionGroup };

/**
 * Orders the jaxpr's equations into plain steps and fused groups. A group is emitted when its
 * first outside consumer appears (or at the end), so its outside inputs are all computed by
 * then and its consumers come after it. Groups with fewer than two compute ops stay plain.
 */
export function planFusion(jaxpr: Jaxpr): PlanItem[] {
  interface G {
    id: number;
    shape: string;
    members: JaxprEqn[];
    open: boolean;
    /** A float32 reduce_sum of a member that nothing else reads, computed inside the kernel. */
    epilogue?: JaxprEqn;
  }
  // Who reads each value, to tell when a reduction is a member value's only consumer.
  const readers = new Map<Var, JaxprEqn[]>();
  for (const e of jaxpr.eqns) for (const a of e.inputs) if (a instanceof Var) readers.set(a, [...(readers.get(a) ?? []), e]);
  const isOutvar = new Set<Atom>(jaxpr.outvars);
  const position = new Map<JaxprEqn, number>(jaxpr.eqns.map((e, i) => [e, i]));
  const groupOf = new Map<Var, G>();
  const pending = new Set<G>(); // open groups
  let nextId = 0;
  const order: (JaxprEqn | G)[] = [];
  const emit = (g: G) => {
    if (!g.open) return;
    g.open = false;
    pending.delete(g);
    order.push(g);
  };

  for (const e of jaxpr.eqns) {
    const outShape = e.outBinders[0]?.aval.shape.join(",");
    const producers = new Set<G>();
    for (const a of e.inputs) if (a instanceof Var && groupOf.has(a)) producers.add(groupOf.get(a)!);
    if (e.primitive.name === "reduce_sum" && e.inputs[0] instanceof Var && e.inputs[0].aval.dtype === "float32" && producers.size === 1) {
      const g = [...producers][0];
      if (g.open && g.shape === e.inputs[0].aval.shape.join(",") && onlyReadInside(g, e)) {
        g.epilogue = e;
        emit(g);
        continue;
      }
    }
    if (!fusible(e) || e.outBinders.length !== 1) {
      for (const g of producers) emit(g);
      order.push(e);
      continue;
    }
    // broadcast_in_dim can only read an operand from outside its group (it re-indexes it),
    // unless the operand is a scalar, which broadcasts for free.
    const isBroadcast = e.primitive.name === "broadcast_in_dim";
    // Groups are capped: one huge generated function costs more to compile than it saves.
    const candidates = [...producers].filter(
      (g) => g.open && g.shape === outShape && (!isBroadcast || e.inputs[0].aval.ndim === 0) && g.members.length < MAX_GROUP,
    );
    for (const g of producers) if (!candidates.includes(g)) emit(g);
    let target: G;
    if (candidates.length === 0) {
      target = { id: nextId++, shape: outShape, members: [], open: true };
      pending.add(target);
    } else {
      // Merge every open producer group of this shape into the oldest one.
      candidates.sort((a, b) => a.id - b.id);
      target = candidates[0];
      for (const g of candidates.slice(1)) {
        for (const m of g.members) {
          target.members.push(m);
          groupOf.set(m.outBinders[0], target);
        }
        g.open = false;
        pending.delete(g);
      }
      // Members must stay in program order: a merged member may precede later ones.
      target.members.sort((a, b) => position.get(a)! - position.get(b)!);
    }
    target.members.push(e);
    groupOf.set(e.outBinders[0], target);
  }
  for (const g of [...pending].sort((a, b) => a.id - b.id)) emit(g);

  /** True when every member value is read only by members, except the reduction's operand. */
  function onlyReadInside(g: G, reduce: JaxprEqn): boolean {
    const members = new Set(g.members);
    return g.members.every((m) =>
      m.outBinders.every((v) => !isOutvar.has(v) && (readers.get(v) ?? []).every((r) => members.has(r) || (r === reduce && v === reduce.inputs[0]))),
    );
  }

  const items: PlanItem[] = [];
  const usedOutside = usesOutside(jaxpr, groupOf);
  for (const x of order) {
    if (!("members" in x)) {
      items.push({ kind: "eqn", eqn: x });
      continue;
    }
    const compute = x.members.filter((e) => e.primitive.name !== "broadcast_in_dim");
    const group = compute.length + (x.epilogue ? 1 : 0) >= 2 ? buildGroup(x.members, usedOutside, x.epilogue) : null;
    if (group) items.push({ kind: "group", group });
    else for (const e of [...x.members, ...(x.epilogue ? [x.epilogue] : [])]) items.push({ kind: "eqn", eqn: e });
  }
  return items;
}

function usesOutside(jaxpr: Jaxpr, groupOf: Map<Var, { members: JaxprEqn[] }>): Set<Var> {
  const out = new Set<Var>();
  const groupOfEqn = new Map<JaxprEqn, object>();
  for (const g of new Set(groupOf.values())) for (const m of g.members) groupOfEqn.set(m, g);
  for (const e of jaxpr.eqns) {
    for (const a of e.inputs) {
      if (!(a instanceof Var) || !groupOf.has(a)) continue;
      if (groupOfEqn.get(e) !== groupOf.get(a)) out.add(a);
    }
  }
  for (const a of jaxpr.outvars) if (a instanceof Var && groupOf.has(a)) out.add(a);
  return out;
}

/** Lowers a group's equations to the kernel IR. */
function buildGroup(members: JaxprEqn[], usedOutside: Set<Var>, epilogue?: JaxprEqn): FusionGroup | null {
  const shape = [...members[members.length - 1].outBinders[0].aval.shape];
  const nodes: Node[] = [];
  const inputs: Atom[] = [];
  const inputMeta: FusedProgram["inputs"] = [];
  const valueOf = new Map<Var, number>();
  const inputIndex = new Map<Var, number>();
  const memberOut = new Set<Var>(members.map((e) => e.outBinders[0]));

  const keyInputs = new Map<Var, number>();
  /** A key<fry>[] value: one key input per key, its words read once (see ir.ts Input.key). */
  const keyInput = (a: Var): number => {
    let index = keyInputs.get(a);
    if (index === undefined) {
      index = inputs.push(a) - 1;
      keyInputs.set(a, index);
      inputMeta.push({ shape: [], strides: shape.map(() => 0), type: "u32", key: true });
    }
    return index;
  };
  const addInput = (a: Var, strides: number[]): number => {
    const key = inputIndex.get(a);
    if (key !== undefined && inputMeta[key].strides.join() === strides.join()) return nodes.push({ op: "input", index: key, type: st(a.aval) }) - 1;
    const index = inputs.length;
    inputs.push(a);
    inputIndex.set(a, index);
    inputMeta.push({ shape: [...a.aval.shape], strides, type: st(a.aval) });
    return nodes.push({ op: "input", index, type: st(a.aval) }) - 1;
  };
  const operand = (a: Atom): number => {
    if (a instanceof Literal) return nodes.push({ op: "const", value: Number(a.val), type: st(a.aval) }) - 1;
    const v = valueOf.get(a);
    if (v !== undefined) return v;
    // An outside value: full-size, or a scalar broadcast to every element.
    if (a.aval.ndim === 0) {
      const n = addInput(a, shape.map(() => 0));
      valueOf.set(a, n);
      return n;
    }
    // Same rank: lax broadcasts size-1 dimensions, which read with stride 0.
    if (a.aval.ndim !== shape.length) throw new Error("fusion: operand rank mismatch");
    const own = rowMajorStrides(a.aval.shape);
    const n = addInput(a, shape.map((d, i) => (a.aval.shape[i] === d ? (d === 1 ? 0 : own[i]) : 0)));
    valueOf.set(a, n);
    return n;
  };

  for (const e of members) {
    const out = e.outBinders[0];
    const type = st(out.aval);
    const name = e.primitive.name;
    let n: number;
    if (name === "broadcast_in_dim") {
      const src = e.inputs[0];
      if (src instanceof Literal || src.aval.ndim === 0) n = operand(src);
      else if (memberOut.has(src)) return null;
      else {
        const bd = e.params.broadcast_dimensions as number[];
        const srcStrides = rowMajorStrides(src.aval.shape);
        const strides = shape.map(() => 0);
        bd.forEach((d, i) => (strides[d] = src.aval.shape[i] === 1 ? 0 : srcStrides[i]));
        n = addInput(src, strides);
      }
    } else if (name in UNARY) n = nodes.push({ op: "unary", fn: UNARY[name], a: operand(e.inputs[0]), type }) - 1;
    else if (name === "div" && type === "f32" && divByReciprocal(e.inputs[1].aval, out.aval)) {
      // XLA's rewrite (see divByReciprocal): a * (1 / b), the reciprocal rounded first.
      const a = operand(e.inputs[0]);
      const one = nodes.push({ op: "const", value: 1, type }) - 1;
      const r = nodes.push({ op: "binary", fn: "div", a: one, b: operand(e.inputs[1]), type }) - 1;
      n = nodes.push({ op: "binary", fn: "mul", a, b: r, type }) - 1;
    } else if (name in BINARY) n = nodes.push({ op: "binary", fn: BINARY[name], a: operand(e.inputs[0]), b: operand(e.inputs[1]), type }) - 1;
    else if (name in COMPARE) n = nodes.push({ op: "compare", fn: COMPARE[name], a: operand(e.inputs[0]), b: operand(e.inputs[1]), type: "bool", operandType: st(e.inputs[0].aval) }) - 1;
    else if (name === "integer_pow") n = nodes.push({ op: "integer_pow", a: operand(e.inputs[0]), y: e.params.y as number, type }) - 1;
    else if (name === "round") n = nodes.push({ op: "unary", fn: e.params.rounding_method === 1 ? "round_even" : "round_away", a: operand(e.inputs[0]), type }) - 1;
    else if (name === "select_n") {
      const [c, f, t] = e.inputs.map(operand);
      n = nodes.push({ op: "select", c, t, f, type }) - 1;
    } else if (name === "convert_element_type") n = nodes.push({ op: "convert", a: operand(e.inputs[0]), type, from: st(e.inputs[0].aval) }) - 1;
    else if (name === "bitcast_convert_type") n = nodes.push({ op: "bitcast", a: operand(e.inputs[0]), type, from: st(e.inputs[0].aval) }) - 1;
    else if (name === "random_bits") {
      if (e.inputs[0] instanceof Literal) return null;
      // The stream mode is the one at planning; kernel.ts re-reads the flag at each run.
      const partitionable = config.read<boolean>("jax_threefry_partitionable");
      const size = partitionable ? 0 : shape.reduce((x, y) => x * y, 1);
      n = nodes.push({ op: "random_bits", key: keyInput(e.inputs[0]), partitionable, size, type: "u32" }) - 1;
    }
    else if (name === "stop_gradient" || name === "copy") n = operand(e.inputs[0]);
    else return null;
    valueOf.set(out, n);
  }
  if (epilogue) {
    // The kernel's single output is the reduction: its operand's node, summed over `axes`.
    const operandNode = valueOf.get(epilogue.inputs[0] as Var)!;
    const axes = [...(epilogue.params.axes as number[])];
    const order = st(epilogue.outBinders[0].aval) === "f32" ? xlaSumOrder(shape, axes) : null;
    const program: FusedProgram = { shape, inputs: inputMeta, nodes, outputs: [operandNode], reduceSum: order ? { axes, order } : { axes } };
    contractUniformScale(program);
    return { eqns: [...members, epilogue], inputs, outputs: [epilogue.outBinders[0]], program };
  }
  const outputs = members.map((e) => e.outBinders[0]).filter((v) => usedOutside.has(v));
  const program: FusedProgram = { shape, inputs: inputMeta, nodes, outputs: outputs.map((v) => valueOf.get(v)!) };
  contractUniformScale(program);
  return { eqns: members, inputs, outputs, program };
}

/**
 * Makes `_uniform`'s scale-and-shift, `floats * (maxval - minval) + minval` with `floats` the
 * [0, 1) float made from random bits (`bitcast(bits | 1.0's exponent) - 1`), one fused
 * multiply-add, as JAX computes it on CPU: XLA's CPU backend lets LLVM contract every float32
 * multiply whose only use is an add into an FMA. tfjax does not contract user arithmetic: its
 * fused kernels equal the optimised jaxpr run op by op bit for bit (test/fusion.test.ts), while
 * in JAX jit(x*y + z) and eager x*y + z differ in the last bit. JAX's samplers are jits even when called eagerly, so
 * this contraction is what JAX draws either way; erf_inv's FMAs live inside its own kernels.
 * The multiply is left in place, unused (code generators skip or optimize it away).
 */
function contractUniformScale(p: FusedProgram): void {
  const uses = p.nodes.map(() => 0);
  for (const n of p.nodes) for (const k of ["a", "b", "c", "t", "f"] as const) if (k in n) uses[(n as unknown as Record<string, number>)[k]]++;
  for (const o of p.outputs) uses[o] += 2; // an output's value is needed as it is
  const at = (i: number) => p.nodes[i];
  /** `bitcast(u32 -> f32) - 1.0`: the uniform [0, 1) float. */
  const isUnitFloat = (i: number) => {
    const n = at(i);
    if (n.op !== "binary" || n.fn !== "sub") return false;
    const [x, one] = [at(n.a), at(n.b)];
    return x.op === "bitcast" && x.from === "u32" && x.type === "f32" && one.op === "const" && one.value === 1;
  };
  p.nodes.forEach((n, i) => {
    if (n.op !== "binary" || n.fn !== "add" || n.type !== "f32") return;
    for (const [m, c] of [[n.a, n.b], [n.b, n.a]]) {
      const mul = at(m);
      if (mul.op !== "binary" || mul.fn !== "mul" || mul.type !== "f32" || uses[m] !== 1) continue;
      const [f, s] = isUnitFloat(mul.a) ? [mul.a, mul.b] : isUnitFloat(mul.b) ? [mul.b, mul.a] : [-1, -1];
      if (f < 0) continue;
      p.nodes[i] = { op: "fma", a: f, b: s, c, type: "f32" };
      return;
    }
  });
}

const st = (a: ShapedArray): ScalarType => scalarType(a.dtype)!;

/**
 * One elementwise equation as a kernel program (for backends whose own kernels fall short, such
 * as tfjs-wasm's transcendental functions and bool/uint32 handling), or null if not elementwise.
 */
export function singleEqnProgram(e: JaxprEqn): FusedProgram | null {
  if (!fusible(e) || e.outBinders.length !== 1 || e.primitive.name === "broadcast_in_dim") return null;
  try {
    return buildGroup([e], new Set(e.outBinders))?.program ?? null;
  } catch {
    return null;
  }
}
