// The 10-op elementwise chain used by several suites, written three ways with the same math:
// raw tfjs ops, tfjax jnp ops (eager or under jit). Inputs are in [0, 1), so exp/sqrt stay finite.
import * as tf from "@tensorflow/tfjs-core";
import { jnp, type Array as JaxArray } from "../../src/index.js";

/** sin, mul, add, exp, sqrt, tanh, mul, sub, cos, add: 10 kernels, 2 inputs, no constants. */
export function chainTf(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
  let a = tf.sin(x);
  a = tf.mul(a, x);
  a = tf.add(a, y);
  a = tf.exp(a);
  a = tf.sqrt(a);
  a = tf.tanh(a);
  a = tf.mul(a, y);
  a = tf.sub(a, x);
  a = tf.cos(a);
  return tf.add(a, x);
}

export function chainJnp(x: JaxArray, y: JaxArray): JaxArray {
  let a = jnp.sin(x);
  a = jnp.multiply(a, x);
  a = jnp.add(a, y);
  a = jnp.exp(a);
  a = jnp.sqrt(a);
  a = jnp.tanh(a);
  a = jnp.multiply(a, y);
  a = jnp.subtract(a, x);
  a = jnp.cos(a);
  return jnp.add(a, x);
}

/** Deterministic pseudo-random float32 values in [0, 1) (mulberry32). */
export function uniform(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}

/**
 * examples/fusion.ts's `chain` in raw tfjs, op for op (sin mul exp add tanh mul add sqrt div cos
 * sub max: the "11-op chain"). Scalars are passed as numbers, as eager tfjs code does.
 */
export function chain11Tf(x: tf.Tensor): tf.Tensor {
  let y = tf.sin(x);
  y = tf.exp(tf.mul(y, 0.5));
  y = tf.tanh(tf.add(y, 1.5));
  y = tf.sqrt(tf.add(tf.mul(y, y), 2));
  y = tf.sub(tf.div(y, 3), tf.cos(x));
  return tf.maximum(y, -0.25);
}

/** `uniform` scaled to [lo, hi). */
export function uniformIn(n: number, seed: number, lo: number, hi: number): Float32Array {
  const u = uniform(n, seed);
  for (let i = 0; i < n; i++) u[i] = lo + (hi - lo) * u[i];
  return u;
}
