// Records for the control-flow primitives (cond, while, scan) in the primitive harness's format: their
// params hold closed jaxprs, traced on first use (tracing needs the backend), and their
// references run the branches and loops in plain JS. test/control_flow.test.ts puts them through
// the harness's modes; `while` has no reverse mode (JAX's), so its grad mode is jvp only.
import { ShapedArray } from "../../src/jaxpr/aval.js";
import type { ClosedJaxpr, Params } from "../../src/jaxpr/jaxpr.js";
import type { Array as JaxArray } from "../../src/array/base.js";
import { traceClosed } from "../../src/tracer/call_rules.js";
import { lax } from "../../src/index.js";
import { ULPS, type Case } from "./cases.js";
import { type Host, f32, host } from "./ref.js";
import { nones, pack } from "../../src/lax/control_flow/flattree.js";

const F = (shape: number[]) => new ShapedArray(shape, "float32");
const I = new ShapedArray([], "int32");

/** A closed jaxpr of `f` over `avals` (it closes over nothing). */
function jaxprOf(f: (...xs: JaxArray[]) => JaxArray[], avals: ShapedArray[]): ClosedJaxpr {
  const { closed, consts } = traceClosed(f, avals, "case");
  if (consts.length) throw new Error("harness: a control-flow case's jaxpr closed over a value");
  return closed;
}

/** A case whose params are built on first read. */
function add(c: Omit<Case, "params">, make: () => Params): void {
  let p: Params | undefined;
  controlFlowCases.push(Object.defineProperty(c, "params", { get: () => (p ??= make()), enumerable: true }) as Case);
}

export const controlFlowCases: Case[] = [];

const map = (x: Host, f: (v: number) => number): Host => ({ ...x, data: x.data.map((v) => f32(f(v))) });
/** XLA's Case: an index out of range runs the last branch. */
const branchOf = (i: number, n: number) => (i >= 0 && i < n ? i : n - 1);

// cond: three branches over one operand (lax.switch's shape of it); the index varies under vmap.
const BRANCHES: [(x: JaxArray) => JaxArray, (v: number) => number][] = [
  [(x) => lax.sin(x), Math.sin],
  [(x) => lax.mul(x, x), (v) => v * v],
  [(x) => lax.sub(lax.mul(x, 0.5), 2), (v) => f32(v * 0.5) - 2],
];
for (const i of [0, 1, 2]) {
  add(
    {
      prim: "cond",
      name: `cond(int32[], float32[4]) branch ${i}`,
      inputs: [host("int32", [i], []), host("float32", [0.5, -1.25, 2, 3.5])],
      ref: (idx, x) => [map(x, BRANCHES[branchOf(idx.data[0], BRANCHES.length)][1])],
      ulps: ULPS.transcendental,
    },
    () => ({ branches: BRANCHES.map(([f]) => jaxprOf((x) => [f(x)], [F([4])])) }),
  );
}

// cond with two operands and two outputs, one branch passing an operand through.
add(
  {
    prim: "cond",
    name: "cond(int32[], float32[3], float32[]) two outputs",
    inputs: [host("int32", [1], []), host("float32", [1, -2, 0.25]), host("float32", [1.5], [])],
    ref: (idx, x, y) => {
      const yv = y.data[0];
      return branchOf(idx.data[0], 2) === 0 ? [map(x, (v) => v * yv), y] : [map(x, (v) => v + yv), map(y, (v) => v * v)];
    },
    ulps: ULPS.rounded,
  },
  () => ({
    branches: [
      jaxprOf((x, y) => [lax.mul(x, y), y], [F([3]), F([])]),
      jaxprOf((x, y) => [lax.add(x, y), lax.mul(y, y)], [F([3]), F([])]),
    ],
  }),
);

// while: (n, x) -> (n + 1, x * 1.5 + c) while n < 3, with the body closing over c (a body const).
add(
  {
    prim: "while",
    name: "while(float32[3], int32[], float32[3]) body const",
    inputs: [host("float32", [0.5, -1, 2]), host("int32", [0], []), host("float32", [1, 2, -3])],
    ref: (c, n, x) => {
      let k = n.data[0];
      let xs = x.data;
      while (k < 3) {
        xs = xs.map((v, j) => f32(f32(v * 1.5) + c.data[j]));
        k++;
      }
      return [host("int32", [k], []), { ...x, data: xs }];
    },
    ulps: ULPS.rounded,
  },
  () => ({
    body_jaxpr: jaxprOf((c, n, x) => [lax.add(n, 1), lax.add(lax.mul(x, 1.5), c)], [F([3]), I, F([3])]),
    body_nconsts: 1,
    cond_jaxpr: jaxprOf((n) => [lax.lt(n, 3)], [I, F([3])]),
    cond_nconsts: 0,
  }),
);

// while with a cond const: x -> 2x while max(x) < limit (a data-dependent trip count).
add(
  {
    prim: "while",
    name: "while(float32[], float32[2]) cond const",
    inputs: [host("float32", [20], []), host("float32", [1.5, -1])],
    ref: (limit, x) => {
      let xs = x.data;
      while (Math.max(...xs) < limit.data[0]) xs = xs.map((v) => f32(v * 2));
      return [{ ...x, data: xs }];
    },
    ulps: ULPS.exact,
  },
  () => ({
    body_jaxpr: jaxprOf((x) => [lax.mul(x, 2)], [F([2])]),
    body_nconsts: 0,
    cond_jaxpr: jaxprOf((limit, x) => [lax.lt(lax.reduceMax(x, [0]), limit)], [F([]), F([2])]),
    cond_nconsts: 1,
  }),
);

// scan: consts, carries and xs as lax.scan binds them (ft_in/ft_out say which is which).
const scanParams = (f: (...xs: JaxArray[]) => JaxArray[], avals: ShapedArray[], [nc, nk, nx, ny]: number[], length: number, reverse: boolean) => ({
  reverse,
  length,
  jaxpr: jaxprOf(f, avals),
  ft_in: pack(nones(nc), nones(nk), nones(nx)),
  ft_out: pack(nones(nk), nones(ny)),
  unroll: 1,
});

// (c; s; x) -> (s c + x; sin s): a const, a carry, scanned rows and stacked outputs.
add(
  {
    prim: "scan",
    name: "scan(float32[2], float32[2], float32[3,2]) const, carry, xs, ys",
    inputs: [host("float32", [0.5, -1.25]), host("float32", [1, 0.25]), host("float32", [0.5, -1, 2, 1.5, -0.75, 0.25], [3, 2])],
    ref: (c, s, xs) => {
      let v = s.data;
      const ys: number[] = [];
      for (let t = 0; t < 3; t++) {
        ys.push(...v.map((e) => f32(Math.sin(e))));
        v = v.map((e, j) => f32(f32(e * c.data[j]) + xs.data[2 * t + j]));
      }
      return [{ ...s, data: v }, host("float32", ys, [3, 2])];
    },
    ulps: ULPS.transcendental,
  },
  () => scanParams((c, s, x) => [lax.add(lax.mul(s, c), x), lax.sin(s)], [F([2]), F([2]), F([2])], [1, 1, 1, 1], 3, false),
);

// reverse: (n, k; x) -> (n + 1, k / 2 + x; k x), from the last row to the first, with an int32 carry.
add(
  {
    prim: "scan",
    name: "scan(int32[], float32[], float32[4]) reverse",
    inputs: [host("int32", [0], []), host("float32", [2], []), host("float32", [1, -0.5, 3, 0.25])],
    ref: (n, k, xs) => {
      let kv = k.data[0];
      const ys = new Array<number>(4);
      for (let t = 3; t >= 0; t--) {
        ys[t] = f32(kv * xs.data[t]);
        kv = f32(f32(kv * 0.5) + xs.data[t]);
      }
      return [host("int32", [n.data[0] + 4], []), host("float32", [kv], []), host("float32", ys)];
    },
    ulps: ULPS.rounded,
  },
  () => scanParams((n, k, x) => [lax.add(n, 1), lax.add(lax.mul(k, 0.5), x), lax.mul(k, x)], [I, F([]), F([])], [0, 2, 1, 1], 4, true),
);
