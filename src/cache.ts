// Bounded caches. Every cache whose keys come from user input (functions, shapes, static args,
// constants) is an LRU of a fixed size, as JAX's are (util.weakref_lru_cache: maxsize=2048).
// Eviction only drops the cache's reference: what an entry owns (an executable's literal tensors,
// a trace's constants) is freed when nothing else uses it, by the owner's FinalizationRegistry.

/** Entries per cache. JAX's jit trace and lowering caches are LRUs of 2048 entries. */
export const CACHE_SIZES = {
  /** jit's trace cache, over all functions (JAX: pjit's _infer_params_cached, 2048). */
  traces: 2048,
  /** Compiled executables, keyed on (jaxpr, backend, donation) (JAX: pxla's lowering caches, 2048). */
  executables: 2048,
  /** Generated kernels (JS loops, wasm modules, single-op kernels), keyed on program text. */
  kernels: 4096,
  /** Per-primitive traces of primitives lowered through lax code (lowerFun). */
  lowerings: 512,
  /** Interned JS scalars (eager `x.mul(2)` allocates no tensor for the 2). */
  scalars: 4096,
  /** Small interned values: dimension numbers, wasm SIMD constants, GEMM modules. */
  small: 1024,
} as const;

const registry = new Map<string, { readonly size: number; readonly maxSize: number; clear(): void }>();

/**
 * A Map that keeps its `maxSize` most recently used entries. `onEvict` sees each entry that
 * leaves (evicted, deleted, replaced or cleared). `new LRU<string, Kernel>("kernels", 4096)`.
 */
export class LRU<K, V> {
  readonly #map = new Map<K, V>();
  constructor(
    name: string,
    readonly maxSize: number,
    private readonly onEvict?: (value: V, key: K) => void,
  ) {
    registry.set(name, this);
  }
  get size(): number {
    return this.#map.size;
  }
  has(key: K): boolean {
    return this.#map.has(key);
  }
  /** The value, now the most recently used. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined || this.#map.has(key)) {
      this.#map.delete(key);
      this.#map.set(key, v as V);
    }
    return v;
  }
  set(key: K, value: V): this {
    if (this.#map.has(key)) this.delete(key);
    this.#map.set(key, value);
    // Map iterates in insertion order: the first key is the least recently used.
    while (this.#map.size > this.maxSize) this.delete(this.#map.keys().next().value as K);
    return this;
  }
  delete(key: K): boolean {
    if (!this.#map.has(key)) return false;
    const v = this.#map.get(key) as V;
    this.#map.delete(key);
    this.onEvict?.(v, key);
    return true;
  }
  clear(): void {
    for (const k of [...this.#map.keys()]) this.delete(k);
  }
}

/**
 * An LRU keyed on (object, string) that holds the object weakly, as JAX's weakref_lru_cache:
 * the bound is over all objects, and an object's entries leave when it is collected.
 */
export class WeakLRU<O extends object, V> {
  readonly #ids = new WeakMap<O, number>();
  #nextId = 0;
  readonly #keysOf = new Map<number, Set<string>>();
  readonly #lru: LRU<string, V>;
  readonly #collected = new FinalizationRegistry<number>((id) => {
    for (const k of this.#keysOf.get(id) ?? []) this.#lru.delete(k);
  });
  constructor(name: string, maxSize: number, onEvict?: (value: V) => void) {
    this.#lru = new LRU<string, V>(name, maxSize, (v, k) => {
      const id = Number(k.slice(0, k.indexOf("|")));
      const ks = this.#keysOf.get(id)!;
      ks.delete(k);
      if (ks.size === 0) this.#keysOf.delete(id);
      onEvict?.(v);
    });
  }
  get size(): number {
    return this.#lru.size;
  }
  get(o: O, key: string): V | undefined {
    const id = this.#ids.get(o);
    return id === undefined ? undefined : this.#lru.get(`${id}|${key}`);
  }
  set(o: O, key: string, value: V): void {
    let id = this.#ids.get(o);
    if (id === undefined) {
      this.#ids.set(o, (id = this.#nextId++));
      this.#collected.register(o, id);
    }
    const k = `${id}|${key}`;
    this.#lru.set(k, value);
    let ks = this.#keysOf.get(id);
    if (ks === undefined) this.#keysOf.set(id, (ks = new Set()));
    ks.add(k);
  }
}

/** Each cache's name, entries and bound: `cacheInfo()["jit.traces"]` is `{ size, maxSize }`. */
export function cacheInfo(): Record<string, { size: number; maxSize: number }> {
  return Object.fromEntries([...registry].map(([name, c]) => [name, { size: c.size, maxSize: c.maxSize }]));
}

/** Empties every cache (JAX's jax.clear_caches): `clearCaches(); f(x)` traces and compiles f again. */
export function clearCaches(): void {
  for (const c of registry.values()) c.clear();
}
