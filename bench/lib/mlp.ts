// One SGD training step of an MLP (784-512-512-10, relu, softmax cross-entropy, batch 128)
// written three ways from the same host data: eager TensorFlow.js (tf.variableGrads +
// tf.train.sgd), tfjax (jit(update) around valueAndGrad) and @jax-js/jax (the same, in its
// API and ownership rules). A float64 host forward pass gives the reference initial loss.
import * as tf from "@tensorflow/tfjs-core";
import { ArrayImpl, jit, jnp, nn, tree, valueAndGrad, type Array as JaxArray } from "../../src/index.js";
import { jit as jxJit, nn as jxNn, numpy as np, tree as jxTree, valueAndGrad as jxValueAndGrad, type OwnedFunction } from "@jax-js/jax";
import { uniform } from "./chain.js";
import { disposeJ } from "./inputs.js";
import { initJaxJs, type JxArray } from "./jaxjs.js";
import { registerTfGradients } from "./tfgrads.js";

export const SIZES = [784, 512, 512, 10];
export const BATCH = 128;
export const LR = 0.01;
const layers = SIZES.slice(1).map((n, i) => [SIZES[i], n] as const);

// ---- the data: inputs in [0, 1), random labels, He-uniform weights, small biases -------------

const X = uniform(BATCH * SIZES[0], 1);
const LABELS = Array.from(uniform(BATCH, 2), (u) => Math.floor(u * 10));
const Y = new Float32Array(BATCH * 10);
LABELS.forEach((l, i) => (Y[i * 10 + l] = 1));
const W = layers.map(([m, n], i) => uniform(m * n, 10 + i).map((u) => (2 * u - 1) * Math.sqrt(6 / m)));
const B = layers.map(([, n], i) => uniform(n, 20 + i).map((u) => 0.02 * (u - 0.5)));

/** The initial loss in float64 on the host: what every library's float32 loss must approximate. */
export const referenceLoss = (() => {
  let cached: number | undefined;
  return (): number => {
    if (cached !== undefined) return cached;
    let h: Float64Array = Float64Array.from(X);
    layers.forEach(([m, n], l) => {
      const out = new Float64Array(BATCH * n);
      for (let r = 0; r < BATCH; r++)
        for (let k = 0; k < m; k++) {
          const a = h[r * m + k];
          if (a === 0) continue;
          for (let c = 0; c < n; c++) out[r * n + c] += a * W[l][k * n + c];
        }
      for (let i = 0; i < out.length; i++) {
        out[i] += B[l][i % n];
        if (l < layers.length - 1 && out[i] < 0) out[i] = 0;
      }
      h = out;
    });
    let total = 0;
    for (let r = 0; r < BATCH; r++) {
      const z = h.subarray(r * 10, r * 10 + 10);
      const m = Math.max(...z);
      const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
      total += lse - z[LABELS[r]];
    }
    return (cached = total / BATCH);
  };
})();

/** Throws unless `loss` (a library's float32 initial loss) is the reference within rtol. */
export function checkLoss(who: string, loss: number, rtol = 1e-5): void {
  const ref = referenceLoss();
  if (!(Math.abs(loss - ref) <= rtol * Math.abs(ref))) throw new Error(`${who}: initial loss ${loss} differs from the float64 reference ${ref} (rtol ${rtol})`);
}

/** One step's output as numbers: the loss, then every updated parameter (w1 b1 w2 b2 w3 b3). */
function concat(loss: number, params: ArrayLike<number>[]): Float32Array {
  const out = new Float32Array(1 + params.reduce((n, p) => n + p.length, 0));
  out[0] = loss;
  let off = 1;
  for (const p of params) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A training loop's state: `step()` advances it by one SGD step. */
export interface Trainer {
  setup(): void | Promise<void>;
  /** The loss at the current params, without stepping (forward only). */
  loss(): number | Promise<number>;
  step(): void | Promise<void>;
  /** One step, returning the loss and the updated params. */
  stepValue(): Float32Array | Promise<Float32Array>;
  teardown(): void;
}

// ---- eager TensorFlow.js ---------------------------------------------------------------------

export function tfTrainer(): Trainer {
  let vars: tf.Variable[] = [];
  let x: tf.Tensor2D, y: tf.Tensor2D;
  let opt: tf.SGDOptimizer;
  const lossFn = (): tf.Scalar => {
    let h: tf.Tensor = x;
    for (let i = 0; i < layers.length; i++) {
      h = tf.add(tf.matMul(h, vars[2 * i]), vars[2 * i + 1]);
      if (i < layers.length - 1) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
  };
  const step = (): tf.Scalar => {
    const { value, grads } = tf.variableGrads(lossFn, vars);
    opt.applyGradients(grads);
    tf.dispose(grads);
    return value;
  };
  return {
    async setup() {
      await registerTfGradients();
      vars = layers.flatMap(([m, n], i) => [tf.variable(tf.tensor2d(W[i], [m, n])), tf.variable(tf.tensor1d(B[i]))]);
      x = tf.tensor2d(X, [BATCH, SIZES[0]]);
      y = tf.tensor2d(Y, [BATCH, 10]);
      opt = tf.train.sgd(LR);
    },
    loss: () => {
      const l = tf.tidy(lossFn);
      const v = l.dataSync()[0];
      l.dispose();
      return v;
    },
    step: () => step().dispose(),
    stepValue() {
      const l = step();
      const v = l.dataSync()[0];
      l.dispose();
      return concat(v, vars.map((t) => t.dataSync()));
    },
    teardown() {
      tf.dispose([...vars, x, y]);
      opt.dispose();
    },
  };
}

// ---- tfjax -----------------------------------------------------------------------------------

type Params = { w: JaxArray; b: JaxArray }[];

function loss(params: Params, x: JaxArray, y: JaxArray): JaxArray {
  let h = x;
  params.forEach(({ w, b }, i) => {
    h = h.matmul(w).add(b);
    if (i < params.length - 1) h = nn.relu(h);
  });
  return nn.logSoftmax(h).mul(y).sum(-1).mean().neg();
}

/** The step: consumes the old params (donated), returns the new ones and the loss. */
export const update = jit(
  (params: Params, x: JaxArray, y: JaxArray): [Params, JaxArray] => {
    const [l, g] = valueAndGrad(loss)(params, x, y);
    return [tree.map((p: JaxArray, d: JaxArray) => p.sub(d.mul(LR)), params, g) as Params, l];
  },
  { donateArgnums: 0 },
);
const lossJit = jit(loss);

export function tfjaxTrainer(): Trainer {
  let params: Params = [];
  let x: JaxArray, y: JaxArray;
  const step = (): JaxArray => {
    const [p, l] = update(params, x, y);
    params = p;
    return l;
  };
  return {
    setup() {
      params = layers.map(([m, n], i) => ({ w: jnp.array(W[i]).reshape([m, n]), b: jnp.array(B[i]) }));
      x = jnp.array(X).reshape([BATCH, SIZES[0]]);
      y = jnp.array(Y).reshape([BATCH, 10]);
    },
    loss: () => {
      const l = lossJit(params, x, y);
      const v = Number(l);
      disposeJ(l);
      return v;
    },
    step: () => disposeJ(step()),
    stepValue() {
      const l = step();
      const v = Number(l);
      disposeJ(l);
      return concat(v, params.flatMap(({ w, b }) => [(w as ArrayImpl).dataSync(), (b as ArrayImpl).dataSync()]));
    },
    teardown() {
      tree.leaves([params, x, y]).forEach(disposeJ);
      params = [];
    },
  };
}

// ---- @jax-js/jax (its wasm device; every call consumes its array arguments) ------------------

type JxParams = { w: JxArray; b: JxArray }[];

function jxLoss(params: JxParams, x: JxArray, y: JxArray): JxArray {
  let h = x;
  params.forEach(({ w, b }, i) => {
    h = np.matmul(h, w).add(b);
    if (i < params.length - 1) h = jxNn.relu(h);
  });
  return jxNn.logSoftmax(h).mul(y).sum().mul(-1 / BATCH);
}

export function jaxJsTrainer(): Trainer {
  let params: JxParams = [];
  let x: JxArray, y: JxArray;
  let update: OwnedFunction<(p: JxParams, x: JxArray, y: JxArray) => [JxParams, JxArray]> | null = null;
  let lossJx: OwnedFunction<(p: JxParams, x: JxArray, y: JxArray) => JxArray> | null = null;
  const step = async (): Promise<JxArray> => {
    const [p, l] = update!(params, x.ref, y.ref); // consumes the old params
    params = p;
    await Promise.all([...jxTree.leaves(params).map((a) => a.blockUntilReady()), l.blockUntilReady()]);
    return l;
  };
  return {
    async setup() {
      await initJaxJs();
      params = layers.map(([m, n], i) => ({ w: np.array(W[i], { shape: [m, n] }), b: np.array(B[i]) }));
      x = np.array(X, { shape: [BATCH, SIZES[0]] });
      y = np.array(Y, { shape: [BATCH, 10] });
      update = jxJit((p: JxParams, x: JxArray, y: JxArray): [JxParams, JxArray] => {
        const [l, g] = jxValueAndGrad(jxLoss)(jxTree.ref(p), x, y);
        return [jxTree.map((a: JxArray, d: JxArray) => a.sub(d.mul(LR)), p, g) as JxParams, l];
      });
      lossJx = jxJit(jxLoss);
    },
    loss: () => lossJx!(jxTree.ref(params), x.ref, y.ref).dataSync()[0],
    step: async () => (await step()).dispose(),
    async stepValue() {
      const l = await step();
      const v = l.dataSync()[0];
      return concat(v, params.flatMap(({ w, b }) => [w.ref.dataSync(), b.ref.dataSync()]));
    },
    teardown() {
      jxTree.dispose([params, x, y]);
      params = [];
      update?.dispose();
      lossJx?.dispose();
    },
  };
}
