// Counterexamples the differential fuzzer (test/fuzz.test.ts) found, shrunk, each with the bug it
// exposed. Paste a new one's "as data" JSON from the failure message into REGRESSIONS.
import { describe, it } from "vitest";
import "../src/index.js";
import { checkAgree, checkGradProgram, checkVmapProgram } from "./harness/fuzz.js";
import type { Input, Program } from "./harness/programs.js";

interface Regression {
  /** What was wrong, and where it was fixed. */
  bug: string;
  program: Program;
  inputs: Input[];
  /** The property that failed (all are checked). */
  property: "agree" | "grad" | "vmap";
}

const REGRESSIONS: Regression[] = [
  {
    bug: "int32 -> float32 on tfjs-cpu kept 987654321 unrounded (its Cast relabels the Int32Array), so eager sin read another number than jit's fused kernel (src/lax/elementwise.ts convert)",
    property: "agree",
    program: {"inputs":[{"dtype":"int32","shape":[1,1,1]}],"nodes":[{"op":"jnp","fn":"astype","args":[0],"attrs":{"dtype":"float32"}},{"op":"prim","prim":"sin","params":{"accuracy":null},"args":[1]}],"outputs":[2]},
    inputs: [{"dtype":"int32","shape":[1,1,1],"data":[987654321]}],
  },
  {
    bug: "reduce_sum of a float32 operand with an empty kept axis (sum over axis 1 of f32[0,2,2]) trapped in tfjs-wasm's Sum (divide by zero) (src/lax/reductions.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[0,2,2]}],"nodes":[{"op":"jnp","fn":"sum","args":[0],"attrs":{"axis":1,"keepdims":false}}],"outputs":[1]},
    inputs: [{"dtype":"float32","shape":[0,2,2],"data":[]}],
  },
  {
    bug: "dot_general of bool operands with nothing to contract (bool[3,0] . bool[3,0]) returned tfjs-wasm's unwritten MatMul output (whatever the heap held, e.g. another array's ints) instead of False (src/lax/reductions.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"bool","shape":[3,0]},{"dtype":"float32","shape":[3]},{"dtype":"int32","shape":[3,3]}],"nodes":[{"op":"jnp","fn":"dot","args":[0,0],"attrs":{"batch":[]}},{"op":"scan","body":{"inputs":[{"dtype":"bool","shape":[3,3]},{"dtype":"bool","shape":[3]}],"nodes":[{"op":"jnp","fn":"astype","args":[0],"attrs":{"dtype":"float32"}},{"op":"prim","prim":"sinh","params":{},"args":[2]},{"op":"jnp","fn":"astype","args":[3],"attrs":{"dtype":"bool"}}],"outputs":[4,1]},"args":[3,3],"reverse":false},{"op":"jnp","fn":"maximum","args":[5,1]},{"op":"jnp","fn":"multiply","args":[6,2]},{"op":"jnp","fn":"cumsum","args":[2],"attrs":{"axis":0}},{"op":"jnp","fn":"astype","args":[8],"attrs":{"dtype":"float32"}},{"op":"jnp","fn":"concatenate","args":[7,9],"attrs":{"axis":1}}],"outputs":[10]},
    inputs: [{"dtype":"bool","shape":[3,0],"data":[]},{"dtype":"float32","shape":[3],"data":[1.109375,0.421875,0.75]},{"dtype":"int32","shape":[3,3],"data":[32,3,4,-1,65536,987654,3,-3,0]}],
  },
  {
    bug: "concatenate of empty bool arrays on tfjs-cpu made a plain Array that tfjs's Slice cannot read, so a scan over the result threw 'vals.subarray is not a function' (src/lax/structural.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[2,0,2]}],"nodes":[{"op":"jnp","fn":"astype","args":[0],"attrs":{"dtype":"bool"}},{"op":"jnp","fn":"concatenate","args":[1,1],"attrs":{"axis":2}},{"op":"scan","body":{"inputs":[{"dtype":"float32","shape":[2,0,2]},{"dtype":"bool","shape":[0,4]}],"nodes":[],"outputs":[0,1]},"args":[0,2],"reverse":false}],"outputs":[4]},
    inputs: [{"dtype":"float32","shape":[2,0,2],"data":[]}],
  },
  {
    bug: "cumsum of an empty float32 array (f32[0,2,0], axis 1) trapped in tfjs-wasm's Cumsum (divide by zero) (src/lax/reductions.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[0,2,0]}],"nodes":[{"op":"jnp","fn":"cumsum","args":[0],"attrs":{"axis":2}},{"op":"jnp","fn":"cumsum","args":[0],"attrs":{"axis":1}}],"outputs":[2]},
    inputs: [{"dtype":"float32","shape":[0,2,0],"data":[]}],
  },
  {
    bug: "pow of empty arrays (f32[0] ** f32[0]) on tfjs-cpu came out f32[1]: tfjs's where broadcast the scalar 1 of the C99 special cases against the empty shape, and a scan carrying the result then failed its carry check (src/lax/elementwise.ts pow)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[0]}],"nodes":[{"op":"prim","prim":"pow","params":{},"args":[0,0]},{"op":"scan","body":{"inputs":[{"dtype":"float32","shape":[0]},{"dtype":"float32","shape":[]}],"nodes":[],"outputs":[0,1]},"args":[1,0],"reverse":false}],"outputs":[1,2]},
    inputs: [{"dtype":"float32","shape":[0],"data":[]}],
  },
  {
    bug: "dot_general with an empty batch (bool[0,3,3] . bool[0,3,3], batch 0) trapped in tfjs-wasm's MatMul (divide by zero) (src/lax/reductions.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"bool","shape":[0,3,3]}],"nodes":[{"op":"jnp","fn":"dot","args":[0,0],"attrs":{"batch":[0]}}],"outputs":[1]},
    inputs: [{"dtype":"bool","shape":[0,3,3],"data":[]}],
  },
  {
    bug: "scan's ys of an empty type (f32[2,0,1] per step) were stacked by tfjs-cpu into a plain Array that its Slice cannot read, so a second scan over them threw 'vals.subarray is not a function' (src/lax/control_flow/scan.ts)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[2,0,1]}],"nodes":[{"op":"scan","body":{"inputs":[{"dtype":"float32","shape":[2,0,1]},{"dtype":"float32","shape":[0,1]}],"nodes":[{"op":"prim","prim":"neg","params":{},"args":[1]},{"op":"jnp","fn":"broadcastTo","args":[2],"attrs":{"shape":[2,0,1]}}],"outputs":[3,3]},"args":[0,0],"reverse":false},{"op":"scan","body":{"inputs":[{"dtype":"float32","shape":[2,2,0,1]},{"dtype":"float32","shape":[2,0,1]}],"nodes":[{"op":"prim","prim":"neg","params":{},"args":[1]},{"op":"jnp","fn":"broadcastTo","args":[2],"attrs":{"shape":[2,2,0,1]}}],"outputs":[3,3]},"args":[2,2],"reverse":false}],"outputs":[4]},
    inputs: [{"dtype":"float32","shape":[2,0,1],"data":[]}],
  },
  {
    bug: "grad through a scan whose body calls a jit returning its input (reshape to the same shape) threw 'evalJaxpr: variable f32[1] read before it is defined': the jit's known half has no outputs, so scan's partial eval took it for a loop-invariant equation and hoisted it before the loop, where the carry it reads is not defined (src/lax/control_flow/scan.ts splitBody: equations are loop-variant by their inputs, and the known loop keeps only those its outputs reach, as JAX's _scan_known_hoisting)",
    property: "grad",
    program: {"inputs":[{"dtype":"float32","shape":[1]}],"nodes":[{"op":"scan","body":{"inputs":[{"dtype":"float32","shape":[1]},{"dtype":"float32","shape":[]}],"nodes":[{"op":"jit","body":{"inputs":[{"dtype":"float32","shape":[1]}],"nodes":[{"op":"prim","prim":"neg","params":{},"args":[0]},{"op":"jnp","fn":"reshape","args":[0],"attrs":{"shape":[1]}}],"outputs":[2]},"args":[0]}],"outputs":[2,2]},"args":[0,0],"reverse":false}],"outputs":[2]},
    inputs: [{"dtype":"float32","shape":[1],"data":[1.2064281702041626]}],
  },
  {
    bug: "erf_inv then integer_pow y=0 of an f32[] under jit on wasm built a 57 MB wasm function (~45 s, then 'size 57498747 > maximum function size'): erf_inv's vector expression reached no output, so it was emitted uncounted and none of its shared subexpressions got a local (src/backends/wasm/codegen.ts, vexpr.ts; kernels over MAX_KERNEL_BYTES now go to the JS loop)",
    property: "agree",
    program: {"inputs":[{"dtype":"float32","shape":[]}],"nodes":[{"op":"prim","prim":"erf_inv","params":{},"args":[0]},{"op":"prim","prim":"integer_pow","params":{"y":0},"args":[1]}],"outputs":[2]},
    inputs: [{"dtype":"float32","shape":[],"data":[0.5]}],
  },
];

describe("fuzzer regressions", () => {
  for (const r of REGRESSIONS)
    it(r.bug, () => {
      checkAgree(r.program, r.inputs);
      checkGradProgram(r.program, r.inputs);
      checkVmapProgram(r.program, [r.inputs, r.inputs, r.inputs], r.inputs.map(() => 0));
    });
});
