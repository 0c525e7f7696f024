// Running a fused program on the active tfjs backend: a generated shader on WebGL, a generated
// JS loop elsewhere (the CPU backend hands out its typed arrays without copying, so the loop
// reads and writes tfjs's own buffers). Kernels are chosen per backend at first use.
import * as tf from "@tensorflow/tfjs-core";
import type { FusedProgram, ScalarType } from "./ir.js";
import { type HostArray, compileJsKernel } from "./jsloop.js";
import { glslSource, glslSupports, runGlsl } from "./glsl.js";
import { compileWasmKernel } from "../wasm/codegen.js";

const alloc = (t: ScalarType, n: number): HostArray => (t === "f32" ? new Float32Array(n) : t === "bool" ? new Uint8Array(n) : new Int32Array(n));
const tfDtype = (t: ScalarType): tf.DataType => (t === "f32" ? "float32" : t === "bool" ? "bool" : "int32");

interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

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
  if (tf.getBackend() === "wasm") {
    const k = compileWasmKernel(p);
    if (k) {
      const n = p.shape.reduce((a, b) => a * b, 1);
      const outTypes = p.outputs.map((o) => tfDtype(p.nodes[o].type));
      return {
        // Computes in place on tfjs-wasm's heap: outputs are allocated first (the heap may grow;
        // the Memory object stays the same), then one call writes them.
        run(inputs) {
          const be = tf.backend() as unknown as WasmBackend;
          const outs = outTypes.map((d) => be.makeOutput(p.shape, d));
          const ptr = (t: { dataId: object }) => be.dataIdMap.get(t.dataId).memoryOffset;
          k.run(be.wasm.asm.memory, inputs.map(ptr), outs.map(ptr), n);
          return outs.map((o) => tf.engine().makeTensorFromTensorInfo(o));
        },
        source: () => k.source,
      };
    }
  }
  const js = compileJsKernel(p);
  const outShape = p.reduceSum ? p.shape.filter((_, d) => !p.reduceSum!.axes.includes(d)) : p.shape;
  const n = outShape.reduce((a, b) => a * b, 1);
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  return {
    run(inputs) {
      // uint32 is stored as int32 bits: read it through an unsigned view.
      const ins = inputs.map((t, i) => {
        const d = t.dataSync() as HostArray;
        return p.inputs[i].type === "u32" ? (new Uint32Array(d.buffer, d.byteOffset, d.length) as unknown as HostArray) : d;
      });
      const outs = outTypes.map((t) => alloc(t, n));
      js.run(ins, outs);
      return outs.map((o, i) => tf.tensor(o, outShape, tfDtype(outTypes[i])));
    },
    source: () => js.source,
  };
}
