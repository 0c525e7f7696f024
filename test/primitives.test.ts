// The generic primitive test (JAX's tests/lax_test.py): every primitive in the registry has
// records in test/harness/cases.ts, and every record runs through every execution path.
import { describe, expect, it } from "vitest";
import { primitives } from "../src/index.js";
import { cases } from "./harness/cases.js";
import { checkCaseJaxpr, modes, pendingModes, runCase } from "./harness/run.js";

// `jit` is a call of a jaxpr, not an operation with a reference of its own: every case
// exercises it by composition (the "jit" mode binds it around the primitive under test).
const NOT_TABULATED = new Set(["jit"]);

describe("primitive registry", () => {
  it("every primitive has a case", () => {
    const covered = new Set(cases.filter((c) => c.ref).map((c) => c.prim));
    expect([...primitives.keys()].filter((p) => !NOT_TABULATED.has(p) && !covered.has(p))).toEqual([]);
  });
  it("every case names a registered primitive, uniquely", () => {
    expect(cases.filter((c) => !primitives.has(c.prim)).map((c) => c.name)).toEqual([]);
    expect(cases.length).toBe(new Set(cases.map((c) => c.name)).size);
  });
  for (const m of pendingModes) it.todo(m);
});

describe.each(cases)("$name", (c) => {
  for (const mode of modes) it(mode.name, () => runCase(c, mode));
  it("jaxpr", () => checkCaseJaxpr(c));
});
