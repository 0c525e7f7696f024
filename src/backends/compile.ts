// Lowering: a jaxpr is optimised (passes), partitioned into plain kernel calls and fused
// elementwise groups, and flattened into a plan over numbered slots. Literals become tensors
// once, and each intermediate is freed right after its last use, so a call leaves tf.memory()
// where it found it.
import * as tf from "@tensorflow/tfjs-core";
import { type Atom, ClosedJaxpr, Jaxpr, Literal, type LowerCtx, type Params, type Primitive, Var } from "../jaxpr/jaxpr.js";
import type { ShapedArray } from "../jaxpr/aval.js";
import { printJaxpr } from "../jaxpr/print.js";
import { optimize } from "../jaxpr/passes/index.js";
import { tensorFrom } from "../array/array.js";
import { config } from "../config.js";
import { planFusion } from "./fusion/plan.js";
import { fusedKernel } from "./fusion/kernel.js";
import { runPrimitive } from "./dispatch.js";

interface Step {
  prim: Primitive;
  params: Params;
  ctx: LowerCtx;
  ins: number[];
  outs: number[];
  /** Slots whose last use is this step. */
  free: number[];
}

export interface CompileOptions {
  /** Inputs whose buffers the caller gives up: freed at their last use inside the plan. */
  donated?: boolean[];
  /** For TFJAX_DEBUG output. */
  name?: string;
}

// Literal tensors are shared by every plan on a backend, counted: 3000 shapes of `x * 2` hold one
// tensor for the 2. A plan gives its references back on dispose() or, once collected (evicted
// from jit's cache and no longer running), through the registry.
const literalPool = new Map<string, { t: tf.Tensor; n: number }>();
function literalTensor(l: Literal, keys: string[]): tf.Tensor {
  const key = `${tf.getBackend()}|${l.aval.dtype}:${Object.is(l.val, -0) ? "-0" : String(l.val)}`;
  let e = literalPool.get(key);
  if (e === undefined) literalPool.set(key, (e = { t: tf.keep(tensorFrom([l.val as number], [], l.aval.dtype)), n: 0 }));
  e.n++;
  keys.push(key);
  return e.t;
}
function releaseLiterals(keys: string[]): void {
  for (const k of keys) {
    const e = literalPool.get(k)!;
    if (--e.n === 0) {
      e.t.dispose();
      literalPool.delete(k);
    }
  }
}
const collected = new FinalizationRegistry<string[]>(releaseLiterals);

export class Executable {
  #literalKeys: string[] | null = null;
  constructor(
    private readonly numSlots: number,
    private readonly inSlots: number[],
    private readonly steps: Step[],
    private readonly outSlots: number[],
    /** Literal tensors (shared, counted in the pool) at fixed slots. */
    private readonly literals: [number, tf.Tensor][],
    readonly outAvals: ShapedArray[],
    /** Input slots the plan may free (donated inputs). */
    private readonly ownedInputs: Set<number>,
  ) {}

  /** Runs the plan. Inputs stay owned by the caller unless donated; outputs are new tensors. */
  run(args: tf.Tensor[]): tf.Tensor[] {
    const env: (tf.Tensor | null)[] = new Array(this.numSlots).fill(null);
    // owned[s]: the plan made (or was given) the tensor in slot s and must free or hand it out.
    const owned = new Uint8Array(this.numSlots);
    for (const [s, t] of this.literals) env[s] = t;
    for (let i = 0; i < args.length; i++) env[this.inSlots[i]] = args[i];
    for (const s of this.ownedInputs) owned[s] = 1;
    try {
      for (const st of this.steps) {
        const ins = new Array<tf.Tensor>(st.ins.length);
        for (let i = 0; i < ins.length; i++) ins[i] = env[st.ins[i]]!;
        const outs = runPrimitive(st.prim, ins, st.params, st.ctx);
        for (let i = 0; i < outs.length; i++) {
          env[st.outs[i]] = outs[i];
          owned[st.outs[i]] = 1;
        }
        for (const s of st.free) {
          if (!owned[s]) continue;
          env[s]!.dispose();
          env[s] = null;
          owned[s] = 0;
        }
      }
      // An output we do not own (an input, a literal) or that repeats is handed out as a copy.
      return this.outSlots.map((s) => {
        if (owned[s]) {
          owned[s] = 0;
          return env[s]!;
        }
        return tf.clone(env[s]!);
      });
    } finally {
      for (let s = 0; s < owned.length; s++) if (owned[s]) env[s]?.dispose();
    }
  }

  /** Holds the pool references of its literals (registered with `literals`) until dispose(). */
  holdLiterals(keys: string[]): this {
    this.#literalKeys = keys;
    return this;
  }

  dispose(): void {
    if (this.#literalKeys === null) return;
    collected.unregister(this.literals);
    releaseLiterals(this.#literalKeys);
    this.#literalKeys = null;
  }
}

/** Compiles a jaxpr whose constvars were converted to invars. */
export function compile(input: Jaxpr, opts: CompileOptions = {}): Executable {
  const jaxpr = optimize(input);
  const debug = config.read<number>("tfjax_debug");
  if (debug >= 1) console.error(`TFJAX_DEBUG: compiled jaxpr${opts.name ? ` of ${opts.name}` : ""} after passes:\n${printJaxpr(jaxpr)}`);

  let numSlots = 0;
  const env = new Map<Var, number>();
  const literals: [number, tf.Tensor][] = [];
  const literalKeys: string[] = [];
  // Registered on the literals array, which only the executable holds: also released when
  // compilation throws half-way.
  collected.register(literals, literalKeys, literals);
  const steps: Step[] = [];
  const slotOf = (a: Atom): number => {
    if (a instanceof Literal) {
      const s = numSlots++;
      literals.push([s, literalTensor(a, literalKeys)]);
      return s;
    }
    const s = env.get(a);
    if (s === undefined) throw new Error(`compile: variable used before definition (${a.aval.strShort()})`);
    return s;
  };
  const bindOuts = (vs: Var[]) =>
    vs.map((v) => {
      const s = numSlots++;
      env.set(v, s);
      return s;
    });

  jaxpr.invars.forEach((v) => env.set(v, numSlots++));
  const inSlots = jaxpr.invars.map((v) => env.get(v)!);

  for (const item of planFusion(jaxpr)) {
    if (item.kind === "eqn") {
      const e = item.eqn;
      const ins = e.inputs.map(slotOf);
      // Jits the inliner kept (they carry consts) run as their own executables.
      const prim = e.primitive.name === "jit" ? nestedJit(e.params.jaxpr as ClosedJaxpr) : e.primitive;
      steps.push({ prim, params: e.params, ctx: { inAvals: e.inputs.map((a) => a.aval), outAvals: e.outBinders.map((v) => v.aval) }, ins, outs: bindOuts(e.outBinders), free: [] });
      continue;
    }
    const g = item.group;
    const kernel = fusedKernel(g.program);
    if (debug >= 2) console.error(`TFJAX_DEBUG: fused kernel (${g.eqns.map((e) => e.primitive.name).join(" ")}) over [${g.program.shape}]:\n${kernel.source()}`);
    const prim: Primitive = { name: "fused", abstractEval: () => g.outputs.map((v) => v.aval), impl: (args) => kernel.run(args) };
    const ins = g.inputs.map(slotOf);
    steps.push({ prim, params: {}, ctx: { inAvals: g.inputs.map((a) => a.aval), outAvals: g.outputs.map((v) => v.aval) }, ins, outs: bindOuts(g.outputs), free: [] });
  }
  const outSlots = jaxpr.outvars.map(slotOf);

  // Liveness: free each produced (or donated) slot after its last reader, or at once if unread.
  const donatedSlots = new Set<number>(inSlots.filter((_, i) => opts.donated?.[i]));
  const freeable = new Set<number>([...steps.flatMap((s) => s.outs), ...donatedSlots]);
  const keep = new Set<number>(outSlots);
  const lastUse = new Map<number, number>();
  steps.forEach((st, i) => {
    for (const s of st.ins) lastUse.set(s, i);
    for (const s of st.outs) if (!lastUse.has(s)) lastUse.set(s, i);
  });
  for (const [s, i] of lastUse) if (freeable.has(s) && !keep.has(s)) steps[i].free.push(s);

  return new Executable(numSlots, inSlots, steps, outSlots, literals, input.outAvals, donatedSlots).holdLiterals(literalKeys);
}

const nestedCache = new WeakMap<ClosedJaxpr, Primitive>();
function nestedJit(closed: ClosedJaxpr): Primitive {
  let p = nestedCache.get(closed);
  if (!p) {
    const exe = compile(new Jaxpr([], [...closed.jaxpr.constvars, ...closed.jaxpr.invars], closed.jaxpr.eqns, closed.jaxpr.outvars));
    const consts = (closed.consts as { tensor: tf.Tensor }[]).map((c) => c.tensor);
    p = { name: "jit", abstractEval: () => closed.outAvals, impl: (args) => exe.run([...consts, ...args]) };
    nestedCache.set(closed, p);
  }
  return p;
}
