// JAX's "Stateful computations" notebook, in tfjax: why a transformed function must be pure,
// and how to thread state explicitly instead.
import { jit, jnp, makeJaxpr, random, type Array } from "../src/index.js";

export function main(log: (...xs: unknown[]) => void = console.log): void {
  // 1. A function that reads a global is traced once: the global's value at trace time is
  //    frozen into the jaxpr. jit's cache is keyed on the function itself, so a fresh jit(f)
  //    of the same function reuses that trace.
  log("# 1. Impure functions: a global read freezes at trace time");
  let g = 0;
  const impureUsesGlobal = (x: Array) => jnp.add(x, g);
  log("First call:", String(jit(impureUsesGlobal)(4)));
  g = 10;
  log("Second call:", String(jit(impureUsesGlobal)(5)));

  // 2. Random state is explicit too: a key is split into new keys, never mutated (the numbers
  //    are JAX's: split(PRNGKey(0))[i] = fold_in(PRNGKey(0), i) in JAX's default stream).
  log("# 2. PRNG keys are split, never mutated");
  const key = random.PRNGKey(0);
  const [key1, key2] = random.split(key);
  log("key:", String(key));
  log("split(key):", String(key1), String(key2));
  log("key after split:", String(key));

  // 3. A counter that keeps its state in a field.
  log("# 3. A stateful Counter");
  const counter = new Counter();
  for (let i = 0; i < 3; i++) log(counter.count());
  counter.reset();
  // The state is not an input of count, so tracing sees a constant: an empty jaxpr.
  log(String(makeJaxpr(counter.count.bind(counter))()));
  counter.reset();
  const fastCount = jit(counter.count.bind(counter));
  for (let i = 0; i < 3; i++) log(String(fastCount()));

  // 4. The fix: the state goes in and comes out, so the compiled function sees it change.
  log("# 4. CounterV2: state in, state out");
  const counterV2 = new CounterV2();
  let state: CounterState = counterV2.reset();
  for (let i = 0; i < 3; i++) {
    const [value, next] = counterV2.count(state);
    state = next;
    log(String(value));
  }
  state = counterV2.reset();
  const fastCountV2 = jit(counterV2.count.bind(counterV2));
  for (let i = 0; i < 3; i++) {
    const [value, next] = fastCountV2(state);
    state = next;
    log(String(value));
  }

  // 5. The rule.
  log("# 5. The rule");
  log("A stateful method m(...args) => output becomes m(state, ...args) => [output, newState].");
}

/** A counter that mutates its own field: fine eagerly, frozen under jit. */
class Counter {
  n = 0;
  count(): number {
    this.n += 1;
    return this.n;
  }
  reset(): void {
    this.n = 0;
  }
}

type CounterState = number | Array;

// JS has no operator overloading: `+` works on JS numbers (the eager loop), `jnp.add` on the
// traced arrays that jit passes in.
const plusOne = (n: CounterState): CounterState => (typeof n === "number" ? n + 1 : jnp.add(n, 1));

/** The same counter with its state threaded explicitly. */
class CounterV2 {
  count(n: CounterState): [CounterState, CounterState] {
    // The output and the new state happen to be equal; in general the output is any function of the state.
    return [plusOne(n), plusOne(n)];
  }
  reset(): CounterState {
    return 0;
  }
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
