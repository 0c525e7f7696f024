// npm run build: an ESM bundle of src/ with esbuild, and .d.ts files from tsc.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";

await build({
  entryPoints: ["src/index.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outfile: "dist/index.js",
  sourcemap: true,
  // tfjs stays a dependency: users pick its version and backends.
  external: ["@tensorflow/*"],
  logLevel: "warning",
});
execFileSync("npx", ["tsc", "-p", ".", "--noEmit", "false", "--emitDeclarationOnly", "--outDir", "dist"], { stdio: "inherit" });
console.log("built dist/index.js and dist/index.d.ts");
