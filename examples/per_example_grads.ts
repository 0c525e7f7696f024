// Per-example gradients: grad gives the gradient of one example's loss, and vmap maps it over
// the batch (params shared: in_axes None; inputs and labels split along axis 0). Their mean
// is the gradient of the batch's mean loss, which is what this example checks. Per-example
// gradients are what DP-SGD clips and what influence/variance diagnostics need.
import { grad, jit, jnp, nn, random, tree, vmap, type Array } from "../src/index.js";

type Params = { w: Array; b: Array };

/** Logistic regression's cross-entropy: one example (x: f32[d]) or the mean over a batch (f32[n, d]). */
function loss({ w, b }: Params, x: Array, y: Array): Array {
  const z = x.matmul(w).add(b);
  return nn.softplus(z).sub(y.mul(z)).mean();
}

export function main(log: (...xs: unknown[]) => void = console.log): void {
  const [kw, kx, kTeacher] = random.split(random.key(0), 3); // one key per draw
  const params: Params = { w: random.normal(kw, [3]).mul(0.1), b: jnp.zeros([]) };
  const x = random.normal(kx, [8, 3]);
  const y = x.matmul(random.normal(kTeacher, [3])).gt(0).astype("float32");

  const perExample = jit(vmap(grad(loss), { inAxes: [null, 0, 0] }));
  const g = perExample(params, x, y) as Params;
  log(`per-example grads: w ${JSON.stringify(g.w.shape)}, b ${JSON.stringify(g.b.shape)}`);
  log("per-example |grad w|:", String(g.w.square().sum(1).sqrt()));

  const batch = grad(loss)(params, x, y) as Params;
  const mean = tree.map((a: Array) => a.mean(0), g) as Params;
  log("mean of per-example grad w:", String(mean.w));
  log("batch grad w:              ", String(batch.w));
  log("mean of per-example grad b:", String(mean.b), " batch grad b:", String(batch.b));
  const diffs = tree.leaves(tree.map((a: Array, c: Array) => Number(a.sub(c).abs().max()), mean, batch)) as number[];
  log(`max |mean - batch| = ${Math.max(...diffs).toExponential(1)}`);
}

if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) main();
