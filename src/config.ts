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
};

export const config = {
  /** Sets an option, e.g. `config.update("jax_log_compiles", true)`. */
  update(name: string, value: unknown): void {
    if (!(name in values)) throw new Error(`Unrecognized config option: ${name}`);
    const old = values[name];
    if (typeof old !== typeof value) throw new TypeError(`config.update: ${name} expects a ${typeof old}, got ${typeof value}`);
    values[name] = value;
  },
  /** Reads an option's current value. */
  read<T = unknown>(name: string): T {
    if (!(name in values)) throw new Error(`Unrecognized config option: ${name}`);
    return values[name] as T;
  },
};
