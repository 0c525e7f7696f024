// The public vmap (JAX's api.vmap): axis specs as pytree prefixes of the arguments and outputs.
import { Array as JaxArray } from "../array/base.js";
import { pyShape } from "../jaxpr/aval.js";
import type { BatchDim } from "../jaxpr/jaxpr.js";
import * as tree from "../tree.js";
import { currentTrace } from "./core.js";
import { vmapFlat } from "./batching.js";
import { type Transformed, functionName, leafValue } from "./jit.js";
import { ValueError } from "../errors.js";

/** An axis spec: an axis index, null (not mapped), or a pytree prefix of them. */
export type AxisSpec = number | null | AxisSpec[] | { [k: string]: AxisSpec };

/** Options of `vmap`, named as JAX's keyword arguments. */
export interface VmapOptions {
  /** Where each argument's batch axis is (default 0): a number, null, or one entry per argument. */
  inAxes?: AxisSpec;
  /** Where to put each output's batch axis (default 0). */
  outAxes?: AxisSpec;
  /** Names the mapped axis for collectives (`lax.psum(x, name)`). */
  axisName?: string;
  /** The batch size, required when no argument is mapped. */
  axisSize?: number;
}

const fmt = (s: AxisSpec): string =>
  s === null ? "None" : typeof s === "number" ? String(s) : Array.isArray(s) ? `(${s.map(fmt).join(", ")}${s.length === 1 ? "," : ""})` : JSON.stringify(s);

/** Expands an axis-spec prefix over a pytree into one spec per leaf (JAX's flatten_axes). */
export function flattenAxes(what: string, spec: AxisSpec, value: unknown): BatchDim[] {
  if (spec === null || typeof spec === "number") return tree.leaves(value).map(() => spec as BatchDim);
  if (Array.isArray(spec)) {
    if (!Array.isArray(value) || value.length !== spec.length)
      throw new ValueError(`${what} specification must be a tree prefix of the corresponding value, got specification ${fmt(spec)} for value tree ${tree.structure(value)}.`);
    return spec.flatMap((s, i) => flattenAxes(what, s, value[i]));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof JaxArray)
    throw new ValueError(`${what} specification must be a tree prefix of the corresponding value, got specification ${fmt(spec)} for value tree ${tree.structure(value)}.`);
  const v = value as Record<string, unknown>;
  return Object.keys(v)
    .sort()
    .flatMap((k) => flattenAxes(what, spec[k] ?? 0, v[k]));
}


function checkSpec(what: string, spec: AxisSpec): void {
  const ok = (s: AxisSpec): boolean =>
    s === null || (typeof s === "number" && Number.isInteger(s)) || (Array.isArray(s) ? s.every(ok) : typeof s === "object" && Object.values(s).every(ok));
  if (!ok(spec)) throw new TypeError(`vmap ${what} must be an int, None, or (nested) container with those types as leaves, but got ${fmt(spec)}.`);
}

/**
 * Vectorizes `f` over a batch axis of its arguments: `vmap(f)(xs)` is `f` applied to each
 * `xs[i]`, stacked. `vmap(f, { inAxes: [0, null] })` maps the first argument only.
 */
export function vmap<F extends (...args: any[]) => any>(f: F, opts: VmapOptions = {}): Transformed<F> {
  if (typeof f !== "function") throw new TypeError(`vmap requires a callable as its first argument, got ${String(f)}`);
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  checkSpec("in_axes", inAxes);
  checkSpec("out_axes", outAxes);
  const fname = functionName(f);
  const name = opts.axisName ?? null;
  const wrapped = (...args: unknown[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length)
      throw new TypeError(
        `vmap in_axes must be an int, None, or a tuple of entries corresponding to the positional arguments passed to the function, but got len(in_axes)=${inAxes.length}, len(args)=${args.length}.`,
      );
    const [leaves, inTree] = tree.flatten(args);
    const dims = Array.isArray(inAxes) ? inAxes.flatMap((s, i) => flattenAxes("vmap in_axes", s, args[i])) : flattenAxes("vmap in_axes", inAxes, args);
    const xs = leaves.map(leafValue);
    const paths = tree.leafPaths(inTree, "args");
    const sizes = xs.map((x, i) => {
      const d = dims[i];
      if (d === null) return null;
      if (d >= x.ndim || d < -x.ndim) {
        const minRank = d >= 0 ? d + 1 : -d;
        throw new ValueError(
          `vmap was requested to map its argument along axis ${d}, which implies that its rank should be at least ${minRank}, but is only ${x.ndim} (its shape is ${pyShape(x.shape)})`,
        );
      }
      return x.shape[d < 0 ? d + x.ndim : d];
    });
    const all = sizes.filter((s): s is number => s !== null);
    if (opts.axisSize !== undefined) all.push(opts.axisSize);
    const distinct = [...new Set(all)];
    if (distinct.length === 0) throw new ValueError("vmap must have at least one non-None value in in_axes or axis_size must be specified");
    if (distinct.length > 1) throw new ValueError(inconsistentSizes(sizes, dims, xs, paths, opts.axisSize));
    const size = distinct[0];
    let outTree: tree.TreeDef | undefined;
    const flat = (...ins: JaxArray[]) => {
      const out = f(...(tree.unflatten(inTree, ins) as unknown[]));
      const [ol, def] = tree.flatten(out);
      outTree = def;
      return ol.map(leafValue);
    };
    const outs = vmapFlat(
      flat,
      xs,
      dims,
      () => flattenAxes("vmap out_axes", outAxes, tree.unflatten(outTree!, new Array(outTree!.numLeaves).fill(0))),
      { name, size },
      `vmap(${fname})`,
      currentTrace(),
    );
    return tree.unflatten(outTree!, outs);
  };
  Object.defineProperty(wrapped, "name", { value: fname });
  return wrapped as Transformed<F>;
}

function inconsistentSizes(sizes: (number | null)[], dims: BatchDim[], xs: JaxArray[], paths: string[], axisSize?: number): string {
  const counts = new Map<number, number>();
  for (const s of sizes) if (s !== null) counts.set(s, (counts.get(s) ?? 0) + 1);
  const ordered = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const ex = (sz: number) => {
    const i = sizes.indexOf(sz);
    return [dims[i], `${paths[i]} of type ${xs[i].aval.strShort()}`] as const;
  };
  const lines = ["vmap got inconsistent sizes for array axes to be mapped:\n"];
  if (axisSize !== undefined) lines.push(`  * the \`axis_size\` argument was ${axisSize};\n`);
  ordered.forEach(([sz, ct], k) => {
    const [ax, e] = ex(sz);
    if (ct === 1) lines.push(`  * one axis had size ${sz}: axis ${ax} of ${e};\n`);
    else lines.push(`  * ${k === 0 ? "most" : "some"} axes (${ct} of them) had size ${sz}, e.g. axis ${ax} of ${e};\n`);
  });
  return lines.join("").slice(0, -2);
}
