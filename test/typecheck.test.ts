// `npm run typecheck` passes: src, examples, test, bench and scripts type-check against the public
// types (tsconfig.typecheck.json), so a TypeScript user following the README compiles. Once, in
// the node-cpu project: the Node projects differ only in the tfjs backend.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { expect, test } from "vitest";

const root = resolve(import.meta.dirname, "..");

test.skipIf(process.env.TFJAX_BACKEND === "wasm")("tsc --noEmit -p tsconfig.typecheck.json reports no errors", () => {
  const tsc = join(dirname(createRequire(join(root, "package.json")).resolve("typescript/package.json")), "bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.typecheck.json"], { cwd: root, encoding: "utf8" });
  const out = run.stdout + run.stderr;
  expect(out).toBe("");
  expect(run.status, out).toBe(0);
}, 120_000);
