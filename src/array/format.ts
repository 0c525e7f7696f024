/**
 * Text formatting of array data, byte-for-byte as NumPy (>= 2.3) and JAX print it.
 *
 * This ports the parts of `numpy/_core/arrayprint.py` that matter at NumPy's
 * default print options (linewidth 75, threshold 1000, edgeitems 3,
 * precision 8, floatmode 'maxprec', suppress False, sign '-', legacy False),
 * the float-scalar `str` rules of `numpy/_core/src/multiarray/scalartypes.c.src`,
 * and `jax.Array.__repr__` from `jax/_src/array.py`.
 *
 * NumPy prints floats with Dragon4 in "unique" mode: the fewest digits that
 * read back as the same value *of the array's dtype*. We emulate that with an
 * exact decimal expansion (BigInt) plus a shortest-digit search that checks
 * round-tripping through the dtype (Math.fround for float32), so
 * float32(0.1) prints as 0.1 rather than JavaScript's 0.10000000149011612.
 */

export type FormatDtype =
  | "float32" | "int32" | "uint32" | "bool" | "uint8" | "uint16" | "int8" | "int16" | "float16";

// NumPy's default print options (np.get_printoptions()).
const LINEWIDTH = 75;
const THRESHOLD = 1000;
const EDGEITEMS = 3;
const PRECISION = 8;

// ---------------------------------------------------------------------------
// Float rounding to the storage dtype

/** Round a double to the nearest float16 (ties to even), as NumPy stores np.float16. */
function roundF16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  // 65520 is halfway between 65504 (max, odd mantissa) and 65536: ties-to-even overflows.
  if (a >= 65520) return x > 0 ? Infinity : -Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--; // guard log2 rounding near powers of two
  else if (2 ** (e + 1) <= a) e++;
  const ulp = 2 ** (Math.max(e, -14) - 10); // 10 mantissa bits; subnormals below 2^-14
  const q = a / ulp; // exact: dividing by a power of two
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  return Math.sign(x) * r * ulp;
}

type Cast = (x: number) => number;
const castOf = (dtype: FormatDtype): Cast => (dtype === "float16" ? roundF16 : Math.fround);

// ---------------------------------------------------------------------------
// Exact decimal arithmetic on digit strings

/** A non-negative decimal d0.d1d2... x 10^exp; `digits` has no trailing zeros ("0" for zero). */
interface Dec {
  digits: string;
  exp: number;
}
const ZERO: Dec = { digits: "0", exp: 0 };

function stripZeros(digits: string, exp: number): Dec {
  const d = digits.replace(/0+$/, "");
  return d === "" ? ZERO : { digits: d, exp };
}

/** The exact decimal value of |x| (every binary float is a finite decimal). */
function exactDecimal(x: number): Dec {
  x = Math.abs(x);
  if (x === 0) return ZERO;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & 0xfffffffffffffn;
  let e = biased === 0 ? -1074 : biased - 1075;
  if (biased !== 0) m |= 1n << 52n;
  while ((m & 1n) === 0n && e < 0) { m >>= 1n; e++; } // keep the BigInts small
  // x = m * 2^e; for e < 0 use m * 2^e = m * 5^-e / 10^-e.
  const n = e >= 0 ? m << BigInt(e) : m * 5n ** BigInt(-e);
  const s = n.toString();
  return stripZeros(s, s.length - 1 + Math.min(e, 0));
}

/** Add one unit in the last place of a digit string (carry may add a leading digit). */
function bump(digits: string, exp: number): Dec {
  const arr = digits.split("").map(Number);
  let i = arr.length - 1;
  while (i >= 0 && arr[i] === 9) arr[i--] = 0;
  if (i < 0) return { digits: "1", exp: exp + 1 };
  arr[i]!++;
  return stripZeros(arr.join(""), exp);
}

/** Round to `n` significant digits, half to even on the exact value (Dragon4's rule). */
function roundSig(d: Dec, n: number): Dec {
  if (d.digits === "0" || n >= d.digits.length) return d;
  if (n <= 0) {
    // Rounding away every digit: the result is 0 or one unit at position exp+1.
    const up = n === 0 && (d.digits[0]! > "5" || (d.digits[0] === "5" && d.digits.length > 1));
    return up ? { digits: "1", exp: d.exp + 1 } : ZERO;
  }
  const next = d.digits[n]!;
  const tie = next === "5" && d.digits.length === n + 1;
  const up = next > "5" || (next === "5" && !tie) || (tie && Number(d.digits[n - 1]) % 2 === 1);
  const head = d.digits.slice(0, n);
  return up ? bump(head, d.exp) : stripZeros(head, d.exp);
}

const toNumber = (d: Dec): number => Number(`0.${d.digits}e${d.exp + 1}`);

/**
 * Shortest digits that round-trip through the dtype (Dragon4 "unique" mode).
 * At each length try the two neighbouring candidates (truncated and truncated+1ulp):
 * checking only the correctly rounded one would miss the shorter string at powers
 * of two, whose rounding interval is lopsided. When both work, the nearer wins.
 */
function shortest(x: number, cast: Cast): Dec {
  const exact = exactDecimal(x);
  const target = Math.abs(x);
  for (let p = 1; p < exact.digits.length; p++) {
    const down = stripZeros(exact.digits.slice(0, p), exact.exp);
    const up = bump(exact.digits.slice(0, p), exact.exp);
    const okDown = cast(toNumber(down)) === target;
    const okUp = cast(toNumber(up)) === target;
    if (okDown && okUp) return roundSig(exact, p);
    if (okDown) return down;
    if (okUp) return up;
  }
  return exact;
}

/** Digits before and after the decimal point of a Dec written positionally. */
function positional(d: Dec): [string, string] {
  if (d.exp < 0) return ["0", "0".repeat(-d.exp - 1) + d.digits];
  return [d.digits.slice(0, d.exp + 1).padEnd(d.exp + 1, "0"), d.digits.slice(d.exp + 1)];
}

const expString = (exp: number, minDigits: number): string =>
  (exp < 0 ? "-" : "+") + String(Math.abs(exp)).padStart(minDigits, "0");

// ---------------------------------------------------------------------------
// Scalars

/**
 * str() of one element, as NumPy prints a scalar of that dtype:
 * floats positional ("4.0") when 1e-4 <= |x| < 1e6 (1e3 for float16, the
 * NumPy >= 2.3 cutoff 10**finfo.precision), else scientific with trailing
 * zeros and point trimmed ("1e-05", "1e+06"); ints as Python ints; bools True/False.
 */
export function formatScalar(value: number | boolean, dtype: FormatDtype): string {
  if (dtype === "bool") return value ? "True" : "False";
  const x = Number(value);
  if (!isFloat(dtype)) return String(x); // Python int str; String(-0) is "0"
  const v = castOf(dtype)(x);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const sign = v < 0 || Object.is(v, -0) ? "-" : "";
  const a = Math.abs(v);
  const d = shortest(a, castOf(dtype));
  const maxPositional = dtype === "float16" ? 1e3 : 1e6;
  if (a === 0 || (a >= 1e-4 && a < maxPositional)) {
    const [int, frac] = positional(d);
    return `${sign}${int}.${frac || "0"}`; // TrimMode_LeaveOneZero
  }
  const frac = d.digits.slice(1);
  return `${sign}${d.digits[0]}${frac ? "." + frac : ""}e${expString(d.exp, 2)}`; // TrimMode_DptZeros
}

const isFloat = (dtype: FormatDtype): boolean => dtype === "float32" || dtype === "float16";

// ---------------------------------------------------------------------------
// Element formatters for arrays (FloatingFormat, IntegerFormat, BoolFormat)

type Formatter = (x: number) => string;

// Reduce rather than Math.max(...xs): a summarised N-d array can display 6^N elements.
const maxOf = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const minOf = (xs: number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);

/** arrayprint.FloatingFormat at floatmode='maxprec', precision=8, sign='-'. */
function floatFormatter(data: number[], dtype: FormatDtype): Formatter {
  const cast = castOf(dtype);
  const finite = data.filter(Number.isFinite);
  const absNonZero = finite.filter((x) => x !== 0).map(Math.abs);

  // Scientific when the finite non-zero values span too wide a range. NumPy
  // compares in the array dtype (NEP 50 casts the Python-float thresholds),
  // hence cast(0.0001) and the dtype-rounded ratio; the large cutoff is
  // 10**min(8, finfo.precision): 1e6 for float32, 1e3 for float16.
  let expFormat = false;
  if (absNonZero.length > 0) {
    const max = maxOf(absNonZero);
    const min = minOf(absNonZero);
    const cutoff = dtype === "float16" ? 1e3 : 1e6;
    expFormat = max >= cutoff || min < cast(0.0001) || cast(max / min) > 1000;
  }

  const sign = (x: number): string => (x < 0 || Object.is(x, -0) ? "-" : "");
  let padLeft = 0;
  let padRight = 0;
  let fmt: (x: number) => [string, string, string]; // [int part with sign, fraction, exponent]

  if (finite.length === 0) {
    fmt = () => ["", "", ""]; // never called: only non-finite values
  } else if (expFormat) {
    // First pass: unique digits fix the common mantissa width and exponent width.
    const uniq = finite.map((x) => shortest(x, cast));
    const precision = maxOf(uniq.map((d) => d.digits.length - 1));
    const expSize = maxOf(uniq.map((d) => String(Math.abs(d.exp)).padStart(2, "0").length));
    padLeft = maxOf(finite.map((x) => sign(x).length + 1));
    padRight = expSize + 2 + precision;
    // Second pass (min_digits=precision): shorter values get more digits of
    // their exact binary value, so float32(1e-5) becomes 9.9999997e-06.
    fmt = (x) => {
      let d = shortest(x, cast);
      if (d.digits.length < precision + 1) d = roundSig(exactDecimal(x), precision + 1);
      const digits = d.digits.padEnd(precision + 1, "0");
      return [sign(x) + digits[0], digits.slice(1), "e" + expString(d.exp, expSize)];
    };
  } else {
    // Unique digits, but at most `precision` fractional digits (rounded half-even).
    fmt = (x) => {
      let d = shortest(x, cast);
      if (d.digits.length - d.exp - 1 > PRECISION) d = roundSig(exactDecimal(x), d.exp + 1 + PRECISION);
      const [int, frac] = positional(d);
      return [sign(x) + int, frac, ""];
    };
    const parts = finite.map(fmt);
    padLeft = maxOf(parts.map((p) => p[0].length));
    padRight = maxOf(parts.map((p) => p[1].length));
  }

  // nan/inf are right-aligned in the full field; widen the integer part if they don't fit.
  if (finite.length !== data.length) {
    const negInf = data.some((x) => x === -Infinity) ? 1 : 0;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), 3 + negInf - (padRight + 1));
  }

  return (x) => {
    if (!Number.isFinite(x)) {
      const s = Number.isNaN(x) ? "nan" : x < 0 ? "-inf" : "inf";
      return s.padStart(padLeft + padRight + 1);
    }
    const [int, frac, exp] = fmt(x);
    // Exponential mode pads only the left; positional pads the fraction too.
    return int.padStart(padLeft) + "." + (exp ? frac + exp : frac.padEnd(padRight));
  };
}

/** arrayprint.IntegerFormat: right-align to the widest of str(max) and str(min). */
function intFormatter(data: number[]): Formatter {
  const width = data.length ? maxOf(data.map((x) => String(x).length)) : 0;
  return (x) => String(x).padStart(width);
}

// ---------------------------------------------------------------------------
// Array layout (arrayprint._formatArray)

/** Python-style tuple repr of a shape: (), (3,), (2, 3). */
const shapeTuple = (shape: readonly number[]): string =>
  shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;

/** Word-wrap a line: arrayprint._extendLine with legacy=False. */
function extendLine(s: string, line: string, word: string, width: number, nextPrefix: string): [string, string] {
  // Wrapping a line holding nothing but the indent would not help.
  if (line.length + word.length > width && line.length > nextPrefix.length) {
    s += line.trimEnd() + "\n";
    line = nextPrefix;
  }
  return [s, line + word];
}

/**
 * np.array2string(a, separator=sep, prefix=prefix, suffix=suffix) at default
 * options, for a non-empty array. `prefix`/`suffix` only matter through their
 * lengths: continuation lines are indented past the prefix, and the last line
 * must leave room for the suffix.
 */
function array2string(
  values: ArrayLike<number | boolean>,
  shape: readonly number[],
  dtype: FormatDtype,
  separator: string,
  prefixLen: number,
  suffixLen: number,
): string {
  const ndim = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (values.length !== size) {
    throw new Error(`format: ${values.length} values do not fill shape ${shapeTuple(shape)}`);
  }
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const summarise = size > THRESHOLD;
  // Indices shown along an axis: all of them, or the edges when summarising.
  const shown = (n: number): number[] =>
    summarise && n > 2 * EDGEITEMS
      ? [...Array(EDGEITEMS).keys(), ...Array.from({ length: EDGEITEMS }, (_, i) => n - EDGEITEMS + i)]
      : [...Array(n).keys()];

  const read = (offset: number): number => {
    const v = Number(values[offset]);
    return dtype === "float32" ? Math.fround(v) : dtype === "float16" ? roundF16(v) : v;
  };

  // The element formatter is fitted to the displayed elements only (like _leading_trailing).
  const displayed: number[] = [];
  const collect = (axis: number, offset: number): void => {
    if (axis === ndim) displayed.push(read(offset));
    else for (const i of shown(shape[axis]!)) collect(axis + 1, offset + i * strides[axis]!);
  };
  collect(0, 0);
  let format: Formatter;
  if (dtype === "bool") format = (x) => (x ? (ndim === 0 ? "True" : " True") : "False"); // pad " True" to "False"
  else if (isFloat(dtype)) format = floatFormatter(displayed, dtype);
  else format = intFormatter(displayed);

  const sepTrim = separator.trimEnd();
  const recurse = (axis: number, offset: number, hanging: string, width: number): string => {
    if (axis === ndim) return format(read(offset));
    const nextHanging = hanging + " "; // align under the "[" just opened
    const nextWidth = width - 1; // and leave room for its "]"
    const n = shape[axis]!;
    const idx = shown(n);
    const summary = idx.length < n;
    const item = (i: number): string => recurse(axis + 1, offset + i * strides[axis]!, nextHanging, nextWidth);
    let s = "";
    if (axis === ndim - 1) {
      // Innermost axis: fill lines with elements, leaving room for a separator or "]".
      const elemWidth = width - Math.max(sepTrim.length, 1);
      let line = hanging;
      idx.forEach((i, k) => {
        [s, line] = extendLine(s, line, item(i), elemWidth, hanging);
        if (k < idx.length - 1) line += separator;
        if (summary && k === EDGEITEMS - 1) {
          [s, line] = extendLine(s, line, "...", elemWidth, hanging);
          line += separator;
        }
      });
      s += line;
    } else {
      // Outer axes: one sub-array per line, plus a blank line per extra nesting level.
      const lineSep = sepTrim + "\n".repeat(ndim - axis - 1);
      idx.forEach((i, k) => {
        s += hanging + item(i) + (k < idx.length - 1 ? lineSep : "");
        if (summary && k === EDGEITEMS - 1) s += hanging + "..." + lineSep;
      });
    }
    return "[" + s.slice(hanging.length) + "]";
  };
  return recurse(0, 0, " ".repeat(prefixLen + 1), LINEWIDTH - suffixLen);
}

// ---------------------------------------------------------------------------
// Public API

/** str(jax_array) == str(np_array): elements separated by spaces; 0-d prints as its scalar. */
export function formatStr(values: ArrayLike<number | boolean>, shape: readonly number[], dtype: FormatDtype): string {
  if (shape.length === 0) return formatScalar(values[0]!, dtype);
  if (shape.includes(0)) return "[]";
  return array2string(values, shape, dtype, " ", 0, 0);
}

/**
 * repr(jax_array), following jax.Array.__repr__: the body is
 * np.array2string(prefix='Array(', suffix=',', separator=', '); the dtype
 * always follows, after one space, or after len('Array(') spaces on the same
 * line when the last line would pass the line width (JAX's own rule, quirks included).
 */
export function formatRepr(
  values: ArrayLike<number | boolean>,
  shape: readonly number[],
  dtype: FormatDtype,
  weakType = false,
): string {
  const prefix = "Array(";
  const dtypeStr = `dtype=${dtype}` + (weakType ? ", weak_type=True" : "");
  const s = shape.includes(0)
    ? `[], shape=${shapeTuple(shape)}`
    : array2string(values, shape, dtype, ", ", prefix.length, 1);
  const lastLineLen = s.length - s.lastIndexOf("\n") + 1;
  const sep = lastLineLen + dtypeStr.length + 2 > LINEWIDTH ? " ".repeat(prefix.length) : " ";
  return `${prefix}${s},${sep}${dtypeStr})`;
}

/**
 * repr (and str) of a PRNG key array, as JAX's PRNGKeyArray prints it: the key shape and dtype,
 * then str() of the uint32 words it overlays (`Array((), dtype=key<fry>) overlaying:\n[0 0]`).
 */
export function formatKeys(words: ArrayLike<number>, shape: readonly number[], dtype: string): string {
  return `Array(${shapeTuple(shape)}, dtype=${dtype}) overlaying:\n${formatStr(words, [...shape, 2], "uint32")}`;
}
