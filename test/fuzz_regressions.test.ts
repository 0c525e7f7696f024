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
];

describe("fuzzer regressions", () => {
  for (const r of REGRESSIONS)
    it(r.bug, () => {
      checkAgree(r.program, r.inputs);
      checkGradProgram(r.program, r.inputs);
      checkVmapProgram(r.program, [r.inputs, r.inputs, r.inputs], r.inputs.map(() => 0));
    });
});
