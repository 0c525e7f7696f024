// pmap: map a function over devices along an axis, with collectives over its axis name.
// tfjax's devices are simulated on one backend (config "tfjax_host_device_count", like XLA's
// --xla_force_host_platform_device_count): an `xla_pmap` equation runs as one vectorized
// program, its body vmapped with the axis name bound. Under differentiation and vmap the
// equation is inlined as that vmap, so every rule comes from the body's primitives.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { ClosedJaxpr, type Jaxpr, type Params } from "../jaxpr/jaxpr.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { definePrimitive } from "../lax/primitive.js";
import { config } from "../config.js";
import * as tree from "../tree.js";
import { bind, currentTrace, withTrace } from "./core.js";
import { backwardPass, jvpFlat } from "./ad.js";
import { batchFlat, vmapFlat, withAxis } from "./batching.js";
import { convertConstvars, traceToJaxpr } from "./jaxpr_trace.js";
import { type Transformed, functionName, leafValue, runClosedJaxpr } from "./jit.js";
import { partialEvalRules } from "./partial_eval.js";
import { type AxisSpec, flattenAxes } from "./vmap.js";

interface PmapParams extends Params {
  axis_name: string;
  axis_size: number;
  backend: null;
  call_jaxpr: ClosedJaxpr;
  devices: null;
  donated_invars: boolean[];
  global_axis_size: number;
  in_axes: (number | null)[];
  is_explicit_global_axis_size: boolean;
  name: string;
  out_axes: (number | null)[];
}

/** The pmap as the vmap it is on simulated devices, under the current trace. */
function asVmap(p: PmapParams, args: JaxArray[]): JaxArray[] {
  const c = p.call_jaxpr;
  return vmapFlat(
    (...xs) => interpretJaxpr<JaxArray>(c.jaxpr, c.consts as JaxArray[], xs, (l) => scalar(l.val, l.aval.dtype, l.aval.weakType), (q, ys, ps) => bind(q, ys, ps)),
    args,
    p.in_axes,
    () => p.out_axes,
    { name: p.axis_name, size: p.axis_size },
    `pmap(${p.name})`,
    currentTrace(),
  );
}

// One program per body: the vmapped jaxpr, traced once at the global shapes.
const programs = new WeakMap<Jaxpr, ClosedJaxpr>();
function programFor(p: PmapParams, inAvals: ShapedArray[]): ClosedJaxpr {
  let prog = programs.get(p.call_jaxpr.jaxpr);
  if (prog === undefined) {
    const { jaxpr, consts } = traceToJaxpr((...xs) => asVmap(p, xs), inAvals, `pmap(${p.name})`);
    if (consts.length) throw new Error("internal: pmap body closed over values");
    prog = new ClosedJaxpr(jaxpr, []);
    programs.set(p.call_jaxpr.jaxpr, prog);
  }
  return prog;
}

export const xla_pmap_p = definePrimitive<PmapParams>({
  name: "xla_pmap",
  abstractEval(_avals, p) {
    return p.call_jaxpr.outAvals.map((a, i) => {
      const d = p.out_axes[i];
      if (d === null) return a;
      const shape = [...a.shape];
      shape.splice(d, 0, p.axis_size);
      return a.update({ shape });
    });
  },
  impl: (args, p, ctx) => runClosedJaxpr(programFor(p, ctx.inAvals), args, p.name),
  // Linear in its linear inputs when its body is: the transpose of the vmapped program.
  transpose: (cts, args, p) => backwardPass(programFor(p, args.map((a) => a.aval)).jaxpr, [], args, cts),
  jvp(primals, tangents, p) {
    return jvpFlat((...xs) => asVmap(p, xs), primals, tangents, `jvp(pmap(${p.name}))`);
  },
  batch(args, dims, p, axis) {
    return batchFlat((...xs) => asVmap(p, xs), args, dims, axis, `vmap(pmap(${p.name}))`, currentTrace());
  },
});
partialEvalRules.set(xla_pmap_p, (trace, args, _unknown, params) => withTrace(trace, () => asVmap(params as PmapParams, args)));

/** Options of `pmap`, named as JAX's keyword arguments. */
export interface PmapOptions {
  /** The name collectives use for the mapped axis. */
  axisName?: string;
  /** Which axis of each argument is mapped over devices (default 0; null: not mapped). */
  inAxes?: AxisSpec;
  /** Where the device axis goes in each output (default 0). */
  outAxes?: AxisSpec;
}

/**
 * Maps `f` over the leading axis (or `inAxes`) of its arguments, one slice per device, with
 * `lax.psum(x, axisName)` and friends communicating across devices.
 */
export function pmap<F extends (...args: any[]) => any>(f: F, opts: PmapOptions = {}): Transformed<F> {
  if (typeof f !== "function") throw new TypeError(`pmap requires a callable as its first argument, got ${String(f)}`);
  const fname = functionName(f);
  const axisName = opts.axisName ?? `<axis ${fname}>`;
  const wrapped = (...args: unknown[]) => {
    const [leaves, inTree] = tree.flatten(args);
    const inAxes = opts.inAxes ?? 0;
    const dims = Array.isArray(inAxes) ? inAxes.flatMap((s, i) => flattenAxes("pmap in_axes", s, args[i])) : flattenAxes("pmap in_axes", inAxes, args);
    const xs = leaves.map(leafValue);
    const sizes = new Set(xs.flatMap((x, i) => (dims[i] === null ? [] : [x.shape[dims[i]!]])));
    if (sizes.size !== 1)
      throw new Error(sizes.size ? `pmap got inconsistent sizes for array axes to be mapped: ${[...sizes].join(", ")}` : "pmap requires at least one argument with a mapped axis.");
    const size = [...sizes][0];
    const devices = config.read<number>("tfjax_host_device_count");
    if (size > devices)
      throw new Error(`compiling computation that requires ${size} logical devices, but only ${devices} XLA devices are available (num_replicas=${size})`);
    const avals = xs.map((x, i) => {
      const d = dims[i];
      return d === null ? x.aval : x.aval.update({ shape: x.shape.filter((_, k) => k !== d) });
    });
    let outTree: tree.TreeDef | undefined;
    const { jaxpr, consts } = withAxis({ name: axisName, size }, () =>
      traceToJaxpr(
        (...ts) => {
          const [outs, def] = tree.flatten(f(...(tree.unflatten(inTree, ts) as unknown[])));
          outTree = def;
          return outs.map(leafValue);
        },
        avals,
        `${fname} for pmap`,
      ),
    );
    const outAxes = opts.outAxes ?? 0;
    const outDims = flattenAxes("pmap out_axes", outAxes, tree.unflatten(outTree!, new Array(outTree!.numLeaves).fill(0)));
    const inDims = [...consts.map(() => null), ...dims];
    const outs = bind(xla_pmap_p, [...consts, ...xs], {
      axis_name: axisName,
      axis_size: size,
      backend: null,
      call_jaxpr: new ClosedJaxpr(convertConstvars(jaxpr), []),
      devices: null,
      donated_invars: inDims.map(() => false),
      global_axis_size: size,
      in_axes: inDims,
      is_explicit_global_axis_size: false,
      name: fname,
      out_axes: outDims,
    });
    return tree.unflatten(outTree!, outs);
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped as Transformed<F>;
}
