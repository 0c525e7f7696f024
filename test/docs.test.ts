// The code in README.md and docs/sharp-bits.md is run here, so the docs cannot rot: every ```ts
// block runs (its `console.log` captured), and where a ```text block follows it, the printed
// lines must be that block, exactly.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { format } from "node:util";
import { afterAll, expect, test } from "vitest";

const SRC = resolve(import.meta.dirname, "../src/index.js");
const dir = mkdtempSync(join(tmpdir(), "tfjax-doc-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Snippet = { line: number; code: string; expected?: string };

function snippets(file: string): Snippet[] {
  const text = readFileSync(resolve(import.meta.dirname, "..", file), "utf8");
  const found: Snippet[] = [];
  for (const m of text.matchAll(/^```ts\n([\s\S]*?)^```\n(?:\n?```text\n([\s\S]*?)^```$)?/gm)) {
    found.push({ line: text.slice(0, m.index).split("\n").length, code: m[1], expected: m[2]?.replace(/\n$/, "") });
  }
  return found;
}

/** Runs a snippet as a module whose imports of "tfjax" point at src/, its console.log captured. */
async function run(file: string, { line, code }: Snippet): Promise<string> {
  const lines = code.split("\n");
  const imports = lines.filter((l) => l.startsWith("import ")).map((l) => l.replace(/from "tfjax"/, `from ${JSON.stringify(SRC)}`));
  const body = lines.filter((l) => !l.startsWith("import "));
  const path = join(dir, `${file.replace(/\W/g, "_")}_${line}.ts`);
  writeFileSync(path, [...imports, "export async function run(console: { log: (...xs: unknown[]) => void }) {", ...body, "}"].join("\n"));
  const out: string[] = [];
  await (await import(/* @vite-ignore */ path)).run({ log: (...xs: unknown[]) => out.push(format(...xs)) });
  return out.join("\n");
}

test("every snippet of the docs is found, with the output it prints", () => {
  // A change of fence style would otherwise drop snippets from this test silently.
  for (const file of ["README.md", "docs/sharp-bits.md"]) {
    const text = readFileSync(resolve(import.meta.dirname, "..", file), "utf8");
    const found = snippets(file);
    expect(found.length).toBe(text.match(/^```ts$/gm)!.length);
    expect(found.every((s) => s.expected !== undefined)).toBe(true);
  }
});

for (const file of ["README.md", "docs/sharp-bits.md"]) {
  for (const s of snippets(file)) {
    test(`${file}:${s.line} prints what the doc shows`, async () => {
      const printed = await run(file, s);
      if (s.expected !== undefined) expect(printed).toBe(s.expected);
    });
  }
}
