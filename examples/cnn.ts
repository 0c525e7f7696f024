// A small convolutional network, trained the JAX way: lax.convGeneralDilated in TensorFlow's
// NHWC/HWIO layout, max pooling with lax.reduceWindow, and a pure SGD step under
// jit(valueAndGrad). The task: is the bar in a noisy 8x8 image horizontal or vertical?
// Small on purpose (4 channels, 40 steps of 64 images): it trains in a few seconds on the cpu backend.
import { type Array, jit, jnp, lax, nn, random, tree, valueAndGrad } from "../src/index.js";

type Params = { w1: Array; b1: Array; w2: Array; b2: Array; w3: Array; b3: Array };
type Batch = { x: Array; y: Array };
const SIZE = 8;
const BAR = 4;
const CH = 4;
const DN = { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] as [string, string, string] };

/** He-normal weights (a kernel's fan-in counts its receptive field, as in JAX), zero biases. */
function initParams(key: Array): Params {
  const [k1, k2, k3] = random.split(key, 3);
  const he = nn.initializers.heNormal();
  return { w1: he(k1, [3, 3, 1, CH]), b1: jnp.zeros([CH]), w2: he(k2, [3, 3, CH, CH]), b2: jnp.zeros([CH]), w3: he(k3, [CH, 1]), b3: jnp.zeros([1]) };
}

/** `n` images with one bar of length BAR (label 1: vertical, 0: horizontal) plus a little noise. */
function makeBatch(key: Array, n: number): Batch {
  const [ko, kr, kc, kn] = random.split(key, 4);
  const y = random.bernoulli(ko, 0.5, [n]).astype("float32");
  const r = random.randint(kr, [n, 1, 1], 0, SIZE - BAR + 1).astype("float32"); // top-left corner
  const c = random.randint(kc, [n, 1, 1], 0, SIZE - BAR + 1).astype("float32");
  const rows = jnp.arange(SIZE).reshape([1, SIZE, 1]);
  const cols = jnp.arange(SIZE).reshape([1, 1, SIZE]);
  const v = y.reshape([n, 1, 1]);
  const inBar = (along: Array, start: Array, across: Array, at: Array) => along.ge(start).mul(along.lt(start.add(BAR))).mul(across.eq(at)).astype("float32");
  const bar = inBar(rows, r, cols, c).mul(v).add(inBar(cols, c, rows, r).mul(jnp.subtract(1, v)));
  const x = bar.add(random.normal(kn, [n, SIZE, SIZE]).mul(0.2)).reshape([n, SIZE, SIZE, 1]);
  return { x, y };
}

/** conv 3x3 -> relu -> 2x2 max pool -> conv 3x3 -> relu -> global mean -> linear logit. */
function predict(p: Params, x: Array): Array {
  let h = nn.relu(lax.convGeneralDilated(x, p.w1, [1, 1], "SAME", DN).add(p.b1));
  h = lax.reduceWindow(h, -Infinity, lax.max, [1, 2, 2, 1], [1, 2, 2, 1], "VALID");
  h = nn.relu(lax.convGeneralDilated(h, p.w2, [1, 1], "SAME", DN).add(p.b2));
  return h.mean([1, 2]).matmul(p.w3).add(p.b3).squeeze(1);
}

/** Binary cross-entropy on logits. */
function loss(p: Params, { x, y }: Batch): Array {
  const z = predict(p, x);
  return nn.softplus(z).sub(y.mul(z)).mean();
}

const accuracy = (p: Params, { x, y }: Batch): number => Number(predict(p, x).gt(0).astype("float32").eq(y).astype("float32").mean());

const lr = 1.0;
const update = jit((p: Params, batch: Batch): [Params, Array] => {
  const [l, grads] = valueAndGrad(loss)(p, batch);
  return [tree.map((w: Array, g: Array) => w.sub(g.mul(lr)), p, grads) as Params, l];
});

export function main(log: (...xs: unknown[]) => void = console.log, steps = 40): void {
  const [initKey, dataKey, testKey] = random.split(random.key(0), 3);
  let params = initParams(initKey);
  const test = makeBatch(testKey, 256);
  log(`test accuracy before training: ${accuracy(params, test).toFixed(3)}`);
  const batchKeys = random.split(dataKey, steps + 1);
  for (let step = 0; step <= steps; step++) {
    const [p, l] = update(params, makeBatch(batchKeys.get(step), 64)); // a fresh batch per step
    params = p;
    if (step % 20 === 0) log(`step ${String(step).padStart(4)}  loss ${Number(l).toFixed(4)}`);
  }
  log(`test accuracy after training:  ${accuracy(params, test).toFixed(3)}`);
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
