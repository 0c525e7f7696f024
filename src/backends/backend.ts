// Backend selection. Issue 2 runs on tfjs's CPU backend; the compiler adds wasm and WebGL.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

let ready = false;

/** Makes sure a tfjs backend is active; synchronous for the CPU backend. */
export function ensureBackend(): void {
  if (ready) return;
  if (tf.getBackend() === undefined || tf.getBackend() === null) tf.setBackend("cpu");
  // Silence tfjs-cpu's one-time "install tfjs-node" banner: tfjax chooses its backends itself.
  const b = tf.backend() as unknown as { firstUse?: boolean };
  if ("firstUse" in b) b.firstUse = false;
  ready = true;
}

/** The active tfjs backend's name (`cpu`, `wasm`, `webgl`). */
export const backendName = (): string => tf.getBackend();
