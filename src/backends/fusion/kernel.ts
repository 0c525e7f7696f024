// Running a fused program on the active tfjs backend. The CPU backend hands out its typed
// arrays without copying, so the generated JS loop reads and writes tfjs's own buffers.
import * as tf from "@tensorflow/tfjs-core";
import type { FusedProgram, ScalarType } from "./ir.js";
import { type HostArray, compileJsKernel } from "./jsloop.js";

const alloc = (t: ScalarType, n: number): HostArray => (t === "f32" ? new Float32Array(n) : t === "bool" ? new Uint8Array(n) : new Int32Array(n));
const tfDtype = (t: ScalarType): tf.DataType => (t === "f32" ? "float32" : t === "bool" ? "bool" : "int32");

/** A fused kernel as a plan step: tensors in, tensors out. */
export interface FusedKernel {
  run(inputs: tf.Tensor[]): tf.Tensor[];
  /** Generated source, for TFJAX_DEBUG=2. */
  source(): string;
}

export function fusedKernel(p: FusedProgram): FusedKernel {
  const js = compileJsKernel(p);
  const n = p.shape.reduce((a, b) => a * b, 1);
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  return {
    run(inputs) {
      const ins = inputs.map((t) => t.dataSync() as HostArray);
      const outs = outTypes.map((t) => alloc(t, n));
      js.run(ins, outs);
      return outs.map((o, i) => tf.tensor(o, p.shape, tfDtype(outTypes[i])));
    },
    source: () => js.source,
  };
}
