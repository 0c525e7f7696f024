// Shape-only primitives on key arrays act on the key data's logical shape (JAX's physical
// layout rules): indexing, slicing, reshaping, where and jit over keys keep each key's words.
import { expect, test } from "vitest";
import { type Array, jit, jnp, lax, random } from "../src/index.js";

const rows = (k: Array) => (random.keyData(k).tolist() as number[][]).map((r) => r.join(","));

test("indexing, slicing, reshape, transpose, broadcast and where on key arrays", () => {
  const ks = random.split(random.key(0), 4);
  const data = rows(ks);
  expect(random.keyData(ks.index(1)).tolist()).toEqual(data[1].split(",").map(Number));
  expect(rows(lax.slice(ks, [1], [3]))).toEqual(data.slice(1, 3));
  expect(rows(lax.reshape(lax.reshape(ks, [2, 2]), [4]))).toEqual(data);
  expect(rows(jnp.flip(ks, 0))).toEqual([...data].reverse());
  const other = random.split(random.key(1), 4);
  const picked = jnp.where(jnp.array([true, false, true, false]), ks, other);
  expect(rows(picked)).toEqual([data[0], rows(other)[1], data[2], rows(other)[3]]);
  expect(random.keyData(jit((k: Array) => k.index(3))(ks)).tolist()).toEqual(data[3].split(",").map(Number));
  expect(rows(lax.broadcastInDim(random.key(0), [3], []))).toEqual(new globalThis.Array(3).fill(rows(lax.broadcastInDim(random.key(0), [1], []))[0]));
});
