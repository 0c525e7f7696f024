// The generic primitive test (JAX's tests/lax_test.py and lax_autodiff_test.py): every primitive
// in the registry has records in test/harness/cases.ts and the transformation rules it needs;
// every record runs through every execution path, and through grad and vmap.
import { describe, expect, it } from "vitest";
import { primitives } from "../src/index.js";
import { type Case, cases, gradSpec } from "./harness/cases.js";
import { controlFlowCases } from "./harness/control_flow_cases.js";
import { type Placement, checkGrad, gradCoverage, hasGradMode } from "./harness/grad.js";
import { missingRules } from "./harness/rules.js";
import { checkCaseJaxpr, modes, runCase } from "./harness/run.js";
import { checkVmap, hasVmapMode } from "./harness/vmap.js";

/** Primitives without a case of their own, and why. */
const NOT_TABULATED: Record<string, string> = {
  // Calls of a jaxpr, not operations with a reference of their own: exercised by composition
  // (the "jit" mode binds jit around every case).
  jit: "a call of a jaxpr",
  remat2: "a call of a jaxpr (checkpoint)",
  xla_pmap: "a call of a jaxpr (pmap)",
  custom_jvp_call: "a call of a jaxpr (customJvp)",
  custom_vjp_call: "a call of a jaxpr (customVjp)",
  custom_lin: "exists only inside linear jaxprs, to be transposed",
  empty2: "an unread placeholder (the residual slots a cond branch does not fill when linearized)",
  // Collectives resolve a named axis (vmap/pmap axisName); the harness binds outside any.
  psum: "a collective over a named axis",
  pmax: "a collective over a named axis",
  pmin: "a collective over a named axis",
  all_gather: "a collective over a named axis",
  axis_index: "a collective over a named axis",
};

// One test per primitive, so a primitive without a case or a rule fails a test rather than a user.
describe("every primitive has a case", () => {
  // cond and while run through the harness in test/control_flow.test.ts (their jaxpr params).
  const covered = new Set([...cases, ...controlFlowCases].filter((c) => c.ref).map((c) => c.prim));
  it.each([...primitives.keys()].filter((p) => !(p in NOT_TABULATED)))("%s", (name) => {
    expect(covered.has(name), `no case with a reference for ${name} in the harness (test/harness/cases.ts)`).toBe(true);
  });
});

describe("primitive registry", () => {
  it("every case names a registered primitive, uniquely", () => {
    expect(cases.filter((c) => !primitives.has(c.prim)).map((c) => c.name)).toEqual([]);
    expect(cases.length).toBe(new Set(cases.map((c) => c.name)).size);
  });
});

describe("transformation rules", () => {
  it.each([...primitives.keys()])("%s", (name) => {
    expect(missingRules(primitives.get(name)!), `${name} lacks rules`).toEqual([]);
  });
});

// The grad mode leaves out points where a case's reference is not differentiable; every
// differentiable primitive must still have its derivative checked at some point of some case.
describe("grad mode coverage", () => {
  const gradCases = cases.filter((c) => hasGradMode(c) && gradSpec(c).zero === undefined);
  it.each([...new Set(gradCases.map((c) => c.prim))])("%s", (prim) => {
    const checked = gradCases.filter((c) => c.prim === prim).map((c) => gradCoverage(c));
    expect(checked.some((k) => k === null || (k[0] > 0 && k[1] > 0)), "no case has a point where its derivative is checked").toBe(true);
  });
});

// Every case runs grad and vmap eagerly and under jit (jit(vjp(f)), jit(vmap(f))); the first
// case of each primitive also of a jitted function (vjp(jit(f)), vmap(jit(f))), which runs
// jit's own rules over a jaxpr holding the primitive.
function firstOfEachPrim(has: (c: Case) => boolean): Set<Case> {
  const first = new Map<string, Case>();
  for (const c of cases) if (has(c) && !first.has(c.prim)) first.set(c.prim, c);
  return new Set(first.values());
}
const [firstGrad, firstVmap] = [firstOfEachPrim(hasGradMode), firstOfEachPrim(hasVmapMode)];
const placements = (first: Set<Case>, c: Case): Placement[] => (first.has(c) ? ["eager", "under jit", "of jit"] : ["eager", "under jit"]);

describe.each(cases)("$name", (c) => {
  for (const mode of modes) it(mode.name, () => runCase(c, mode));
  it("jaxpr", () => checkCaseJaxpr(c));
  const suffix = (where: Placement) => (where === "eager" ? "" : ` ${where}`);
  if (hasGradMode(c)) for (const where of placements(firstGrad, c)) it(`grad${suffix(where)}`, () => checkGrad(c, where));
  if (hasVmapMode(c)) for (const where of placements(firstVmap, c)) it(`vmap${suffix(where)}`, () => checkVmap(c, where));
});
