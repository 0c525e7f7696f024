// `npm run docs` keeps working, and every top-level export of src/index.ts has a doc comment that
// typedoc renders. typedoc runs on the TypeScript 6 of the scripts/typedoc workspace (TypeScript 7
// has no JS API). Once, in the node-cpu project: the Node projects differ only in the tfjs backend.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { expect, test } from "vitest";

const workspace = resolve(import.meta.dirname, "../scripts/typedoc");

test.skipIf(process.env.TFJAX_BACKEND === "wasm")("typedoc builds the API reference; every top-level export is documented", () => {
  const typedoc = join(dirname(createRequire(join(workspace, "package.json")).resolve("typedoc/package.json")), "bin/typedoc");
  const run = spawnSync(process.execPath, [typedoc, "--options", "typedoc.json", "--emit", "none", "--validation.notDocumented"], {
    cwd: workspace,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  const out = (run.stdout + run.stderr).replace(/\x1b\[[0-9;]*m/g, "");
  expect(run.status, out).toBe(0);
  expect(out).toMatch(/Found 0 errors/);
  // "[warning] jit (CallSignature), defined in ..., does not have any documentation": a member
  // (`Array.add`) or a type parameter (`jit.F`) has a dot in its name; a top-level export has none.
  const undocumented = [...out.matchAll(/^\[warning\] ([\w$]+) \(\w+\), defined in .* does not have any documentation$/gm)].map((m) => m[1]);
  expect(undocumented).toEqual([]);
}, 120_000);
