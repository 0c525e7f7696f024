// numpy integers in params. Some of JAX's transformation rules compute params with numpy
// (np.delete, np.where, np.add), and str() of a tuple holding np.int64 prints `np.int64(1)`:
// JAX's printed jaxprs show it. Rules mark such elements, and printParams rules print them.
import { type Params, PyList } from "./jaxpr.js";
import { pyStr } from "./print.js";

const marks = new WeakMap<readonly unknown[], readonly boolean[]>();

/** Marks the elements of a param tuple (all, or where `mask` is true) as numpy ints; returns it. */
export function npInts<T extends readonly unknown[]>(xs: T, mask?: readonly boolean[]): T {
  marks.set(xs, mask ?? xs.map(() => true));
  return xs;
}

/** Which elements of a param tuple are numpy ints. */
export const npMask = (xs: readonly unknown[]): boolean[] => [...(marks.get(xs) ?? xs.map(() => false))];

/** A param as Python's str() prints it, numpy ints included. */
export function pyParam(v: unknown, top = true): string {
  const items = v instanceof PyList ? v.items : Array.isArray(v) ? v : null;
  if (items === null) return pyStr(v, top);
  const mask = marks.get(items);
  const parts = items.map((x, i) => (mask?.[i] ? `np.int64(${x})` : pyParam(x, false)));
  if (v instanceof PyList) return `[${parts.join(", ")}]`;
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(", ")})`;
}

/** A printParams rule: JAX's default (every param, sorted by name) minus `hidden`. */
export const sortedParams =
  (...hidden: string[]) =>
  <P extends object>(p: P): [string, unknown][] =>
    Object.keys(p)
      .filter((k) => !hidden.includes(k))
      .sort()
      .map((k) => [k, pyParam((p as Params)[k])]);
