import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./test/browser/chromium.js";

// Two projects, both run by `npm test`:
//   node-cpu, node-wasm - test/**/*.test.ts in Node, on tfjs's cpu and wasm backends;
//   browser - test/browser/**/*.test.ts in one headless Chromium (Debian's /usr/bin/chromium,
//             driven by playwright-core), where tfjs's WebGL backend runs on SwiftShader.
// Run one with `npx vitest run --project browser` (or `--project node-cpu`, `--project node-wasm`).

// Relaxed SIMD (on by default from Node 22) gives the wasm kernels a fused multiply-add, which
// erf_inv and the fma node use when a probe finds it fused. node-wasm turns it on where Node 20
// needs the flag, so CI runs both paths: the fused one on wasm, the float64 one on cpu (whose
// JS loops call the same wasm erf_inv kernel, in blocks).
const RELAXED_SIMD = Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];

export default defineConfig({
  test: {
    projects: [
      nodeProject("cpu"),
      nodeProject("wasm"),
      {
        // Pre-bundled at startup: a dependency first met at run time (tfjs-backend-webgl is imported
        // by setBackend) would make Vite re-optimize and reload the page mid-run.
        optimizeDeps: { include: ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-webgl"] },
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            // No screenshots on failure: the page shows nothing, and they would land in the tree.
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
    ],
  },
});

/** The Node tests, run once per tfjs backend (TFJAX_BACKEND selects it when tfjax is imported). */
function nodeProject(backend: "cpu" | "wasm") {
  return {
    test: {
      name: `node-${backend}`,
      env: { TFJAX_BACKEND: backend },
      include: ["test/**/*.test.ts"],
      exclude: ["test/browser/**", "**/node_modules/**"],
      environment: "node",
      // One fork: tfjs backends are process-global and the machine has two cores.
      pool: "forks" as const,
      fileParallelism: true,
      testTimeout: 60_000,
      // The memory tests drive the FinalizationRegistry through explicit collections.
      execArgv: ["--expose-gc", ...(backend === "wasm" ? RELAXED_SIMD : [])],
    },
  };
}
