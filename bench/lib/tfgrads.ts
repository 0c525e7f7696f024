// tfjs-core registers no gradients by itself: the union package @tensorflow/tfjs imports
// "@tensorflow/tfjs-core/dist/register_all_gradients", which Node cannot load from tfjs-core's
// ESM dist (extensionless imports). So the bench bundles that one module with esbuild, on
// demand, and imports the bundle. The bundle carries its own copy of tfjs-core's code, but the
// engine and the gradient registry live on the global object (tfjs's getGlobal), so the
// gradients it registers are the ones tf.variableGrads and the optimizers of our copy find.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";

let done: Promise<void> | null = null;

/** Registers every tfjs-core gradient (once per process). */
export function registerTfGradients(): Promise<void> {
  return (done ??= (async () => {
    if (tf.getGradient("BatchMatMul") !== undefined && tf.getGradient("RealDiv") !== undefined) return;
    const esbuild = await import("esbuild");
    const r = await esbuild.build({
      stdin: { contents: 'import "@tensorflow/tfjs-core/dist/register_all_gradients.js";', resolveDir: process.cwd() },
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "silent",
    });
    const file = join(mkdtempSync(join(tmpdir(), "tfjax-bench-")), "tfjs-gradients.mjs");
    writeFileSync(file, r.outputFiles[0].text);
    await import(pathToFileURL(file).href);
    if (tf.getGradient("BatchMatMul") === undefined) throw new Error("tfjs gradients did not register (a second tfjs engine?)");
  })());
}
