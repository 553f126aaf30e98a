/** Element types shared by every CPU kernel. */

/**
 * A flat, row-major buffer of floats. Kernels take a buffer plus an element offset instead of a
 * view, so callers can carve many tensors out of one arena without creating `subarray` objects
 * in the hot path. Arithmetic always happens in JS numbers (float64); results are stored in the
 * buffer's own precision.
 */
export type FloatArray = Float32Array | Float64Array;
