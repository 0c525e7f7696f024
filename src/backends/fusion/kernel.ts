// Running a fused program on the active tfjs backend: a generated shader on WebGL, generated
// wasm SIMD (or a JS loop) in place on tfjs-wasm's heap, a generated JS loop on tfjs-cpu's own
// typed arrays. Kernels are chosen for the backend active when the plan is compiled.
import * as tf from "@tensorflow/tfjs-core";
import { config } from "../../config.js";
import { type FusedProgram, type ScalarType, hasRandomBits } from "./ir.js";
import { type HostArray, compileJsKernel } from "./jsloop.js";
import { glslSource, glslSupports, orderedGlslReduction, runGlsl } from "./glsl.js";
import { compileWasmKernel } from "../wasm/codegen.js";

const alloc = (t: ScalarType, n: number): HostArray => (t === "f32" ? new Float32Array(n) : t === "bool" ? new Uint8Array(n) : new Int32Array(n));
const tfDtype = (t: ScalarType): tf.DataType => (t === "f32" ? "float32" : t === "bool" ? "bool" : "int32");

interface WasmBackend {
  wasm: { asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(id: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
interface CpuBackend {
  data: { get(id: object): { values: HostArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: HostArray): tf.TensorInfo;
}

/** A fused kernel as a plan step: tensors in, tensors out. */
export interface FusedKernel {
  run(inputs: tf.Tensor[]): tf.Tensor[];
  /** Generated source for the active backend, for TFJAX_DEBUG=2. */
  source(): string;
}

// On cpu and wasm a fused kernel runs as a registered tfjs kernel of ours, so tfjs tracks its
// outputs like any other (tf.memory, tf.tidy, profiling); the attrs carry the generated code.
const KERNEL = "TfjaxFused";
type Body = (inputs: tf.TensorInfo[], backend: unknown) => tf.TensorInfo[];
const registered = new Set<string>();
function runRegistered(inputs: tf.Tensor[], body: Body): tf.Tensor[] {
  const name = tf.getBackend();
  if (!registered.has(name)) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName: name,
      kernelFunc: ({ inputs: named, backend, attrs }) => (attrs as unknown as { body: Body }).body(Object.values(named) as tf.TensorInfo[], backend),
    });
    registered.add(name);
  }
  const named: Record<string, tf.Tensor> = {};
  inputs.forEach((t, i) => (named[`x${i}`] = t));
  return tf.engine().runKernel(KERNEL, named, { body } as never) as unknown as tf.Tensor[];
}

const views = (memory: WebAssembly.Memory, type: ScalarType, offset: number, n: number): HostArray =>
  type === "f32" ? new Float32Array(memory.buffer, offset, n) : type === "bool" ? new Uint8Array(memory.buffer, offset, n) : type === "u32" ? (new Uint32Array(memory.buffer, offset, n) as unknown as HostArray) : new Int32Array(memory.buffer, offset, n);

/**
 * The kernel of a program for the active backend. A program drawing random bits follows
 * jax_threefry_partitionable when it runs, as the random_bits primitive does: a plan compiled
 * before `config.update` keeps drawing the stream the flag selects.
 */
export function fusedKernel(p: FusedProgram): FusedKernel {
  if (!hasRandomBits(p)) return backendKernel(p);
  const variants = new Map<boolean, FusedKernel>();
  const current = (): FusedKernel => {
    const part = config.read<boolean>("jax_threefry_partitionable");
    let k = variants.get(part);
    if (!k) variants.set(part, (k = backendKernel(withStream(p, part))));
    return k;
  };
  return { run: (inputs) => current().run(inputs), source: () => current().source() };
}

function withStream(p: FusedProgram, partitionable: boolean): FusedProgram {
  const size = partitionable ? 0 : sizeOf(p.shape);
  return { ...p, nodes: p.nodes.map((n) => (n.op === "random_bits" ? { ...n, partitionable, size } : n)) };
}

function backendKernel(p: FusedProgram): FusedKernel {
  const outShape = p.reduceSum ? p.shape.filter((_, d) => !p.reduceSum!.axes.includes(d)) : p.shape;
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const outTypes = p.outputs.map((o) => p.nodes[o].type);
  const backend = tf.getBackend();
  if (backend === "webgl" && glslSupports(p)) {
    const sources = p.outputs.map((_, o) => glslSource(p, o));
    // Short rows in XLA's order: the shader sums them itself (glsl.ts).
    if (orderedGlslReduction(p)) return { run: (inputs) => runGlsl(p, sources, inputs, outShape), source: () => sources[0] };
    // Otherwise a shader cannot reduce in one pass cheaply: map in the shader, then tfjs's own sum.
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
  if (backend === "wasm") {
    const simd = compileWasmKernel(p);
    const js = simd ? null : compileJsKernel(p);
    const n = p.shape.reduce((a, b) => a * b, 1);
    // Computes in place on tfjs-wasm's heap: outputs are allocated first (the heap may grow, which
    // detaches old views but keeps the Memory object), then the kernel reads and writes it.
    const body: Body = (inputs, be) => {
      const b = be as WasmBackend;
      const outs = outTypes.map((t) => b.makeOutput(outShape, tfDtype(t)));
      const ptr = (t: tf.TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
      const memory = b.wasm.asm.memory;
      if (simd) simd.run(memory, inputs.map(ptr), outs.map(ptr), n);
      else js!.run(inputs.map((t, i) => views(memory, p.inputs[i].type, ptr(t), sizeOf(t.shape))), outs.map((t, i) => views(memory, outTypes[i], ptr(t), outSize)));
      return outs;
    };
    return { run: (inputs) => runRegistered(inputs, body), source: () => (simd ? simd.source : js!.source) };
  }
  const js = compileJsKernel(p);
  if (backend === "cpu") {
    // tfjs-cpu hands out its typed arrays, and takes ours for outputs: no copies.
    const body: Body = (inputs, be) => {
      const b = be as CpuBackend;
      const ins = inputs.map((t, i) => {
        const d = b.data.get(t.dataId).values;
        return p.inputs[i].type === "u32" ? (new Uint32Array(d.buffer, d.byteOffset, d.length) as unknown as HostArray) : d;
      });
      const outs = outTypes.map((t) => alloc(t, outSize));
      js.run(ins, outs);
      return outs.map((o, i) => b.makeTensorInfo(outShape, tfDtype(outTypes[i]), o));
    };
    return { run: (inputs) => runRegistered(inputs, body), source: () => js.source };
  }
  // Any other backend (WebGL for programs a shader cannot hold): copy through the host.
  return {
    run(inputs) {
      const ins = inputs.map((t, i) => {
        const d = t.dataSync() as HostArray;
        return p.inputs[i].type === "u32" ? (new Uint32Array(d.buffer, d.byteOffset, d.length) as unknown as HostArray) : d;
      });
      const outs = outTypes.map((t) => alloc(t, outSize));
      js.run(ins, outs);
      return outs.map((o, i) => tf.tensor(o, outShape, tfDtype(outTypes[i])));
    },
    source: () => js.source,
  };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
