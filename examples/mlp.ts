// Training a small MLP the JAX way: params are a pytree, the step is a pure function
// update(params, batch) => params under jit(valueAndGrad(loss)), and every random draw has a
// key of its own, split from one seed. The task: is a point of the square [-1, 1]² inside the
// circle of radius 0.75? A 2-16-16-1 network learns it from 512 points in a few hundred steps.
import { jit, jnp, nn, random, tree, valueAndGrad, type Array } from "../src/index.js";

type Layer = { w: Array; b: Array };
type Params = Layer[];
type Batch = { x: Array; y: Array };

/** He-normal weights, zero biases: one key per layer, split from `key`. */
function initParams(key: Array, sizes: number[]): Params {
  const keys = [...random.split(key, sizes.length - 1)];
  return sizes.slice(1).map((n, i) => ({ w: nn.initializers.heNormal()(keys[i], [sizes[i], n]), b: jnp.zeros([n]) }));
}

/** `n` points uniform in the square, labelled 1 inside the circle and 0 outside. */
function makeBatch(key: Array, n: number): Batch {
  const x = random.uniform(key, [n, 2], "float32", -1, 1);
  const y = x.square().sum(1).lt(0.75 ** 2).astype("float32");
  return { x, y };
}

/** The logit of each point: relu layers, then a linear one. */
function predict(params: Params, x: Array): Array {
  let h = x;
  params.slice(0, -1).forEach(({ w, b }) => (h = nn.relu(h.matmul(w).add(b))));
  const { w, b } = params[params.length - 1];
  return h.matmul(w).add(b).squeeze(1);
}

/** Binary cross-entropy on logits: mean(softplus(z) - y·z), which never overflows. */
function loss(params: Params, { x, y }: Batch): Array {
  const z = predict(params, x);
  return nn.softplus(z).sub(y.mul(z)).mean();
}

const accuracy = (params: Params, { x, y }: Batch): number =>
  Number(predict(params, x).gt(0).astype("float32").eq(y).astype("float32").mean());

const lr = 0.5;

/** One SGD step. Pure: new params out (and the loss it computed on the way), nothing mutated. */
const update = jit((params: Params, batch: Batch): [Params, Array] => {
  const [l, grads] = valueAndGrad(loss)(params, batch);
  return [tree.map((p: Array, g: Array) => p.sub(g.mul(lr)), params, grads) as Params, l];
});

export function main(log: (...xs: unknown[]) => void = console.log, steps = 300): void {
  const [initKey, trainKey, testKey] = random.split(random.key(0), 3); // one key per use
  let params = initParams(initKey, [2, 16, 16, 1]);
  const train = makeBatch(trainKey, 512);
  const test = makeBatch(testKey, 1000);
  log(`test accuracy before training: ${accuracy(params, test).toFixed(3)}`);
  for (let step = 0; step <= steps; step++) {
    const [p, l] = update(params, train);
    params = p;
    if (step % 50 === 0) log(`step ${String(step).padStart(4)}  loss ${Number(l).toFixed(4)}`);
  }
  log(`test accuracy after training:  ${accuracy(params, test).toFixed(3)}`);
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
