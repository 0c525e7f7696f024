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
    // A shader cannot reduce in one pass cheaply: map in the shader, then tfjs's own sum.
    const sources = p.outputs.map((_, o) => glslSource(p, o));
    const axes = p.reduceSum?.axes;
    return {
      run: (inputs) => {
        const outs = runGlsl(p, sources, inputs);
        if (!axes) return outs;
        const summed = tf.sum(outs[0], axes);
        outs[0].dispose();
        return [summed];
      },
      source: () => sources.join("\n// ----\n"),
    };
  }
  const js = compileJsKernel(p);
  const outShape = p.reduceSum ? p.shape.filter((_, d) => !p.reduceSum!.axes.includes(d)) : p.shape;
  const n = outShape.reduce((a, b) => a * b, 1);
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  return {
    run(inputs) {
      const ins = inputs.map((t) => t.dataSync() as HostArray);
      const outs = outTypes.map((t) => alloc(t, n));
      js.run(ins, outs);
      return outs.map((o, i) => tf.tensor(o, outShape, tfDtype(outTypes[i])));
    },
    source: () => js.source,
  };
}
