// JAX's PRNG in tfjax: keys are values, split and foldIn make new ones, and a key is never used
// twice. Every number printed here is one JAX prints (sources in test/prng.test.ts).
import { config, random } from "../src/index.js";

export function main(log: (...xs: unknown[]) => void = console.log): void {
  // 1. A key is an explicit value: no hidden global state to mutate.
  log("# 1. A key is a value");
  const key = random.key(0);
  log(String(random.key(42)));

  // 2. The same key always gives the same numbers: drawing does not consume or change it.
  log("# 2. Same key, same numbers");
  log("uniform(key):", String(random.uniform(key)));
  log("uniform(key) again:", String(random.uniform(key)));
  // Draws from one key overlap: the scalar is the first element of the vector draw. Two
  // "independent" quantities drawn from one key would be correlated, so a key is used once.
  log("uniform(key, [3]):", String(random.uniform(key, [3])));

  // 3. split: fresh keys for every use. Keep one to split again, consume the other.
  log("# 3. split");
  const [next, subkey] = random.split(key);
  log("split(key):", String(random.keyData(random.split(key))));
  log("uniform(subkey):", String(random.uniform(subkey)));
  log("next key:", String(random.keyData(next)));

  // 4. foldIn: a key per step (or per layer, per example) from a counter, no bookkeeping.
  //    In JAX's default stream split(key, n)[i] is foldIn(key, i).
  log("# 4. foldIn");
  const base = random.key(42);
  for (let step = 0; step < 4; step++) log(`step ${step}:`, String(random.uniform(random.foldIn(base, step))));

  // 5. The two stream modes: jax_threefry_partitionable is true by default (JAX >= 0.5.0);
  //    false reproduces the numbers of older JAX versions.
  log("# 5. Stream modes");
  log("split(PRNGKey(0)), partitionable:", String(random.split(random.PRNGKey(0))));
  config.update("jax_threefry_partitionable", false);
  try {
    log("split(PRNGKey(0)), legacy:", String(random.split(random.PRNGKey(0))));
  } finally {
    config.update("jax_threefry_partitionable", true);
  }
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
