// The demo's printed lines are part of the interface: each is asserted here.
import { expect, test } from "vitest";
import { main as stateful } from "../examples/stateful.js";

test("examples/stateful.ts prints the notebook's lessons", () => {
  const lines: string[] = [];
  stateful((...xs) => lines.push(xs.map(String).join(" ")));
  expect(lines).toEqual([
    "# 1. Impure functions: a global read freezes at trace time",
    "First call: 4.0",
    "Second call: 5.0",
    "# 3. A stateful Counter",
    "1",
    "2",
    "3",
    "{ lambda ; . let  in (1.0:f32[],) }",
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
