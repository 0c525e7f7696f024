// JAX's FlatTree (jax/_src/flattree.py): the structure scan keeps in its `ft_in` / `ft_out`
// params to say which operands are consts, carries and scanned inputs, and which outputs are
// carries and stacked outputs. Its values are placeholders (None); the structure is what
// counts, and it prints as Python's repr of it (`((), (None,), (None,))`), as jaxprs show it.

/** JAX's util.Either: `Right(x)` kept by a filter, `Left(x)` dropped. */
export class Either {
  constructor(
    readonly isRight: boolean,
    readonly val: unknown,
  ) {}
}

const repr = (v: unknown): string =>
  v === null || v === undefined ? "None" : v instanceof Either ? `${v.isRight ? "Right" : "Left"}(${repr(v.val)})` : String(v);

/** A pytree structure as PyTreeDef prints it: tuples, lists and leaves. */
/** `zero` is a symbolic-zero cotangent: a pytree node of no leaves (ad.Zero), named by its aval. */
export type PyDef = "*" | { tuple: PyDef[] } | { list: PyDef[] } | { zero: string };
const defLeaves = (d: PyDef): number => (d === "*" ? 1 : "zero" in d ? 0 : ("tuple" in d ? d.tuple : d.list).reduce((n, c) => n + defLeaves(c), 0));
const defRepr = (d: PyDef): string =>
  d === "*"
    ? "*"
    : "zero" in d
      ? `CustomNode(Zero[${d.zero}], [])`
      : "list" in d
        ? `[${d.list.map(defRepr).join(", ")}]`
        : d.tuple.length === 1
          ? `(${defRepr(d.tuple[0])},)`
          : `(${d.tuple.map(defRepr).join(", ")})`;

export abstract class FlatTree {
  /** Number of values (only the kept ones under a filter). */
  abstract get length(): number;
  abstract map(f: (x: unknown) => unknown): FlatTree;
  abstract toString(): string;

  get vals(): unknown[] {
    const out: unknown[] = [];
    this.map((x) => (out.push(x), x));
    return out;
  }
  update(vals: readonly unknown[]): FlatTree {
    if (vals.length !== this.length) throw new Error(`internal: FlatTree.update with ${vals.length} values for ${this.length}`);
    let i = 0;
    return this.map(() => vals[i++]);
  }
  void(): FlatTree {
    return this.map(() => null);
  }
  unpack(): FlatTree[] {
    if (this instanceof FTTuple) return this.elts;
    if (this instanceof FTPyTree) {
      if (this.def === "*") throw new TypeError(`Not a FlatTree tuple: ${this}`);
      if ("zero" in this.def) throw new TypeError(`Not a FlatTree tuple: ${this}`);
      const kids = "tuple" in this.def ? this.def.tuple : this.def.list;
      let k = 0;
      return kids.map((d) => new FTPyTree(this.xs.slice(k, (k += defLeaves(d))), d));
    }
    if (this instanceof FTFiltered) return this.val.unpack().map((t) => new FTFiltered(t));
    throw new TypeError(`Not a FlatTree tuple: ${this}`);
  }
  /** Keeps the values where `mask` is true, remembering the others (JAX's filter_with_mask). */
  filterWithMask(mask: readonly boolean[]): FlatTree {
    let i = 0;
    return ftFiltered(this.map((x) => new Either(mask[i++], x)));
  }
  unfilter(): FlatTree {
    if (this instanceof FTTuple) return new FTTuple(this.elts.map((e) => e.unfilter()));
    if (this instanceof FTFiltered) return this.val.map((x) => (x as Either).val);
    throw new TypeError("expected a FTTuple or a FTFiltered");
  }
}

export class FTTuple extends FlatTree {
  constructor(readonly elts: FlatTree[]) {
    super();
  }
  get length(): number {
    return this.elts.reduce((n, e) => n + e.length, 0);
  }
  map(f: (x: unknown) => unknown): FlatTree {
    return new FTTuple(this.elts.map((e) => e.map(f)));
  }
  toString(): string {
    return this.elts.length === 1 ? `(${this.elts[0]},)` : `(${this.elts.join(", ")})`;
  }
}

export class FTSingleton extends FlatTree {
  constructor(readonly val: unknown) {
    super();
  }
  get length(): number {
    return 1;
  }
  map(f: (x: unknown) => unknown): FlatTree {
    return new FTSingleton(f(this.val));
  }
  toString(): string {
    return repr(this.val);
  }
}

export class FTPyTree extends FlatTree {
  constructor(
    readonly xs: unknown[],
    readonly def: PyDef,
  ) {
    super();
  }
  get length(): number {
    return this.xs.length;
  }
  map(f: (x: unknown) => unknown): FlatTree {
    return new FTPyTree(this.xs.map(f), this.def);
  }
  toString(): string {
    return `Pytree(vals=[${this.xs.map(repr).join(", ")}], tree=PyTreeDef(${defRepr(this.def)}))`;
  }
}

/** A FlatTree of Eithers whose Rights are its values (JAX's FTFiltered, printed RightsOnly). */
export class FTFiltered extends FlatTree {
  constructor(readonly val: FlatTree) {
    super();
  }
  get length(): number {
    return this.val.vals.filter((x) => (x as Either).isRight).length;
  }
  map(f: (x: unknown) => unknown): FlatTree {
    return new FTFiltered(this.val.map((x) => ((x as Either).isRight ? new Either(true, f((x as Either).val)) : x)));
  }
  toString(): string {
    return `RightsOnly(${this.val})`;
  }
}

function ftFiltered(t: FlatTree): FlatTree {
  return t instanceof FTTuple ? new FTTuple(t.elts.map(ftFiltered)) : new FTFiltered(t);
}

/** A tuple of FlatTrees (JAX's ft.pack of a tuple). */
export const pack = (...elts: FlatTree[]): FlatTree => new FTTuple(elts);
/** `n` placeholder values (JAX's ft.nones). */
export const nones = (n: number): FlatTree => new FTTuple(Array.from({ length: n }, () => new FTSingleton(null)));
/** A tuple of tuples, transposed: `((a1, a2), (b1, b2))` -> `((a1, b1), (a2, b2))` (JAX's ft.zipstar). */
export function zipstar(t: FlatTree): FlatTree {
  const rows = t.unpack().map((e) => e.unpack());
  return new FTTuple(rows[0].map((_, j) => new FTTuple(rows.map((r) => r[j]))));
}
/**
 * Lists of placeholders in tuples, as `ft.flatten(...).void()` builds them: a number n is a list
 * of n, an array a tuple, `{ list }` a list whose null items are leaves and whose strings are
 * symbolic zeros of that aval (which flatten to no leaf).
 */
export type ListSpec = number | { list: (string | null)[] } | ListSpec[];
export function flattenLists(spec: ListSpec): FlatTree {
  const def = (s: ListSpec): PyDef =>
    typeof s === "number"
      ? { list: Array.from({ length: s }, () => "*" as const) }
      : Array.isArray(s)
        ? { tuple: s.map(def) }
        : { list: s.list.map((z): PyDef => (z === null ? "*" : { zero: z })) };
  const d = def(spec);
  return new FTPyTree(Array.from({ length: defLeaves(d) }, () => null), d);
}
