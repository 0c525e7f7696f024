// Running a fused program on the active tfjs backend: a generated shader on WebGL, a generated
// JS loop elsewhere (the CPU backend hands out its typed arrays without copying, so the loop
// reads and writes tfjs's own buffers). Kernels are chosen per backend at first use.
import * as tf from "@tensorflow/tfjs-core";
import type { FusedProgram, ScalarType } from "./ir.js";
import { type HostArray, compileJsKernel } from "./jsloop.js";
import { glslSource, glslSupports, runGlsl } from "./glsl.js";

const alloc = (t: ScalarType, n: number): HostArray => (t === "f32" ? new Float32Array(n) : t === "bool" ? new Uint8Array(n) : new Int32Array(n));
const tfDtype = (t: ScalarType): tf.DataType => (t === "f32" ? "float32" : t === "bool" ? "bool" : "int32");

/** A fused kernel as a plan step: tensors in, tensors out. */
export interface FusedKernel {
  run(inputs: tf.Tensor[]): tf.Tensor[];
  /** Generated source for the active backend, for TFJAX_DEBUG=2. */
  source(): string;
}

export function fusedKernel(p: FusedProgram): FusedKernel {
  if (tf.getBackend() === "webgl" && glslSupports(p)) {
    const sources = p.outputs.map((_, o) => glslSource(p, o));
    return { run: (inputs) => runGlsl(p, sources, inputs), source: () => sources.join("\n// ----\n") };
  }
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
