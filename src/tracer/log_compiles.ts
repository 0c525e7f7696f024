// What TFJAX_LOG_COMPILES=1 prints: each trace, and why a call missed the trace cache
// (as JAX's jax_log_compiles and jax_explain_cache_misses do).
import type { ShapedArray } from "../jaxpr/aval.js";

export interface CacheKeyParts {
  tree: string;
  avals: string[];
  paths: string[];
  statics: string[];
}

const log = (msg: string) => console.warn(msg);

export function logCompile(fname: string, avals: ShapedArray[], ms: number): void {
  log(`Finished tracing + transforming ${fname} for jit in ${(ms / 1000).toFixed(6)} sec`);
  log(`Compiling ${fname} with global shapes and types [${avals.map((a) => `ShapedArray(${a.dtype}[${a.shape.join(",")}]${a.weakType ? ", weak_type=True" : ""})`).join(", ")}].`);
}

/** Names what changed between this call's key and the closest key seen before. */
export function explainMiss(fname: string, now: CacheKeyParts, previous: CacheKeyParts[]): void {
  if (previous.length === 0) {
    log(`TRACING CACHE MISS at ${fname} because:\n  never seen function:\n    ${fname}`);
    return;
  }
  const diffs = previous.map((p) => differences(now, p));
  const best = diffs.reduce((a, b) => (b.length < a.length ? b : a));
  log(`TRACING CACHE MISS at ${fname} because:\n  all previously seen cache keys are different. Closest previous key:\n${best.map((d) => `  * ${d}`).join("\n")}`);
}

function differences(now: CacheKeyParts, before: CacheKeyParts): string[] {
  if (now.tree !== before.tree) return [`different input pytree: now ${now.tree} and before ${before.tree}`];
  const out: string[] = [];
  now.avals.forEach((a, i) => {
    if (a !== before.avals[i]) out.push(`at ${now.paths[i]}, now ${a} and before ${before.avals[i]}`);
  });
  if (now.statics.join() !== before.statics.join()) out.push(`different value of static args: now ${now.statics.join(", ")} and before ${before.statics.join(", ")}`);
  return out;
}
