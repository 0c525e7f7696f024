// JAX's type-promotion table (docs/type_promotion.rst of JAX 0.11, x64 table), restricted to
// the dtypes tfjax has; 64-bit results are read as x32 canonicalises them (i8 -> i4).
import { expect, test } from "vitest";
import { type DType, resultType } from "../src/dtypes.js";
import { jnp } from "../src/index.js";

const TABLE = `
     b1  u1  u2  u4  i1  i2  i4  f2  f4  i*  f*
 b1  b1  u1  u2  u4  i1  i2  i4  f2  f4  i*  f*
 u1  u1  u1  u2  u4  i2  i2  i4  f2  f4  u1  f*
 u2  u2  u2  u2  u4  i4  i4  i4  f2  f4  u2  f*
 u4  u4  u4  u4  u4  i8  i8  i8  f2  f4  u4  f*
 i1  i1  i2  i4  i8  i1  i2  i4  f2  f4  i1  f*
 i2  i2  i2  i4  i8  i2  i2  i4  f2  f4  i2  f*
 i4  i4  i4  i4  i8  i4  i4  i4  f2  f4  i4  f*
 f2  f2  f2  f2  f2  f2  f2  f2  f2  f4  f2  f2
 f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4
 i*  i*  u1  u2  u4  i1  i2  i4  f2  f4  i*  f*
 f*  f*  f*  f*  f*  f*  f*  f*  f2  f4  f*  f*
`;

const NAMES: Record<string, [DType, boolean]> = {
  b1: ["bool", false], u1: ["uint8", false], u2: ["uint16", false], u4: ["uint32", false],
  i1: ["int8", false], i2: ["int16", false], i4: ["int32", false], i8: ["int32", false],
  f2: ["float16", false], f4: ["float32", false], "i*": ["int32", true], "f*": ["float32", true],
};

test("resultType reproduces JAX's promotion table", () => {
  const [header, ...rows] = TABLE.trim().split("\n").map((l) => l.trim().split(/\s+/));
  let checked = 0;
  for (const [row, ...cells] of rows) {
    cells.forEach((want, j) => {
      const [a, aw] = NAMES[row];
      const [b, bw] = NAMES[header[j]];
      const [dtype, weakType] = NAMES[want];
      expect(resultType({ dtype: a, weakType: aw }, { dtype: b, weakType: bw }), `${row} x ${header[j]}`).toEqual({ dtype, weakType });
      checked++;
    });
  }
  expect(checked).toBe(121);
});

test("JS numbers promote as the Python literal you would write there", () => {
  const i = jnp.array([1, 2], { dtype: "int32" });
  const u = jnp.array([1, 2], { dtype: "uint32" });
  const f = jnp.array([1, 2]);
  const b = jnp.array([true, false]);
  expect(jnp.add(i, 1).dtype).toBe("int32");
  expect(jnp.add(i, 1.5).dtype).toBe("float32");
  expect(jnp.add(u, 1).dtype).toBe("uint32");
  expect(jnp.add(b, 1).dtype).toBe("int32");
  expect(jnp.add(b, 1).weakType).toBe(true);
  expect(jnp.add(f, 1).weakType).toBe(false);
  expect(jnp.add(i, u).dtype).toBe("int32");
  expect(jnp.add(1, 2).dtype).toBe("float32");
  expect(jnp.add(1, 2).weakType).toBe(true);
  expect(() => jnp.add(u, -1)).toThrow(/Python int -1 too large to convert to uint32/);
});
