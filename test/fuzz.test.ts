// Differential fuzzing (issue #7): random well-typed programs (test/harness/programs.ts: the
// harness's elementwise primitives, jnp broadcasting, reductions, shape ops, dots, nested jit,
// lax.cond, lax.scan; shapes with size-1 and zero-size dimensions; float32, int32 and bool) must
// give the same results eagerly, under jit and through evalJaxpr(makeJaxpr); their grad must
// agree with finite differences and their vmap with a loop; and no path may leak a tensor
// (test/harness/fuzz.ts has the properties and their tolerances).
//
// fast-check draws each program as a list of choices and, on a failure, shrinks the list, so
// the reported program is a small one; its listing and its data (paste the data into
// test/fuzz_regressions.test.ts) are in the error message.
//
// In CI the seed is fixed: 1000 programs for the agreement property, 333 each for grad and vmap
// (about 11 s on node-cpu and 14 s on node-wasm on an idle machine). A long local run:
//   npm run fuzz                                   (FUZZ_RUNS=10000, a seed from the clock, node-cpu and node-wasm)
//   FUZZ_RUNS=5000 FUZZ_SEED=123 npx vitest run test/fuzz.test.ts --project node-wasm
// FUZZ_TRACE=/tmp/fuzz.log appends each program's choices before it runs (to find a hang).
// FUZZ_RUNS scales every property's runs (the agreement property gets FUZZ_RUNS, grad and vmap
// a third each); the seed in use is printed, so a failure can be replayed.
import { appendFileSync } from "node:fs";
import fc from "fast-check";
import { describe, it } from "vitest";
import "../src/index.js";
import { checkAgree, checkGradProgram, checkVmapProgram, vmapSetup } from "./harness/fuzz.js";
import { type Elementwise, generate, inputsFor } from "./harness/programs.js";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const long = env.FUZZ_RUNS !== undefined;
const RUNS = Number(env.FUZZ_RUNS ?? 1000);
/** Fixed in CI; a long run without FUZZ_SEED draws one from the clock (printed in the test's name). */
const SEED = Number(env.FUZZ_SEED ?? (long ? Date.now() % 2 ** 31 : 20261127));
const TIMEOUT = long ? 24 * 3600_000 : 120_000;

/** A program's choices and its inputs' seed. */
const choices = fc.array(fc.nat({ max: 0xffff }), { maxLength: 160, size: "max" });
const seeds = fc.nat({ max: 1e6 });
/** FUZZ_TRACE=file: each program is appended to the file before it runs (the last line names a hang). */
const trace = (what: string, p: unknown) => env.FUZZ_TRACE && appendFileSync(env.FUZZ_TRACE, `${what} ${JSON.stringify(p)}\n`);

/** Prints a property's first failure before fast-check shrinks it (shrinking a slow case can take minutes). */
const firstFailure = new Set<string>();
function reported<A extends unknown[]>(name: string, f: (...a: A) => void): (...a: A) => void {
  return (...a) => {
    try {
      f(...a);
    } catch (e) {
      if (!firstFailure.has(name)) console.warn(`${name}: first failure, before shrinking:\n${(e as Error).message}`);
      firstFailure.add(name);
      throw e;
    }
  };
}
const params = (numRuns: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns)), endOnFailure: false });

/**
 * The grad property's elementwise primitives: differentiable ones, except stop_gradient (its
 * derivative is zero by definition, not the function's) and clamp, whose JAX derivative where
 * the operand equals a bound is 0 for every operand (a convention at the kink); clamp(x, x, x) = x
 * moves smoothly along the diagonal, which finite differences follow.
 */
const gradElementwise = (e: Elementwise) => e.differentiable && e.prim !== "clamp" && e.prim !== "stop_gradient";

describe(`differential fuzzing (seed ${SEED}, ${RUNS} programs)`, () => {
  it(
    "eager == jit == evalJaxpr(makeJaxpr), and no leaks",
    () => {
      fc.assert(
        fc.property(
          choices,
          seeds,
          reported("agree", (cs, seed) => {
            const p = generate(cs);
            trace("agree", { cs, seed });
            checkAgree(p, inputsFor(p, seed));
          }),
        ),
        params(RUNS),
      );
    },
    TIMEOUT,
  );

  it(
    "grad of the sum of the float outputs == finite differences",
    () => {
      let checked = 0;
      fc.assert(
        fc.property(
          choices,
          seeds,
          reported("grad", (cs, seed) => {
            const p = generate(cs, { elementwise: gradElementwise });
            trace("grad", { cs, seed });
            if (checkGradProgram(p, inputsFor(p, seed, { smooth: true }))) checked++;
          }),
        ),
        params(RUNS / 3),
      );
      // Most programs have a smooth point with a float input (the rest are skipped, not passed).
      if (checked < RUNS / 12) throw new Error(`grad checked only ${checked} programs of ${Math.round(RUNS / 3)}`);
    },
    TIMEOUT,
  );

  it(
    "vmap == a loop over the batch",
    () => {
      fc.assert(
        fc.property(
          choices,
          seeds,
          reported("vmap", (cs, seed) => {
            const p = generate(cs);
            trace("vmap", { cs, seed });
            const { examples, inAxes } = vmapSetup(p, seed);
            checkVmapProgram(p, examples, inAxes);
          }),
        ),
        params(RUNS / 3),
      );
    },
    TIMEOUT,
  );
});
