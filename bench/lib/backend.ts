// Suites that run on another tfjs backend select it in their cases' setup (setBackend is async and
// the runner awaits setup). Each group runs in its own process, so this never leaks into another
// group; groups that do nothing stay on the runner's default, cpu.
import { setBackend, type BackendName } from "../../src/index.js";

/** A setup that selects `name` first, then runs `then` (e.g. making inputs on that backend). */
export const onBackend =
  (name: BackendName, then?: () => void | Promise<void>) =>
  async (): Promise<void> => {
    await setBackend(name);
    await then?.();
  };
