// tfjax's configuration, set as in JAX: `config.update("jax_log_compiles", true)`.

const env = (name: string): string | undefined => (typeof process !== "undefined" ? process.env?.[name] : undefined);

const values: Record<string, unknown> = {
  /** Log every trace and compile (also TFJAX_LOG_COMPILES=1). */
  jax_log_compiles: env("TFJAX_LOG_COMPILES") === "1",
  /** Explain why a jit call missed its cache (implied by jax_log_compiles). */
  jax_explain_cache_misses: env("TFJAX_LOG_COMPILES") === "1",
  /** JAX's PRNG stream mode; true is JAX's default since 0.5.0. */
  jax_threefry_partitionable: true,
  /**
   * How many devices pmap may use on one backend (simulated, like XLA's
   * --xla_force_host_platform_device_count; TFJAX_HOST_DEVICE_COUNT).
   */
  tfjax_host_device_count: Number(env("TFJAX_HOST_DEVICE_COUNT") ?? 1),
  /** 1: print compiled jaxprs; 2: also generated kernels (TFJAX_DEBUG). */
  tfjax_debug: Number(env("TFJAX_DEBUG") ?? 0),
  /**
   * Raise FloatingPointError("invalid value (nan) encountered in log") at the first primitive whose
   * float output holds a NaN (JAX_DEBUG_NANS=True). Eager primitives are checked as they run; a
   * jit call checks its outputs, then runs its jaxpr again op by op to find the primitive. Each
   * check reads the outputs back, so it is slow; off, it costs one boolean test per dispatch.
   */
  jax_debug_nans: env("JAX_DEBUG_NANS") === "True" || env("JAX_DEBUG_NANS") === "1",
  /** The same for ±Inf: FloatingPointError("invalid value (inf) encountered in log"). */
  jax_debug_infs: env("JAX_DEBUG_INFS") === "True" || env("JAX_DEBUG_INFS") === "1",
  /**
   * JAX's key reuse checker: raise KeyReuseError when a typed PRNG key is consumed twice (by
   * random_bits, random_split, a sampler, or a jit call that consumes it). Eagerly each key array
   * remembers its consumption ("Previously-consumed key passed to random_split at index 0"); a
   * traced jaxpr is checked statically ("In random_bits, argument 0 is already consumed.").
   * As in JAX, raw uint32[2] keys (PRNGKey) are not tracked, foldIn does not consume its key,
   * `ks.index(0)` consumes that key of ks only, and cond/scan/while follow JAX's rules (a loop
   * body may not consume a closed-over key).
   */
  jax_debug_key_reuse: env("JAX_DEBUG_KEY_REUSE") === "True" || env("JAX_DEBUG_KEY_REUSE") === "1",
};

/** True while any debug check is on: the eager dispatch tests this one boolean. */
export let debugChecks = false;
const updateDebugChecks = () => (debugChecks = Boolean(values.jax_debug_nans || values.jax_debug_infs || values.jax_debug_key_reuse));
updateDebugChecks();

/**
 * tfjax's options, set as in JAX. Options: `jax_log_compiles`, `jax_explain_cache_misses`,
 * `jax_threefry_partitionable`, `jax_debug_nans`, `jax_debug_infs`, `jax_debug_key_reuse`,
 * `tfjax_host_device_count` (devices simulated for pmap) and `tfjax_debug` (1: print compiled
 * jaxprs, 2: also generated kernels).
 *
 * ```ts
 * config.update("jax_threefry_partitionable", false);  // older JAX's random streams
 * config.read<boolean>("jax_debug_nans");
 * ```
 */
export const config = {
  /** Sets an option, e.g. `config.update("jax_log_compiles", true)`. */
  update(name: string, value: unknown): void {
    if (!(name in values)) throw new Error(`Unrecognized config option: ${name}`);
    const old = values[name];
    if (typeof old !== typeof value) throw new TypeError(`config.update: ${name} expects a ${typeof old}, got ${typeof value}`);
    values[name] = value;
    updateDebugChecks();
  },
  /** Reads an option's current value. */
  read<T = unknown>(name: string): T {
    if (!(name in values)) throw new Error(`Unrecognized config option: ${name}`);
    return values[name] as T;
  },
};
