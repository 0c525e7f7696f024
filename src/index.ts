// tfjax: JAX for JavaScript on TensorFlow.js.
import "./jaxpr/print.js";
import * as numpy from "./numpy/index.js";
import * as lax from "./lax/lax.js";
import * as tree from "./tree.js";
import * as random from "./prng/index.js";
import * as nn from "./nn/index.js";
import { initDefaultBackend } from "./backends/backend.js";

export { numpy, numpy as jnp, lax, tree, random, nn };
export { Array } from "./array/base.js";
export { ArrayImpl, scope } from "./array/array.js";
export { jit, makeJaxpr, type JitOptions, type ArgLike, type Outputs, type Transformed } from "./tracer/jit.js";
export { evalJaxpr } from "./tracer/eval_jaxpr.js";
export { jvp, linearize, vjp, vjpWithAux, grad, valueAndGrad, jacfwd, jacrev, hessian, type GradOptions, type Gradients } from "./tracer/grad.js";
export { checkGrads, type CheckGradsOptions, type GradCheckMode } from "./test_util.js";
export { vmap, type VmapOptions, type AxisSpec } from "./tracer/vmap.js";
export { customJvp, customVjp } from "./tracer/custom_derivatives.js";
export { pmap, type PmapOptions } from "./tracer/pmap.js";
export { checkpoint, remat } from "./tracer/checkpoint.js";
export { Tracer } from "./tracer/core.js";
export { ClosedJaxpr, Jaxpr, JaxprEqn, Var, Literal } from "./jaxpr/jaxpr.js";
export { ShapedArray } from "./jaxpr/aval.js";
export { checkJaxpr, JaxprTypeError } from "./jaxpr/typecheck.js";
export { config } from "./config.js";
export { clearCaches, cacheInfo } from "./cache.js";
export { setBackend, getBackend, defaultBackend, type BackendName } from "./backends/backend.js";

// Importing tfjax starts the default backend: wasm in Node, WebGL in a browser (TFJAX_BACKEND overrides).
await initDefaultBackend();
export { ConcretizationTypeError, UnexpectedTracerError, FloatingPointError, KeyReuseError, ValueError } from "./errors.js";
export type { DType } from "./dtypes.js";
export { primitives } from "./lax/primitive.js";
