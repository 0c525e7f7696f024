// One training step of an MLP 784-512-512-10 (relu, softmax cross-entropy, batch 128, SGD):
// forward + backward + update, each row a training loop advancing its own params. Eager
// TensorFlow.js (tf.variableGrads + tf.train.sgd's applyGradients) is the baseline; tfjax runs
// jit(update) with the params donated; @jax-js/jax runs its jit(update) on its wasm device.
// Every row's setup checks its initial loss against a float64 host forward pass, and `value`
// (one step from the initial params: the loss and all updated params) is compared across rows.
import { type BackendName } from "../../src/index.js";
import { onBackend } from "../lib/backend.js";
import { jaxJsLiveRefs } from "../lib/jaxjs.js";
import { BATCH, LR, SIZES, checkLoss, jaxJsTrainer, tfTrainer, tfjaxTrainer, type Trainer } from "../lib/mlp.js";
import type { Case } from "../types.js";

const group = (b: BackendName) => `train MLP ${SIZES.join("-")} b${BATCH} ${b}`;
const what = `One SGD step (lr ${LR}) of an MLP ${SIZES.join("-")} (relu, softmax cross-entropy, batch ${BATCH}): forward, backward and update, time per step; each row trains its own params from the same initial weights and data. Eager tfjs: \`tf.variableGrads\` of a loss using \`tf.losses.softmaxCrossEntropy\`, then \`tf.train.sgd\`'s \`applyGradients\` (tfjs's gradients registered from tfjs-core/dist/register_all_gradients). tfjax: \`jit(update, { donateArgnums: 0 })\` where update is valueAndGrad of the loss plus a tree.map SGD step. @jax-js/jax: its \`jit\` of the same update, on its wasm device (its "cpu" device is a debugging interpreter), each step awaited with blockUntilReady on the new params and the loss. Setup checks each row's initial loss against a float64 host forward pass (rtol 1e-5); "max abs diff" compares one step's loss and all 669,706 updated parameters with the baseline's.`;

export const groups = {
  [group("cpu")]: `${what} tfjs and tfjax on tfjs's cpu backend (plain JS kernels; tfjax's float32 matmuls and sums there are wasm SIMD in tfjs-cpu's float64 arithmetic, bit-identical to its kernels).`,
  [group("wasm")]: `${what} tfjs and tfjax on tfjs's wasm backend (XNNPACK, SIMD, one thread).`,
};
// Seconds per step on cpu: few rounds keep the run short.
export const rounds = { [group("cpu")]: 4, [group("wasm")]: 6 };

function trainCase(b: BackendName, name: string, t: Trainer, extra: Partial<Case> & { async?: boolean }): Case {
  const budget = b === "cpu" ? { time: 10000, iterations: 8, warmupTime: 0, warmupIterations: 2 } : { time: 4000, iterations: 12, warmupTime: 500, warmupIterations: 3 };
  return {
    name,
    group: group(b),
    ...budget,
    rtol: 1e-5,
    setup: onBackend(b, async () => {
      await t.setup();
      checkLoss(name, await t.loss());
    }),
    teardown: () => t.teardown(),
    fn: () => t.step(),
    value: () => t.stepValue(),
    ...extra,
  } as Case;
}

const casesOn = (b: BackendName): Case[] => [
  trainCase(b, `eager tfjs-${b} (variableGrads + sgd)`, tfTrainer(), { baseline: true }),
  trainCase(b, "tfjax jit(update)", tfjaxTrainer(), {}),
  trainCase(b, "@jax-js/jax jit(update) (wasm device)", jaxJsTrainer(), { async: true, liveCount: jaxJsLiveRefs }),
];

export const cases: Case[] = [...casesOn("cpu"), ...casesOn("wasm")];
