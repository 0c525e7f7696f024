// Random well-typed programs for the differential fuzzer (test/fuzz.test.ts): a small AST over
// the primitive registry, decoded from a list of choices so that fast-check's shrinking of the
// list (shorter, smaller numbers) shrinks the program, and choice 0 is always the simplest. The
// elementwise primitives, their dtypes and params come from the harness's own case table
// (cases.ts); shape-changing operations (jnp reductions, transposes, slices, dots, broadcasting)
// and control flow (nested jit, lax.cond, lax.scan) get their parameters from the shapes.
import type { Array as JaxArray } from "../../src/array/base.js";
import { ArrayImpl, tensorFrom, wrap } from "../../src/array/array.js";
import { ShapedArray } from "../../src/jaxpr/aval.js";
import type { Params } from "../../src/jaxpr/jaxpr.js";
import * as lax from "../../src/lax/lax.js";
import { primitives } from "../../src/lax/primitive.js";
import { dotDimensionNumbers } from "../../src/lax/reductions.js";
import * as jnp from "../../src/numpy/index.js";
import { bind } from "../../src/tracer/core.js";
import { jit } from "../../src/tracer/jit.js";
import { cases, gradSpec } from "./cases.js";
import { rng } from "./grad.js";

export type Dt = "float32" | "int32" | "bool";
export interface Aval {
  dtype: Dt;
  shape: number[];
}

/** One operation. `args` name values: a program's inputs first, then each node's outputs in order. */
export type Node =
  | { op: "prim"; prim: string; params: Params; args: number[] }
  | { op: "jnp"; fn: JnpFn; args: number[]; attrs?: Record<string, unknown> }
  | { op: "jit"; body: Program; args: number[] }
  | { op: "cond"; branches: [Program, Program]; args: number[] } // args[0]: a bool scalar
  | { op: "scan"; body: Program; args: number[]; reverse: boolean }; // args: carry, xs

export type JnpFn =
  | "astype" | "broadcastTo" | "sum" | "max" | "argmax" | "cumsum" | "transpose" | "reshape" | "slice"
  | "concatenate" | "dot" | "add" | "multiply" | "maximum" | "where" | "pred";

export interface Program {
  inputs: Aval[];
  nodes: Node[];
  outputs: number[];
}

/** Host values for a program's inputs (row-major; bool as 0/1). */
export interface Input extends Aval {
  data: number[];
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
/** `from` broadcasts to `to` (numpy's rule). */
const broadcastsTo = (from: readonly number[], to: readonly number[]) =>
  from.length <= to.length && from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);

// ---- the elementwise catalog, from the harness's cases ------------------------------------------

export interface Elementwise {
  prim: string;
  dtypes: Dt[];
  params: Params;
  /** Has a derivative (the harness's GRAD table: not `none`, no constant operands). */
  differentiable: boolean;
}

const DTS: readonly string[] = ["float32", "int32", "bool"];

/**
 * Signatures whose operands have a domain a random program does not respect, and why (the
 * harness's cases pick values inside it).
 */
const OUT_OF_DOMAIN: [string, (e: Elementwise) => boolean][] = [
  ["select_n's int32 predicate must index a case (0..n-1)", (e) => e.prim === "select_n" && e.dtypes[0] === "int32"],
  ["bitcasting float32 to integers exposes NaN payloads, which no backend specifies", (e) => e.prim === "bitcast_convert_type" && e.dtypes[0] === "float32"],
  ["select_and_scatter_add is windowed, not elementwise: its rule (like JAX's) returns the operand's shape whatever the window's rank", (e) => e.prim === "select_and_scatter_add"],
  [
    "the incomplete gamma functions sum JAX's series in a while loop whose iterations grow with a (thousands at a = 1e6, about 10^7 once a + 1 == a in float32): values a random program reaches (1e30 from the harness's pool, dots, exp) take minutes eagerly",
    (e) => ["igamma", "igammac", "igamma_grad_a", "random_gamma_grad"].includes(e.prim),
  ],
];

/**
 * Every (primitive, operand dtypes, params) of a harness case that is elementwise: its abstract
 * eval maps operands of one shape to a single output of that shape. Probed with the rule itself.
 */
export const ELEMENTWISE: Elementwise[] = (() => {
  const out = new Map<string, Elementwise>();
  for (const c of cases) {
    if (c.error !== undefined || !c.ref || c.inputs.length === 0) continue;
    if (!c.inputs.every((x) => DTS.includes(x.dtype))) continue;
    const p = primitives.get(c.prim)!;
    const follows = (probe: number[]) => {
      try {
        const outs = p.abstractEval(c.inputs.map((x) => new ShapedArray(probe, x.dtype)), c.params);
        return outs.length === 1 && same(outs[0].shape, probe) && DTS.includes(outs[0].dtype);
      } catch {
        return false;
      }
    };
    if (![[2, 3], [4], [], [2, 1, 3]].every(follows)) continue;
    // The case itself is elementwise: its operands share one shape (or are scalars), as its output does
    // (select_and_scatter_add's rule, like JAX's, returns the operand's shape whatever the window).
    const shapes = c.inputs.filter((x) => x.shape.length > 0).map((x) => x.shape);
    const outShape = c.ref(...c.inputs)[0].shape;
    if (!shapes.every((s) => same(s, outShape)) || (shapes.length === 0 && outShape.length > 0)) continue;
    const e: Elementwise = {
      prim: c.prim,
      dtypes: c.inputs.map((x) => x.dtype as Dt),
      params: c.params,
      differentiable: !gradSpec(c).none && !gradSpec(c).constant && !p.nonDifferentiable,
    };
    if (OUT_OF_DOMAIN.some(([, f]) => f(e))) continue;
    const key = `${e.prim}(${e.dtypes})${JSON.stringify(e.params)}`;
    if (!out.has(key)) out.set(key, e);
  }
  return [...out.values()];
})();

/** Output dtype of an elementwise signature (the rule's). */
const elementwiseOut = (e: Elementwise, shape: number[]): Dt =>
  primitives.get(e.prim)!.abstractEval(e.dtypes.map((d) => new ShapedArray(shape, d)), e.params)[0].dtype as Dt;

// ---- decoding choices into a program ------------------------------------------------------------

/** A stream of choices; past its end every choice is 0 (the simplest). */
export class Choices {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}
  /** A choice in [0, n). */
  int(n: number): number {
    if (n <= 1) return 0;
    return this.i < this.xs.length ? this.xs[this.i++] % n : 0;
  }
  /** True with probability about 1/n (false when the choices run out). */
  oneIn(n: number): boolean {
    return this.int(n) === n - 1;
  }
}

export interface GenOptions {
  /** Elementwise signatures allowed (the grad property keeps differentiable float ones). */
  elementwise?: (e: Elementwise) => boolean;
  maxNodes?: number;
  /** Nesting depth of jit/cond/scan bodies. */
  maxDepth?: number;
  /** Operations (by Node op or jnp fn) left out. */
  exclude?: string[];
  /** Zero-size dimensions in input shapes (default true). */
  zeroSize?: boolean;
  /** int32 products (jnp.multiply, dot): they leave float32's exact integers within a few ops (default true). */
  intProducts?: boolean;
}

/** Dimension sizes; the last (zero) is drawn rarely. */
const DIMS = [1, 2, 3, 4, 0];
const DTYPES: Dt[] = ["float32", "float32", "int32", "bool"];

class Builder {
  avals: Aval[];
  nodes: Node[] = [];
  constructor(
    readonly ch: Choices,
    readonly opts: Required<GenOptions>,
    readonly inputs: Aval[],
    readonly depth: number,
    /** Top-level programs may grow new inputs (broadcasting partners of a value). */
    readonly canAddInputs: boolean,
  ) {
    this.avals = inputs.map((a) => ({ ...a }));
  }

  private push(node: Node, outs: Aval[]): number {
    this.nodes.push(node);
    const first = this.avals.length;
    this.avals.push(...outs);
    return first;
  }

  /** A value: the latest (choice 0) half the time, else any. */
  pick(pred: (a: Aval) => boolean = () => true): number | undefined {
    const ok = this.avals.map((a, i) => [a, i] as const).filter(([a]) => pred(a));
    if (!ok.length) return undefined;
    return ok[ok.length - 1 - (this.ch.int(2) ? this.ch.int(ok.length) : 0)][1];
  }

  jnp(fn: JnpFn, args: number[], out: Aval, attrs?: Record<string, unknown>): number {
    return this.push(attrs ? { op: "jnp", fn, args, attrs } : { op: "jnp", fn, args }, [out]);
  }

  astype(v: number, dtype: Dt): number {
    return this.avals[v].dtype === dtype ? v : this.jnp("astype", [v], { dtype, shape: this.avals[v].shape }, { dtype });
  }

  /** `v` as a value of type `a`: converted, broadcast, or summed to a scalar and broadcast. */
  coerce(v: number, a: Aval): number {
    let x = this.avals[v];
    if (!broadcastsTo(x.shape, a.shape)) {
      v = this.jnp("sum", [v], { dtype: x.dtype === "bool" ? "int32" : x.dtype, shape: [] }, { axis: null });
      x = this.avals[v];
    }
    v = this.astype(v, a.dtype);
    return same(this.avals[v].shape, a.shape) ? v : this.jnp("broadcastTo", [v], { ...a, shape: [...a.shape] }, { shape: [...a.shape] });
  }

  shape(): number[] {
    const rank = this.ch.int(4);
    const dims = this.opts.zeroSize ? DIMS : DIMS.slice(0, -1);
    return Array.from({ length: rank }, () => dims[this.ch.int(this.ch.oneIn(6) ? dims.length : DIMS.length - 1)]);
  }

  /** One random node (an elementwise primitive when the drawn operation does not apply here). */
  step(): void {
    const ops = ["elementwise", "elementwise", "broadcast", "reduce", "shape", "dot", "cumsum", "where", "jit", "cond", "scan"].filter(
      (o) => !this.opts.exclude.includes(o) && (this.depth < this.opts.maxDepth || !["jit", "cond", "scan"].includes(o)),
    );
    const op = ops[this.ch.int(ops.length)];
    if (!this.tryOp(op)) this.elementwise();
  }

  elementwise(): void {
    const cat = ELEMENTWISE.filter(this.opts.elementwise);
    const e = cat[this.ch.int(cat.length)];
    const a = this.pick()!;
    const x = this.avals[a];
    const args = e.dtypes.map((d, i) => this.coerce(i === 0 ? a : (this.pick() ?? a), { dtype: d, shape: x.shape }));
    this.push({ op: "prim", prim: e.prim, params: e.params, args }, [{ dtype: elementwiseOut(e, x.shape), shape: [...x.shape] }]);
  }

  tryOp(op: string): boolean {
    const ch = this.ch;
    switch (op) {
      case "elementwise":
        this.elementwise();
        return true;
      case "broadcast": {
        // jnp's binary ops broadcast ranks and size-1 dimensions and promote dtypes.
        let a = this.pick()!;
        const x = this.avals[a];
        let b = this.pick((y) => broadcastsTo(y.shape, x.shape) || broadcastsTo(x.shape, y.shape));
        if ((b === undefined || ch.oneIn(2)) && this.canAddInputs) {
          // A new input shaped like a broadcasting partner of x: leading dimensions dropped, some set to 1.
          const shape = x.shape.slice(ch.int(x.shape.length + 1)).map((d) => (ch.oneIn(2) ? 1 : d));
          b = this.addInput({ dtype: DTYPES[ch.int(DTYPES.length)], shape });
          if (a >= b) a++;
        }
        if (b === undefined) return false;
        let fn: "add" | "multiply" | "maximum" = (["add", "multiply", "maximum"] as const)[ch.int(3)];
        const [p, q] = ch.oneIn(2) ? [b, a] : [a, b];
        const y = this.avals[b];
        const shape = broadcastsTo(y.shape, x.shape) ? x.shape : y.shape;
        if (!this.opts.intProducts && fn === "multiply" && promote(this.avals[p].dtype, this.avals[q].dtype, fn) === "int32") fn = "add";
        const dtype = promote(this.avals[p].dtype, this.avals[q].dtype, fn);
        this.jnp(fn, [p, q], { dtype, shape: [...shape] });
        return true;
      }
      case "reduce": {
        const a = this.pick()!;
        const x = this.avals[a];
        const fn = (["sum", "max", "argmax"] as const)[ch.int(3)];
        const axis = x.shape.length === 0 || ch.oneIn(4) ? null : ch.int(x.shape.length);
        const keepdims = ch.oneIn(2);
        const axes = axis === null ? x.shape.map((_, i) => i) : [axis];
        if (fn !== "sum" && axes.some((d) => x.shape[d] === 0)) return false; // no identity
        if (fn === "argmax" && (axis === null || x.dtype === "bool")) return false;
        const shape = x.shape.flatMap((d, i) => (axes.includes(i) ? (keepdims ? [1] : []) : [d]));
        const dtype: Dt = fn === "argmax" ? "int32" : fn === "sum" && x.dtype === "bool" ? "int32" : x.dtype;
        this.jnp(fn, [a], { dtype, shape }, { axis, keepdims });
        return true;
      }
      case "shape": {
        const a = this.pick()!;
        const x = this.avals[a];
        const r = x.shape.length;
        const kind = ch.int(4);
        if (kind === 0 && r >= 2) {
          const rest = x.shape.map((_, i) => i);
          const perm = x.shape.map(() => rest.splice(ch.int(rest.length), 1)[0]);
          this.jnp("transpose", [a], { dtype: x.dtype, shape: perm.map((d) => x.shape[d]) }, { axes: perm });
        } else if (kind === 1) {
          // Insert a 1, merge two neighbours, or flatten.
          const how = ch.int(3);
          let shape: number[];
          if (how === 0) {
            const at = ch.int(r + 1);
            shape = [...x.shape.slice(0, at), 1, ...x.shape.slice(at)];
          } else if (how === 1 && r >= 2) {
            const at = ch.int(r - 1);
            shape = [...x.shape.slice(0, at), x.shape[at] * x.shape[at + 1], ...x.shape.slice(at + 2)];
          } else shape = [size(x.shape)];
          this.jnp("reshape", [a], { dtype: x.dtype, shape }, { shape });
        } else if (kind === 2 && r >= 1) {
          // Empty slices only where zero-size dimensions are wanted.
          const z = this.opts.zeroSize ? 1 : 0;
          const start = x.shape.map((d) => ch.int(d + z));
          const limit = x.shape.map((d, i) => Math.min(d, start[i] + 1 - z + ch.int(d - start[i] + z)));
          const strides = x.shape.map(() => 1 + ch.int(2));
          const shape = start.map((s, i) => Math.ceil((limit[i] - s) / strides[i]));
          this.jnp("slice", [a], { dtype: x.dtype, shape }, { start, limit, strides });
        } else if (r >= 1) {
          const b = this.coerce(this.pick() ?? a, x);
          const axis = ch.int(r);
          const shape = x.shape.map((d, i) => (i === axis ? 2 * d : d));
          this.jnp("concatenate", [a, b], { dtype: x.dtype, shape }, { axis });
        } else return false;
        return true;
      }
      case "dot": {
        // dot_general contracting the last axes (batched over the first of rank-3 operands).
        const a = this.pick((y) => y.shape.length >= 1);
        if (a === undefined) return false;
        const x = this.avals[a];
        if (!this.opts.intProducts && x.dtype === "int32") return false;
        const b = this.coerce(this.pick() ?? a, x);
        const r = x.shape.length;
        const batch = r === 3 ? [0] : [];
        const free = x.shape.slice(batch.length, r - 1);
        this.jnp("dot", [a, b], { dtype: x.dtype, shape: [...batch.map((d) => x.shape[d]), ...free, ...free] }, { batch });
        return true;
      }
      case "cumsum": {
        const a = this.pick((y) => y.shape.length >= 1 && y.dtype !== "bool");
        if (a === undefined) return false;
        const x = this.avals[a];
        this.jnp("cumsum", [a], { ...x, shape: [...x.shape] }, { axis: ch.int(x.shape.length) });
        return true;
      }
      case "where": {
        const a = this.pick()!;
        const x = this.avals[a];
        const c = this.coerce(this.pick() ?? a, { dtype: "bool", shape: x.shape });
        const b = this.coerce(this.pick() ?? a, x);
        this.jnp("where", [c, a, b], { ...x, shape: [...x.shape] });
        return true;
      }
      case "jit": {
        const args = this.operands();
        const [body, outs] = this.sub(args.map((v) => this.avals[v]));
        this.push({ op: "jit", body, args }, outs);
        return true;
      }
      case "cond": {
        const p = this.pick()!;
        const pred = this.jnp("pred", [p], { dtype: "bool", shape: [] });
        const args = this.operands();
        const ins = args.map((v) => this.avals[v]);
        const [t, outs] = this.sub(ins);
        const [f] = this.sub(ins, outs);
        this.push({ op: "cond", branches: [t, f], args: [pred, ...args] }, outs);
        return true;
      }
      case "scan": {
        const xs = this.pick((y) => y.shape.length >= 1);
        if (xs === undefined) return false;
        const carry = this.pick()!;
        const c = this.avals[carry];
        const x = this.avals[xs];
        const [body, [, y]] = this.sub([c, { dtype: x.dtype, shape: x.shape.slice(1) }], undefined, [c]);
        this.push({ op: "scan", body, args: [carry, xs], reverse: ch.oneIn(2) }, [c, { dtype: y.dtype, shape: [x.shape[0], ...y.shape] }]);
        return true;
      }
    }
    return false;
  }

  /** One or two operands for a call. */
  operands(): number[] {
    const a = this.pick()!;
    return this.ch.oneIn(3) ? [a, this.pick()!] : [a];
  }

  /**
   * A body over `ins`: one or two outputs, or exactly `outs` (a cond's second branch), or `carry`
   * then one free output (a scan's body).
   */
  sub(ins: Aval[], outs?: Aval[], carry?: Aval[]): [Program, Aval[]] {
    const b = new Builder(this.ch, this.opts, ins, this.depth + 1, false);
    const n = 1 + this.ch.int(Math.max(1, this.opts.maxNodes >> 1));
    for (let i = 0; i < n; i++) b.step();
    return b.finish(outs ?? (carry ? [...carry, null] : this.ch.oneIn(3) ? [null, null] : [null]));
  }

  addInput(a: Aval): number {
    // Values are numbered inputs first: renumber every node's references past the inputs.
    const n = this.inputs.length;
    const shift = (v: number) => (v >= n ? v + 1 : v);
    for (const node of this.nodes) node.args = node.args.map(shift);
    this.inputs.push(a);
    this.avals.splice(n, 0, a);
    return n;
  }

  /** Outputs: a typed slot is coerced to its type; a free slot (null) takes a value. */
  finish(slots: (Aval | null)[]): [Program, Aval[]] {
    const outputs = slots.map((s, i) => {
      const v = i === 0 ? this.avals.length - 1 : this.pick()!;
      return s ? this.coerce(v, s) : v;
    });
    return [{ inputs: this.inputs, nodes: this.nodes, outputs }, outputs.map((v) => this.avals[v])];
  }
}

/** jnp's promotion for the few ops the generator uses (all operands strongly typed). */
function promote(a: Dt, b: Dt, fn: string): Dt {
  if (a === "float32" || b === "float32") return "float32";
  if (a === "int32" || b === "int32") return "int32";
  return fn === "add" || fn === "multiply" || fn === "maximum" ? "bool" : "int32";
}

/** Decodes `choices` into a program (top level: 1 to 3 inputs, up to `maxNodes` nodes). */
export function generate(choices: readonly number[], options: GenOptions = {}): Program {
  const opts: Required<GenOptions> = { elementwise: () => true, maxNodes: 8, maxDepth: 2, exclude: [], zeroSize: true, intProducts: true, ...options };
  const ch = new Choices(choices);
  const b = new Builder(ch, opts, [], 0, true);
  const nIn = 1 + ch.int(3);
  for (let i = 0; i < nIn; i++) b.addInput({ dtype: DTYPES[ch.int(DTYPES.length)], shape: b.shape() });
  const n = 1 + ch.int(opts.maxNodes);
  for (let i = 0; i < n; i++) b.step();
  return b.finish(ch.oneIn(3) ? [null, null] : [null])[0];
}

// ---- running a program with tfjax ---------------------------------------------------------------

/** Each body's jitted function, made once (jit's trace cache is keyed on the function). */
const jitted = new WeakMap<Program, (...xs: JaxArray[]) => JaxArray[]>();

/** Runs `p` on `args` with tfjax's public operations (under whatever trace is current). */
export function run(p: Program, args: JaxArray[]): JaxArray[] {
  const vals: JaxArray[] = [...args];
  for (const n of p.nodes) vals.push(...apply(n, n.args.map((v) => vals[v])));
  return p.outputs.map((v) => vals[v]);
}

function apply(n: Node, xs: JaxArray[]): JaxArray[] {
  switch (n.op) {
    case "prim":
      return bind(primitives.get(n.prim)!, xs, n.params);
    case "jnp":
      return [applyJnp(n.fn, xs, n.attrs ?? {})];
    case "jit": {
      let f = jitted.get(n.body);
      if (!f) jitted.set(n.body, (f = jit((...a: JaxArray[]) => run(n.body, a))));
      return f(...xs);
    }
    case "cond": {
      const [t, f] = n.branches;
      return lax.cond(xs[0], (...a: JaxArray[]) => run(t, a), (...a: JaxArray[]) => run(f, a), ...xs.slice(1)) as JaxArray[];
    }
    case "scan": {
      const [c, ys] = lax.scan((carry: JaxArray, x: JaxArray) => run(n.body, [carry, x]) as [JaxArray, JaxArray], xs[0], xs[1], { reverse: n.reverse });
      return [c, ys];
    }
  }
}

function applyJnp(fn: JnpFn, [x, y, z]: JaxArray[], at: Record<string, any>): JaxArray {
  switch (fn) {
    case "astype":
      return jnp.astype(x, at.dtype);
    case "broadcastTo":
      return jnp.broadcastTo(x, at.shape);
    case "sum":
      return jnp.sum(x, at.axis, { keepdims: at.keepdims });
    case "max":
      return jnp.max(x, at.axis, { keepdims: at.keepdims });
    case "argmax":
      return jnp.argmax(x, at.axis, { keepdims: at.keepdims });
    case "cumsum":
      return jnp.cumsum(x, at.axis);
    case "transpose":
      return jnp.transpose(x, at.axes);
    case "reshape":
      return jnp.reshape(x, at.shape);
    case "slice":
      return lax.slice(x, at.start, at.limit, at.strides);
    case "concatenate":
      return jnp.concatenate([x, y], at.axis);
    case "dot": {
      const r = x.ndim;
      const dims = dotDimensionNumbers([r - 1], [r - 1], at.batch, at.batch);
      return bind(primitives.get("dot_general")!, [x, y], { dimension_numbers: dims, precision: null, preferred_element_type: null, out_sharding: null })[0];
    }
    case "add":
      return jnp.add(x, y);
    case "multiply":
      return jnp.multiply(x, y);
    case "maximum":
      return jnp.maximum(x, y);
    case "where":
      return jnp.where(x, y, z);
    case "pred":
      return x.dtype === "bool" ? jnp.any(x) : jnp.greater(jnp.sum(jnp.astype(x, "float32")), 0);
  }
}

// ---- inputs ---------------------------------------------------------------------------------------

/** Values the harness's cases feed each dtype (specials included), for eager/jit agreement. */
const POOL: Record<Dt, number[]> = (() => {
  const pool: Record<Dt, Set<number>> = { float32: new Set(), int32: new Set(), bool: new Set([0, 1]) };
  for (const c of cases) for (const x of c.inputs) if (x.dtype === "float32" || x.dtype === "int32") x.data.forEach((v) => pool[x.dtype as Dt].add(v));
  return { float32: [...pool.float32], int32: [...pool.int32], bool: [0, 1] };
})();

export interface InputOptions {
  /** Floats of magnitude in [0.5, 1.5), random sign, and small ints: a smooth, in-range point. */
  smooth?: boolean;
  /** Integers below this magnitude (WebGL keeps int32 in float textures: exact below 2^24). */
  maxInt?: number;
  /** Float values left out of the harness's pool. */
  floatFilter?: (v: number) => boolean;
}

/** Input values for `p`, seeded: half from the harness's pool of values, half small random ones. */
export function inputsFor(p: Program, seed: number, o: InputOptions = {}): Input[] {
  const r = rng(`inputs ${seed}`);
  const maxInt = o.maxInt ?? 2 ** 31;
  const floats = POOL.float32.filter(o.floatFilter ?? (() => true));
  const ints = POOL.int32.filter((v) => Math.abs(v) < maxInt);
  const value = (d: Dt): number => {
    if (d === "bool") return r() < 0.5 ? 0 : 1;
    if (d === "int32") return !o.smooth && r() < 0.3 ? ints[Math.floor(r() * ints.length)] : Math.floor(r() * 11) - 5;
    if (o.smooth) return Math.fround((r() < 0.5 ? -1 : 1) * (0.5 + r()));
    return r() < 0.3 ? floats[Math.floor(r() * floats.length)] : Math.fround(Math.round((r() * 8 - 4) * 64) / 64);
  };
  return p.inputs.map((a) => ({ ...a, data: Array.from({ length: size(a.shape) }, () => value(a.dtype)) }));
}

export const toArray = (x: Input): JaxArray => wrap(tensorFrom(x.data, x.shape, x.dtype), x.dtype);

export const hostValues = (a: JaxArray): number[] => Array.from((a as ArrayImpl).dataSync(), Number);

// ---- printing -------------------------------------------------------------------------------------

const short: Record<Dt, string> = { float32: "f32", int32: "i32", bool: "bool" };
const name = (i: number): string => (i < 26 ? String.fromCharCode(97 + i) : `v${i}`);

/** A readable listing: `(a: f32[2,3], b: i32[]) => { c = exp(a); ...; return [c] }`, bodies indented. */
export function show(p: Program, indent = ""): string {
  let k = p.inputs.length;
  const lines = p.nodes.map((n) => {
    const args = n.args.map(name).join(", ");
    const outs = n.op === "prim" || n.op === "jnp" ? 1 : n.op === "jit" ? n.body.outputs.length : n.op === "cond" ? n.branches[0].outputs.length : 2;
    const lhs = Array.from({ length: outs }, (_, j) => name(k + j)).join(", ");
    k += outs;
    const inner = indent + "  ";
    let rhs: string;
    if (n.op === "prim") rhs = `${n.prim}${Object.keys(n.params).length ? JSON.stringify(n.params) : ""}(${args})`;
    else if (n.op === "jnp") rhs = `jnp.${n.fn}(${args}${n.attrs ? `, ${JSON.stringify(n.attrs)}` : ""})`;
    else if (n.op === "jit") rhs = `jit(${show(n.body, inner)})(${args})`;
    else if (n.op === "cond") rhs = `cond(${name(n.args[0])}, ${show(n.branches[0], inner)}, ${show(n.branches[1], inner)})(${n.args.slice(1).map(name).join(", ")})`;
    else rhs = `scan${n.reverse ? "[reverse]" : ""}(${show(n.body, inner)})(${args})`;
    return `${inner}${lhs} = ${rhs}`;
  });
  const sig = p.inputs.map((a, i) => `${name(i)}: ${short[a.dtype]}[${a.shape}]`).join(", ");
  return `(${sig}) => {\n${lines.join("\n")}\n${indent}  return [${p.outputs.map(name).join(", ")}]\n${indent}}`;
}
