// The jaxpr optimiser run before lowering: jit inlining once, then simplification, XLA's division
// rewrites, transpose folding into dot_general, constant folding, CSE and DCE repeated to a fixed
// point. Every pass
// is pure (Jaxpr → new Jaxpr), linear in the number of equations, keeps invars and constvars,
// and keeps every type.
import { Jaxpr } from "../jaxpr.js";
import { checkJaxpr } from "../typecheck.js";
import { inlineJits } from "./inline.js";
import { dce } from "./dce.js";
import { cse } from "./cse.js";
import { fold } from "./fold.js";
import { simplify } from "./simplify.js";
import { transposeFolding } from "./transpose_folding.js";
import { xlaDivide } from "./xla_divide.js";
import { sameJaxpr } from "./util.js";

export { inlineJits, dce, cse, fold, simplify, transposeFolding, xlaDivide };
export { RULES } from "./simplify.js";

export interface OptimizeOptions {
  /** Each pass can be turned off (all default to on). */
  inline?: boolean;
  simplify?: boolean;
  xlaDivide?: boolean;
  transposeFolding?: boolean;
  fold?: boolean;
  cse?: boolean;
  dce?: boolean;
  /** Rounds of simplify → fold → cse → dce at most (default 8); each round is linear. */
  maxIterations?: number;
  /** Type-check after every pass, naming the pass that broke it (for debugging and tests). */
  check?: boolean;
}

type Pass = [string, (j: Jaxpr) => Jaxpr];

export function optimize(jaxpr: Jaxpr, opts: OptimizeOptions = {}): Jaxpr {
  const run = ([name, pass]: Pass, j: Jaxpr): Jaxpr => {
    const out = pass(j);
    if (opts.check) {
      try {
        checkJaxpr(out);
      } catch (err) {
        throw new Error(`optimize: pass ${name} produced an ill-typed jaxpr: ${(err as Error).message}`);
      }
    }
    return out;
  };
  // Inlining first, once: it exposes callee bodies to everything else, and is itself complete.
  let j = opts.inline === false ? jaxpr : run(["inline", inlineJits], jaxpr);
  // Simplify exposes constants and duplicates; fold turns constants into Literals that feed the
  // next round's simplifications; cse merges what became equal; dce sweeps up last.
  const passes: Pass[] = (
    [
      ["simplify", simplify],
      ["xlaDivide", xlaDivide],
      ["transposeFolding", transposeFolding],
      ["fold", fold],
      ["cse", cse],
      ["dce", dce],
    ] as Pass[]
  ).filter(([name]) => opts[name as keyof OptimizeOptions] !== false);
  for (let i = 0; i < (opts.maxIterations ?? 8) && passes.length; i++) {
    const before = j;
    for (const p of passes) j = run(p, j);
    if (sameJaxpr(before, j)) break;
  }
  return j === jaxpr ? new Jaxpr([...j.constvars], [...j.invars], [...j.eqns], [...j.outvars]) : j;
}
