// Backend selection, as in tfjs: `await setBackend("webgl")`. The CPU backend is always loaded and
// is chosen synchronously at the first operation; the WebGL and wasm backends are imported only
// when selected, so a program that never selects them never loads them.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

/** tfjs backends tfjax runs on: `setBackend(name)`, or `TFJAX_BACKEND=name` in Node. */
export type BackendName = "cpu" | "wasm" | "webgl";

/** tfjs registers a backend when its package is imported; WebGL registers itself only in a browser. */
const loaders: Record<BackendName, () => Promise<unknown>> = {
  cpu: async () => undefined,
  wasm: () => import("@tensorflow/tfjs-backend-wasm"),
  webgl: () => import("@tensorflow/tfjs-backend-webgl"),
};

let ready = false;
let pending: Promise<void> | null = null;

const envBackend = (): string | undefined => (typeof process !== "undefined" ? process.env?.TFJAX_BACKEND : undefined);

/**
 * The backend used when none was selected: in a browser with WebGL 2, "webgl"; in Node, "wasm"
 * (tfjs-wasm with SIMD, one thread), or what TFJAX_BACKEND names.
 */
export function defaultBackend(): BackendName {
  const env = envBackend();
  if (env === "cpu" || env === "wasm" || env === "webgl") return env;
  if (tf.device_util.isBrowser()) return typeof WebGL2RenderingContext !== "undefined" ? "webgl" : "cpu";
  return "wasm";
}

/**
 * Starts the default backend (tfjax's entry module awaits this, so importing tfjax is enough).
 * A default that cannot start falls back to cpu.
 */
export async function initDefaultBackend(): Promise<void> {
  if (tf.getBackend() || ready) return;
  const name = defaultBackend();
  if (name === "cpu") return ensureBackend();
  try {
    await setBackend(name);
  } catch {
    await setBackend("cpu");
  }
}

/** Silences tfjs-cpu's one-time "install tfjs-node" banner: tfjax chooses its backends itself. */
function quiet(): void {
  const cpu = (tf.engine() as unknown as { registry: Record<string, { firstUse?: boolean }> }).registry.cpu;
  if (cpu && "firstUse" in cpu) cpu.firstUse = false;
}

/** Activates a registered backend whose initialization is synchronous (cpu, webgl); false if it cannot. */
function activateSync(name: string): boolean {
  if (!tf.findBackendFactory(name) || !tf.findBackend(name)) return false;
  void tf.setBackend(name); // already initialized: completes before it returns
  quiet();
  return tf.getBackend() === name;
}

/**
 * Makes sure a tfjs backend is active; synchronous. Without a prior `setBackend` it activates the
 * default backend, which must then be loadable synchronously: the CPU backend always is, WebGL only
 * once `@tensorflow/tfjs-backend-webgl` has been imported (by `setBackend` or by the program).
 */
export function ensureBackend(): void {
  if (ready) return;
  if (pending) return; // tfjs itself reports use before `await setBackend(...)` has finished
  if (tf.getBackend()) {
    // Chosen through tfjs directly (`tf.setBackend`): keep it.
    quiet();
    ready = true;
    return;
  }
  const name = defaultBackend();
  if (!tf.findBackendFactory(name))
    throw new Error(
      `tfjax: the default backend here is "${name}", which loads asynchronously: ` +
        `call \`await setBackend("${name}")\` (or setBackend("cpu")) before the first operation.`,
    );
  // A default that fails to start (a browser without a usable WebGL context) falls back to cpu.
  if (!activateSync(name) && !activateSync("cpu")) throw new Error("tfjax: no tfjs backend could be initialized.");
  ready = true;
}

/**
 * Selects the tfjs backend every later operation runs on, loading it first if needed (as
 * `tf.setBackend` does, but the WebGL and wasm packages are imported on demand). Arrays made on
 * another backend move over on first use; compiled jit functions are cached per backend.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (!(name in loaders)) throw new Error(`tfjax: unknown backend "${name}"; expected one of ${Object.keys(loaders).join(", ")}.`);
  const run = (async () => {
    await loaders[name]();
    if (!tf.findBackendFactory(name))
      throw new Error(`tfjax: the ${name} backend is not available here` + (name === "webgl" ? " (tfjs registers WebGL only in a browser)." : "."));
    const previous = tf.getBackend();
    if (!(await tf.setBackend(name))) {
      if (previous) await tf.setBackend(previous); // tfjs has already switched its name over
      throw new Error(`tfjax: the ${name} backend failed to initialize (see the console).`);
    }
    quiet();
  })();
  pending = run;
  try {
    await run;
    ready = true;
  } finally {
    if (pending === run) pending = null;
  }
}

/** The name of the active backend (`cpu`, `wasm`, `webgl`), activating the default one if none is. */
export function getBackend(): string {
  ensureBackend();
  return tf.getBackend();
}

/** The active tfjs backend's name, without activating one. */
export const backendName = (): string => tf.getBackend();
