// Dtypes and JAX's type-promotion lattice (jax/_src/dtypes.py, "standard" mode, x64 disabled).

/**
 * Dtype names, as JAX spells them. Arrays can be float32, int32, uint32, uint8, uint16 or bool
 * (`SUPPORTED_DTYPES`); no 64-bit types, as JAX with `jax_enable_x64` off.
 */
export type DType =
  | "bool"
  | "int8"
  | "int16"
  | "int32"
  | "uint8"
  | "uint16"
  | "uint32"
  | "float16"
  | "float32"
  // A typed PRNG key (jax.random.key): one key per element, stored as uint32[..., 2].
  | "key<fry>";

/** The dtypes tfjax can hold in arrays today (tfjs storage decides). */
export const SUPPORTED_DTYPES: readonly DType[] = ["bool", "int32", "uint32", "float32", "uint8", "uint16"];

const SHORT: Record<DType, string> = {
  bool: "bool",
  int8: "i8",
  int16: "i16",
  int32: "i32",
  uint8: "u8",
  uint16: "u16",
  uint32: "u32",
  float16: "f16",
  float32: "f32",
  "key<fry>": "key<fry>",
};

/** `f32`, `i32`, `u32`, `bool`: the names jaxprs print. */
export const shortDtype = (d: DType): string => SHORT[d];

export const isFloat = (d: DType): boolean => d === "float32" || d === "float16";
export const isUnsigned = (d: DType): boolean => d === "uint8" || d === "uint16" || d === "uint32";
export const isSignedInt = (d: DType): boolean => d === "int8" || d === "int16" || d === "int32";
export const isInteger = (d: DType): boolean => isUnsigned(d) || isSignedInt(d);
export const isNumeric = (d: DType): boolean => d !== "bool";
/** JAX's extended key dtype: the aval's shape excludes the trailing 2 uint32 words of storage. */
export const isKey = (d: DType): boolean => d === "key<fry>";

export function checkDtype(d: unknown, where: string): DType {
  if (typeof d === "string" && Object.hasOwn(SHORT, d)) return d as DType;
  throw new TypeError(`data type '${String(d)}' not understood (${where} takes one of ${Object.keys(SHORT).join(", ")})`);
}
const X32: Record<string, DType> = { float64: "float32", int64: "int32", uint64: "uint32" };

/** The dtype an array is made with, as JAX's x32 mode canonicalizes it: float64 is float32, ... */
export const canonicalizeDtype = (d: unknown, where: string): DType => (typeof d === "string" && Object.hasOwn(X32, d) ? X32[d] : checkDtype(d, where));

// Lattice nodes: concrete dtypes, the 64-bit types that x32 mode canonicalises away, and the
// weak types `i*`/`f*` that Python (here: JS) scalars carry.
type Node = DType | "int64" | "uint64" | "float64" | "i*" | "f*";

// Each node's immediate successors, as in _type_promotion_lattice(strict=False, x64=False).
const LATTICE: Record<Node, Node[]> = {
  bool: ["i*"],
  "i*": ["uint8", "int8"],
  uint8: ["int16", "uint16"],
  uint16: ["int32", "uint32"],
  uint32: ["int32", "uint64"], // x32: u32 x i32 -> i32, never i64
  uint64: ["f*"],
  int8: ["int16"],
  int16: ["int32"],
  int32: ["int64"],
  int64: ["f*"],
  "f*": ["float16"],
  float16: ["float32"],
  float32: ["float64"],
  float64: [],
  "key<fry>": [], // keys promote with nothing (JAX raises on arithmetic with keys)
};

const UPPER: Map<Node, Set<Node>> = new Map();
for (const n of Object.keys(LATTICE) as Node[]) {
  const ub = new Set<Node>([n]);
  const stack = [n];
  while (stack.length) for (const m of LATTICE[stack.pop()!]) if (!ub.has(m)) (ub.add(m), stack.push(m));
  UPPER.set(n, ub);
}

function leastUpperBound(nodes: Node[]): Node {
  let common = null as Set<Node> | null;
  for (const n of nodes) {
    const ub = UPPER.get(n)!;
    common = common === null ? new Set(ub) : new Set([...common].filter((x: Node) => ub.has(x)));
  }
  for (const c of common!) if ([...common!].every((d) => UPPER.get(c)!.has(d))) return c;
  throw new TypeError(`no common dtype for ${nodes.join(", ")}`);
}

const canonical = (n: Node): DType =>
  n === "i*" || n === "int64" ? "int32" : n === "f*" || n === "float64" ? "float32" : n === "uint64" ? "uint32" : n;

export interface DTypeAndWeak {
  dtype: DType;
  weakType: boolean;
}

const cache = new Map<string, DTypeAndWeak>();

/**
 * JAX's `dtypes.result_type` for (dtype, weak_type) pairs: a weak operand yields to a strong
 * one of its kind, `i*` with `float32` gives `float32`, and so on.
 */
export function resultType(...args: DTypeAndWeak[]): DTypeAndWeak {
  if (args.length === 1) return args[0];
  const key = args.map((a) => a.dtype + (a.weakType ? "*" : "")).join(",");
  let r = cache.get(key);
  if (r) return r;
  const first = args[0];
  if (args.every((a) => a.weakType && a.dtype === first.dtype)) {
    r = { dtype: first.dtype, weakType: first.dtype !== "bool" };
  } else {
    const nodes = args.map((a): Node => (a.weakType ? (isFloat(a.dtype) ? "f*" : isInteger(a.dtype) ? "i*" : a.dtype) : a.dtype));
    const lub = leastUpperBound(nodes);
    r = { dtype: canonical(lub), weakType: (lub === "i*" || lub === "f*") };
  }
  cache.set(key, r);
  return r;
}

/** Bytes per element, for memory accounting and bit views. */
export const itemsize = (d: DType): number =>
  isKey(d) ? 8 : d === "bool" || d === "int8" || d === "uint8" ? 1 : d === "int16" || d === "uint16" || d === "float16" ? 2 : 4;
