// Lowering: a jaxpr becomes a flat plan of tfjs kernel calls over numbered slots. Nested jit
// calls are inlined, literals become tensors once, and each intermediate is freed right after
// its last use, so a call leaves tf.memory() where it found it.
import * as tf from "@tensorflow/tfjs-core";
import { type Atom, ClosedJaxpr, type Jaxpr, Literal, type LowerCtx, type Params, type Primitive, Var } from "../jaxpr/jaxpr.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { tensorFrom } from "../array/array.js";

interface Step {
  prim: Primitive;
  params: Params;
  ctx: LowerCtx;
  ins: number[];
  outs: number[];
  /** Slots whose last use is this step. */
  free: number[];
}

export class Executable {
  constructor(
    private readonly numSlots: number,
    private readonly inSlots: number[],
    private readonly steps: Step[],
    private readonly outSlots: number[],
    /** Literal tensors, owned by the executable, at fixed slots. */
    private readonly literals: [number, tf.Tensor][],
    readonly outAvals: ShapedArray[],
  ) {}

  /** Runs the plan. Inputs stay owned by the caller; outputs are new tensors. */
  run(args: tf.Tensor[]): tf.Tensor[] {
    const env: (tf.Tensor | null)[] = new Array(this.numSlots).fill(null);
    for (const [s, t] of this.literals) env[s] = t;
    for (let i = 0; i < args.length; i++) env[this.inSlots[i]] = args[i];
    const owned = new Set<number>();
    try {
      for (const st of this.steps) {
        const outs = st.prim.impl(
          st.ins.map((s) => env[s]!),
          st.params,
          st.ctx,
        );
        for (let i = 0; i < outs.length; i++) {
          env[st.outs[i]] = outs[i];
          owned.add(st.outs[i]);
        }
        for (const s of st.free) {
          env[s]!.dispose();
          env[s] = null;
          owned.delete(s);
        }
      }
      // An output we do not own (an input, a literal) or that repeats is handed out as a copy.
      const given = new Set<number>();
      return this.outSlots.map((s) => {
        if (owned.has(s) && !given.has(s)) {
          given.add(s);
          owned.delete(s);
          return env[s]!;
        }
        return tf.clone(env[s]!);
      });
    } finally {
      for (const s of owned) env[s]?.dispose();
    }
  }

  dispose(): void {
    for (const [, t] of this.literals) t.dispose();
  }
}

/** Compiles a closed-over-free jaxpr (constvars already converted to invars). */
export function compile(jaxpr: Jaxpr): Executable {
  let numSlots = 0;
  const slotOf = new Map<Var, number>();
  const literals: [number, tf.Tensor][] = [];
  const steps: Step[] = [];

  const atomSlot = (a: Atom, env: Map<Var, number>): number => {
    if (a instanceof Literal) {
      const s = numSlots++;
      literals.push([s, tf.keep(tensorFrom([a.val as number], [], a.aval.dtype))]);
      return s;
    }
    const s = env.get(a);
    if (s === undefined) throw new Error(`compile: variable used before definition (${a.aval.strShort()})`);
    return s;
  };

  // Inline nested jits: their invars alias the caller's slots.
  const emit = (j: Jaxpr, env: Map<Var, number>) => {
    for (const e of j.eqns) {
      const ins = e.inputs.map((a) => atomSlot(a, env));
      if (e.primitive.name === "jit") {
        const inner = (e.params.jaxpr as ClosedJaxpr).jaxpr;
        const innerEnv = new Map<Var, number>();
        inner.invars.forEach((v, i) => innerEnv.set(v, ins[i]));
        emit(inner, innerEnv);
        // Outputs that are inputs or literals of the inner jaxpr need a step of their own.
        inner.outvars.forEach((o, i) => {
          const s = atomSlot(o, innerEnv);
          const outVar = e.outBinders[i];
          const copy = numSlots++;
          steps.push({ prim: copyPrim, params: {}, ctx: { inAvals: [o.aval], outAvals: [outVar.aval] }, ins: [s], outs: [copy], free: [] });
          env.set(outVar, copy);
        });
        continue;
      }
      const outs = e.outBinders.map((v) => {
        const s = numSlots++;
        env.set(v, s);
        return s;
      });
      steps.push({
        prim: e.primitive,
        params: e.params,
        ctx: { inAvals: e.inputs.map((a) => a.aval), outAvals: e.outBinders.map((v) => v.aval) },
        ins,
        outs,
        free: [],
      });
    }
  };

  jaxpr.invars.forEach((v) => slotOf.set(v, numSlots++));
  const inSlots = jaxpr.invars.map((v) => slotOf.get(v)!);
  emit(jaxpr, slotOf);
  const outSlots = jaxpr.outvars.map((a) => atomSlot(a, slotOf));

  // Liveness: free each step-produced slot after its last reader (or at once if never read).
  const produced = new Set<number>(steps.flatMap((s) => s.outs));
  const keep = new Set<number>(outSlots);
  const lastUse = new Map<number, number>();
  steps.forEach((st, i) => {
    for (const s of st.ins) lastUse.set(s, i);
    for (const s of st.outs) if (!lastUse.has(s)) lastUse.set(s, i);
  });
  for (const [s, i] of lastUse) if (produced.has(s) && !keep.has(s)) steps[i].free.push(s);

  return new Executable(numSlots, inSlots, steps, outSlots, literals, jaxpr.outAvals);
}

// The identity step for inlined jit outputs (tf.clone shares the buffer: a handle, not a copy).
const copyPrim: Primitive = {
  name: "copy",
  abstractEval: (avals) => avals,
  impl: ([x]) => [tf.clone(x)],
};
