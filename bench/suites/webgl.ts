// tfjax on tfjs's WebGL backend, measured in headless Chromium where WebGL 2 runs on SwiftShader:
// software WebGL on the CPU, since these machines have no GPU. Each group launches its own browser
// (bench/browser/chromium.ts) and times its rows inside the page (bench/browser/page.ts), to a GPU
// fence and without readback; the runner turns the samples into the usual table. Without
// Chromium the groups print a skip row instead of failing. The rows, budgets and descriptions are
// in bench/browser/spec.ts, shared with the page.
import * as tf from "@tensorflow/tfjs-core";
import { CHAIN_N, DISPATCH_N, GROUPS, LABEL, type GroupId } from "../browser/spec.js";
import { chain11Tf, chainTf, uniform, uniformIn } from "../lib/chain.js";
import type { Case, ExternalRequest, ExternalResult } from "../types.js";

export const groups = Object.fromEntries(Object.values(GROUPS).map((g) => [g.name, g.description]));
export const rounds = Object.fromEntries(Object.values(GROUPS).map((g) => [g.name, g.rounds]));

const fromBase64 = (s: string): Float32Array => {
  const b = Buffer.from(s, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** The same computation on tfjs's cpu backend, in this process: the accuracy reference. */
function cpuReference(id: GroupId): Float32Array {
  if (tf.getBackend() !== "cpu") throw new Error(`expected the runner's cpu backend, got ${tf.getBackend()}`);
  const out = tf.tidy(() =>
    id === "chain" ? chain11Tf(tf.tensor1d(uniformIn(CHAIN_N, 1, -4, 4))) : chainTf(tf.tensor1d(uniform(DISPATCH_N, 1)), tf.tensor1d(uniform(DISPATCH_N, 2))),
  );
  const v = (out.dataSync() as Float32Array).slice();
  out.dispose();
  return v;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

async function runGroup(id: GroupId, req: ExternalRequest): Promise<ExternalResult> {
  const { runInChromium, Unavailable } = await import("../browser/chromium.js");
  let r;
  try {
    r = await runInChromium({ group: id, cases: req.cases, rounds: req.rounds, quick: req.quick }, req.log);
  } catch (e) {
    if (e instanceof Unavailable) return { backend: `webgl, ${LABEL}`, skipped: e.message, rows: [] };
    throw e;
  }
  const rows = r.rows.map((row) => ({ ...row, value: row.valueBase64 ? fromBase64(row.valueBase64) : undefined }));
  const ref = cpuReference(id);
  const diffs = rows.filter((row) => row.value?.length === ref.length).map((row) => `${row.name} ${maxAbsDiff(row.value!, ref).toExponential(1)}`);
  const notes: Record<string, string | number> = {
    ...r.notes,
    "max abs diff vs eager tfjs-cpu (same inputs, computed in the bench process)": diffs.join("; ") || "–",
    timer: `performance.now() steps of ${(r.timerResolutionMs * 1000).toFixed(0)} µs (page ${r.crossOriginIsolated ? "" : "not "}cross-origin isolated)`,
  };
  return {
    backend: `webgl ${r.webglVersion} in headless Chromium ${r.browserVersion}, renderer "${r.renderer}": ${LABEL}`,
    rows: rows.map(({ name, roundSamplesMs, tensorsLeaked, value, error }) => ({ name, roundSamplesMs, tensorsLeaked, value, error })),
    notes,
  };
}

export const cases: Case[] = Object.values(GROUPS).flatMap((g) =>
  g.cases.map((c) => ({ name: c.name, group: g.name, baseline: c.baseline, batch: c.batch, rtol: c.rtol, external: (req: ExternalRequest) => runGroup(g.id, req) })),
);
