// `npm run demo`: runs every example in order on the CPU backend (no browser needed).
import { main as stateful } from "./stateful.js";

const examples: [string, () => void][] = [["stateful.ts", () => stateful()]];

for (const [name, run] of examples) {
  console.log(`\n=== examples/${name} ===`);
  run();
}
