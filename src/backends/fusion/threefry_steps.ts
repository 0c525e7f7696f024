// Threefry-2x32, 20 rounds (Random123), as a list of steps that each kernel generator spells in
// its own language (JS, wasm SIMD, GLSL). All arithmetic is uint32 with wrap-around.
//   key schedule: ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA]; start: a = x0 + ks0, b = x1 + ks1
//   mix(r):       a += b; b = rotl(b, r) ^ a
//   inject(g):    after every 4 mixes, a += ks[(g+1) % 3]; b += ks[(g+2) % 3] + g + 1
// The result is the pair (a, b). src/prng/threefry.ts is the host version, checked against the
// Random123 known answers; the fusion tests check every generated version against it.

export const KS_PARITY = 0x1bd11bda;

export type ThreefryStep = { kind: "mix"; rot: number } | { kind: "inject"; a: 0 | 1 | 2; b: 0 | 1 | 2; add: number };

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];

export const THREEFRY_STEPS: readonly ThreefryStep[] = [0, 1, 2, 3, 4].flatMap((g) => [
  ...ROTATIONS[g % 2].map((rot): ThreefryStep => ({ kind: "mix", rot })),
  { kind: "inject", a: ((g + 1) % 3) as 0 | 1 | 2, b: ((g + 2) % 3) as 0 | 1 | 2, add: g + 1 },
]);

/**
 * The counter pair of element `i` of random_bits in JAX's legacy stream over `size` elements:
 * `threefry_2x32(key, iota(size))` hashes the pairs (j, j + half), half = ceil(size / 2) (the
 * second word is 0 past the end), and element i is word a of pair i (i < half) or word b of pair
 * i - half. In the partitionable stream the pair is (0, i) and the element is a ^ b.
 */
export const legacyHalf = (size: number): number => Math.ceil(size / 2);
