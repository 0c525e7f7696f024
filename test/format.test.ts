// Every expected string below is copied from NumPy's or JAX's own tests, docstrings
// or executed notebooks; the comment on each case names the file (and the call it
// documents). Paths are relative to the numpy/numpy and jax-ml/jax repositories.
import { describe, expect, it } from "vitest";
import { formatRepr, formatScalar, formatStr, type FormatDtype } from "../src/array/format.js";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

interface ArrayCase {
  values: ArrayLike<number | boolean>;
  shape: number[];
  dtype: FormatDtype;
  weak?: boolean;
  want: string;
}

// ---------------------------------------------------------------------------
// formatScalar: str() of one numpy scalar

const scalarCases: [number, FormatDtype, string][] = [
  // numpy/_core/tests/test_scalarprint.py TestRealScalars.test_str (float16 and float32 columns)
  [0, "float16", "0.0"], [0, "float32", "0.0"],
  [-0, "float16", "-0.0"], [-0, "float32", "-0.0"],
  [1, "float16", "1.0"], [1, "float32", "1.0"],
  [-1, "float16", "-1.0"], [-1, "float32", "-1.0"],
  [Infinity, "float16", "inf"], [Infinity, "float32", "inf"],
  [-Infinity, "float16", "-inf"], [-Infinity, "float32", "-inf"],
  [NaN, "float16", "nan"], [NaN, "float32", "nan"],
  // numpy/_core/tests/test_scalarprint.py TestRealScalars.test_gh_28679 (exponent cutoffs)
  [-0.000099, "float16", "-9.9e-05"],
  [0.0001, "float16", "0.0001"],
  [999, "float16", "999.0"],
  [-1000, "float16", "-1e+03"],
  [0.000099, "float32", "9.9e-05"],
  [-0.000100001, "float32", "-0.000100001"],
  [999999, "float32", "999999.0"],
  [-1000000, "float32", "-1e+06"],
  // numpy/_core/tests/test_scalarprint.py test_legacy_2_2_mode: np.single(1.e16) -> "1e+16"
  // (the legacy row; NumPy >= 2.3's 1e6 cutoff prints the same string)
  [1e16, "float32", "1e+16"],
  // numpy/_core/fromnumeric.py mean/std/var docstrings: np.float32(0.54999924) etc.
  // (shortest float32 digits, not JavaScript's float64 ones)
  [0.54999924, "float32", "0.54999924"],
  [0.45000005, "float32", "0.45000005"],
  [0.20250003, "float32", "0.20250003"],
  // jax/_src/api.py jvp docstring: print(primals), print(tangents) of jnp.sin at 0.1
  [0.09983342, "float32", "0.09983342"],
  [0.19900084, "float32", "0.19900084"],
  // docs/faq.rst "jit changes the exact numerics of outputs"
  [0.572365, "float32", "0.572365"],
  [0.5723649, "float32", "0.5723649"],
  [100, "float32", "100.0"],
  // docs/pallas/tpu/distributed.ipynb outputs: "Difference |Pallas - lax.psum| = 1.0535587e-08"
  [1.0535587e-8, "float32", "1.0535587e-08"],
  [2.3841858e-7, "float32", "2.3841858e-07"],
  // jax/_src/errors.py TracerBoolConversionError example: print(func(2)) -> 0
  [0, "int32", "0"],
];

describe("formatScalar", () => {
  it.each(scalarCases)("%s as %s -> %s", (value, dtype, want) => {
    expect(formatScalar(value, dtype)).toBe(want);
  });

  it("prints bools the Python way", () => {
    // jax/_src/numpy/ufuncs.py logaddexp docstring: print(jnp.allclose(result1, result2)) -> True
    expect(formatScalar(1, "bool")).toBe("True");
    // jax/_src/numpy/lax_numpy.py: Array(False, dtype=bool) -> element text False
    expect(formatScalar(0, "bool")).toBe("False");
  });
});

// ---------------------------------------------------------------------------
// formatStr: str(array) / print(array)

const ones = (n: number, v: number): Float32Array => new Float32Array(n).fill(v);

const strCases: [string, ArrayCase][] = [
  // jax/_src/custom_derivatives.py custom_gradient docstring: print(f(3.)) -> 9.0 (0-d prints as a scalar)
  ["0-d float32", { values: [9], shape: [], dtype: "float32", want: "9.0" }],
  // docs/faq.rst: print(f(x)) -> inf
  ["0-d inf", { values: [Infinity], shape: [], dtype: "float32", want: "inf" }],
  // jax/_src/numpy/ufuncs.py logaddexp docstring: print(jnp.allclose(...)) -> True
  ["0-d bool", { values: [true], shape: [], dtype: "bool", want: "True" }],
  // numpy/_core/tests/test_arrayprint.py TestArray2String.test_basic: np.array2string(np.arange(3))
  ["1-D int", { values: range(3), shape: [3], dtype: "int32", want: "[0 1 2]" }],
  // numpy/_core/tests/test_arrayprint.py TestPrintOptions.test_gh_28679 (str of arrays)
  ["float16 unique", { values: [999, 999], shape: [2], dtype: "float16", want: "[999. 999.]" }],
  ["float16 sci cutoff", { values: [999, 1000], shape: [2], dtype: "float16", want: "[9.99e+02 1.00e+03]" }],
  ["float32 unique", { values: [999999, 999999], shape: [2], dtype: "float32", want: "[999999. 999999.]" }],
  ["float32 sci cutoff", {
    values: [999999, -1000000], shape: [2], dtype: "float32", want: "[ 9.99999e+05 -1.00000e+06]",
  }],
  // docs/notebooks/host-offloading.ipynb output: result[0][0, 0, :5]
  ["1-D sci", {
    values: ones(5, 3.8312336e-7), shape: [5], dtype: "float32",
    want: "[3.8312336e-07 3.8312336e-07 3.8312336e-07 3.8312336e-07 3.8312336e-07]",
  }],
  // docs/pallas/tpu/distributed.ipynb output (all-gather cell): pallas_result[:, 0, 0], wraps at 75
  ["1-D wraps at 75 columns", {
    values: [0.9858954, 0.54248166, 0.9547038, 0.954962, 0.9858954, 0.54248166, 0.9547038, 0.954962,
      0.9858954, 0.54248166, 0.9547038, 0.954962, 0.9858954, 0.54248166, 0.9547038, 0.954962],
    shape: [16], dtype: "float32",
    want: "[0.9858954  0.54248166 0.9547038  0.954962   0.9858954  0.54248166\n" +
      " 0.9547038  0.954962   0.9858954  0.54248166 0.9547038  0.954962\n" +
      " 0.9858954  0.54248166 0.9547038  0.954962  ]",
  }],
  // docs/pallas/tpu/distributed.ipynb output (reduce-scatter cell): pallas_result[::4, 0]
  ["1-D wraps, 7 per line", {
    values: [1.3593563, 1.6274805, 1.0979297, 3.082869, 1.4194957, 1.4163033, 1.2401303, 1.1892898,
      2.6545286, 2.221559, 2.7995253, 2.08431, 2.2509837, 3.0726733, 2.4662397, 1.9542246],
    shape: [16], dtype: "float32",
    want: "[1.3593563 1.6274805 1.0979297 3.082869  1.4194957 1.4163033 1.2401303\n" +
      " 1.1892898 2.6545286 2.221559  2.7995253 2.08431   2.2509837 3.0726733\n" +
      " 2.4662397 1.9542246]",
  }],
  // docs/pallas/tpu/distributed.ipynb output (large reduce-scatter cell): input_arr[::4, 0] of a
  // (16384, 16384) array, i.e. 4096 elements. Only the 3+3 edge items are shown (and they alone
  // set the format), so the hidden middle is filled with an arbitrary 0.5.
  ["1-D summarised", {
    values: (() => {
      const v = ones(4096, 0.5);
      v.set([0.74162567, 0.0242182, 0.27751946]);
      v.set([0.05213022, 0.36088037, 0.04494429], 4093);
      return v;
    })(),
    shape: [4096], dtype: "float32",
    want: "[0.74162567 0.0242182  0.27751946 ... 0.05213022 0.36088037 0.04494429]",
  }],
  // numpy/_core/tests/test_arrayprint.py TestArray2String.test_summarize_1d: str(np.arange(1001))
  ["1-D int summarised", {
    values: range(1001), shape: [1001], dtype: "int32", want: "[   0    1    2 ...  998  999 1000]",
  }],
  // numpy/_core/tests/test_arrayprint.py TestPrintOptions.test_legacy_stray_comma: str(np.arange(10000))
  ["1-D int summarised, 10000", {
    values: range(10000), shape: [10000], dtype: "int32", want: "[   0    1    2 ... 9997 9998 9999]",
  }],
  // numpy/_core/tests/test_arrayprint.py TestArray2String.test_summarize_2d_dtype ('i2')
  ["2-D int16 summarised", {
    values: range(1002), shape: [2, 501], dtype: "int16",
    want: "[[   0    1    2 ...  498  499  500]\n [ 501  502  503 ...  999 1000 1001]]",
  }],
  // docs/notebooks/Common_Gotchas_in_JAX.ipynb output: print(jax_array) of jnp.ones((5, 6)).at[::2, 3:].add(7.)
  ["2-D float", {
    values: [1, 1, 1, 8, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 8, 8, 1, 1, 1, 1, 1, 1, 1, 1, 1, 8, 8, 8],
    shape: [5, 6], dtype: "float32",
    want: "[[1. 1. 1. 8. 8. 8.]\n [1. 1. 1. 1. 1. 1.]\n [1. 1. 1. 8. 8. 8.]\n" +
      " [1. 1. 1. 1. 1. 1.]\n [1. 1. 1. 8. 8. 8.]]",
  }],
  // jax/_src/api.py hessian docstring: print(jax.hessian(g)(jax.numpy.array([1., 2.])))
  ["2-D float, right-aligned", {
    values: [6, -2, -2, -480], shape: [2, 2], dtype: "float32", want: "[[   6.   -2.]\n [  -2. -480.]]",
  }],
  // docs/notebooks/autodiff_cookbook.ipynb output: print(J) for jacfwd(f)(W)
  ["2-D float, fractional padding", {
    values: [0.05981756, 0.12883782, 0.088576, 0.04015914, -0.04928622, 0.00684531,
      0.12188289, 0.01406341, -0.3047072, 0.00140428, -0.00472522, 0.00263777],
    shape: [4, 3], dtype: "float32",
    want: "[[ 0.05981756  0.12883782  0.088576  ]\n" +
      " [ 0.04015914 -0.04928622  0.00684531]\n" +
      " [ 0.12188289  0.01406341 -0.3047072 ]\n" +
      " [ 0.00140428 -0.00472522  0.00263777]]",
  }],
  // docs/pallas/pipelining.ipynb output: print(correct_sum(x)) for x = jnp.ones((8, 1024, 1024))
  ["2-D summarised", {
    values: ones(1024 * 1024, 8), shape: [1024, 1024], dtype: "float32",
    want: "[[8. 8. 8. ... 8. 8. 8.]\n [8. 8. 8. ... 8. 8. 8.]\n [8. 8. 8. ... 8. 8. 8.]\n ...\n" +
      " [8. 8. 8. ... 8. 8. 8.]\n [8. 8. 8. ... 8. 8. 8.]\n [8. 8. 8. ... 8. 8. 8.]]",
  }],
  // jax/_src/numpy/lax_numpy.py dsplit docstring: print(jnp.arange(12).reshape(3, 1, 4))
  ["3-D int", {
    values: range(12), shape: [3, 1, 4], dtype: "int32",
    want: "[[[ 0  1  2  3]]\n\n [[ 4  5  6  7]]\n\n [[ 8  9 10 11]]]",
  }],
  // docs/notebooks/autodiff_cookbook.ipynb output: print(H) for hessian(f)(W), shape (4, 3, 3)
  ["3-D float", {
    values: [0.02285465, 0.0492254, 0.03384246, 0.0492254, 0.10602394, 0.07289147, 0.03384246, 0.07289146,
      0.05011288, -0.03195214, 0.03921399, -0.00544639, 0.03921399, -0.04812626, 0.0066842, -0.00544639,
      0.0066842, -0.00092836, -0.01583708, -0.00182736, 0.03959271, -0.00182736, -0.00021085, 0.00456839,
      0.03959271, 0.00456839, -0.09898177, -0.00103522, 0.00348336, -0.00194453, 0.00348336, -0.01172105,
      0.00654308, -0.00194453, 0.00654308, -0.00365256],
    shape: [4, 3, 3], dtype: "float32",
    want: "[[[ 0.02285465  0.0492254   0.03384246]\n" +
      "  [ 0.0492254   0.10602394  0.07289147]\n" +
      "  [ 0.03384246  0.07289146  0.05011288]]\n\n" +
      " [[-0.03195214  0.03921399 -0.00544639]\n" +
      "  [ 0.03921399 -0.04812626  0.0066842 ]\n" +
      "  [-0.00544639  0.0066842  -0.00092836]]\n\n" +
      " [[-0.01583708 -0.00182736  0.03959271]\n" +
      "  [-0.00182736 -0.00021085  0.00456839]\n" +
      "  [ 0.03959271  0.00456839 -0.09898177]]\n\n" +
      " [[-0.00103522  0.00348336 -0.00194453]\n" +
      "  [ 0.00348336 -0.01172105  0.00654308]\n" +
      "  [-0.00194453  0.00654308 -0.00365256]]]",
  }],
];

describe("formatStr", () => {
  it.each(strCases)("%s", (_name, c) => {
    expect(formatStr(c.values, c.shape, c.dtype)).toBe(c.want);
  });
});

// ---------------------------------------------------------------------------
// formatRepr: repr(jax.Array)

const reprCases: [string, ArrayCase][] = [
  // jax/_src/custom_derivatives.py custom_gradient docstring: jax.grad(f, argnums=(0, 1))(3., 4.)
  ["0-d weak float", { values: [4], shape: [], dtype: "float32", weak: true,
    want: "Array(4., dtype=float32, weak_type=True)" }],
  // jax/_src/numpy/reductions.py nanmedian docstring
  ["0-d float", { values: [4], shape: [], dtype: "float32", want: "Array(4., dtype=float32)" }],
  // jax/_src/numpy/lax_numpy.py angle docstring: jnp.angle(2+3j)
  ["0-d float32 digits", { values: [0.98279375], shape: [], dtype: "float32", weak: true,
    want: "Array(0.98279375, dtype=float32, weak_type=True)" }],
  // jax/_src/lax/lax.py nextafter docstring: lax.nextafter(0.0, 1.0), the smallest subnormal
  ["0-d subnormal", { values: [2 ** -149], shape: [], dtype: "float32", weak: true,
    want: "Array(1.e-45, dtype=float32, weak_type=True)" }],
  // jax/_src/numpy/lax_numpy.py gcd docstring: jnp.gcd(12, 18)
  ["0-d weak int", { values: [6], shape: [], dtype: "int32", weak: true,
    want: "Array(6, dtype=int32, weak_type=True)" }],
  // jax/_src/numpy/lax_numpy.py isscalar docstring
  ["0-d bool", { values: [false], shape: [], dtype: "bool", want: "Array(False, dtype=bool)" }],
  // jax/_src/numpy/lax_numpy.py isreal docstring
  ["1-D bool", { values: [true, true, true, true, false], shape: [5], dtype: "bool",
    want: "Array([ True,  True,  True,  True, False], dtype=bool)" }],
  // jax/_src/numpy/lax_numpy.py mask_indices docstring
  ["2-D bool", { values: [1, 0, 0, 1, 1, 0, 1, 0, 1], shape: [3, 3], dtype: "bool",
    want: "Array([[ True, False, False],\n       [ True,  True, False],\n       [ True, False,  True]], dtype=bool)" }],
  // jax/_src/numpy/ufuncs.py negative docstring: jnp.array([5, 0, -7]).astype(jnp.uint32)
  ["uint32 above 2^31", { values: [5, 0, 4294967289], shape: [3], dtype: "uint32",
    want: "Array([         5,          0, 4294967289], dtype=uint32)" }],
  ["uint32 negated", { values: [4294967291, 0, 7], shape: [3], dtype: "uint32",
    want: "Array([4294967291,          0,          7], dtype=uint32)" }],
  // jax/_src/numpy/lax_numpy.py packbits docstring
  ["2-D uint8", { values: [212, 150, 69, 207], shape: [2, 2], dtype: "uint8",
    want: "Array([[212, 150],\n       [ 69, 207]], dtype=uint8)" }],
  // jax/_src/numpy/lax_numpy.py resize docstring: jnp.resize(4, (3, 2))
  ["2-D weak int", { values: [4, 4, 4, 4, 4, 4], shape: [3, 2], dtype: "int32", weak: true,
    want: "Array([[4, 4],\n       [4, 4],\n       [4, 4]], dtype=int32, weak_type=True)" }],
  // jax/_src/numpy/lax_numpy.py trunc docstring: negative zero keeps its sign
  ["negative zero", { values: [-0, 3, 2, 1, -0, 1, -8, 5, 3], shape: [3, 3], dtype: "float32",
    want: "Array([[-0.,  3.,  2.],\n       [ 1., -0.,  1.],\n       [-8.,  5.,  3.]], dtype=float32)" }],
  // jax/_src/numpy/lax_numpy.py fmin docstring
  ["nan and inf", { values: [2, 3, NaN, Infinity, 5, 7], shape: [2, 3], dtype: "float32",
    want: "Array([[ 2.,  3., nan],\n       [inf,  5.,  7.]], dtype=float32)" }],
  // jax/_src/numpy/lax_numpy.py fmax docstring: -inf widens the column
  ["-inf padding", { values: [Infinity, 6, 7, NaN, Infinity, 9, -Infinity, -1], shape: [2, 4], dtype: "float32",
    want: "Array([[ inf,   6.,   7.,  nan],\n       [ inf,   9., -inf,  -1.]], dtype=float32)" }],
  // jax/_src/numpy/lax_numpy.py nan_to_num docstring: jnp.where(jnp.isnan(x), 0, x)
  ["inf in 1-D", { values: [0, 0, 1, Infinity, 2, -Infinity], shape: [6], dtype: "float32",
    want: "Array([  0.,   0.,   1.,  inf,   2., -inf], dtype=float32)" }],
  // jax/_src/numpy/lax_numpy.py nan_to_num docstring: jnp.nan_to_num(x); sci notation + wrap
  ["scientific, wrapped", {
    values: [0, 0, 1, 3.4028235e38, 2, -3.4028235e38], shape: [6], dtype: "float32",
    want: "Array([ 0.0000000e+00,  0.0000000e+00,  1.0000000e+00,  3.4028235e+38,\n" +
      "        2.0000000e+00, -3.4028235e+38], dtype=float32)",
  }],
  // jax/_src/numpy/ufuncs.py expm1 docstring: jnp.expm1(jnp.array([1e-4, 1e-6, 2e-10]))
  ["scientific, small", { values: [1.00005e-4, 1.0000005e-6, 2e-10], shape: [3], dtype: "float32",
    want: "Array([1.0000500e-04, 1.0000005e-06, 2.0000000e-10], dtype=float32)" }],
  // jax/_src/scipy/spatial/transform.py Slerp docstring: interp_rots.as_euler('zxy')
  ["scientific, 2-D", {
    values: [1.5707963, 0, 0, 0.85309029, 0.38711953, 0.17768645, -2.3841858e-7, 0.78539824, 0,
      -0.056668043, 0.39213133, -0.2834754, 0, -2.3841858e-7, -0.52359891],
    shape: [5, 3], dtype: "float32",
    want: "Array([[ 1.5707963e+00,  0.0000000e+00,  0.0000000e+00],\n" +
      "       [ 8.5309029e-01,  3.8711953e-01,  1.7768645e-01],\n" +
      "       [-2.3841858e-07,  7.8539824e-01,  0.0000000e+00],\n" +
      "       [-5.6668043e-02,  3.9213133e-01, -2.8347540e-01],\n" +
      "       [ 0.0000000e+00, -2.3841858e-07, -5.2359891e-01]], dtype=float32)",
  }],
  // jax/_src/numpy/lax_numpy.py unwrap docstring: theta_out, wrapped over three lines
  ["wide 1-D wraps", {
    values: [76, 133, 179, -157, -130, -127, -121, -120, -105, -32, 26, 108, 153, -153, -66, -1, 55, 103, 153, -123],
    shape: [20], dtype: "float32",
    want: "Array([  76.,  133.,  179., -157., -130., -127., -121., -120., -105.,\n" +
      "        -32.,   26.,  108.,  153., -153.,  -66.,   -1.,   55.,  103.,\n" +
      "        153., -123.], dtype=float32)",
  }],
  // jax/_src/numpy/lax_numpy.py unwrap docstring: jnp.unwrap(theta_out, period=360). The last
  // line leaves no room, so JAX separates the dtype with len("Array(") spaces, on the same line.
  ["dtype after a full last line", {
    values: [76, 133, 179, 203, 230, 233, 239, 240, 255, 328, 386, 468, 513, 567, 654, 719, 775, 823, 873, 957],
    shape: [20], dtype: "float32",
    want: "Array([ 76., 133., 179., 203., 230., 233., 239., 240., 255., 328., 386.,\n" +
      "       468., 513., 567., 654., 719., 775., 823., 873., 957.],      dtype=float32)",
  }],
  // jax/_src/numpy/lax_numpy.py rot90 docstring
  ["3-D int", { values: [4, 1, 5, 2, 6, 3, 10, 7, 11, 8, 12, 9], shape: [2, 3, 2], dtype: "int32",
    want: "Array([[[ 4,  1],\n        [ 5,  2],\n        [ 6,  3]],\n\n" +
      "       [[10,  7],\n        [11,  8],\n        [12,  9]]], dtype=int32)" }],
  // jax/_src/nn/initializers.py delta_orthogonal docstring
  ["3-D float", {
    values: [0, 0, 0, 0, 0, 0, 0, 0, 0,
      0.27858758, -0.7949833, -0.53887904, 0.9120717, 0.04322892, 0.40774566, -0.30085585, -0.6050892, 0.73712474,
      0, 0, 0, 0, 0, 0, 0, 0, 0],
    shape: [3, 3, 3], dtype: "float32",
    want: "Array([[[ 0.        ,  0.        ,  0.        ],\n" +
      "        [ 0.        ,  0.        ,  0.        ],\n" +
      "        [ 0.        ,  0.        ,  0.        ]],\n\n" +
      "       [[ 0.27858758, -0.7949833 , -0.53887904],\n" +
      "        [ 0.9120717 ,  0.04322892,  0.40774566],\n" +
      "        [-0.30085585, -0.6050892 ,  0.73712474]],\n\n" +
      "       [[ 0.        ,  0.        ,  0.        ],\n" +
      "        [ 0.        ,  0.        ,  0.        ],\n" +
      "        [ 0.        ,  0.        ,  0.        ]]], dtype=float32)",
  }],
  // docs/pallas/tpu/quickstart.md: add_matrices_pipelined(2 * ones, 3 * ones), shape (256, 256)
  ["2-D summarised", {
    values: ones(256 * 256, 5), shape: [256, 256], dtype: "float32",
    want: "Array([[5., 5., 5., ..., 5., 5., 5.],\n       [5., 5., 5., ..., 5., 5., 5.],\n" +
      "       [5., 5., 5., ..., 5., 5., 5.],\n       ...,\n       [5., 5., 5., ..., 5., 5., 5.],\n" +
      "       [5., 5., 5., ..., 5., 5., 5.],\n       [5., 5., 5., ..., 5., 5., 5.]], dtype=float32)",
  }],
  // tests/array_test.py JaxArrayTest.test_empty_repr
  ["empty", { values: [], shape: [0, 5], dtype: "float32", want: "Array([], shape=(0, 5), dtype=float32)" }],
  // numpy/_core/tests/test_arrayprint.py TestPrintOptions.test_floatmode, 'maxprec' precision=8
  // (NumPy's defaults). NumPy's repr prefix "array(" has the length of JAX's "Array(" and the
  // dtype fits on the last line, so only the capital A differs.
  ["float16 unique digits", {
    values: [0.6104, 0.922, 0.457, 0.0906, 0.3733, 0.007244, 0.5933, 0.947, 0.2383, 0.4226],
    shape: [10], dtype: "float16",
    want: "Array([0.6104  , 0.922   , 0.457   , 0.0906  , 0.3733  , 0.007244,\n" +
      "       0.5933  , 0.947   , 0.2383  , 0.4226  ], dtype=float16)",
  }],
  ["float16 tenths", { values: [0, 0.1, 0.2, 0.3, 0.4, 0.5], shape: [6], dtype: "float16",
    want: "Array([0. , 0.1, 0.2, 0.3, 0.4, 0.5], dtype=float16)" }],
];

describe("formatRepr", () => {
  it.each(reprCases)("%s", (_name, c) => {
    expect(formatRepr(c.values, c.shape, c.dtype, c.weak)).toBe(c.want);
  });

  it("rejects data that does not fill the shape", () => {
    expect(() => formatRepr([1, 2, 3], [2, 2], "int32")).toThrow(/do not fill/);
  });
});
