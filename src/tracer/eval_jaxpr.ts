// evalJaxpr: runs a jaxpr equation by equation under the current trace, so it works eagerly,
// under jit and (later) under every transformation.
import type { Array as JaxArray } from "../array/base.js";
import { scalar } from "../array/array.js";
import { ClosedJaxpr, type Jaxpr } from "../jaxpr/jaxpr.js";
import { interpretJaxpr } from "../jaxpr/interpret.js";
import { bind } from "./core.js";
import { leafValue } from "./jit.js";

/** `evalJaxpr(makeJaxpr(f)(x), x)` computes `f(x)`, flattened to a list of outputs. */
export function evalJaxpr(jaxpr: ClosedJaxpr | Jaxpr, ...args: (JaxArray | number | boolean)[]): JaxArray[] {
  const [j, consts] = jaxpr instanceof ClosedJaxpr ? [jaxpr.jaxpr, jaxpr.consts as JaxArray[]] : [jaxpr, []];
  return interpretJaxpr<JaxArray>(
    j,
    consts,
    args.map(leafValue),
    (l) => scalar(l.val, l.aval.dtype, l.aval.weakType),
    (prim, xs, params) => bind(prim, xs, params),
  );
}
