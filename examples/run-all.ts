// `npm run demo`: runs every example in order on the CPU backend (no browser needed).
import { main as stateful } from "./stateful.js";
import { main as fusion } from "./fusion.js";
import { main as prng } from "./prng.js";
import { main as mlp } from "./mlp.js";
import { main as perExampleGrads } from "./per_example_grads.js";
import { main as rnnScan } from "./rnn_scan.js";
import { main as cnn } from "./cnn.js";

const examples: [string, () => void][] = [
  ["stateful.ts", () => stateful()],
  ["fusion.ts", () => fusion()],
  ["prng.ts", () => prng()],
  ["mlp.ts", () => mlp()],
  ["per_example_grads.ts", () => perExampleGrads()],
  ["rnn_scan.ts", () => rnnScan()],
  ["cnn.ts", () => cnn()],
];

for (const [name, run] of examples) {
  console.log(`\n=== examples/${name} ===`);
  run();
}
