// random_bits nodes (see fusion/ir.ts) as i32x4 expressions: threefry2x32 of each lane's counter
// pair, the rounds of fusion/threefry_steps.ts. Rotations by 16 and 24 bits are byte shuffles
// (one instruction instead of shl/shr/or).
import type { Node } from "../fusion/ir.js";
import { THREEFRY_STEPS, legacyHalf } from "../fusion/threefry_steps.js";
import type { VB, VNode } from "./vexpr.js";

type RandomBits = Extract<Node, { op: "random_bits" }>;

/** Byte lanes of i8x16.shuffle rotating each 32-bit lane left by 8 * r bytes. */
const rotBytes = (r: number) => Array.from({ length: 16 }, (_, j) => (j & ~3) + (((j & 3) - r + 4) & 3));

function rotl(b: VB, x: VNode, r: number): VNode {
  if (r % 8 === 0) return b.shuffle(x, x, rotBytes(r / 8));
  return b.or(b.ishl(x, r), b.ishru(x, 32 - r));
}

/** A key's schedule as splat vectors: ks[0..2], and inj[g] = ks[(g + 2) % 3] + g + 1 (see THREEFRY_STEPS). */
export interface KeySchedule {
  ks: readonly VNode[];
  inj: readonly VNode[];
}

/**
 * The node's value for lanes with row-major indices `index` (i32x4), under the key schedule
 * `key` (loop-invariant locals).
 */
export function randomBits(b: VB, n: RandomBits, key: KeySchedule, index: VNode): VNode {
  const { ks, inj } = key;
  let x0: VNode, x1: VNode;
  let first: VNode | null = null; // legacy: lanes that take word a
  if (n.partitionable) {
    x0 = b.i(0);
    x1 = index;
  } else {
    const half = legacyHalf(n.size);
    first = b.v("i32x4.lt_u", index, b.i(half));
    x0 = b.sel(index, b.isub(index, b.i(half)), first);
    const second = b.iadd(x0, b.i(half));
    x1 = b.and(second, b.v("i32x4.lt_u", second, b.i(n.size))); // past the end: the padding 0
  }
  let a = n.partitionable ? ks[0] : b.iadd(x0, ks[0]);
  let c = b.iadd(x1, ks[1]);
  for (const s of THREEFRY_STEPS) {
    if (s.kind === "mix") {
      a = b.iadd(a, c);
      c = b.xor(rotl(b, c, s.rot), a);
    } else {
      a = b.iadd(a, ks[s.a]);
      c = b.iadd(c, inj[s.add - 1]);
    }
  }
  return first ? b.sel(a, c, first) : b.xor(a, c);
}
