// jnp breadth: every call below is also made by scripts/jax_reference/numpy_breadth.py, whose
// answers (printed by JAX itself) are test/fixtures/numpy_breadth_jax.json. Values must agree to
// a few float32 ulps, shapes and dtypes exactly; then grad/jit/vmap of a few of them.
import { describe, expect, it, test } from "vitest";
import { type Array as JaxArray, ArrayImpl, checkGrads, grad, jit, jnp, vmap } from "../src/index.js";
import { checkAnswer, loadAnswers } from "./jax_answers.js";

const REF = loadAnswers("numpy_breadth_jax.json");

const f = (v: number[] | number[][] | number[][][]) => jnp.array(v as number[]);
const i32 = (v: number[] | number[][]) => jnp.array(v as number[], { dtype: "int32" });
const a = jnp.arange(6).reshape([2, 3]);
const x7 = f([-2.5, -1, -0.5, 0, 0.5, 1, 2.5]);
const r24 = jnp.arange(24).reshape([2, 3, 4]);

const CASES: Record<string, () => JaxArray | JaxArray[]> = {
  arcsin: () => jnp.arcsin(x7),
  arccos: () => jnp.arccos(x7),
  arctan: () => jnp.arctan(x7),
  sinh: () => jnp.sinh(x7),
  cosh: () => jnp.cosh(x7),
  arcsinh: () => jnp.arcsinh(x7),
  arccosh: () => jnp.arccosh(f([1, 1.5, 2, 10, 0.5])),
  arctanh: () => jnp.arctanh(x7),
  deg2rad: () => jnp.deg2rad(f([180, 90, -45, 1])),
  rad2deg: () => jnp.rad2deg(f([Math.PI, 1, -0.5])),
  sinc: () => jnp.sinc(x7),
  log2: () => jnp.log2(f([0, 0.5, 1, 8, 10, -1])),
  log10: () => jnp.log10(f([0, 0.5, 1, 1000, 7, -1])),
  hypot: () => jnp.hypot(f([3, Infinity, 0, 1e30, -5]), f([4, NaN, 0, 1e30, 12])),
  logaddexp2: () => jnp.logaddexp2(f([1, -Infinity, 3, 100, Infinity]), f([1, -Infinity, -2, 100.5, Infinity])),
  float_power: () => jnp.floatPower(i32([2, 3, 4]), f([3, -1, 0.5])),
  copysign: () => jnp.copysign(f([1, -2, 3, 4]), f([-0, 1, -1, NaN])),
  signbit: () => jnp.signbit(f([-1, -0, 0, 2, -Infinity, NaN])),
  heaviside: () => jnp.heaviside(f([-1.5, 0, 2.0, NaN]), jnp.array(0.5)),
  fmax: () => jnp.fmax(f([1, NaN, 3, NaN]), f([NaN, 2, 1, NaN])),
  fmin: () => jnp.fmin(f([1, NaN, 3, NaN]), f([NaN, 2, 1, NaN])),
  nan_to_num: () => jnp.nanToNum(f([NaN, Infinity, -Infinity, 1])),
  nan_to_num_opts: () => jnp.nanToNum(f([NaN, Infinity, -Infinity, 1]), { nan: -1, posinf: 9, neginf: -9 }),
  rint: () => jnp.rint(f([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.7])),
  trunc: () => jnp.trunc(f([-2.7, -0.5, 0.5, 2.7])),
  isinf: () => jnp.isinf(f([Infinity, -Infinity, 1, NaN])),
  isposinf: () => jnp.isposinf(f([Infinity, -Infinity, 1, NaN])),
  isneginf: () => jnp.isneginf(f([Infinity, -Infinity, 1, NaN])),
  modf: () => jnp.modf(f([-1.5, 2.25, 0, -3])),
  fmod: () => jnp.fmod(f([-3, 3, 5, -7.5]), f([2, -2, 3, 2])),
  fmod_int: () => jnp.fmod(i32([-3, 3, 5, 7]), i32([2, 0, 3, -2])),
  divmod: () => jnp.divmod(f([-3, 3, 7.5, -7.5]), jnp.array(2)),
  divmod_int: () => jnp.divmod(i32([-3, 3, 7]), i32([2, -2, 3])),
  frexp: () => jnp.frexp(f([8, 0.3, 0, -5, Infinity, -0.75, 3e38])),
  ldexp: () => jnp.ldexp(f([0.5, 3, 1e-40, 1, 0, -2]), i32([4, -2, 100, 128, 5, 3])),
  invert: () => jnp.invert(i32([1, 0, -5])),
  bitwise_count: () => jnp.bitwiseCount(i32([7, -1, 255, -2147483648])),
  round2: () => jnp.round(f([1.2345, -2.555, 0.125]), 2),
  round_neg: () => jnp.round(f([1234.5, -2555]), -2),
  hstack: () => jnp.hstack([f([1, 2]), f([3])]),
  vstack: () => jnp.vstack([f([1, 2]), f([3, 4])]),
  dstack: () => jnp.dstack([f([1, 2]), f([3, 4])]),
  column_stack: () => jnp.columnStack([f([1, 2]), f([3, 4])]),
  append: () => jnp.append(a, f([9])),
  append_axis: () => jnp.append(a, f([[7, 8, 9]]), 0),
  array_split: () => jnp.arraySplit(jnp.arange(7), 3),
  array_split_idx: () => jnp.arraySplit(jnp.arange(7), [2, 5]),
  hsplit: () => jnp.hsplit(a, [1]),
  vsplit: () => jnp.vsplit(a, 2),
  dsplit: () => jnp.dsplit(jnp.arange(8).reshape([1, 2, 4]), 2),
  unstack: () => jnp.unstack(a, 1),
  moveaxis: () => jnp.moveaxis(r24, 0, -1),
  moveaxis2: () => jnp.moveaxis(r24, [0, 1], [-1, 0]),
  permute_dims: () => jnp.permuteDims(r24, [2, 0, 1]),
  matrix_transpose: () => jnp.matrixTranspose(jnp.arange(12).reshape([2, 2, 3])),
  fliplr: () => jnp.fliplr(a),
  flipud: () => jnp.flipud(a),
  rot90: () => jnp.rot90(a),
  rot90_2: () => jnp.rot90(a, 2),
  rot90_3: () => jnp.rot90(a, 3),
  rot90_axes: () => jnp.rot90(jnp.arange(8).reshape([2, 2, 2]), 1, [1, 2]),
  broadcast_arrays: () => jnp.broadcastArrays(f([1, 2]), f([[1], [2]])),
  diagonal: () => jnp.diagonal(jnp.arange(12).reshape([3, 4]), 1),
  diagonal_neg: () => jnp.diagonal(jnp.arange(12).reshape([3, 4]), -1),
  diagonal_3d: () => jnp.diagonal(r24, 0, 1, 2),
  diagonal_3d_b: () => jnp.diagonal(r24, 1, 2, 0),
  diagflat: () => jnp.diagflat(f([[1, 2], [3, 4]])),
  diagflat_k: () => jnp.diagflat(f([1, 2]), -1),
  tri: () => jnp.tri(3, 4, 1),
  identity: () => jnp.identity(3),
  indices: () => jnp.indices([2, 3]) as JaxArray,
  fromfunction: () => jnp.fromfunction((i, j) => i.add(j.mul(10)), [2, 3]),
  vander: () => jnp.vander(f([1, 2, 3, 5]), 3),
  vander_inc: () => jnp.vander(i32([1, 2, 3]), 4, true),
  logspace: () => jnp.logspace(0, 2, 5),
  logspace_base: () => jnp.logspace(0, 3, 4, { base: 2, endpoint: false }),
  geomspace: () => jnp.geomspace(1, 1000, 4),
  geomspace_neg: () => jnp.geomspace(-1, -1000, 4),
  bartlett: () => jnp.bartlett(5),
  blackman: () => jnp.blackman(6),
  hamming: () => jnp.hamming(5),
  hanning: () => jnp.hanning(6),
  nanmax: () => jnp.nanmax(f([[1, NaN], [NaN, NaN]]), 1),
  nanmin: () => jnp.nanmin(f([[1, NaN, -3], [NaN, 2, 0]]), 0),
  nansum: () => jnp.nansum(f([[1, NaN, 3], [NaN, NaN, NaN]]), 1),
  nanprod: () => jnp.nanprod(f([2, NaN, 3])),
  nanmean: () => jnp.nanmean(f([[1, NaN, 3], [4, 5, NaN]]), 1),
  nanvar: () => jnp.nanvar(f([1, NaN, 3, 4])),
  nanstd: () => jnp.nanstd(f([1, NaN, 3, 4]), null, { ddof: 1 }),
  nanargmax: () => jnp.nanargmax(f([[1, NaN, 5], [NaN, NaN, NaN]]), 1),
  nanargmin: () => jnp.nanargmin(f([[1, NaN, -5], [NaN, 0, NaN]]), 1),
  nancumsum: () => jnp.nancumsum(f([1, NaN, 3])),
  nancumprod: () => jnp.nancumprod(f([[2, NaN], [3, 4]]), 0),
  cumprod: () => jnp.cumprod(f([[1, 2], [3, 4]]), 0),
  cumprod_flat: () => jnp.cumprod(f([[1, 2], [3, 4]])),
  cumulative_sum: () => jnp.cumulativeSum(f([1, 2, 3]), { includeInitial: true }),
  cumulative_sum_2d: () => jnp.cumulativeSum(f([[1, 2, 3], [4, 5, 6]]), { axis: 1 }),
  cumulative_prod: () => jnp.cumulativeProd(f([1, 2, 3]), { includeInitial: true }),
  diff: () => jnp.diff(f([1, 2, 4, 7, 0]), 2),
  diff_pa: () => jnp.diff(f([1, 2, 4]), 1, -1, { prepend: 0, append: 10 }),
  diff_axis0: () => jnp.diff(f([[1, 2], [4, 8]]), 1, 0),
  ediff1d: () => jnp.ediff1d(f([1, 2, 4, 7]), { toBegin: -99, toEnd: f([88, 99]) }),
  trapezoid: () => jnp.trapezoid(f([1, 2, 3])),
  trapezoid_x: () => jnp.trapezoid(f([1, 2, 3]), f([4, 6, 8])),
  trapezoid_dx: () => jnp.trapezoid(a, null, 0.5, 0),
  unwrap: () => jnp.unwrap(f([0, 0.78, 5.49, 6.28])),
  average: () => jnp.average(jnp.arange(1, 5), null, { weights: jnp.arange(4, 0, -1) }) as JaxArray,
  average_axis: () => jnp.average(a, 1, { weights: f([1, 0, 1]), returned: true }) as JaxArray[],
  average_plain: () => jnp.average(a, 0) as JaxArray,
  count_nonzero: () => jnp.countNonzero(i32([[0, 1, 7, 0], [3, 0, 2, 19]]), 1),
  ptp: () => jnp.ptp(f([[4, 9, 2, 10], [6, 9, 7, 12]]), 1),
  cov: () => jnp.cov(f([[0, 1, 2], [2, 1, 0]])),
  cov_w: () => jnp.cov(f([[0, 1, 2], [2, 1, 5]]), { fweights: i32([1, 2, 1]), aweights: f([0.5, 1, 2]) }),
  cov_y: () => jnp.cov(f([-2.1, -1, 4.3]), { y: f([3, 1.1, 0.12]) }),
  cov_rowvar: () => jnp.cov(f([[0, 2], [1, 1], [2, 0]]), { rowvar: false, bias: true }),
  corrcoef: () => jnp.corrcoef(f([[0, 1, 2], [2, 1.5, 0], [1, 3, 2]])),
  tensordot: () => jnp.tensordot(a, jnp.arange(6).reshape([3, 2]), 1),
  tensordot_lists: () => jnp.tensordot(r24, jnp.arange(12).reshape([3, 4]), [[1, 2], [0, 1]]),
  inner: () => jnp.inner(a, f([[0, 1, 0], [1, 1, 1]])),
  cross: () => jnp.cross(f([1, 2, 3]), f([4, 5, 6])),
  cross_batch: () => jnp.cross(f([[1, 2, 3], [0, 0, 1]]), f([[4, 5, 6], [1, 0, 0]])),
  matvec: () => jnp.matvec(jnp.arange(12).reshape([2, 2, 3]), f([1, 0, 1])),
  vecmat: () => jnp.vecmat(f([1, 1]), a),
  vecdot: () => jnp.vecdot(a, f([1, 2, 3])),
  polyadd: () => jnp.polyadd(f([1, 2]), f([9, 5, 4])),
  polysub: () => jnp.polysub(f([1, 2]), f([9, 5, 4])),
  polymul: () => jnp.polymul(f([1, 2, 3]), f([9, 5, 1])),
  polymul_short: () => jnp.polymul(f([3]), f([1, -1, 2, 0.5])),
  polyder: () => jnp.polyder(f([1, 1, 1, 1]), 2),
  polyder_3: () => jnp.polyder(f([2, -1, 3, 0, 5]), 1),
  polyval: () => jnp.polyval(f([3, 0, 1]), f([5, 1, -2])),
  array_equal: () => jnp.arrayEqual(f([1, NaN]), f([1, NaN]), { equalNan: true }),
  array_equiv: () => jnp.arrayEquiv(f([1, 2]), f([[1, 2], [1, 2]])),
  isin: () => jnp.isin(i32([[0, 2], [4, 6]]), i32([1, 2, 4, 8])),
  isin_invert: () => jnp.isin(i32([0, 2, 4]), i32([2, 8]), { invert: true }),
  select: () => jnp.select([jnp.array([true, false, false]), jnp.array([true, true, false])], [f([1, 2, 3]), f([10, 20, 30])], -1),
  apply_along_axis: () => jnp.applyAlongAxis((v) => jnp.sum(v), 1, a),
  apply_along_axis_3d: () => jnp.applyAlongAxis((v) => v.mul(jnp.arange(3)), 1, r24),
  apply_over_axes: () => jnp.applyOverAxes((x, ax) => jnp.sum(x, ax), r24, [0, 2]),
  atleast_3d: () => jnp.atleast3d(f([1, 2])),
};

describe("jnp functions give JAX's answers", () => {
  it("every reference has a case and every case a reference", () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(REF).sort());
  });
  it.each(Object.keys(CASES))("%s", (name) => checkAnswer(name, CASES[name](), REF[name]));
});

test("a kernel compiled for one infinite constant is not reused for another", () => {
  const x = jnp.array([NaN, 2]);
  const fill = (v: number) => jit((y: JaxArray) => jnp.where(jnp.isnan(y), v, y))(x);
  expect([-Infinity, Infinity, NaN].map((v) => (fill(v) as ArrayImpl).dataSync()[0])).toEqual([-Infinity, Infinity, NaN]);
});

describe("derivatives, jit and vmap", () => {
  test("sinc is smooth at 0: its derivatives there are the Maclaurin coefficients", () => {
    const sinc = (x: JaxArray) => jnp.sinc(x);
    expect(grad(sinc)(0).item()).toBe(0);
    // sinc(x) = 1 - (pi x)^2 / 6 + ...: the second derivative at 0 is -pi^2 / 3.
    expect(grad(grad(sinc))(0).item()).toBeCloseTo(-(Math.PI ** 2) / 3, 5);
    checkGrads(sinc, [jnp.array([0.3, -1.7, 2.5])], { order: 2 });
  });

  test("inverse trig, hypot, logaddexp2 and nan reductions differentiate", () => {
    checkGrads((x: JaxArray) => jnp.arcsin(x).add(jnp.arccos(x.mul(0.5))).add(jnp.arctanh(x.mul(0.9))), [jnp.array([0.1, -0.4, 0.7])], { order: 2 });
    checkGrads((x: JaxArray) => jnp.arcsinh(x).add(jnp.arccosh(x.mul(x).add(1.5))).add(jnp.sinh(x)).add(jnp.cosh(x)), [jnp.array([0.1, -0.4, 0.7])], { order: 2 });
    checkGrads((x: JaxArray, y: JaxArray) => jnp.hypot(x, y), [jnp.array([3, -1]), jnp.array([4, 2])], { order: 1 });
    checkGrads((x: JaxArray, y: JaxArray) => jnp.logaddexp2(x, y), [jnp.array([3, -1]), jnp.array([4, 2])], { order: 1 });
    checkGrads((x: JaxArray) => jnp.nanmean(x.mul(x)).add(jnp.nanvar(x)), [jnp.array([1, 2.5, -3])], { order: 1 });
    checkGrads((x: JaxArray) => jnp.polyval(x, 1.5), [jnp.array([1, 2.5, -3])], { order: 2 });
    checkGrads((x: JaxArray, y: JaxArray) => jnp.cross(x, y), [jnp.array([1, 2.5, -3]), jnp.array([0.5, 1, 2])], { order: 1 });
    checkGrads((x: JaxArray) => jnp.diagonal(x.reshape([2, 3]), 1), [jnp.arange(6)], { order: 1 });
  });

  test("NaN entries get no gradient through nansum and nanvar (the double where)", () => {
    // jax.grad(lambda x: jnp.nansum(x) + jnp.nanvar(x))(jnp.array([1., nan, 3.])) is [0. 0. 2.].
    const g = grad((x: JaxArray) => jnp.nansum(x).add(jnp.nanvar(x)))(jnp.array([1, NaN, 3]));
    expect(Array.from((g as ArrayImpl).dataSync())).toEqual([0, 0, 2]);
  });

  test("frexp of a subnormal: numpy's answer (XLA on CPU flushes subnormals to zero, so JAX's differs)", () => {
    // np.frexp(np.float32(1e-40)) is (0.54444885, -132); np.ldexp(np.float32(1e-40), 100) is 1.2676438e-10.
    const [m, e] = jnp.frexp(jnp.array([1e-40, -1e-45]));
    expect(Array.from((m as ArrayImpl).dataSync())).toEqual([Math.fround(0.54444885), -0.5]);
    expect(Array.from((e as ArrayImpl).dataSync())).toEqual([-132, -148]);
    expect(jnp.ldexp(jnp.array(1e-40), 100).item()).toBe(Math.fround(1.2676438e-10));
  });

  test("frexp's mantissa derivative is 2^-exponent", () => {
    expect(grad((x: JaxArray) => jnp.frexp(x)[0])(3).item()).toBe(0.25);
    expect(grad((x: JaxArray) => jnp.ldexp(x, 3))(0.7).item()).toBe(8);
  });

  test("jit and vmap agree with eager calls", () => {
    const g = (x: JaxArray) => jnp.polymul(jnp.nanToNum(x), jnp.diff(x)).sum().add(jnp.trapezoid(x)).add(jnp.ptp(x));
    const x = jnp.array([1, -2, 4, 0.5]);
    expect(jit(g)(x).item()).toBeCloseTo(Number(g(x).item()), 5);
    const xs = jnp.array([
      [1, -2, 4, 0.5],
      [3, 0, -1, 2],
    ]);
    const batched = Array.from((vmap(g)(xs) as ArrayImpl).dataSync());
    expect(batched[0]).toBeCloseTo(Number(g(x).item()), 5);
    expect(batched[1]).toBeCloseTo(Number(g(jnp.array([3, 0, -1, 2])).item()), 5);
  });
});

test("dtype objects and constants", () => {
  expect(jnp.zeros([2], { dtype: jnp.int32 }).dtype).toBe("int32");
  expect([jnp.float32, jnp.uint32, jnp.bool]).toEqual(["float32", "uint32", "bool"]);
  expect([jnp.pi, jnp.e, jnp.inf, jnp.eulerGamma]).toEqual([Math.PI, Math.E, Infinity, 0.5772156649015329]);
  expect(Number.isNaN(jnp.nan)).toBe(true);
  // numpy.finfo(np.float32) / numpy.iinfo's documented values.
  const fi = jnp.finfo("float32");
  expect([fi.bits, fi.eps, fi.max, fi.tiny, fi.smallest_subnormal, fi.resolution, fi.nmant, fi.nexp, fi.maxexp, fi.minexp]).toEqual([
    32, 1.1920928955078125e-7, 3.4028234663852886e38, 1.1754943508222875e-38, 1.401298464324817e-45, 1e-6, 23, 8, 128, -126,
  ]);
  expect(jnp.finfo(jnp.ones([1])).eps).toBe(2 ** -23);
  expect(jnp.iinfo("int32")).toMatchObject({ bits: 32, min: -2147483648, max: 2147483647 });
  expect(jnp.iinfo("uint8")).toMatchObject({ bits: 8, min: 0, max: 255 });
  expect(() => jnp.finfo("int32")).toThrow(/not inexact/);
  // jnp.promote_types: JAX's lattice, 64-bit results canonicalized (x64 off).
  expect([jnp.promoteTypes("int32", "uint32"), jnp.promoteTypes("int32", "float32"), jnp.promoteTypes("bool", "uint8"), jnp.promoteTypes("uint8", "uint16")]).toEqual([
    "int32", "float32", "uint8", "uint16",
  ]);
  expect([jnp.isscalar(3), jnp.isscalar(jnp.array(3)), jnp.isscalar(jnp.array([3]))]).toEqual([true, true, false]);
  expect([jnp.ndim(a), jnp.shape(a), jnp.size(a), jnp.size(a, 1), jnp.ndim(2)]).toEqual([2, [2, 3], 6, 3, 0]);
  expect(jnp.broadcastShapes([2, 1], [3])).toEqual([2, 3]);
  expect(jnp.diagIndices(3, 3).map(String)).toEqual(["[0 1 2]", "[0 1 2]", "[0 1 2]"]);
  expect(jnp.diagIndicesFrom(jnp.zeros([2, 2])).length).toBe(2);
});
