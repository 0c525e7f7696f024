// The demo's printed lines are part of the interface: each is asserted here.
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, test } from "vitest";
import { main as stateful } from "../examples/stateful.js";
import { jaxText } from "./jax_texts.js";

test("examples/stateful.ts prints the notebook's lessons", () => {
  const lines: string[] = [];
  stateful((...xs) => lines.push(xs.map(String).join(" ")));
  expect(lines).toEqual([
    "# 1. Impure functions: a global read freezes at trace time",
    "First call: 4.0",
    "Second call: 5.0",
    "# 2. PRNG keys are split, never mutated",
    "key: [0 0]",
    "split(key): [1797259609 2579123966] [ 928981903 3453687069]",
    "key after split: [0 0]",
    "# 3. A stateful Counter",
    "1",
    "2",
    "3",
    jaxText("examples/stateful_counter"),
    "1.0",
    "1.0",
    "1.0",
    "# 4. CounterV2: state in, state out",
    "1",
    "2",
    "3",
    "1.0",
    "2.0",
    "3.0",
    "# 5. The rule",
    "A stateful method m(...args) => output becomes m(state, ...args) => [output, newState].",
  ]);
});

test("examples/fusion.ts: the fused result equals op-by-op execution", async () => {
  const { main } = await import("../examples/fusion.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")));
  const jitted = lines.find((l) => l.startsWith("jit(chain)(x) ="))!.split("=")[1];
  const eager = lines.find((l) => l.startsWith("chain(x)      ="))!.split("=")[1];
  expect(jitted).toBe(eager);
  expect(lines[1]).toContain("b:f32[5] = sin a");
});

test("examples/prng.ts prints JAX's numbers", async () => {
  const { main } = await import("../examples/prng.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")));
  // Sources: jax/random.py and jax/_src/random/stateful_rng.py docstrings, docs/jep/9263-typed-keys.md,
  // prng.md section 14 (legacy split).
  expect(lines).toEqual([
    "# 1. A key is a value",
    "Array((), dtype=key<fry>) overlaying:\n[ 0 42]",
    "# 2. Same key, same numbers",
    "uniform(key): 0.947667",
    "uniform(key) again: 0.947667",
    "uniform(key, [3]): [0.947667   0.9785799  0.33229148]",
    "# 3. split",
    "split(key): [[1797259609 2579123966]\n [ 928981903 3453687069]]",
    "uniform(subkey): 0.0072938204",
    "next key: [1797259609 2579123966]",
    "# 4. foldIn",
    "step 0: 0.5302608",
    "step 1: 0.72766423",
    "step 2: 0.6672406",
    "step 3: 0.3890121",
    "# 5. Stream modes",
    "split(PRNGKey(0)), partitionable: [[1797259609 2579123966]\n [ 928981903 3453687069]]",
    "split(PRNGKey(0)), legacy: [[4146024105  967050713]\n [2718843009 1272950319]]",
  ]);
});

test("examples/mlp.ts: the loss falls and the classifier learns", async () => {
  const { main } = await import("../examples/mlp.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")), 200);
  const losses = lines.filter((l) => l.startsWith("step")).map((l) => Number(l.split("loss")[1]));
  expect(losses.length).toBe(5);
  expect(losses.every((l) => Number.isFinite(l))).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(0.2 * losses[0]);
  losses.slice(1).forEach((l, i) => expect(l).toBeLessThan(losses[i]));
  const acc = (prefix: string) => Number(lines.find((l) => l.startsWith(prefix))!.split(":")[1]);
  expect(acc("test accuracy after")).toBeGreaterThan(0.9);
  expect(acc("test accuracy after")).toBeGreaterThan(acc("test accuracy before"));
}, 60_000);

test("examples/per_example_grads.ts: the mean of per-example gradients is the batch gradient", async () => {
  const { main } = await import("../examples/per_example_grads.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")));
  expect(lines[0]).toBe("per-example grads: w [8,3], b [8]");
  const diff = Number(lines.find((l) => l.startsWith("max |mean - batch|"))!.split("=")[1]);
  expect(diff).toBeLessThan(1e-6);
});

test("examples/rnn_scan.ts: an RNN trained through lax.scan under jit(valueAndGrad) learns", async () => {
  const { main } = await import("../examples/rnn_scan.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")), 50);
  const losses = lines.filter((l) => l.startsWith("step")).map((l) => Number(l.split("loss")[1]));
  expect(losses.length).toBe(3);
  expect(losses.every((l) => Number.isFinite(l))).toBe(true);
  expect(losses[losses.length - 1]).toBeLessThan(0.1 * losses[0]);
}, 60_000);

test("examples/cnn.ts: a small CNN (conv, max pool) trained under jit(valueAndGrad) learns", async () => {
  const { main } = await import("../examples/cnn.js");
  const lines: string[] = [];
  main((...xs) => lines.push(xs.map(String).join(" ")));
  const losses = lines.filter((l) => l.startsWith("step")).map((l) => Number(l.split("loss")[1]));
  expect(losses.length).toBe(3);
  expect(losses[losses.length - 1]).toBeLessThan(0.2 * losses[0]);
  const acc = (prefix: string) => Number(lines.find((l) => l.startsWith(prefix))!.split(":")[1]);
  expect(acc("test accuracy before")).toBeLessThan(0.6);
  expect(acc("test accuracy after")).toBeGreaterThan(0.9);
}, 60_000);

test("npm run demo and this file cover every example", () => {
  const dir = resolve(import.meta.dirname, "../examples");
  const names = readdirSync(dir).filter((f) => f.endsWith(".ts") && f !== "run-all.ts");
  const runAll = readFileSync(resolve(dir, "run-all.ts"), "utf8");
  const self = readFileSync(resolve(import.meta.dirname, "examples.test.ts"), "utf8");
  for (const name of names) {
    expect(runAll, `run-all.ts runs ${name}`).toContain(`"./${name.replace(/\.ts$/, ".js")}"`);
    expect(self, `examples.test.ts checks ${name}`).toContain(`"../examples/${name.replace(/\.ts$/, ".js")}"`);
  }
});
