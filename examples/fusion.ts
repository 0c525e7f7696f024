// Fusion: run with TFJAX_DEBUG=2 to see the compiled jaxpr and the generated kernel.
//   TFJAX_DEBUG=2 node --import tsx examples/fusion.ts
import { jit, jnp, makeJaxpr, type Array } from "../src/index.js";

/** An 11-op elementwise chain: one pass over memory once fused, instead of eleven. */
export function chain(x: Array): Array {
  let y = jnp.sin(x);
  y = jnp.exp(jnp.multiply(y, 0.5));
  y = jnp.tanh(jnp.add(y, 1.5));
  y = jnp.sqrt(jnp.add(jnp.multiply(y, y), 2));
  y = jnp.subtract(jnp.divide(y, 3), jnp.cos(x));
  return jnp.maximum(y, -0.25);
}

export function main(log: (...xs: unknown[]) => void = console.log): void {
  const x = jnp.linspace(-1, 1, 5);
  log("The traced program:");
  log(String(makeJaxpr(chain)(x)));
  const fast = jit(chain);
  log("jit(chain)(x) =", String(fast(x)));
  log("chain(x)      =", String(chain(x)));
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
