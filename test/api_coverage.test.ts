// docs/API_COVERAGE.md is generated from the code (scripts/api_coverage.ts); a stale copy fails here.
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { generate } from "../scripts/api_coverage.js";

test("docs/API_COVERAGE.md is up to date (regenerate: node --import tsx scripts/api_coverage.ts)", async () => {
  const want = await generate();
  expect(readFileSync(new URL("../docs/API_COVERAGE.md", import.meta.url), "utf8")).toBe(want);
});
