/**
 * Pytrees (jax.tree): nested JS arrays, plain objects (keys sorted, as JAX sorts dict keys),
 * null/undefined (empty nodes, like None) and registered classes; everything else is a leaf.
 * Every transformation takes and returns pytrees of arrays.
 *
 * ```ts
 * tree.map((p: Array, g: Array) => p.sub(g.mul(0.1)), params, grads);  // an SGD step
 * tree.leaves({ b: 2, a: [1, null] });                                 // [1, 2]
 * ```
 * @module
 */

type Ctor = abstract new (...args: never[]) => unknown;
interface NodeDef {
  flatten(x: unknown): [children: unknown[], aux: unknown];
  unflatten(aux: unknown, children: unknown[]): unknown;
}
const registry = new Map<Ctor, NodeDef>();

/**
 * Registers a class as a pytree node.
 * `tree.registerNode(Point, p => [[p.x, p.y], null], (_, [x, y]) => new Point(x, y))`
 */
export function registerNode<T>(
  cls: abstract new (...args: never[]) => T,
  flatten: (x: T) => [unknown[], unknown],
  unflatten: (aux: any, children: any[]) => T,
): void {
  registry.set(cls, { flatten: flatten as NodeDef["flatten"], unflatten });
}

/** The structure of a pytree, without its leaves (JAX's PyTreeDef). */
export class TreeDef {
  constructor(
    readonly kind: "leaf" | "none" | "undefined" | "list" | "dict" | "custom",
    readonly children: TreeDef[] = [],
    /** dict: sorted keys; custom: [class, aux]. */
    readonly meta: unknown = null,
  ) {}

  get numLeaves(): number {
    return this.kind === "leaf" ? 1 : this.children.reduce((n, c) => n + c.numLeaves, 0);
  }

  #str: string | undefined;
  /** A string equal for equal structures: cache keys and error messages use it. */
  toString(): string {
    return (this.#str ??= this.describe());
  }
  private describe(): string {
    switch (this.kind) {
      case "leaf":
        return "*";
      case "none":
        return "None";
      case "undefined":
        return "undefined";
      case "list":
        return `[${this.children.join(", ")}]`;
      case "dict":
        return `{${(this.meta as string[]).map((k, i) => `${JSON.stringify(k)}: ${this.children[i]}`).join(", ")}}`;
      case "custom": {
        const [cls, aux] = this.meta as [Ctor, unknown];
        return `CustomNode(${cls.name}[${safeKey(aux)}], [${this.children.join(", ")}])`;
      }
    }
  }
  equals(o: TreeDef): boolean {
    return this === o || this.toString() === o.toString();
  }
}

function safeKey(aux: unknown): string {
  try {
    return JSON.stringify(aux) ?? String(aux);
  } catch {
    return String(aux);
  }
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype;

function nodeOf(x: unknown): NodeDef | undefined {
  if (typeof x !== "object" || x === null) return undefined;
  for (let p = Object.getPrototypeOf(x); p !== null; p = Object.getPrototypeOf(p)) {
    const d = registry.get(p.constructor);
    if (d) return d;
  }
  return undefined;
}

/** Leaves in order, and the structure to rebuild them with. */
export function flatten(x: unknown): [unknown[], TreeDef] {
  const leaves: unknown[] = [];
  const go = (v: unknown): TreeDef => {
    if (v === null) return new TreeDef("none");
    if (v === undefined) return new TreeDef("undefined");
    if (Array.isArray(v)) return new TreeDef("list", v.map(go));
    if (isPlainObject(v)) {
      const keys = Object.keys(v).sort();
      return new TreeDef("dict", keys.map((k) => go(v[k])), keys);
    }
    const node = nodeOf(v);
    if (node) {
      const [children, aux] = node.flatten(v);
      return new TreeDef("custom", children.map(go), [(v as object).constructor, aux]);
    }
    leaves.push(v);
    return new TreeDef("leaf");
  };
  const def = go(x);
  return [leaves, def];
}

/** Rebuilds a pytree from its structure and leaves. */
export function unflatten(def: TreeDef, leaves: readonly unknown[]): unknown {
  if (leaves.length !== def.numLeaves)
    throw new TypeError(`Too ${leaves.length < def.numLeaves ? "few" : "many"} leaves for PyTreeDef; expected ${def.numLeaves}, got ${leaves.length}.`);
  let i = 0;
  const go = (d: TreeDef): unknown => {
    switch (d.kind) {
      case "leaf":
        return leaves[i++];
      case "none":
        return null;
      case "undefined":
        return undefined;
      case "list":
        return d.children.map(go);
      case "dict": {
        const out: Record<string, unknown> = {};
        (d.meta as string[]).forEach((k, j) => (out[k] = go(d.children[j])));
        return out;
      }
      case "custom": {
        const [cls, aux] = d.meta as [Ctor, unknown];
        return registry.get(cls)!.unflatten(aux, d.children.map(go));
      }
    }
  };
  return go(def);
}

export const leaves = (x: unknown): unknown[] => flatten(x)[0];
export const structure = (x: unknown): TreeDef => flatten(x)[1];

/** Applies `f` to each leaf of `x` (and the matching leaves of `rest`, which share its structure). */
export function map(f: (...xs: any[]) => unknown, x: unknown, ...rest: unknown[]): unknown {
  const [xs, def] = flatten(x);
  const others = rest.map((r, k) => {
    const [ls, d] = flatten(r);
    if (!d.equals(def)) throw new TypeError(`tree.map: argument ${k + 1} has structure ${d}, expected ${def}`);
    return ls;
  });
  return unflatten(
    def,
    xs.map((l, i) => f(l, ...others.map((o) => o[i]))),
  );
}

/** Paths of each leaf, JAX-style (`[0]['w']`), for error messages. */
export function leafPaths(def: TreeDef, prefix = ""): string[] {
  switch (def.kind) {
    case "leaf":
      return [prefix];
    case "list":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}[${i}]`));
    case "dict":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}['${(def.meta as string[])[i]}']`));
    case "custom":
      return def.children.flatMap((c, i) => leafPaths(c, `${prefix}.<${i}>`));
    default:
      return [];
  }
}
