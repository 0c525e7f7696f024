// conv_general_dilated (JAX's lax/convolution.py): XLA's general convolution with window
// strides, padding, lhs (transposed-conv) and rhs (atrous) dilation, dimension numbers, feature
// and batch groups. Its rules are ported from JAX: bilinear jvp, the two transposes (each a
// convolution with swapped dimension numbers) and the batching rule that folds the vmapped axis
// into the batch or feature dimension, so transformed jaxprs print as JAX's do.
import * as tf from "@tensorflow/tfjs-core";
import type { Array as JaxArray } from "../array/base.js";
import { type DType, isFloat, isInteger, isSignedInt } from "../dtypes.js";
import { ShapedArray, pyShape, sizeOf } from "../jaxpr/aval.js";
import { sortedParams } from "../jaxpr/npint.js";
import { CACHE_SIZES, LRU } from "../cache.js";
import { bind1 } from "../tracer/core.js";
import { defjvp, isUndefined, prim } from "../tracer/ad_util.js";
import { type ArrayLike, asArray } from "./lax.js";
import { checkSameDtypes, definePrimitive } from "./primitive.js";
import { ValueError } from "./control_flow/conditionals.js";
import { full, reshape, rev } from "./structural.js";
import { convHost, convTfjs, tfjsCanConv } from "./conv_lowering.js";

// ---- dimension numbers ------------------------------------------------------------------------

const tuple = (xs: readonly number[]) => pyShape(xs);
const range = (n: number) => [...Array(n).keys()];
const argsort = (xs: readonly number[]) => range(xs.length).sort((i, j) => xs[i] - xs[j]);

/**
 * lax.ConvDimensionNumbers: where the batch, feature and spatial dimensions of the lhs, rhs
 * and output are (`(batch, feature, spatial...)`, `(out feature, in feature, spatial...)`,
 * `(batch, feature, spatial...)`). Prints as JAX's NamedTuple; equal ones are one object.
 */
export class ConvDimensionNumbers {
  private static cache = new LRU<string, ConvDimensionNumbers>("lax.conv_dimension_numbers", CACHE_SIZES.small);
  private constructor(
    readonly lhsSpec: readonly number[],
    readonly rhsSpec: readonly number[],
    readonly outSpec: readonly number[],
    private readonly repr: string,
  ) {}
  static of(lhsSpec: readonly number[], rhsSpec: readonly number[], outSpec: readonly number[]): ConvDimensionNumbers {
    const repr = `ConvDimensionNumbers(lhs_spec=${tuple(lhsSpec)}, rhs_spec=${tuple(rhsSpec)}, out_spec=${tuple(outSpec)})`;
    let d = this.cache.get(repr);
    if (d === undefined) this.cache.set(repr, (d = new ConvDimensionNumbers(Object.freeze([...lhsSpec]), Object.freeze([...rhsSpec]), Object.freeze([...outSpec]), repr)));
    return d;
  }
  toString(): string {
    return this.repr;
  }
}

/** Dimension numbers as lax.conv_general_dilated takes them: strings like `["NCHW", "OIHW", "NCHW"]`, specs, or null (the default). */
export type ConvDimensionNumbersLike =
  | ConvDimensionNumbers
  | readonly [string, string, string]
  | { lhsSpec: readonly number[]; rhsSpec: readonly number[]; outSpec: readonly number[] }
  | null;

/** lax.conv_general_permutations: the specs that a string triple like ("NHWC", "HWIO", "NHWC") names. */
export function convGeneralPermutations(dn: readonly [string, string, string]): [number[], number[], number[]] {
  const [lhsSpec, rhsSpec, outSpec] = dn;
  const charpairs: [string, string][] = [
    ["N", "C"],
    ["O", "I"],
    ["N", "C"],
  ];
  const count = (s: string, c: string) => s.split(c).length - 1;
  charpairs.forEach(([a, b], i) => {
    if (!(count(dn[i], a) === 1 && count(dn[i], b) === 1))
      throw new TypeError(`convolution dimension_numbers[${i}] must contain the characters '${a}' and '${b}' exactly once, got ${dn[i]}.`);
    if (new Set(dn[i]).size !== dn[i].length) throw new TypeError(`convolution dimension_numbers[${i}] cannot have duplicate characters, got ${dn[i]}.`);
  });
  const spatial = (s: string, pair: [string, string]) => [...s].filter((c) => !pair.includes(c)).sort().join();
  if (!(spatial(lhsSpec, charpairs[0]) === spatial(rhsSpec, charpairs[1]) && spatial(rhsSpec, charpairs[1]) === spatial(outSpec, charpairs[2])))
    throw new TypeError(`convolution dimension_numbers elements must each have the same set of spatial characters, got ('${lhsSpec}', '${rhsSpec}', '${outSpec}').`);
  const getperm = (spec: string, pair: [string, string]) => {
    let sp = range(spec.length).filter((i) => !pair.includes(spec[i]));
    if (spec !== rhsSpec || pair !== charpairs[1]) sp = sp.sort((i, j) => rhsSpec.indexOf(spec[i]) - rhsSpec.indexOf(spec[j]));
    return [spec.indexOf(pair[0]), spec.indexOf(pair[1]), ...sp];
  };
  return [getperm(lhsSpec, charpairs[0]), getperm(rhsSpec, charpairs[1]), getperm(outSpec, charpairs[2])];
}

/** lax.conv_dimension_numbers: any accepted form to a ConvDimensionNumbers, with JAX's errors. */
export function convDimensionNumbers(lhsShape: readonly number[], rhsShape: readonly number[], dn: ConvDimensionNumbersLike | undefined): ConvDimensionNumbers {
  if (dn instanceof ConvDimensionNumbers) return dn;
  if (lhsShape.length !== rhsShape.length)
    throw new TypeError(`convolution requires lhs and rhs ndim to be equal, got ${lhsShape.length} and ${rhsShape.length}.`);
  if (dn === null || dn === undefined) {
    const iota = range(lhsShape.length);
    return ConvDimensionNumbers.of(iota, iota, iota);
  }
  if (Array.isArray(dn)) {
    if (dn.length !== 3) throw new TypeError(`convolution dimension_numbers list/tuple must be length 3, got ${dn.length}.`);
    if (!dn.every((e) => typeof e === "string")) throw new TypeError("convolution dimension_numbers elements must be strings.");
    dn.forEach((e: string, i: number) => {
      if (e.length !== lhsShape.length)
        throw new TypeError(
          `convolution dimension_numbers[${i}] must have len equal to the ndim of lhs and rhs, got ${e.length} for lhs and rhs shapes ${tuple(lhsShape)} and ${tuple(rhsShape)}.`,
        );
    });
    return ConvDimensionNumbers.of(...convGeneralPermutations(dn as [string, string, string]));
  }
  const d = dn as { lhsSpec: readonly number[]; rhsSpec: readonly number[]; outSpec: readonly number[] };
  if (d.lhsSpec && d.rhsSpec && d.outSpec) return ConvDimensionNumbers.of(d.lhsSpec, d.rhsSpec, d.outSpec);
  throw new TypeError(`convolution dimension_numbers must be tuple/list or None, got ${typeof dn}.`);
}

// ---- padding ----------------------------------------------------------------------------------

export type Padding = "SAME" | "VALID" | "SAME_LOWER" | readonly (readonly [number, number])[];

/** lax.padtype_to_pads: a padding string to (low, high) pairs for these input and window shapes. */
export function padtypeToPads(inShape: readonly number[], windowShape: readonly number[], strides: readonly number[], padding: string): [number, number][] {
  const kind = padding.toUpperCase();
  if (kind === "SAME" || kind === "SAME_LOWER") {
    return inShape.map((d, i) => {
      const out = Math.ceil(d / strides[i]);
      const pad = Math.max(0, (out - 1) * strides[i] + windowShape[i] - d);
      const small = Math.floor(pad / 2);
      return kind === "SAME" ? [small, pad - small] : [pad - small, small];
    });
  }
  if (kind === "VALID") return inShape.map(() => [0, 0]);
  throw new Error(`Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got ${padding}.`);
}

/** core.dilate_dim: the size of `d` elements with `r - 1` holes between neighbours. */
export const dilateDim = (d: number, r: number): number => (r === 1 ? d : Math.max(0, 1 + r * (d - 1)));
/** core.stride_dim: how many windows of `w` fit in `d` at stride `s`. */
export const strideDim = (d: number, w: number, s: number): number => Math.max(0, Math.floor((d - w) / s) + 1);

/** lax._dilate_shape, with its error for non-positive dilations. */
export function dilateShape(shape: readonly number[], dilation: readonly number[]): number[] {
  if (!dilation.every((d) => d > 0)) throw new TypeError(`All dilations must be positive, got ${tuple(dilation)}.`);
  const dil = [...new Array(shape.length - dilation.length).fill(1), ...dilation];
  return shape.map((d, i) => dilateDim(d, dil[i]));
}

// ---- the primitive ----------------------------------------------------------------------------

export type ConvParams = {
  window_strides: number[];
  padding: [number, number][];
  lhs_dilation: number[];
  rhs_dilation: number[];
  dimension_numbers: ConvDimensionNumbers;
  feature_group_count: number;
  batch_group_count: number;
  precision: null;
  preferred_element_type: DType | null;
  out_sharding: null;
};

const take = (shape: readonly number[], perm: readonly number[]) => perm.map((d) => shape[d]);
const sdims = (spec: readonly number[]) => spec.slice(2);

/** lax.conv_shape_tuple (shapes in canonical order, explicit pads). */
function convShapeTuple(lhsShape: number[], rhsShape: number[], strides: readonly number[], pads: readonly (readonly [number, number])[], batchGroupCount = 1): number[] {
  if (pads.length !== lhsShape.length - 2) throw new TypeError(`Wrong number of explicit pads for convolution: expected ${lhsShape.length - 2}, got ${pads.length}.`);
  const padded = lhsShape.slice(2).map((d, i) => d + pads[i][0] + pads[i][1]);
  if (padded.some((d) => d < 0))
    throw new ValueError(`Negative padding is larger than the size of the corresponding dimension: got padding=${pyPads(pads)} for lhs_shape[2:]=${tuple(lhsShape.slice(2))}`);
  const outSpace = padded.map((d, i) => strideDim(d, rhsShape[2 + i], strides[i]));
  const out0 = batchGroupCount > 1 ? lhsShape[0] / batchGroupCount : lhsShape[0];
  return [out0, rhsShape[0], ...outSpace];
}
const pyPads = (pads: readonly (readonly [number, number])[]) => `(${pads.map((p) => `(${p[0]}, ${p[1]})`).join(", ")}${pads.length === 1 ? "," : ""})`;

/** JAX's _conv_general_dilated_shape_rule, error texts included. */
function convShape(lhs: ShapedArray, rhs: ShapedArray, p: ConvParams): number[] {
  const dn = p.dimension_numbers;
  if (lhs.ndim !== rhs.ndim)
    throw new ValueError(`conv_general_dilated lhs and rhs must have the same number of dimensions, but got ${tuple(lhs.shape)} and ${tuple(rhs.shape)}.`);
  const G = p.feature_group_count;
  const B = p.batch_group_count;
  if (!(G > 0)) throw new ValueError(`conv_general_dilated feature_group_count must be a positive integer, got ${G}.`);
  const lhsFeatures = lhs.shape[dn.lhsSpec[1]];
  const rhsIn = rhs.shape[dn.rhsSpec[1]];
  const rhsOut = rhs.shape[dn.rhsSpec[0]];
  if (lhsFeatures % G)
    throw new ValueError(`conv_general_dilated feature_group_count must divide lhs feature dimension size, but ${G} does not divide ${lhsFeatures}.`);
  if (Math.floor(lhsFeatures / G) !== rhsIn)
    throw new ValueError(
      `conv_general_dilated lhs feature dimension size divided by feature_group_count must equal the rhs input feature dimension size, but ${lhsFeatures} // ${G} != ${rhsIn}.`,
    );
  if (rhsOut % G)
    throw new ValueError(`conv_general_dilated rhs output feature dimension size must be a multiple of feature_group_count, but ${rhsOut} is not a multiple of ${G}.`);
  if (!(B > 0)) throw new ValueError(`conv_general_dilated batch_group_count must be a positive integer, got ${B}.`);
  const lhsBatch = lhs.shape[dn.lhsSpec[0]];
  if (B > 1 && lhsBatch % B !== 0)
    throw new ValueError(`conv_general_dilated batch_group_count must divide lhs batch dimension size, but ${B} does not divide ${lhsBatch}.`);
  if (rhsOut % B)
    throw new ValueError(`conv_general_dilated rhs output feature dimension size must be a multiple of batch_group_count, but ${rhsOut} is not a multiple of ${B}.`);
  if (B > 1 && G > 1)
    throw new ValueError(`At most one of batch_group_count and feature_group_count may be > 1, got batch_group_count=${B} and feature_group_count=${G}`);
  if (sdims(dn.rhsSpec).length !== p.window_strides.length)
    throw new ValueError(
      `conv_general_dilated window and window_strides must have the same number of dimensions, but got ${sdims(dn.rhsSpec).length} and ${p.window_strides.length}`,
    );
  const lhsTrans = dilateShape(take(lhs.shape, dn.lhsSpec), p.lhs_dilation);
  const rhsTrans = dilateShape(take(rhs.shape, dn.rhsSpec), p.rhs_dilation);
  const outTrans = convShapeTuple(lhsTrans, rhsTrans, p.window_strides, p.padding, B);
  return take(outTrans, argsort(dn.outSpec));
}

/** lax._validate_preferred_element_type (for the dtypes tfjax has). */
function validatePreferred(input: DType, preferred: DType): void {
  if (isInteger(input) && isFloat(preferred)) return;
  const kinds: [(d: DType) => boolean][] = [[isInteger], [isFloat]];
  if (kinds.some(([is]) => is(input) && !is(preferred)))
    throw new TypeError(
      "Input type is incompatible with `preferred_element_type`. The compatible combinations of (input_type, preferred_element_type) are (integral, integral), (integral, floating), (floating, floating), (complex, complex.",
    );
  if (isSignedInt(input) && !isSignedInt(preferred)) throw new TypeError("`preferred_element_type` must have the same signedness as the original type.");
}

export const conv_general_dilated_p = definePrimitive({
  name: "conv_general_dilated",
  abstractEval([lhs, rhs], p: ConvParams) {
    checkSameDtypes("conv_general_dilated", [lhs, rhs]);
    const shape = convShape(lhs, rhs, p);
    if (p.preferred_element_type !== null) validatePreferred(lhs.dtype, p.preferred_element_type);
    return [new ShapedArray(shape, p.preferred_element_type ?? lhs.dtype, lhs.weakType && rhs.weakType)];
  },
  impl([lhs, rhs], p, ctx) {
    const dt = ctx.inAvals[0].dtype;
    const out = ctx.outAvals[0];
    // Integer operands with a float result accumulate in float, as XLA's converted operands do.
    if (isInteger(dt) && isFloat(out.dtype))
      return tf.tidy(() => {
        const [l, r] = [tf.cast(lhs, "float32"), tf.cast(rhs, "float32")];
        return [tfjsCanConv("float32", l.rank) ? convTfjs(l, r, p, out.shape) : convHost(l, r, p, "float32", out.dtype, out.shape)];
      });
    if (tfjsCanConv(dt, lhs.rank)) return [convTfjs(lhs, rhs, p, out.shape)];
    return [convHost(lhs, rhs, p, dt, out.dtype, out.shape)];
  },
  printParams: sortedParams(),
});

// ---- the wrappers (lax.conv_general_dilated and its conveniences) ------------------------------

export interface ConvOptions {
  /** Dilation of the input (transposed convolution); 1 per spatial dim by default. */
  lhsDilation?: readonly number[] | null;
  /** Dilation of the kernel (atrous convolution); 1 per spatial dim by default. */
  rhsDilation?: readonly number[] | null;
  /** `["NCHW", "OIHW", "NCHW"]`-style strings, a ConvDimensionNumbers, or null for that default. */
  dimensionNumbers?: ConvDimensionNumbersLike;
  featureGroupCount?: number;
  batchGroupCount?: number;
  precision?: null;
  preferredElementType?: DType | null;
}

/**
 * General n-d convolution (lax.conv_general_dilated): `lhs` is [N, C, spatial...] and `rhs`
 * [O, I, spatial...] unless `dimensionNumbers` says otherwise.
 * `lax.convGeneralDilated(x, w, [1, 1], "SAME", { dimensionNumbers: ["NHWC", "HWIO", "NHWC"] })`
 */
export function convGeneralDilated(lhs: ArrayLike, rhs: ArrayLike, windowStrides: readonly number[], padding: Padding, opts: ConvOptions = {}): JaxArray {
  const l = asArray(lhs);
  const r = asArray(rhs, l.dtype);
  const dnums = convDimensionNumbers(l.shape, r.shape, opts.dimensionNumbers);
  let lhsDilation = opts.lhsDilation;
  if (lhsDilation === null || lhsDilation === undefined) lhsDilation = new Array(l.ndim - 2).fill(1);
  else if (typeof padding === "string" && !lhsDilation.every((d) => d === 1))
    throw new ValueError(
      "String padding is not implemented for transposed convolution using this op. Please either exactly specify the required padding or use conv_transpose.",
    );
  const rhsDilation = opts.rhsDilation ?? new Array(r.ndim - 2).fill(1);
  let pads: [number, number][];
  if (typeof padding === "string") {
    const rhsShape = take(r.shape, dnums.rhsSpec).slice(2);
    const effective = rhsShape.map((k, i) => dilateDim(k, rhsDilation[i]));
    pads = padtypeToPads(take(l.shape, dnums.lhsSpec).slice(2), effective, windowStrides, padding);
  } else {
    if (!Array.isArray(padding) || !padding.every((pr) => Array.isArray(pr) && pr.length === 2 && pr.every(Number.isInteger)))
      throw new ValueError(`padding argument to conv_general_dilated should be a string or a sequence of (low, high) pairs, got ${JSON.stringify(padding)}`);
    pads = padding.map(([lo, hi]) => [lo, hi]);
  }
  return bind1(conv_general_dilated_p, [l, r], {
    window_strides: [...windowStrides],
    padding: pads,
    lhs_dilation: [...lhsDilation],
    rhs_dilation: [...rhsDilation],
    dimension_numbers: dnums,
    feature_group_count: opts.featureGroupCount ?? 1,
    batch_group_count: opts.batchGroupCount ?? 1,
    precision: opts.precision ?? null,
    preferred_element_type: opts.preferredElementType ?? null,
    out_sharding: null,
  } satisfies ConvParams);
}

/** lax.conv: NCHW/OIHW convolution with "SAME" or "VALID" padding. `lax.conv(x, w, [1, 1], "SAME")` */
export const conv = (lhs: ArrayLike, rhs: ArrayLike, windowStrides: readonly number[], padding: "SAME" | "VALID" | "SAME_LOWER", opts: { precision?: null; preferredElementType?: DType | null } = {}): JaxArray =>
  convGeneralDilated(lhs, rhs, windowStrides, padding, opts);

/** lax.conv_with_general_padding: explicit pads and both dilations, NCHW/OIHW. */
export const convWithGeneralPadding = (
  lhs: ArrayLike,
  rhs: ArrayLike,
  windowStrides: readonly number[],
  padding: Padding,
  lhsDilation: readonly number[] | null,
  rhsDilation: readonly number[] | null,
  opts: { precision?: null; preferredElementType?: DType | null } = {},
): JaxArray => convGeneralDilated(lhs, rhs, windowStrides, padding, { ...opts, lhsDilation, rhsDilation });

/** JAX's _conv_transpose_padding: pads of the fractionally strided conv for one spatial dim. */
function convTransposePadding(k: number, s: number, padding: "SAME" | "VALID" | readonly [number, number]): [number, number] {
  let padLen: number;
  let padA: number;
  if (padding === "SAME") {
    padLen = k + s - 2;
    padA = s > k - 1 ? k - 1 : Math.ceil(padLen / 2);
  } else if (padding === "VALID") {
    padLen = k + s - 2 + Math.max(k - s, 0);
    padA = k - 1;
  } else if (Array.isArray(padding)) {
    const pads = padding.map((p) => k - p - 1);
    padA = pads[0];
    padLen = pads[0] + pads[1];
  } else throw new ValueError(`Invalid padding mode: ${padding}`);
  return [padA, padLen - padA];
}

/**
 * lax.conv_transpose: a fractionally strided convolution (TensorFlow's conv_transpose layout,
 * NHWC/HWIO, by default). `transposeKernel` flips the kernel's spatial axes and swaps its
 * feature axes, as Keras's Conv2DTranspose does.
 */
export function convTranspose(
  lhs: ArrayLike,
  rhs: ArrayLike,
  strides: readonly number[],
  padding: Padding,
  opts: { rhsDilation?: readonly number[] | null; dimensionNumbers?: ConvDimensionNumbersLike; transposeKernel?: boolean; useConsistentPadding?: boolean; precision?: null; preferredElementType?: DType | null } = {},
): JaxArray {
  const l = asArray(lhs);
  let r = asArray(rhs, l.dtype);
  const nd = l.ndim;
  const defaults: Record<number, [string, string, string]> = { 2: ["NC", "IO", "NC"], 3: ["NHC", "HIO", "NHC"], 4: ["NHWC", "HWIO", "NHWC"], 5: ["NHWDC", "HWDIO", "NHWDC"] };
  let dnIn = opts.dimensionNumbers ?? null;
  if (dnIn === null) {
    if (!(nd in defaults)) throw new ValueError("No 4+ dimensional dimension_number defaults.");
    dnIn = defaults[nd];
  }
  const dn = convDimensionNumbers(l.shape, r.shape, dnIn);
  const kSdims = take(r.shape, dn.rhsSpec).slice(2);
  const rhsDilation = opts.rhsDilation ?? new Array(r.ndim - 2).fill(1);
  let pads: Padding;
  if (opts.useConsistentPadding || padding === "SAME" || padding === "VALID") {
    const eff = kSdims.map((k, i) => dilateDim(k, rhsDilation[i]));
    const rep = typeof padding === "string" ? strides.map(() => padding) : padding;
    pads = eff.map((k, i) => convTransposePadding(k, strides[i], rep[i] as "SAME" | "VALID" | readonly [number, number]));
  } else pads = padding;
  if (opts.transposeKernel) {
    r = rev(r, dn.rhsSpec.slice(2));
    const perm = range(r.ndim);
    [perm[dn.rhsSpec[0]], perm[dn.rhsSpec[1]]] = [perm[dn.rhsSpec[1]], perm[dn.rhsSpec[0]]];
    r = bind1(prim("transpose"), [r], { permutation: perm });
  }
  return convGeneralDilated(l, r, new Array(nd - 2).fill(1), pads, {
    lhsDilation: strides,
    rhsDilation,
    dimensionNumbers: dn,
    precision: opts.precision,
    preferredElementType: opts.preferredElementType,
  });
}

// ---- rules --------------------------------------------------------------------------------------

/** conv_general_dilated as a rule calls it: the wrapper with explicit params. */
function convWith(lhs: JaxArray, rhs: JaxArray, p: ConvParams, changes: Partial<ConvParams>): JaxArray {
  const q = { ...p, ...changes };
  return bind1(conv_general_dilated_p, [lhs, rhs], { ...q, padding: q.padding.map(([lo, hi]) => [lo, hi]) });
}

/** JAX's _reshape_axis_into: merges axis `src` into `dst` (counted after src is removed), src major. */
export function reshapeAxisInto(src: number, dst: number, x: JaxArray): JaxArray {
  const perm = range(x.ndim).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const newShape = x.shape.filter((_, i) => i !== src);
  newShape[dst] *= x.shape[src];
  return reshape(x, newShape, perm);
}

/** JAX's _reshape_axis_out_of: splits axis `src` into (size1, rest). */
export function reshapeAxisOutOf(src: number, size1: number, x: JaxArray): JaxArray {
  const shape = [...x.shape];
  shape.splice(src, 1, size1, shape[src] / size1);
  return reshape(x, shape);
}

const convert = (x: JaxArray, dtype: DType) => bind1(prim("convert_element_type"), [x], { new_dtype: dtype, sharding: null, weak_type: false });
const specTranspose = (s: readonly number[]) => [s[1], s[0], ...s.slice(2)];

/** JAX's _conv_general_vjp_lhs_padding. */
export function convVjpLhsPadding(
  inShape: readonly number[],
  windowDimensions: readonly number[],
  windowStrides: readonly number[],
  outShape: readonly number[],
  padding: readonly (readonly [number, number])[],
  lhsDilation: readonly number[],
  rhsDilation: readonly number[],
): [number, number][] {
  const lhsD = dilateShape(inShape, lhsDilation);
  const rhsD = dilateShape(windowDimensions, rhsDilation);
  const outD = dilateShape(outShape, windowStrides);
  return lhsD.map((l, i) => {
    const before = rhsD[i] - padding[i][0] - 1;
    return [before, l + rhsD[i] - 1 - outD[i] - before];
  });
}

/** JAX's _conv_general_vjp_rhs_padding. */
function convVjpRhsPadding(
  inShape: readonly number[],
  windowDimensions: readonly number[],
  windowStrides: readonly number[],
  outShape: readonly number[],
  padding: readonly (readonly [number, number])[],
  lhsDilation: readonly number[],
  rhsDilation: readonly number[],
): [number, number][] {
  if (inShape.length === 0) return [];
  const lhsD = dilateShape(inShape, lhsDilation);
  const rhsD = dilateShape(windowDimensions, rhsDilation);
  const outD = dilateShape(outShape, windowStrides);
  return padding.map(([lo], i) => [lo, outD[i] - lhsD[i] + (rhsD[i] - lo - 1)]);
}

/** JAX's _conv_general_dilated_transpose_lhs: a conv of the cotangent with the flipped kernel. */
function transposeLhs(g: JaxArray, lhsAval: ShapedArray, rhs: JaxArray, p: ConvParams): JaxArray {
  const dn = p.dimension_numbers;
  let G = p.feature_group_count;
  const B = p.batch_group_count;
  const rhsShape = rhs.shape;
  const [lhsSdims, rhsSdims, outSdims] = [sdims(dn.lhsSpec), sdims(dn.rhsSpec), sdims(dn.outSpec)];
  const { lhsSpec, rhsSpec, outSpec } = dn;
  const tRhsSpec = specTranspose(rhsSpec);
  if (G > 1) {
    rhs = reshapeAxisOutOf(rhsSpec[0], G, rhs);
    rhs = reshapeAxisInto(rhsSpec[0], rhsSpec[1], rhs);
  } else if (B > 1) {
    rhs = reshapeAxisOutOf(rhsSpec[0], B, rhs);
    rhs = reshapeAxisInto(rhsSpec[0], rhsSpec[1], rhs);
    G = B;
  }
  const transDn = ConvDimensionNumbers.of(outSpec, tRhsSpec, lhsSpec);
  const padding = convVjpLhsPadding(take(lhsAval.shape, lhsSdims), take(rhsShape, rhsSdims), p.window_strides, take(g.shape, outSdims), p.padding, p.lhs_dilation, p.rhs_dilation);
  let revd = rev(rhs, rhsSdims);
  if (g.dtype !== revd.dtype) revd = convert(revd, g.dtype);
  let out = convWith(g, revd, p, {
    window_strides: [...p.lhs_dilation],
    padding,
    lhs_dilation: [...p.window_strides],
    dimension_numbers: transDn,
    feature_group_count: G,
    batch_group_count: 1,
  });
  if (out.dtype !== lhsAval.dtype) out = convert(out, lhsAval.dtype);
  if (B > 1) {
    out = reshapeAxisOutOf(lhsSpec[1], B, out);
    out = reshapeAxisInto(lhsSpec[1], lhsSpec[0], out);
  }
  return out;
}

/** JAX's _conv_general_dilated_transpose_rhs: a conv of the input with the cotangent. */
function transposeRhs(g: JaxArray, lhs: JaxArray, rhsAval: ShapedArray, p: ConvParams): JaxArray | null {
  const dn = p.dimension_numbers;
  if (sizeOf(g.shape) === 0) return null;
  const [lhsSdims, rhsSdims, outSdims] = [sdims(dn.lhsSpec), sdims(dn.rhsSpec), sdims(dn.outSpec)];
  let G = p.feature_group_count;
  let B = p.batch_group_count;
  if (B > 1) {
    G = B;
    B = 1;
  } else if (G > 1) {
    B = G;
    G = 1;
  }
  const transDn = ConvDimensionNumbers.of(specTranspose(dn.lhsSpec), specTranspose(dn.outSpec), specTranspose(dn.rhsSpec));
  const padding = convVjpRhsPadding(take(lhs.shape, lhsSdims), take(rhsAval.shape, rhsSdims), p.window_strides, take(g.shape, outSdims), p.padding, p.lhs_dilation, p.rhs_dilation);
  if (g.dtype !== lhs.dtype) lhs = convert(lhs, g.dtype);
  let out = convWith(lhs, g, p, {
    window_strides: [...p.rhs_dilation],
    padding,
    rhs_dilation: [...p.window_strides],
    dimension_numbers: transDn,
    feature_group_count: G,
    batch_group_count: B,
  });
  if (out.dtype !== rhsAval.dtype) out = convert(out, rhsAval.dtype);
  return out;
}

// Bilinear (JAX's ad.defbilinear): each operand's tangent convolves with the other operand.
defjvp(
  conv_general_dilated_p,
  (g, [, rhs], p) => bind1(conv_general_dilated_p, [g, rhs], p),
  (g, [lhs], p) => bind1(conv_general_dilated_p, [lhs, g], p),
);
conv_general_dilated_p.transpose = ([ct], [lhs, rhs], p) => {
  if (ct === null) return [null, null];
  if (isUndefined(lhs)) return [transposeLhs(ct, lhs.aval, rhs as JaxArray, p), null];
  return [null, transposeRhs(ct, lhs as JaxArray, rhs.aval, p)];
};

// vmap (JAX's _conv_general_dilated_batch_rule): the vmapped axis joins the lhs batch dimension,
// the rhs output features, or (both batched) becomes extra feature groups.
conv_general_dilated_p.batch = ([lhs, rhs], [lbd, rbd], p) => {
  const { lhsSpec, rhsSpec, outSpec } = p.dimension_numbers;
  let G = p.feature_group_count;
  let B = p.batch_group_count;
  if (lbd === null && rbd === null) return [[bind1(conv_general_dilated_p, [lhs, rhs], p)], [null]];
  if ((lbd !== null && lhs.shape[lbd] === 0) || (rbd !== null && rhs.shape[rbd] === 0)) {
    const unb = (x: JaxArray, bd: number | null) => new ShapedArray(x.shape.filter((_, i) => i !== bd), x.dtype);
    const shape = convShape(unb(lhs, lbd), unb(rhs, rbd), p);
    return [[full([0, ...shape], 0, p.preferred_element_type ?? lhs.dtype)], [0]];
  }
  if (lbd !== null && rbd !== null) {
    const size = lhs.shape[lbd];
    let newLhs: JaxArray;
    if (B > 1) {
      newLhs = reshapeAxisInto(lbd, lhsSpec[0], lhs);
      B *= size;
    } else {
      newLhs = reshapeAxisInto(lbd, lhsSpec[1], lhs);
      G *= size;
    }
    const newRhs = reshapeAxisInto(rbd, rhsSpec[0], rhs);
    const out = convWith(newLhs, newRhs, p, { feature_group_count: G, batch_group_count: B });
    return [[reshapeAxisOutOf(outSpec[1], size, out)], [outSpec[1]]];
  }
  if (lbd !== null) {
    const size = lhs.shape[lbd];
    if (B === 1) {
      const newLhs = reshapeAxisInto(lbd, lhsSpec[0], lhs);
      const out = convWith(newLhs, rhs, p, {});
      return [[reshapeAxisOutOf(outSpec[0], size, out)], [outSpec[0]]];
    }
    let newLhs = reshapeAxisOutOf(lhsSpec[0] + Number(lbd <= lhsSpec[0]), B, lhs);
    newLhs = reshapeAxisInto(lbd + Number(lhsSpec[0] < lbd), lhsSpec[0] + 1, newLhs);
    newLhs = reshapeAxisInto(lhsSpec[0], lhsSpec[0], newLhs);
    const out = convWith(newLhs, rhs, p, {});
    return [[reshapeAxisOutOf(outSpec[0], size, out)], [outSpec[0]]];
  }
  const size = rhs.shape[rbd!];
  if (G === 1 && B === 1) {
    const newRhs = reshapeAxisInto(rbd!, rhsSpec[0], rhs);
    const out = convWith(lhs, newRhs, p, {});
    return [[reshapeAxisOutOf(outSpec[1], size, out)], [outSpec[1]]];
  }
  // Groups outermost: factor them out of the rhs output features, fold the batch in, put them back.
  const groups = G > 1 ? G : B;
  let newRhs = reshapeAxisOutOf(rhsSpec[0] + Number(rbd! <= rhsSpec[0]), groups, rhs);
  newRhs = reshapeAxisInto(rbd! + Number(rhsSpec[0] < rbd!), rhsSpec[0] + 1, newRhs);
  newRhs = reshapeAxisInto(rhsSpec[0], rhsSpec[0], newRhs);
  let out = convWith(lhs, newRhs, p, {});
  out = reshapeAxisOutOf(outSpec[1], groups, out);
  out = reshapeAxisOutOf(outSpec[1] + 1, size, out);
  out = reshapeAxisInto(outSpec[1], outSpec[1] + 1, out);
  return [[out], [outSpec[1]]];
};
