// Abstract values: what tracing knows about an array (JAX's ShapedArray).
import { type DType, shortDtype } from "../dtypes.js";

export type Shape = readonly number[];

/**
 * What tracing knows about an array: shape, dtype and weak type, not its values (JAX's
 * `ShapedArray`). A tracer's `aval`; jit traces once per distinct list of them.
 */
export class ShapedArray {
  constructor(
    readonly shape: Shape,
    readonly dtype: DType,
    readonly weakType = false,
  ) {}

  get ndim(): number {
    return this.shape.length;
  }
  get size(): number {
    let n = 1;
    for (const d of this.shape) n *= d;
    return n;
  }
  /** `f32[3,4]`, as jaxprs print it (weak types are not shown). */
  strShort(): string {
    return `${shortDtype(this.dtype)}[${this.shape.join(",")}]`;
  }
  #key: string | undefined;
  /** The key jit's caches use: shape, dtype and weak type. */
  key(): string {
    return (this.#key ??= `${this.dtype}${this.weakType ? "*" : ""}[${this.shape.join(",")}]`);
  }
  equals(o: ShapedArray): boolean {
    return this.dtype === o.dtype && this.weakType === o.weakType && shapeEqual(this.shape, o.shape);
  }
  update(p: { shape?: Shape; dtype?: DType; weakType?: boolean }): ShapedArray {
    return new ShapedArray(p.shape ?? this.shape, p.dtype ?? this.dtype, p.weakType ?? this.weakType);
  }
  toString(): string {
    return this.strShort();
  }
}

export function shapeEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `(3,)`, `(2, 3)`, `()`: shapes as Python prints tuples, for error messages and params. */
export const pyShape = (s: Shape): string => (s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`);

export const sizeOf = (s: Shape): number => s.reduce((a, b) => a * b, 1);
