// How each JAX dtype is stored in tfjs, which has only float32, int32 and bool tensors.
import type { DataType } from "@tensorflow/tfjs-core";
import type { DType } from "../dtypes.js";

/** uint32 lives in int32 tensors as its bit pattern; small ints widen to int32. */
export function storageDtype(d: DType): DataType {
  switch (d) {
    case "float32":
    case "float16":
      return "float32";
    case "bool":
      return "bool";
    default:
      return "int32";
  }
}
