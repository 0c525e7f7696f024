// `bitcast_convert_type[new_dtype=float32]`: the same 32 bits read as another dtype (uniform
// builds floats in [1, 2) from random mantissa bits this way). A lax primitive; it lives here
// until lax needs it for something else.
import * as tf from "@tensorflow/tfjs-core";
import { type DType, isKey, itemsize } from "../dtypes.js";
import { definePrimitive, hostData } from "../lax/primitive.js";
import { defvectorized } from "../tracer/batching.js";
import { defZeroJvp } from "../tracer/ad_util.js";

const BITS32: DType[] = ["float32", "int32", "uint32"];

export const bitcast_convert_type_p = definePrimitive({
  name: "bitcast_convert_type",
  abstractEval([x], p: { new_dtype: DType }) {
    if (x.dtype === "bool" || p.new_dtype === "bool" || isKey(x.dtype) || isKey(p.new_dtype)) {
      if (x.dtype !== p.new_dtype)
        throw new TypeError(
          `lax.bitcast_convert_type does not support bool or complex values unless the operand and destination types match. Got operand dtype=${x.dtype}, new_dtype=${p.new_dtype}. Consider using the arr.view() method instead.`,
        );
    } else if (itemsize(x.dtype) !== itemsize(p.new_dtype) || !BITS32.includes(x.dtype) || !BITS32.includes(p.new_dtype))
      throw new TypeError(`bitcast_convert_type from ${x.dtype} to ${p.new_dtype} is not supported (tfjax bit-casts between 32-bit types only)`);
    return [x.update({ dtype: p.new_dtype, weakType: false })];
  },
  impl([x], p, ctx) {
    if (ctx.inAvals[0].dtype === p.new_dtype) return [tf.clone(x)];
    const v = hostData(x, ctx.inAvals[0].dtype);
    // Straight from the bytes: a Float32Array view keeps NaN payloads that a copy through JS
    // numbers could canonicalise.
    const buf = new ArrayBuffer(v.length * 4);
    new Uint8Array(buf).set(new Uint8Array(v.buffer, v.byteOffset, v.length * 4));
    const out = p.new_dtype === "float32" ? new Float32Array(buf) : new Int32Array(buf);
    return [tf.tensor(out, x.shape, p.new_dtype === "float32" ? "float32" : "int32")];
  },
});

// Elementwise; its derivative is zero by definition (JAX's defjvp_zero).
defvectorized(bitcast_convert_type_p);
defZeroJvp(bitcast_convert_type_p);
