// Answers printed by JAX itself (scripts/jax_reference/*.py → test/fixtures/*.json), and the
// comparison the breadth tests make against them: shapes and dtypes exactly, values to a few
// float32 ulps (XLA's kernels and tfjs's round differently), NaN only where JAX has NaN.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { Array as JaxArray, ArrayImpl } from "../src/index.js";

export interface Want {
  dtype: string;
  shape: number[];
  data: (number | boolean | null | "inf" | "-inf")[];
}
export type Expected = Want | { list: Expected[] };

export const loadAnswers = (file: string): Record<string, Expected> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), "utf8")) as Record<string, Expected>;

const decode = (v: Want["data"][number]): number => (v === null ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : Number(v));
const ordinal = (x: number) => {
  const i = new Int32Array(new Float32Array([x]).buffer)[0];
  return i < 0 ? -(i & 0x7fffffff) : i;
};

/** Checks `got` against JAX's answer: float32 values within `ulps` ulps or `atol`. */
export function checkAnswer(name: string, got: JaxArray | JaxArray[], want: Expected, opts: { ulps?: number; atol?: number } = {}): void {
  const { ulps = 8, atol = 1e-6 } = opts;
  if ("list" in want) {
    expect(Array.isArray(got), `${name}: a list of arrays`).toBe(true);
    const xs = got as JaxArray[];
    expect(xs.length, `${name}: list length`).toBe(want.list.length);
    want.list.forEach((w, i) => checkAnswer(`${name}[${i}]`, xs[i], w, opts));
    return;
  }
  const x = got as JaxArray;
  expect(x.shape, `${name}: shape`).toEqual(want.shape);
  expect(x.dtype, `${name}: dtype`).toBe(want.dtype);
  const values = Array.from((x as ArrayImpl).dataSync(), Number);
  const bad: string[] = [];
  want.data.forEach((w, i) => {
    const v = decode(w);
    const g = values[i];
    if (Number.isNaN(v) ? Number.isNaN(g) : g === v) return;
    const ok = x.dtype === "float32" && Number.isFinite(v) && Number.isFinite(g) && (Math.abs(ordinal(g) - ordinal(v)) <= ulps || Math.abs(g - v) <= atol);
    if (!ok) bad.push(`[${i}] got ${g}, want ${v}`);
  });
  expect(bad, `${name}: values`).toEqual([]);
}
