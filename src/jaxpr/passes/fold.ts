// Constant folding: an equation of Literals with one scalar output is run at compile time by
// the primitive's own kernel (as the runtime dispatches it) on tfjs scalars, so the folded value is exactly what the lowered
// program would compute on the active backend.
import * as tf from "@tensorflow/tfjs-core";
import { type Jaxpr, JaxprEqn, Literal, jaxprsInParams } from "../jaxpr.js";
import { tensorFrom } from "../../array/array.js";
import { hostData } from "../../lax/primitive.js";
import { Subst, eqnKey, isPure } from "./util.js";
import { runPrimitive } from "../../backends/dispatch.js";

const foldable = (e: JaxprEqn): boolean =>
  e.inputs.length > 0 && // no inputs (iota, ...): nothing to fold, and the output is rarely a scalar
  e.outBinders.length === 1 &&
  e.outBinders[0].aval.ndim === 0 &&
  e.outBinders[0].aval.dtype !== "key<fry>" && // a key is two words: no scalar literal holds it
  e.inputs.every((a) => a instanceof Literal) &&
  isPure(e.primitive) &&
  jaxprsInParams(e.params).length === 0; // calls are inlined, not evaluated

/** The equation's value as a Literal of its binder's type (weak type kept), or undefined. */
function evaluate(e: JaxprEqn): Literal | undefined {
  const out = e.outBinders[0].aval;
  let val: number | boolean | undefined;
  try {
    // tidy frees the operands, the result and anything an impl leaves behind.
    tf.tidy(() => {
      const args = e.inputs.map((a) => tensorFrom([(a as Literal).val as number], [], a.aval.dtype));
      const ctx = { inAvals: e.inputs.map((a) => a.aval), outAvals: [out] };
      const [t] = runPrimitive(e.primitive, args, e.params, ctx);
      const x = hostData(t, out.dtype)[0];
      val = out.dtype === "bool" ? x !== 0 : x;
    });
  } catch {
    return undefined; // leave it to run (and fail, if it must) at run time
  }
  return val === undefined ? undefined : new Literal(val, out);
}

export function fold(jaxpr: Jaxpr): Jaxpr {
  const sub = new Subst();
  const eqns: JaxprEqn[] = [];
  // Equal equations fold to equal values: evaluate each once (a kernel call costs ~30 µs).
  const memo = new Map<string, Literal | undefined>();
  for (const e0 of jaxpr.eqns) {
    const e = sub.eqn(e0);
    let lit: Literal | undefined;
    if (foldable(e)) {
      const key = eqnKey(e);
      if (memo.has(key)) {
        const m = memo.get(key);
        lit = m && new Literal(m.val, e.outBinders[0].aval);
      } else memo.set(key, (lit = evaluate(e)));
    }
    if (lit) sub.set(e.outBinders[0], lit);
    else eqns.push(e);
  }
  return sub.finish(jaxpr, eqns);
}
