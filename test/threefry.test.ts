// The raw hash against the Random123 known-answer vectors (threefry2x32_20), as JAX's own
// tests use them (tests/random_test.py:217-227, testThreefry2x32).
import { expect, test } from "vitest";
import { threefry2x32 } from "../src/prng/threefry.js";

const KAT: [key: [number, number], count: [number, number], out: [number, number]][] = [
  [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
  [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
  [[0x13198a2e, 0x03707344], [0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
];

test("threefry2x32 matches the Random123 known answers", () => {
  for (const [[k1, k2], [c0, c1], [o0, o1]] of KAT) {
    const [y0, y1] = threefry2x32(k1, k2, Uint32Array.of(c0), Uint32Array.of(c1));
    expect([y0[0], y1[0]]).toEqual([o0, o1]);
    // Per-element key words give the same answer.
    const [z0, z1] = threefry2x32(Uint32Array.of(k1), Uint32Array.of(k2), Uint32Array.of(c0), Uint32Array.of(c1));
    expect([z0[0], z1[0]]).toEqual([o0, o1]);
  }
});
