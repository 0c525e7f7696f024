// A small RNN trained the JAX way: the time loop is one `lax.scan` (traced once, not unrolled),
// and the training step is a pure `jit(valueAndGrad(loss))` update. Gradients flow back through
// the scan as JAX computes them: a forward loop saving residuals, then a reversed loop.
// The task: predict the next value of noisy sine waves of random phase.
import { jit, jnp, lax, nn, random, tree, valueAndGrad, type Array } from "../src/index.js";

type Params = { wx: Array; wh: Array; b: Array; wo: Array; bo: Array };
type Batch = { xs: Array; ys: Array }; // [T, B] inputs and next-step targets

const T = 20;
const HIDDEN = 16;

function initParams(key: Array): Params {
  const [k1, k2, k3] = random.split(key, 3);
  const glorot = nn.initializers.glorotNormal();
  return { wx: glorot(k1, [1, HIDDEN]), wh: glorot(k2, [HIDDEN, HIDDEN]), b: jnp.zeros([HIDDEN]), wo: glorot(k3, [HIDDEN, 1]), bo: jnp.zeros([1]) };
}

/** `n` sine waves sampled every 0.3, random phases, a little Gaussian noise on the inputs. */
function makeBatch(key: Array, n: number): Batch {
  const [kPhase, kNoise] = random.split(key);
  const phase = random.uniform(kPhase, [1, n], "float32", 0, 2 * Math.PI);
  const wave = jnp.sin(jnp.arange(T + 1).reshape([T + 1, 1]).mul(0.3).add(phase)); // [T+1, n]
  const noisy = wave.add(random.normal(kNoise, [T + 1, n]).mul(0.05));
  return { xs: lax.slice(noisy, [0, 0], [T, n]), ys: lax.slice(wave, [1, 0], [T + 1, n]) };
}

/** Runs the RNN over time with lax.scan: carry h [B, H], one prediction [B] per step. */
function predict(p: Params, xs: Array): Array {
  const step = (h: Array, x: Array): [Array, Array] => {
    const hNew = jnp.tanh(x.reshape([-1, 1]).matmul(p.wx).add(h.matmul(p.wh)).add(p.b));
    return [hNew, hNew.matmul(p.wo).add(p.bo).squeeze(1)];
  };
  const [, preds] = lax.scan(step, jnp.zeros([xs.shape[1], HIDDEN]), xs);
  return preds; // [T, B]
}

const loss = (p: Params, { xs, ys }: Batch): Array => predict(p, xs).sub(ys).square().mean();

const lr = 0.3;
/** One SGD step: pure, new params out. */
const update = jit((p: Params, batch: Batch): [Params, Array] => {
  const [l, g] = valueAndGrad(loss)(p, batch);
  return [tree.map((w: Array, dw: Array) => w.sub(dw.mul(lr)), p, g) as Params, l];
});

export function main(log: (...xs: unknown[]) => void = console.log, steps = 150): void {
  const [initKey, dataKey] = random.split(random.key(0));
  let params = initParams(initKey);
  let key = dataKey;
  for (let step = 0; step <= steps; step++) {
    const [next, sub] = random.split(key);
    key = next;
    const [p, l] = update(params, makeBatch(sub, 16));
    params = p;
    if (step % 25 === 0) log(`step ${String(step).padStart(4)}  loss ${Number(l).toFixed(4)}`);
  }
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
