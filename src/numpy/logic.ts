// Whole-array comparisons and membership (array_equal, array_equiv, isin) and numpy's select,
// as jax/_src/numpy/lax_numpy.py and setops.py write them.
import type { Array as JaxArray } from "../array/base.js";
import * as lax from "../lax/lax.js";
import type { ArrayLike } from "../lax/lax.js";
import { equal, isnan, logicalAnd, logicalOr, notEqual } from "./math.js";
import { promoteDtypes } from "./promote.js";
import { all, any, argmax } from "./reductions.js";
import { reshape, stack } from "./shape.js";
import { broadcastArrays } from "./stacking.js";

const arr = (x: ArrayLike): JaxArray => promoteDtypes(x)[0];

/** True when both have the same shape and elements (NaNs equal with `equalNan`). */
export function arrayEqual(a1: ArrayLike, a2: ArrayLike, opts: { equalNan?: boolean } = {}): JaxArray {
  const [a, b] = [arr(a1), arr(a2)];
  if (a.shape.join() !== b.shape.join() || a.ndim !== b.ndim) return lax.asArray(false, "bool");
  let eq = equal(a, b);
  if (opts.equalNan) eq = logicalOr(eq, logicalAnd(isnan(a), isnan(b)));
  return all(eq);
}

/** True when the arrays broadcast together and are equal elementwise. */
export function arrayEquiv(a1: ArrayLike, a2: ArrayLike): JaxArray {
  let eq: JaxArray;
  try {
    eq = equal(arr(a1), arr(a2));
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) return lax.asArray(false, "bool");
    throw e;
  }
  return all(eq);
}

/** Elementwise membership of `element` in `testElements` (compared against all of them). */
export function isin(element: ArrayLike, testElements: ArrayLike, opts: { invert?: boolean } = {}): JaxArray {
  const [a, b] = promoteDtypes(element, testElements);
  const shape = a.shape;
  const x = reshape(a, [-1]);
  const t = reshape(b, [-1]);
  if (x.size === 0 || t.size === 0) return lax.broadcastInDim(lax.asArray(!!opts.invert, "bool"), shape, []);
  const lhs = lax.expandDims(x, [1]);
  const rhs = lax.expandDims(t, [0]);
  const out = opts.invert ? all(notEqual(lhs, rhs), -1) : any(equal(lhs, rhs), -1);
  return reshape(out, shape);
}

/** choicelist[i] where condlist[i] is the first true condition, `default` where none is. */
export function select(condlist: ArrayLike[], choicelist: ArrayLike[], defaultValue: ArrayLike = 0): JaxArray {
  if (condlist.length !== choicelist.length) throw new RangeError(`condlist must have length equal to choicelist (${condlist.length} vs ${choicelist.length})`);
  if (condlist.length === 0) throw new RangeError("condlist must be non-empty");
  const choices = promoteDtypes(defaultValue, ...choicelist);
  // A leading false condition: argmax then finds the first true one, or 0 (the default) if none.
  const conds = stack(broadcastArrays(false, ...condlist).map((c) => lax.convertElementType(c, "bool")));
  const [w, ...cs] = broadcastArrays(argmax(conds, 0), ...choices);
  return lax.selectN(w, ...cs);
}
