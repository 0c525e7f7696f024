// Jaxpr texts printed by JAX itself (scripts/jax_reference/jaxpr_texts.py →
// test/fixtures/jaxpr_texts_jax.json): the tests compare makeJaxpr's text against these, never
// against tfjax's own output.
import { readFileSync } from "node:fs";

const FIXTURE = JSON.parse(readFileSync(new URL("./fixtures/jaxpr_texts_jax.json", import.meta.url), "utf8")) as {
  _jax_version: string;
  texts: Record<string, string>;
};

/** The JAX version that printed the fixture's texts. */
export const JAX_VERSION = FIXTURE._jax_version;

/**
 * The text JAX printed for the case `name` of scripts/jax_reference/jaxpr_texts.py. `v011` lists
 * the edits that turn JAX 0.10.2's text into what JAX 0.11 prints (tfjax follows 0.11 where a
 * primitive's params changed); each must apply, and each test says which 0.11 source line it is.
 */
export function jaxText(name: string, v011: [string, string][] = []): string {
  let t = FIXTURE.texts[name];
  if (t === undefined) throw new Error(`no JAX text "${name}": add the case to scripts/jax_reference/jaxpr_texts.py and regenerate test/fixtures/jaxpr_texts_jax.json`);
  for (const [from, to] of v011) {
    if (!t.includes(from)) throw new Error(`JAX text "${name}" has no "${from}" to edit`);
    t = t.split(from).join(to);
  }
  return t;
}
