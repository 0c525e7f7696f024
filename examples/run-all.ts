// `npm run demo`: runs every example in order on the CPU backend (no browser needed).
import { main as stateful } from "./stateful.js";
import { main as fusion } from "./fusion.js";
import { main as prng } from "./prng.js";

const examples: [string, () => void][] = [
  ["stateful.ts", () => stateful()],
  ["fusion.ts", () => fusion()],
  ["prng.ts", () => prng()],
];

for (const [name, run] of examples) {
  console.log(`\n=== examples/${name} ===`);
  run();
}
