// Runs one WebGL group in headless Chromium: bundles bench/browser/page.ts with esbuild (tfjax from
// src/, tfjs-core and tfjs-backend-webgl from node_modules), serves it from 127.0.0.1 on an
// ephemeral port, opens it in Debian's /usr/bin/chromium through playwright-core with the flags of
// vitest.config.ts's browser project (WebGL 2 on SwiftShader), and returns what the page measured.
// playwright-core and esbuild are imported here, on demand: every bench process loads every suite.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { PageRequest, PageResult } from "./spec.js";

/** Debian's chromium; TFJAX_BENCH_CHROMIUM names another binary (or a missing one, to see the skip). */
export const CHROMIUM = process.env.TFJAX_BENCH_CHROMIUM || CHROMIUM_PATH;

/** The page gets this long to run a group before the run counts as hung. */
const PAGE_TIMEOUT_MS = 180_000;

export { CHROMIUM_ARGS } from "../../test/browser/chromium.js";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../test/browser/chromium.js";

/** Thrown when the browser cannot run here at all: the suite shows it as a skip, not a failure. */
export class Unavailable extends Error {}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The page script: one ESM bundle, kept in memory. */
async function bundle(): Promise<string> {
  const esbuild = await import("esbuild");
  const r = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("./page.ts", import.meta.url))],
    bundle: true,
    format: "esm", // tfjax's entry awaits its backend at the top level
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    // tfjax imports tfjs-backend-wasm only when wasm is selected, which the page never does.
    external: ["@tensorflow/tfjs-backend-wasm"],
    // examples/fusion.ts's "run as a script" check reads process.argv, which a page lacks.
    define: { "process.argv": "[]" },
  });
  return r.outputFiles[0].text;
}

/** Serves the page and its script, cross-origin isolated so performance.now() has 5 µs steps. */
function serve(script: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><title>tfjax WebGL bench</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>`;
  const server = createServer((req, res) => {
    const headers = { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp", "Cache-Control": "no-store" };
    if (req.url === "/") res.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(html);
    else if (req.url === "/page.js") res.writeHead(200, { ...headers, "Content-Type": "text/javascript; charset=utf-8" }).end(script);
    else res.writeHead(404, headers).end();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }));
  });
}

export interface ChromiumRun extends PageResult {
  browserVersion: string;
}

/**
 * Runs `req` in a fresh headless Chromium. Throws Unavailable when Chromium (or playwright-core)
 * is missing, fails to start, or has no WebGL; any other error is a real failure.
 */
export async function runInChromium(req: PageRequest, log: (s: string) => void): Promise<ChromiumRun> {
  if (!existsSync(CHROMIUM)) throw new Unavailable(`${CHROMIUM} not found (Debian's chromium package)`);
  let chromium: typeof import("playwright-core").chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch (e) {
    throw new Unavailable(`playwright-core: ${errText(e)}`);
  }
  const t0 = performance.now();
  const script = await bundle();
  const { server, url } = await serve(script);
  log(`  bundled the page (${(script.length / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s; serving it at ${url}`);
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  try {
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
    } catch (e) {
      throw new Unavailable(`chromium did not start: ${errText(e).split("\n")[0]}`);
    }
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("console", (m) => log(m.type() === "log" ? m.text() : `  [page console.${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => pageErrors.push(errText(e)));
    await page.goto(url);
    try {
      await page.waitForFunction(() => window.tfjaxBench !== undefined, undefined, { timeout: 60_000 });
    } catch (e) {
      throw new Error(`the page did not start: ${pageErrors.join("; ") || errText(e)}`);
    }
    const backend = await page.evaluate(() => window.tfjaxBench!.backend);
    if (backend !== "webgl") throw new Unavailable(`no WebGL in headless Chromium (tfjax fell back to the ${backend} backend)`);
    log(`  chromium ${browser.version()} up after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the page did not finish within ${PAGE_TIMEOUT_MS / 1000} s`)), PAGE_TIMEOUT_MS);
    });
    const result = await Promise.race([page.evaluate((r) => window.tfjaxBench!.run(r), req), hung]).finally(() => clearTimeout(timer));
    return { ...result, browserVersion: browser.version() };
  } finally {
    await browser?.close().catch(() => {});
    server.close();
  }
}
