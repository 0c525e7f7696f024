// jax.nn.initializers: functions `(key, shape, dtype?) => Array` drawing exactly JAX's numbers
// for the same key (same samplers, same float32 arithmetic on the scale).
import type { Array as JaxArray } from "../array/base.js";
import type { DType } from "../dtypes.js";
import * as jnp from "../numpy/index.js";
import { normal as randomNormal, truncatedNormal as randomTruncatedNormal, uniform as randomUniform } from "../prng/samplers.js";

export type Initializer = (key: JaxArray, shape: readonly number[], dtype?: DType) => JaxArray;
type AxisArg = number | number[];

const f32 = (v: number, dtype: DType) => jnp.array(v, { dtype });
const prod = (xs: number[]) => xs.reduce((a, b) => a * b, 1);
const pick = (shape: readonly number[], ax: AxisArg) => (typeof ax === "number" ? [shape.at(ax)!] : ax.map((i) => shape.at(i)!));

/** fan_in, fan_out of a weight shape; other axes form the receptive field (JAX's _compute_fans). */
export function computeFans(shape: readonly number[], inAxis: AxisArg = -2, outAxis: AxisArg = -1, batchAxis: AxisArg = []): [number, number] {
  if (typeof inAxis === "number" && inAxis === -2 && shape.length <= 1)
    throw new Error(`Can't compute input and output sizes of a ${shape.length}-dimensional weights tensor with default in_axis. Must be at least 2D or specify in_axis explicitly.`);
  const inSize = prod(pick(shape, inAxis));
  const outSize = prod(pick(shape, outAxis));
  const batchSize = prod(pick(shape, batchAxis));
  const rf = prod([...shape]) / inSize / outSize / batchSize;
  return [inSize * rf, outSize * rf];
}

export const zeros: Initializer = (_key, shape, dtype = "float32") => jnp.zeros(shape, { dtype });
export const ones: Initializer = (_key, shape, dtype = "float32") => jnp.ones(shape, { dtype });
export const constant =
  (value: number, dtype: DType = "float32"): Initializer =>
  (_key, shape, dt = dtype) =>
    jnp.full(shape, value, { dtype: dt });

export const normal =
  (stddev = 1e-2, dtype: DType = "float32"): Initializer =>
  (key, shape, dt = dtype) =>
    jnp.multiply(randomNormal(key, [...shape], dt), f32(stddev, dt));

export const uniform =
  (scale = 1e-2, dtype: DType = "float32"): Initializer =>
  (key, shape, dt = dtype) =>
    jnp.multiply(randomUniform(key, [...shape], dt), f32(scale, dt));

export const truncatedNormal =
  (stddev = 1e-2, dtype: DType = "float32", lower = -2.0, upper = 2.0): Initializer =>
  (key, shape, dt = dtype) =>
    jnp.multiply(randomTruncatedNormal(key, lower, upper, [...shape], dt), f32(stddev, dt));

export type Mode = "fan_in" | "fan_out" | "fan_avg" | "fan_geo_avg";
export type Distribution = "truncated_normal" | "normal" | "uniform";

/** Scale / fan variance, drawn from `distribution` (JAX's variance_scaling). */
export function varianceScaling(scale: number, mode: Mode, distribution: Distribution, opts: { inAxis?: AxisArg; outAxis?: AxisArg; batchAxis?: AxisArg; dtype?: DType } = {}): Initializer {
  return (key, shape, dt = opts.dtype ?? "float32") => {
    const [fanIn, fanOut] = computeFans(shape, opts.inAxis ?? -2, opts.outAxis ?? -1, opts.batchAxis ?? []);
    const denominator = mode === "fan_in" ? fanIn : mode === "fan_out" ? fanOut : mode === "fan_avg" ? (fanIn + fanOut) / 2 : Math.sqrt(fanIn * fanOut);
    const variance = f32(scale / denominator, dt);
    if (distribution === "truncated_normal") {
      // the stddev of a standard normal truncated to (-2, 2)
      const stddev = jnp.divide(jnp.sqrt(variance), f32(0.87962566103423978, dt));
      return jnp.multiply(randomTruncatedNormal(key, -2, 2, [...shape], dt), stddev);
    }
    if (distribution === "normal") return jnp.multiply(randomNormal(key, [...shape], dt), jnp.sqrt(variance));
    if (distribution === "uniform") return jnp.multiply(randomUniform(key, [...shape], dt, -1), jnp.sqrt(jnp.multiply(3, variance)));
    throw new Error(`invalid distribution for variance scaling initializer: ${distribution}`);
  };
}

type FanOpts = { inAxis?: AxisArg; outAxis?: AxisArg; batchAxis?: AxisArg; dtype?: DType };
export const glorotUniform = (o: FanOpts = {}) => varianceScaling(1.0, "fan_avg", "uniform", o);
export const glorotNormal = (o: FanOpts = {}) => varianceScaling(1.0, "fan_avg", "truncated_normal", o);
export const lecunUniform = (o: FanOpts = {}) => varianceScaling(1.0, "fan_in", "uniform", o);
export const lecunNormal = (o: FanOpts = {}) => varianceScaling(1.0, "fan_in", "truncated_normal", o);
export const heUniform = (o: FanOpts = {}) => varianceScaling(2.0, "fan_in", "uniform", o);
export const heNormal = (o: FanOpts = {}) => varianceScaling(2.0, "fan_in", "truncated_normal", o);
export { glorotUniform as xavierUniform, glorotNormal as xavierNormal, heUniform as kaimingUniform, heNormal as kaimingNormal };
